"""Streamed JSONL (tasks/sources/jsonl.py): batches, per-line and whole-file limits, encodings, retry.

Every input is written to tmp_path here; the flow's use of the batches is checked without Prefect."""

from __future__ import annotations

import gzip
import json
import math
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsflow.batches import RAW, Quarantined
from newsflow.config import Settings
from tasks.sources import jsonl
from tasks.store import load
from tasks.store import quarantine
from tasks.sources.ingest import read_documents
from warehouse import db

SETTINGS = Settings()


def article(i: int, extra: str = "") -> dict:
    return {"url": f"https://news.example.org/a/{i}", "title": f"Story {i}",
            "text": f"Delegations met in Istanbul for round {i} of the talks. {extra}"}


def write_jsonl(path: Path, objs, encoding: str = "utf-8", gz: bool = False) -> Path:
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def batches(path: Path, settings: Settings = SETTINGS, batch_size: int = 300):
    out = list(jsonl.read_jsonl_batches(path, settings, batch_size))
    assert all(raw.schema.equals(RAW) for raw, _ in out)
    return out


def rows_of(out) -> list[dict]:
    return [r for raw, _ in out for r in raw.to_pylist()]


def rejects_of(out) -> list[Quarantined]:
    return [q for _, rejected in out for q in rejected]


def test_jsonl_larger_than_max_doc_bytes_is_fully_ingested(tmp_path):
    settings = SETTINGS.with_overrides(max_doc_bytes=2_000)
    path = write_jsonl(tmp_path / "feed.jsonl", [article(i) for i in range(200)])
    assert path.stat().st_size > 10 * settings.max_doc_bytes
    out = batches(path, settings)
    assert len(rows_of(out)) == 200 and rejects_of(out) == []
    rows, rejected = read_documents([path], settings)  # the whole-file reader goes through the stream too
    assert rows.num_rows == 200 and rejected == []
    assert rows.column("source").to_pylist()[:2] == [f"{path}#L1", f"{path}#L2"]


@pytest.mark.parametrize("n, k", [(25, 10), (30, 10), (1, 10)])
def test_n_lines_give_ceil_n_over_k_batches(tmp_path, n, k):
    path = write_jsonl(tmp_path / "feed.jsonl", [article(i) for i in range(n)])
    out = batches(path, batch_size=k)
    assert len(out) == math.ceil(n / k)
    assert [raw.num_rows for raw, _ in out] == [min(k, n - i) for i in range(0, n, k)]
    assert [r["source"] for r in rows_of(out)] == [f"{path}#L{i}" for i in range(1, n + 1)]


def test_the_flow_processes_one_batch_per_chunk(tmp_path):
    from flows import nightly
    from newsflow.timing import Stopwatch

    path = write_jsonl(tmp_path / "feed.jsonl", [article(i) for i in range(25)] + ["not an object"])
    chunks = jsonl.read_jsonl_batches(path, SETTINGS.with_overrides(batch_size=10), 10)
    jobs = list(nightly._chunk_jobs(path, chunks, "jsonl", Stopwatch()))
    assert [(j.inputs, j.raw.num_rows, len(j.quarantined)) for j in jobs] == \
        [([str(path)], 10, 0), ([str(path)], 10, 0), ([str(path)], 5, 1)]


def test_plan_sends_jsonl_to_the_stream_and_other_files_to_ingest(tmp_path):
    from tasks.sources.plan import cli_sources, plan

    write_jsonl(tmp_path / "a.jsonl", [article(1)])
    write_jsonl(tmp_path / "b.ndjson.gz", [article(2)], gz=True)
    (tmp_path / "c.txt").write_text("An article.")
    p = plan(cli_sources([str(tmp_path)]), SETTINGS)
    assert p.files == [tmp_path / "c.txt"]
    assert p.jsonl == [tmp_path / "a.jsonl", tmp_path / "b.ndjson.gz"]


def test_too_long_line_is_quarantined_truncated_and_the_rest_loads(tmp_path):
    settings = SETTINGS.with_overrides(max_doc_bytes=1_000)
    long = json.dumps(article(2, "x" * 5_000))
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([json.dumps(article(1)), long, json.dumps(article(3))]) + "\n")
    out = batches(path, settings)
    assert [r["source"] for r in rows_of(out)] == [f"{path}#L1", f"{path}#L3"]
    (q,) = rejects_of(out)
    assert q.source == f"{path}#L2"
    assert q.reason == (f"line 2 too long ({len(long)} bytes > max_doc_bytes 1000); "
                        f"{jsonl.TRUNCATED} to its first 1000 bytes")
    assert q.payload == long.encode()[:1000]
    # with a high max_doc_bytes the payload still stops at KEEP_BYTES
    huge = json.dumps(article(1, "y" * 300_000))
    path.write_text(huge + "\n" + json.dumps(article(2)))
    out = batches(path, SETTINGS.with_overrides(max_doc_bytes=200_000))
    (q,) = rejects_of(out)
    assert len(q.payload) == jsonl.KEEP_BYTES and len(rows_of(out)) == 1


def test_max_jsonl_bytes_keeps_the_prefix_and_quarantines_the_rest(tmp_path):
    lines = [json.dumps(article(i)) + "\n" for i in range(10)]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(lines))
    cap = sum(len(x) for x in lines[:4]) + 10  # lines 1-4 fit, line 5 crosses the cap
    out = batches(path, SETTINGS.with_overrides(max_jsonl_bytes=cap), batch_size=3)
    assert [r["source"] for r in rows_of(out)] == [f"{path}#L{i}" for i in range(1, 5)]
    (q,) = rejects_of(out)
    assert q.source == str(path) and q.payload is None
    assert q.reason.startswith(f"file larger than max_jsonl_bytes ({cap} bytes after decompression")
    assert "stopped at line 5" in q.reason


def test_gzip_bomb_stops_at_max_jsonl_bytes(tmp_path):
    bomb = gzip.compress(b" " * 50_000_000, compresslevel=9)
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(bomb)
    out = batches(path, SETTINGS.with_overrides(max_doc_bytes=1_000, max_jsonl_bytes=2_000_000))
    assert rows_of(out) == []
    (q,) = rejects_of(out)
    assert q.source == str(path) and "max_jsonl_bytes (2000000" in q.reason and "stopped at line 1" in q.reason


def test_jsonl_gz_is_streamed_in_batches(tmp_path):
    path = write_jsonl(tmp_path / "feed.jsonl.gz", [article(i) for i in range(30)], gz=True)
    out = batches(path, batch_size=10)
    assert [raw.num_rows for raw, _ in out] == [10, 10, 10] and rejects_of(out) == []
    assert rows_of(out)[-1]["source"] == f"{path}#L30"


def test_truncated_gzip_after_the_head_keeps_the_lines_before(tmp_path):
    objs = [article(i, "padding " * 20) for i in range(2_000)]  # ~500 KB, well past the 64 KiB head
    data = gzip.compress("".join(json.dumps(o) + "\n" for o in objs).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[:len(data) // 2])
    out = batches(path)
    rows, rejected = rows_of(out), rejects_of(out)
    assert 100 < len(rows) < 2_000
    assert rejected[-1].source == str(path) and rejected[-1].reason.startswith("corrupt gzip: ")
    assert f"(at line {len(rows) + len(rejected)}" in rejected[-1].reason  # the cut line is invalid JSON


def test_cp1252_jsonl_still_decodes(tmp_path):
    objs = [{"text": "He said “hello” to José at the café, l’été dernier."}, {"text": "Élodie était là."}]
    path = write_jsonl(tmp_path / "legacy.jsonl", objs, encoding="cp1252")
    out = batches(path)
    assert [(r["body"], r["encoding"]) for r in rows_of(out)] == [(o["text"], "cp1252") for o in objs]
    assert rejects_of(out) == []


def test_a_legacy_line_in_a_utf8_file_is_decoded_as_what_it_is(tmp_path):
    good = [article(i, "Zürich, Genève, Kraków.") for i in range(700)]  # > 64 KiB: judged UTF-8
    path = tmp_path / "mixed.jsonl"
    bad = '{"text": "Les délégués se sont réunis à Genève mercredi, a déclaré le ministère."}'.encode("cp1252")
    path.write_bytes(b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in good)
                     + bad + b"\n" + json.dumps(article(700)).encode() + b"\n")
    out = batches(path)
    rows = rows_of(out)
    assert len(rows) == 702 and rows[0]["encoding"] == "utf-8" and rejects_of(out) == []
    assert rows[700]["source"] == f"{path}#L701" and "réunis à Genève" in rows[700]["body"]
    assert rows[700]["decode_note"] == "not UTF-8 like the rest of the file: decoded as cp1252"
    assert rows[699]["decode_note"] is None and rows[701]["decode_note"] is None


def test_utf8_lines_after_a_cp1252_head_stay_utf8(tmp_path):
    head = [article(i, "Genève, Zürich, café.") for i in range(700)]  # > 64 KiB of cp1252: judged cp1252
    path = tmp_path / "legacy-then-utf8.jsonl"
    path.write_bytes(b"".join(json.dumps(o, ensure_ascii=False).encode("cp1252") + b"\n" for o in head)
                     + json.dumps(article(700, "Kraków, Łódź, Genève."), ensure_ascii=False).encode() + b"\n")
    rows = rows_of(batches(path))
    assert rows[0]["encoding"] == "cp1252" and "Genève" in rows[0]["body"] and rows[0]["decode_note"] is None
    assert "Kraków, Łódź, Genève." in rows[700]["body"]  # not "KrakÃ³w"
    assert rows[700]["decode_note"] == "UTF-8, while the file's head is cp1252: decoded as UTF-8"


def test_a_lone_surrogate_escape_is_replaced_and_noted(tmp_path):
    path = tmp_path / "surrogate.jsonl"
    lines = [json.dumps(article(1)), '{"title": "Emoji \\ud83d cut", "text": "An article whose emoji lost its '
             'second half \\ud83d on the way, with enough words to be an article of its own."}', json.dumps(article(3))]
    path.write_text("\n".join(lines) + "\n")
    out = batches(path)
    rows = rows_of(out)
    assert [r["source"] for r in rows] == [f"{path}#L1", f"{path}#L2", f"{path}#L3"]
    assert rows[1]["title"] == "Emoji \ufffd cut" and "half \ufffd on" in rows[1]["body"]
    assert rows[1]["decode_note"] == "lone surrogate escape(s) in body, title replaced by U+FFFD"
    (q,) = rejects_of(out)  # the line as given stays in the quarantine, the article loads
    assert q.source == f"{path}#L2" and q.payload == lines[1] and "(kept the article)" in q.reason


def test_utf16_jsonl_with_bom_and_crlf(tmp_path):
    text = "\r\n".join(json.dumps(o, ensure_ascii=False) for o in [article(1, "Überschrift"), article(2)])
    path = tmp_path / "wide.jsonl"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    out = batches(path)
    assert [(r["source"], r["encoding"]) for r in rows_of(out)] == [(f"{path}#L1", "utf-16"),
                                                                    (f"{path}#L2", "utf-16")]
    assert "Überschrift" in rows_of(out)[0]["body"] and rejects_of(out) == []


def test_empty_and_binary_jsonl_are_rejected_whole(tmp_path):
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n  \n")
    png = tmp_path / "img.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert [(q.source, q.reason, q.payload) for q in rejects_of(batches(blank))] == [
        (str(blank), "empty file", b"\n  \n")]
    (q,) = rejects_of(batches(png))
    assert q.reason == "binary content (PNG image), not text" and q.payload == png.read_bytes()


def test_retry_reads_a_truncated_line_again_from_its_file(tmp_path):
    long = json.dumps(article(2, "x" * 5_000))
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(article(1)) + "\n" + long + "\n" + json.dumps(article(3)) + "\n")
    (q,) = rejects_of(batches(path, SETTINGS.with_overrides(max_doc_bytes=1_000)))
    con = db.connect(tmp_path / "wh.duckdb")
    load.load_batch(con, "r1", datetime(2025, 5, 16, tzinfo=timezone.utc), {}, [q])
    plan = quarantine.plan_retry(con)
    con.close()
    assert plan.payloads == [(f"{path}#L2", None)]  # not the truncated bytes
    raw, rejected = quarantine.read_payloads(plan.payloads, SETTINGS)  # max_doc_bytes raised since
    assert rejected == [] and raw.column("source").to_pylist() == [f"{path}#L2"]
    assert raw.column("body").to_pylist() == [article(2, "x" * 5_000)["text"]]
    # still too long: quarantined again, under the same source
    raw, rejected = quarantine.read_payloads(plan.payloads, SETTINGS.with_overrides(max_doc_bytes=1_000))
    assert raw.num_rows == 0 and [r.source for r in rejected] == [f"{path}#L2"]
    assert jsonl.TRUNCATED in rejected[0].reason
