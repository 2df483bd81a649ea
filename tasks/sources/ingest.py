"""Ingest: turn the files a user points at into a RAW batch, quarantining whatever cannot be read.

`discover` (`tasks.sources.discover`) expands paths, folders and globs into input files;
`read_documents` reads them (regular files only, gzip, encoding detection per document; JSONL through
`tasks.sources.jsonl`) into a `newsflow.batches.RAW` table. Neither raises on bad input: every
rejected path, file or line becomes a `Quarantined` record, so nothing a user gave is silently lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from newsflow.batches import RAW, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.gzipped import GzipCorrupt, GzipTooLarge, gunzip_capped
from tasks.sources import STAGE, jsonl
from tasks.sources.decoding import Decoded, Rejected, decode
from tasks.sources.files import read_regular, shown


# Extension -> how the file is read; each may also be gzipped (".txt.gz").
FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
SUPPORTED = ", ".join([*FORMATS, *(f"{ext}.gz" for ext in FORMATS)])


def discover(paths: Sequence[str | Path],
             settings: Settings | None = None) -> tuple[list[Path], list[Quarantined]]:
    """Sorted, de-duplicated input files under `paths` (files, folders, globs), plus rejects; what
    was skipped (hidden, newsflow's own outputs) and WARC files are in `tasks.sources.discover.find`."""
    from tasks.sources.discover import find  # discover reads this module's formats

    found = find(paths, settings)
    return found.files, found.rejected


def format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(Path(name).suffix)


# --- read_documents -----------------------------------------------------------------------------

def read_documents(files: Sequence[Path], settings: Settings) -> tuple[pa.Table, list[Quarantined]]:
    """One RAW row per document (a file, or a JSONL line), in input order, plus rejects.

    A JSONL file is read whole into the table here (retries, benchmarks); the nightly flow reads big
    ones in batches with `tasks.sources.jsonl.read_jsonl_batches` instead."""
    rows: list[dict] = []
    rejected: list[Quarantined] = []
    for path in map(Path, files):
        fmt = format_of(path)
        if fmt is None:
            from tasks.sources.discover import unsupported
            rejected.append(unsupported(path, settings))
            continue
        if fmt == "jsonl":  # read line by line; the nightly flow streams it in batches instead
            for row, q in jsonl.documents(path, settings):
                if row is not None:
                    rows.append(row)
                if q is not None:
                    rejected.append(q)
            continue
        try:
            decoded = _load(path, settings.max_doc_bytes)
        except Rejected as r:
            rejected.append(Quarantined(STAGE, shown(path), r.reason, r.payload))
            continue
        rows.append(_row(shown(path), decoded.text, fmt, decoded.encoding, decode_note=decoded.note))
    return from_rows(rows, RAW), rejected


def _load(path: Path, limit: int) -> Decoded:
    """The decoded text of `path`; Rejected carries the original bytes if read."""
    raw = read_regular(path, limit)  # regular files only: a FIFO or /dev/zero never blocks the run
    try:
        data = _gunzip(raw, limit) if path.name.lower().endswith(".gz") else raw
        return decode(data, format_of(path))
    except Rejected as r:
        raise Rejected(r.reason, raw) from None


def _gunzip(raw: bytes, limit: int) -> bytes:
    try:
        return gunzip_capped(raw, limit)
    except GzipTooLarge:
        raise Rejected(f"decompressed size exceeds {limit} bytes (possible gzip bomb)") from None
    except GzipCorrupt as e:
        raise Rejected(f"corrupt gzip: {e}") from None


def _row(source: str, body: str, body_format: str, encoding: str, **meta: object) -> dict:
    return {"source": source, "body": body, "body_format": body_format, "encoding": encoding, **meta}
