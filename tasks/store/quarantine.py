"""Reading the quarantine back: list it by run, stage and reason; pick what a retry can re-process.

A quarantined row can be retried when its document is at hand: the raw document stored for its
source (rows rejected by clean, validate or a crashed stage), or, for an ingest reject, its payload
bytes (the file or the JSONL line), which are read again exactly as the original file would be; a
JSONL line too long to keep whole is read again from its file (`path#L<n>`), streamed to that line;
a file kept without its bytes (too large, unreadable) is read again from its path when it is still
there (after `max_doc_bytes` was raised, say). What a retry cannot re-process is counted and named in
its summary, never skipped in silence.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from newsflow.batches import RAW, Quarantined
from newsflow.config import Settings
from tasks.sources import ingest
from tasks.sources import jsonl
from tasks.store.raw import raw_ids_for_sources


def _filters(where: list[str], run_id: str | None, stage: str | None) -> tuple[list[str], list]:
    """SQL conditions and parameters for the optional --run and --stage filters."""
    params: list = []
    for column, value in (("run_id", run_id), ("stage", stage)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return where, params


def list_quarantine(con, run_id: str | None = None, stage: str | None = None) -> tuple[list[str], list[tuple]]:
    """(columns, rows): one row per run, stage and reason with counts and an example source."""
    where, params = _filters(["true"], run_id, stage)
    columns = ["run_id", "stage", "reason", "rows", "retried", "example_source"]
    rows = con.execute(
        "select run_id, stage, reason, count(*), count(retried_at), min(source) from quarantine "
        f"where {' and '.join(where)} group by all order by run_id desc, stage, count(*) desc", params
    ).fetchall()
    return columns, rows


@dataclass
class RetryPlan:
    quarantine_ids: list[str] = field(default_factory=list)  # rows this retry re-processes
    raw_ids: list[str] = field(default_factory=list)  # stored raw documents to re-process
    payloads: list[tuple[str, bytes | None]] = field(default_factory=list)  # (source, bytes) ingest rejects;
    # None: a JSONL line too long to keep whole, read again from `path#L<n>`
    files: list[str] = field(default_factory=list)  # ingest rejects kept without bytes, read from their path
    skipped: int = 0  # rows without a document (the path is gone, a URL fetch failed)
    skipped_sources: list[str] = field(default_factory=list)


def plan_retry(con, run_id: str | None = None, stage: str | None = None) -> RetryPlan:
    where, params = _filters(["retried_at is null"], run_id, stage)
    rows = con.execute("select quarantine_id, stage, source, reason, payload from quarantine "
                       f"where {' and '.join(where)} order by created_at, quarantine_id", params).fetchall()
    stored = raw_ids_for_sources(con, sorted({r[2] for r in rows}))
    plan, seen = RetryPlan(), set()
    for qid, stage_, source, reason, payload in rows:
        if source in stored:
            if stored[source] not in seen:
                plan.raw_ids.append(stored[source])
                seen.add(stored[source])
        elif stage_ == "ingest" and payload is not None:
            if source not in seen:  # a truncated JSONL line (None) is read again from its file
                plan.payloads.append((source, None if jsonl.TRUNCATED in reason and "#L" in source else bytes(payload)))
                seen.add(source)
        elif stage_ == "ingest" and "#L" not in source and Path(source).is_file():
            if source not in seen:  # kept without its bytes (too large): read from its path again
                plan.files.append(source)
                seen.add(source)
        else:
            plan.skipped += 1
            plan.skipped_sources.append(source)
            continue
        plan.quarantine_ids.append(qid)
    return plan


def skipped_summary(plan: RetryPlan, examples: int = 3) -> list[dict]:
    """For the retry's summary: the rows it could not re-process, so none is skipped in silence."""
    if not plan.skipped:
        return []
    return [{"reason": "quarantined rows without a document to retry (the file is gone, or a fetch failed: "
                       "run the source again)", "count": plan.skipped, "examples": plan.skipped_sources[:examples]}]


def read_payloads(payloads: list[tuple[str, bytes | None]],
                  settings: Settings) -> tuple[pa.Table, list[Quarantined]]:
    """Reads ingest rejects again from their bytes, under their original source names; a payload of
    None is a JSONL line read again from its file, streamed up to that line (never loaded whole)."""
    tables, rejected = [], []
    with tempfile.TemporaryDirectory(prefix="newsflow-retry-") as tmp:
        for i, (source, payload) in enumerate(payloads):
            path_part, sep, line = source.rpartition("#L")
            if not (sep and line.isdigit()):
                path_part, line = source, ""
            if payload is None and line:
                raw, q = jsonl.read_jsonl_line(Path(path_part), int(line), settings)
                tables.append(raw.set_column(raw.schema.get_field_index("source"), "source",
                                             pa.array([source] * raw.num_rows, pa.string())))
                rejected += [Quarantined(r.stage, source, r.reason, r.payload) for r in q]
                continue
            suffix = "".join(Path(path_part).suffixes[-2:]) or ".txt"
            if line:  # one JSONL line: never gzipped, whatever the file was
                suffix = ".jsonl"
            path = Path(tmp, f"{i}{suffix}")
            path.write_bytes(payload)
            raw, q = ingest.read_documents([path], settings)
            sources = [_renamed(s, str(path), source) for s in raw.column("source").to_pylist()]
            tables.append(raw.set_column(raw.schema.get_field_index("source"), "source",
                                         pa.array(sources, pa.string())))
            rejected += [Quarantined(r.stage, _renamed(r.source, str(path), source), r.reason, r.payload)
                         for r in q]
    return (pa.concat_tables(tables) if tables else RAW.empty_table()), rejected


def _renamed(name: str, tmp_path: str, original: str) -> str:
    """The temporary file's source name back to the quarantined one (path, or path#L<n>)."""
    if "#L" in original or name == tmp_path:
        return original
    return original + name[len(tmp_path):]  # a whole JSONL file: path#L<n>


def mark_retried(con, quarantine_ids: list[str], run_id: str, now: datetime) -> None:
    """Marks the rows a retry re-processed, except those it met again (same input, same reason):
    they failed again, so they stay open, with the retry as their run_id."""
    if not quarantine_ids:
        return
    con.register("retried_ids", pa.table({"quarantine_id": pa.array(quarantine_ids, pa.string())}))
    try:
        con.execute("update quarantine set retried_at = ?, retry_run_id = ? where quarantine_id in "
                    "(select quarantine_id from retried_ids) and run_id <> ?", [now, run_id, run_id]).fetchall()
    finally:
        con.unregister("retried_ids")
