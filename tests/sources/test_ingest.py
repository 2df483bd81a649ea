"""Unit tests for tasks.sources.ingest: every input is written to tmp_path by the test itself."""

from __future__ import annotations

import gzip
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsflow.batches import RAW
from newsflow.config import Settings
from tasks.sources.ingest import discover, read_documents

SETTINGS = Settings()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(*files: Path, settings: Settings = SETTINGS):
    table, rejected = read_documents(list(files), settings)
    assert table.schema.equals(RAW)
    return table.to_pylist(), rejected


def reasons(rejected) -> dict[str, str]:
    return {q.source: q.reason for q in rejected}


# --- text and encodings -----------------------------------------------------------------------

def test_utf8_text_file(tmp_path):
    path = write(tmp_path / "a.txt", "Headline\r\nBody with ünïcode — and a CR\rline.\n")
    rows, rejected = read(path)
    assert rejected == []
    assert rows == [{
        "source": str(path), "url": None, "title": None,
        "body": "Headline\nBody with ünïcode — and a CR\nline.\n",
        "body_format": "text", "encoding": "utf-8", "published_at": None,
        "site_name": None, "author": None, "language": None,
        "published_precision": None, "published_raw": None, "decode_note": None,
    }]


@pytest.mark.parametrize("text", [
    "He said “hello” to José at the café.",
    "Le président a déclaré « c’est fini » — à Paris, l’été dernier.\nÉlodie était là.",
    "“Quote” é",
])
def test_cp1252_text_is_not_mistaken_for_another_codepage(tmp_path, text):
    rows, rejected = read(write(tmp_path / "legacy.text", text.encode("cp1252")))
    assert rejected == []
    assert (rows[0]["body"], rows[0]["encoding"]) == (text, "cp1252")


def test_cyrillic_legacy_text_is_still_detected(tmp_path):
    text = "Пример текста на русском языке, довольно длинный для проверки."
    rows, _ = read(write(tmp_path / "ru.txt", text.encode("cp1251")))
    assert (rows[0]["body"], rows[0]["encoding"]) == (text, "cp1251")


def test_latin1_html_uses_its_declared_charset(tmp_path):
    html = ('<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head>'
            "<body><p>Gar\xe7on, un cr\xe8me br\xfbl\xe9e \xa3 5</p></body></html>")
    rows, rejected = read(write(tmp_path / "page.htm", html.encode("latin-1")))
    assert rejected == []
    assert rows[0]["body"] == html
    assert (rows[0]["body_format"], rows[0]["encoding"]) == ("html", "iso8859-1")


def test_html_http_equiv_latin1_with_curly_quotes_decodes_as_cp1252(tmp_path):
    html = ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            "<p>“Quoted” – café</p>")
    rows, _ = read(write(tmp_path / "page.html", html.encode("cp1252")))
    assert (rows[0]["body"], rows[0]["encoding"]) == (html, "cp1252")


@pytest.mark.parametrize("codec, bom, expected", [
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32"),
])
def test_byte_order_marks(tmp_path, codec, bom, expected):
    text = "Überschrift\r\nText mit „Anführungszeichen“ und 日本語."
    rows, rejected = read(write(tmp_path / "bom.txt", bom + text.encode(codec)))
    assert rejected == []
    assert rows[0]["body"] == text.replace("\r\n", "\n")  # no BOM left in the body
    assert rows[0]["encoding"] == expected


def test_broken_utf16_is_quarantined_as_undecodable(tmp_path):
    data = b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    _, rejected = read(write(tmp_path / "bad16.txt", data))
    assert rejected[0].reason.startswith("could not decode as utf-16")
    assert rejected[0].payload == data


# --- rejected files -----------------------------------------------------------------------------

def test_empty_and_whitespace_only_files(tmp_path):
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.html", b"  \r\n\t \n")
    blank16 = write(tmp_path / "blank16.txt", b"\xff\xfe" + " \n".encode("utf-16-le"))
    rows, rejected = read(empty, blank, blank16)
    assert rows == []
    assert [(q.stage, q.source, q.reason, q.payload) for q in rejected] == [
        ("ingest", str(empty), "empty file", b""),
        ("ingest", str(blank), "empty file", b"  \r\n\t \n"),
        ("ingest", str(blank16), "empty file", b"\xff\xfe" + " \n".encode("utf-16-le")),
    ]


@pytest.mark.parametrize("data, kind", [
    (PNG, "PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
    (gzip.compress(b"hello"), "gzip data"),
    (b"text then\x00\x00nul bytes", "NUL bytes"),
    (bytes(range(1, 32)) * 20, "control characters"),
])
def test_binary_content(tmp_path, data, kind):
    path = write(tmp_path / "not_text.txt", data)
    rows, rejected = read(path)
    assert rows == []
    assert rejected[0].reason.startswith("binary content (")
    assert kind in rejected[0].reason and rejected[0].reason.endswith("), not text")
    assert rejected[0].payload == data


def test_file_too_large_is_not_read(tmp_path):
    path = write(tmp_path / "big.txt", "x" * 2000)
    _, rejected = read(path, settings=SETTINGS.with_overrides(max_doc_bytes=1000))
    assert rejected[0].reason == "file too large (2000 bytes > limit 1000)"
    assert rejected[0].payload is None


def test_read_errors_are_quarantined(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it would block: it must be refused from stat() alone
    rows, rejected = read(folder, fifo, tmp_path / "gone.txt", tmp_path / "notes.pdf")
    assert rows == []
    got = reasons(rejected)
    assert got[str(folder)] == "cannot read file: is a directory"
    assert got[str(fifo)] == "cannot read file: not a regular file (a FIFO)"
    assert got[str(tmp_path / "gone.txt")] == "cannot read file: No such file or directory"
    assert got[str(tmp_path / "notes.pdf")].startswith("unsupported file type '.pdf'")


def test_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", "hidden")

    real_open = os.open

    def denied(file, *args, **kwargs):  # chmod 0 would not stop root, which runs CI containers
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    rows, rejected = read(path)
    assert rows == []
    assert (rejected[0].reason, rejected[0].payload) == ("cannot read file: Permission denied", None)


# --- gzip -----------------------------------------------------------------------------------------

def test_gzipped_html(tmp_path):
    html = "<html><body><p>Compressed — fine.</p></body></html>"
    rows, rejected = read(write(tmp_path / "page.html.gz", gzip.compress(html.encode())))
    assert rejected == []
    assert (rows[0]["body"], rows[0]["body_format"], rows[0]["encoding"]) == (html, "html", "utf-8")


def test_gzip_bomb_stops_at_the_limit(tmp_path):
    bomb = gzip.compress(b"\x00" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    path = write(tmp_path / "bomb.txt.gz", bomb)
    rows, rejected = read(path, settings=SETTINGS.with_overrides(max_doc_bytes=1_000_000))
    assert rows == []
    assert rejected[0].reason == "decompressed size exceeds 1000000 bytes (possible gzip bomb)"
    assert rejected[0].payload == bomb  # the file as given, still compressed


def test_corrupt_and_truncated_gzip(tmp_path):
    corrupt = write(tmp_path / "corrupt.txt.gz", b"this is not gzip at all")
    truncated = write(tmp_path / "cut.jsonl.gz", gzip.compress(b'{"text": "x"}\n' * 100)[:40])
    rows, rejected = read(corrupt, truncated)
    assert rows == []
    assert [q.reason.split(":")[0] for q in rejected] == ["corrupt gzip", "corrupt gzip"]
    assert "Not a gzipped file" in rejected[0].reason
    assert rejected[0].payload == b"this is not gzip at all"


# --- JSONL ----------------------------------------------------------------------------------------

def test_jsonl_lines(tmp_path):
    lines = [
        json.dumps({"url": "https://ex.com/a", "title": " A ", "text": "Alpha body",
                    "published_at": "2025-05-16T10:00:00+02:00", "source": "Example News",
                    "author": ["Ann", "Bob"], "language": "en"}),
        "",
        '{"url": "https://ex.com/b" "text": "missing comma"}',
        json.dumps({"title": "no body", "text": "   "}),
        json.dumps({"html": "<p>Beta</p>", "text": "ignored", "date": "Fri, 16 May 2025 08:30:00 GMT",
                    "site_name": "Site", "source": "Outlet"}),
        json.dumps({"text": "Gamma", "published": "2025-05-16"}),
        json.dumps({"text": "Delta", "pubDate": "Thu, 15 May 2025 23:00:00 -0500"}),
        json.dumps({"text": "Epsilon", "published_at": "last tuesday-ish"}),
        json.dumps(["an", "array"]),
        json.dumps({"text": "Zeta", "published_at": "2025-05-16T12:00:00Z",
                    "source": {"id": None, "name": "NewsAPI Outlet"}}),
        json.dumps({"text": "Eta", "publishedAt": "2025-05-16 07:00:00"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\r\n".join(lines) + "\n\n")
    rows, rejected = read(path)

    by_line = {row["source"].rsplit("#L", 1)[1]: row for row in rows}
    assert list(by_line) == ["1", "5", "6", "7", "8", "10", "11"]  # in order, bad lines dropped
    utc = timezone.utc
    assert by_line["1"] == {
        "source": f"{path}#L1", "url": "https://ex.com/a", "title": "A", "body": "Alpha body",
        "body_format": "text", "encoding": "utf-8",
        "published_at": datetime(2025, 5, 16, 8, 0, tzinfo=utc),
        "site_name": "Example News", "author": "Ann, Bob", "language": "en",
        "published_precision": "second", "published_raw": "2025-05-16T10:00:00+02:00", "decode_note": None,
    }
    assert (by_line["5"]["body"], by_line["5"]["body_format"]) == ("<p>Beta</p>", "html")
    assert by_line["5"]["site_name"] == "Site"  # an explicit site_name beats the outlet name
    assert by_line["5"]["published_at"] == datetime(2025, 5, 16, 8, 30, tzinfo=utc)
    assert by_line["6"]["published_at"] == datetime(2025, 5, 16, tzinfo=utc)
    assert by_line["6"]["published_precision"] == "day"  # a date alone is a day, not a midnight
    assert by_line["7"]["published_at"] == datetime(2025, 5, 16, 4, 0, tzinfo=utc)
    # kept as stated; the clean stage rejects it with a note, as it does a page's date
    assert (by_line["8"]["published_at"], by_line["8"]["published_raw"]) == (None, "last tuesday-ish")
    assert by_line["10"]["published_at"] == datetime(2025, 5, 16, 12, 0, tzinfo=utc)
    assert by_line["10"]["site_name"] == "NewsAPI Outlet"
    assert by_line["11"]["published_at"] == datetime(2025, 5, 16, 7, 0, tzinfo=utc)

    assert reasons(rejected) == {
        f"{path}#L3": "invalid JSON at line 3: Expecting ',' delimiter (column 28)",
        f"{path}#L4": "no 'text', 'maintext' or 'html' field (missing, empty or not a string)",
        f"{path}#L9": "not a JSON object at line 9 (got list)",
    }
    assert all(q.stage == "ingest" for q in rejected)
    assert {q.source: q.payload for q in rejected}[f"{path}#L3"] == lines[2]


def test_ndjson_gz_with_bom(tmp_path):
    data = b"\xef\xbb\xbf" + json.dumps({"text": "caf\u00e9", "url": "u"}, ensure_ascii=False).encode()
    rows, rejected = read(write(tmp_path / "x.ndjson.gz", gzip.compress(data)))
    assert rejected == []
    assert (rows[0]["source"], rows[0]["body"]) == (f"{tmp_path / 'x.ndjson.gz'}#L1", "café")


def test_output_follows_the_given_file_order(tmp_path):
    b = write(tmp_path / "b.txt", "B")
    a = write(tmp_path / "a.jsonl", '{"text": "A1"}\n{"text": "A2"}\n')
    rows, _ = read(b, a)
    assert [r["body"] for r in rows] == ["B", "A1", "A2"]


def test_no_input_gives_an_empty_raw_table(tmp_path):
    rows, rejected = read()
    assert rows == [] and rejected == []


# --- discover -----------------------------------------------------------------------------------

def test_discover_folders_globs_and_misses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "in/b.txt", "b")
    write(tmp_path / "in/a.HTML", "<p>a</p>")
    write(tmp_path / "in/deep/er/c.jsonl.gz", gzip.compress(b'{"text": "c"}'))
    write(tmp_path / "in/deep/d.ndjson", "{}")
    write(tmp_path / "in/.hidden.txt", "skip me")
    write(tmp_path / "in/.git/HEAD.txt", "skip me too")
    write(tmp_path / "in/report.pdf", b"%PDF-1.4")
    write(tmp_path / "in/archive.tar.gz", b"\x1f\x8b")
    write(tmp_path / "seeds/x/one.html", "<p>1</p>")
    write(tmp_path / "seeds/two.html", "<p>2</p>")
    write(tmp_path / "seeds/notes.md", "# not matched by the glob")
    write(tmp_path / "loose.text", "loose")

    files, rejected = discover([
        "in", "seeds/**/*.html", "loose.text", "in/b.txt", str(tmp_path / "in"),
        "missing.txt", "nothing/*.txt",
    ])
    assert files == sorted([
        Path("in/a.HTML"), Path("in/b.txt"), Path("in/deep/d.ndjson"),
        Path("in/deep/er/c.jsonl.gz"), Path("loose.text"),
        Path("seeds/two.html"), Path("seeds/x/one.html"),
    ])
    assert files == sorted(files)
    got = reasons(rejected)
    assert list(got) == ["in/archive.tar.gz", "in/report.pdf", "missing.txt", "nothing/*.txt"]
    assert got["in/report.pdf"].startswith("unsupported file type '.pdf' (supported: .txt, ")
    assert got["in/archive.tar.gz"].startswith("unsupported file type '.tar.gz'")
    assert got["missing.txt"] == "path not found: missing.txt"
    assert got["nothing/*.txt"] == "path not found: no file matches the glob nothing/*.txt"
    payloads = {q.source: q.payload for q in rejected}
    assert payloads["in/report.pdf"] == b"%PDF-1.4" and payloads["missing.txt"] is None


def test_discover_explicit_unsupported_file_and_size_limit(tmp_path):
    small = write(tmp_path / "small.pdf", b"%PDF-1.4 tiny")
    big = write(tmp_path / "big.docx", b"x" * 5000)
    files, rejected = discover([small, big], SETTINGS.with_overrides(max_doc_bytes=1000))
    assert files == []
    assert [(q.source, q.payload) for q in rejected] == [(str(small), b"%PDF-1.4 tiny"),
                                                        (str(big), None)]
    assert rejected[1].reason.startswith("unsupported file type '.docx'")


def test_discover_then_read_round_trip(tmp_path):
    write(tmp_path / "2.txt", "second")
    write(tmp_path / "1.txt", "first")
    files, rejected = discover([tmp_path])
    rows, more = read(*files)
    assert rejected == more == []
    assert [r["body"] for r in rows] == ["first", "second"]
