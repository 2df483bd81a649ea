"""Inputs that used to stop a run or get lost without a word: odd files in a folder, newsflow's own
outputs inside it, and text whose bytes are not what they claim (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.config import Settings
from tasks.sources import decoding, discover
from tasks.sources.ingest import read_documents
from tasks.sources.plan import cli_sources, describe, plan, url_list

ARTICLE = "Delegates from twelve countries arrived on Monday for the summit on river shipping, officials said.\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# --- the walk -------------------------------------------------------------------------------------

def test_special_files_links_and_names_are_rejected_one_row_each(tmp_path):
    folder = tmp_path / "in"
    good = write(folder / "good.txt", ARTICLE)
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    os.symlink("b.txt", folder / "a.txt")
    os.symlink("a.txt", folder / "b.txt")
    os.symlink("missing.txt", folder / "broken.txt")
    latin1 = os.fsdecode(bytes(folder) + b"/caf\xe9.txt")
    Path(latin1).write_bytes(ARTICLE.encode())

    out = plan(cli_sources([str(folder)]), Settings())  # planning reads URL lists: must not block
    assert out.files == [good, folder / "pipe.txt", folder / "zero.txt"]  # ingest says what is wrong with them
    reasons = {q.source: q.reason for q in out.quarantined}
    assert reasons[f"{folder}/a.txt"] == reasons[f"{folder}/b.txt"] == \
        "cannot read file: symlink loop (too many levels of symbolic links)"
    assert reasons[f"{folder}/broken.txt"] == "broken symlink: its target missing.txt does not exist"
    assert reasons[f"{folder}/caf\\xe9.txt"].startswith("file name is not valid UTF-8 (shown here with \\x escapes)")
    assert next(q for q in out.quarantined if "caf" in q.source).payload == ARTICLE.encode()
    given = cli_sources([latin1])  # the same name given on the command line is recorded in runs.inputs escaped
    assert describe(given[0]) == f"{folder}/caf\\xe9.txt"
    assert [q.source for q in plan(given, Settings()).quarantined] == [f"{folder}/caf\\xe9.txt"]

    raw, rejected = read_documents(out.files, Settings())
    assert raw.column("source").to_pylist() == [str(good)]
    assert {q.source: q.reason for q in rejected} == {
        f"{folder}/pipe.txt": "cannot read file: not a regular file (a FIFO)",
        f"{folder}/zero.txt": "cannot read file: not a regular file (a character device)"}


def test_url_list_check_never_blocks_or_reads_a_device(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    assert url_list(tmp_path / "pipe.txt") is None and url_list(tmp_path / "zero.txt") is None


def test_symlinked_folders_are_followed_once_and_loops_end(tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.txt", ARTICLE)
    write(tmp_path / "elsewhere" / "b.txt", ARTICLE)
    os.symlink(tmp_path / "elsewhere", folder / "linked")
    os.symlink(folder, folder / "up")  # a loop: in/up -> in
    write(folder / ".hidden.txt", ARTICLE)
    write(folder / ".git" / "HEAD.txt", ARTICLE)
    found = discover.find([folder], Settings())
    assert found.files == [folder / "a.txt", folder / "linked" / "b.txt"]
    assert found.rejected == []
    assert found.skipped == {discover.HIDDEN: [f"{folder}/.git", f"{folder}/.hidden.txt"],
                             discover.SEEN_DIR: [f"{folder}/up"]}


def test_the_warehouse_and_its_outputs_inside_the_input_folder_are_skipped(tmp_path):
    data = tmp_path / "data"
    db = data / "newsflow.duckdb"
    for name in ("newsflow.duckdb", "newsflow.duckdb.wal", "newsflow.duckdb.lock"):
        write(data / name, b"\x00DUCK")
    write(data / "lake" / "articles" / "ingest_date=2025-05-16" / "part-0.parquet", b"PAR1")
    write(data / "docs" / "index.html", "<html><body><p>Data Docs</p></body></html>")
    write(data / "report.txt", ARTICLE)  # the user's own file beside them is read
    settings = Settings(db_path=db)
    found = discover.find([data], settings)
    assert found.files == [data / "report.txt"] and found.rejected == []
    assert found.skipped == {discover.OUTPUT: [f"{data}/docs", f"{data}/lake", f"{data}/newsflow.duckdb",
                                               f"{data}/newsflow.duckdb.lock", f"{data}/newsflow.duckdb.wal"]}
    # the same files through another spelling of the folder, and a --db inside the input folder
    assert discover.find([f"{tmp_path}/./data/"], settings).files == [data / "report.txt"]
    other = discover.find([tmp_path], Settings(db_path=data / "newsflow.duckdb", lake_dir=tmp_path / "mylake"))
    assert f"{data}/newsflow.duckdb" in other.skipped[discover.OUTPUT]
    summary = plan(cli_sources([str(data)]), settings).skipped_summary()
    assert summary == [{"reason": discover.OUTPUT, "count": 5,
                        "examples": [f"{data}/docs", f"{data}/lake", f"{data}/newsflow.duckdb"]}]


# --- decoding per document ---------------------------------------------------------------------------

GENEVA = ('<html><head><meta charset="utf-8"><title>Talks in Genève</title></head><body><article>'
          '<p>The delegations met in Genève on Wednesday for a new round of talks, the ministry said.</p>'
          '</article></body></html>')


def test_latin1_html_declaring_utf8_is_read_as_latin1_with_a_note():
    out = decoding.decode(GENEVA.encode("latin-1"), "html")
    assert "met in Genève on" in out.text and out.encoding == "cp1252"  # not cp775 "GenĶve", cp1250 "Genčve"
    assert out.note == "declared utf-8 but the bytes are not: decoded as cp1252"


def test_a_file_mixing_utf8_and_latin1_lines_reads_each_line_as_what_it_is():
    data = ("Zürich hosts the summit\n".encode() + "The mayor of Genève welcomed them.\n".encode("latin-1")
            + "Kraków and Łódź sent delegates.\n".encode())
    out = decoding.decode(data, "text")
    assert out.text == "Zürich hosts the summit\nThe mayor of Genève welcomed them.\nKraków and Łódź sent delegates.\n"
    assert out.encoding == "utf-8+cp1252"
    assert out.note == "mixed encodings: 1 of 3 non-ASCII lines are not UTF-8, decoded as cp1252"


def test_mojibake_in_utf8_text_is_repaired_with_a_note():
    out = decoding.decode("The talks in GenÃ¨ve went on; itâ€™s the third round.".encode(), "text")
    assert out.text == "The talks in Genève went on; it’s the third round." and out.note == "mojibake repaired (ftfy)"
    clean = decoding.decode("Genève, naïve café, Straße, 日本語".encode(), "text")
    assert clean.note is None and clean.text == "Genève, naïve café, Straße, 日本語"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(tmp_path, codec):
    path = write(tmp_path / "wide.txt", ("Headline\n" + ARTICLE + "Zürich, Genève.\n").encode(codec))
    raw, rejected = read_documents([path], Settings())
    assert rejected == [] and raw.column("encoding").to_pylist() == [codec]
    assert raw.column("body").to_pylist() == ["Headline\n" + ARTICLE + "Zürich, Genève.\n"]
    binary = write(tmp_path / "binary.txt", b"\x00\x01\x02\x03\xff\xfe\x00\x10" * 50)
    assert read_documents([binary], Settings())[1][0].reason.startswith("binary content")


def test_the_note_reaches_the_raw_row(tmp_path):
    path = write(tmp_path / "geneva.html", GENEVA.encode("latin-1"))
    raw, _ = read_documents([path], Settings())
    assert raw.column("decode_note").to_pylist() == ["declared utf-8 but the bytes are not: decoded as cp1252"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_a_byte_order_mark_is_text(tmp_path, codec):
    # only the newlines have a zero byte: too few for the Latin-script test, but the ideographs decide
    text = ("鹿特丹港新码头明年春季启用\n鹿特丹港务局周二表示，新的集装箱码头将于明年春季正式投入使用，"
            "预计每年可增加约两百万标准箱的吞吐能力。\n港务局发言人说，码头的建设工程已经完成了八成。\n")
    raw, rejected = read_documents([write(tmp_path / "zh.txt", text.encode(codec))], Settings())
    assert rejected == [] and raw.column("encoding").to_pylist() == [codec]
    assert raw.column("body").to_pylist() == [text]
    noise = bytes((i * 37 + 11) % 256 or 1 for i in range(4000)) + b"\n\x00"  # no zero but one
    assert read_documents([write(tmp_path / "noise.txt", noise)], Settings())[1][0].reason.startswith("binary content")
    # English with a stray NUL is not UTF-16 (its letter pairs would decode as ideographs)
    stray = write(tmp_path / "stray.txt", b"Headline\n" + ARTICLE.encode() + b"\x00\n")
    assert read_documents([stray], Settings())[1][0].reason.startswith("binary content")
