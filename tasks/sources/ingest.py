"""Ingest: turn the files a user points at into a RAW batch, quarantining whatever cannot be read.

`discover` expands paths, folders and globs into input files; `read_documents` reads them (gzip,
encoding detection; JSONL through `tasks.sources.jsonl`) into a `newsflow.batches.RAW` table. Neither raises
on bad input: every rejected path, file or line becomes a `Quarantined` record, so nothing a user
gave is silently lost.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from glob import glob
from pathlib import Path

import pyarrow as pa

from newsflow.batches import RAW, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.gzipped import GzipCorrupt, GzipTooLarge, gunzip_capped
from tasks.sources import STAGE, jsonl
from tasks.sources.decoding import Rejected, decode


# Extension -> how the file is read; each may also be gzipped (".txt.gz").
FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
SUPPORTED = ", ".join([*FORMATS, *(f"{ext}.gz" for ext in FORMATS)])

_GLOB_CHARS = re.compile(r"[*?\[]")
# --- discover -----------------------------------------------------------------------------------

def discover(paths: Sequence[str | Path],
             settings: Settings | None = None) -> tuple[list[Path], list[Quarantined]]:
    """Sorted, de-duplicated input files under `paths` (files, folders, globs), plus rejects.

    `settings` only bounds how much of an unsupported file is kept as quarantine payload.
    """
    settings = settings or Settings()
    found: dict[str, Path] = {}  # absolute path -> the path as the user spelled it
    seen: set[str] = set()
    rejected: list[Quarantined] = []
    for given in paths:
        for candidate in _expand(str(given), rejected):
            key = os.path.abspath(candidate)
            if key in seen:
                continue
            seen.add(key)
            if _format(candidate) is None:
                rejected.append(_unsupported(candidate, settings))
            else:
                found[key] = candidate
    return sorted(found.values()), rejected


def _expand(text: str, rejected: list[Quarantined]) -> list[Path]:
    """The files one user-given path, folder or glob stands for; a miss is quarantined."""
    path = Path(text).expanduser()
    try:
        if path.is_dir():
            return _walk(path, rejected)
        if path.exists():
            return [path]
    except OSError as e:  # e.g. a path inside a folder we may not list
        rejected.append(Quarantined(STAGE, text, f"cannot read path: {_os_reason(e)}", None))
        return []
    if not _GLOB_CHARS.search(text):
        rejected.append(Quarantined(STAGE, text, f"path not found: {text}", None))
        return []
    files = []
    for match in map(Path, sorted(glob(os.path.expanduser(text), recursive=True))):
        files += _walk(match, rejected) if match.is_dir() else [match]
    if not files:
        rejected.append(Quarantined(STAGE, text, f"path not found: no file matches the glob {text}",
                                    None))
    return files


def _walk(folder: Path, rejected: list[Quarantined]) -> list[Path]:
    """Files under `folder` in a stable order, skipping hidden files and folders (.git, .DS_Store)."""
    def unreadable(err: OSError) -> None:
        rejected.append(Quarantined(STAGE, str(err.filename), f"cannot read folder: {_os_reason(err)}",
                                    None))

    files = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root, name) for name in sorted(names) if not name.startswith(".")]
    return files


def _format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(Path(name).suffix)


def _unsupported(path: Path, settings: Settings) -> Quarantined:
    name = path.name.lower()
    gz = name.endswith(".gz")
    suffix = Path(name[:-3] if gz else name).suffix + (".gz" if gz else "")
    reason = f"unsupported file type '{suffix or '(none)'}' (supported: {SUPPORTED})"
    payload = None
    try:  # keep the bytes if they are small; never open FIFOs or devices (open would block)
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size <= settings.max_doc_bytes:
            payload = path.read_bytes()
    except OSError:
        pass
    return Quarantined(STAGE, str(path), reason, payload)


# --- read_documents -----------------------------------------------------------------------------

def read_documents(files: Sequence[Path], settings: Settings) -> tuple[pa.Table, list[Quarantined]]:
    """One RAW row per document (a file, or a JSONL line), in input order, plus rejects.

    A JSONL file is read whole into the table here (retries, benchmarks); the nightly flow reads big
    ones in batches with `tasks.sources.jsonl.read_jsonl_batches` instead."""
    rows: list[dict] = []
    rejected: list[Quarantined] = []
    for path in map(Path, files):
        fmt = _format(path)
        if fmt is None:
            rejected.append(_unsupported(path, settings))
            continue
        if fmt == "jsonl":  # read line by line; the nightly flow streams it in batches instead
            for row, q in jsonl.documents(path, settings):
                if row is not None:
                    rows.append(row)
                if q is not None:
                    rejected.append(q)
            continue
        try:
            text, encoding = _load(path, settings.max_doc_bytes)
        except Rejected as r:
            rejected.append(Quarantined(STAGE, str(path), r.reason, r.payload))
            continue
        rows.append(_row(str(path), text, fmt, encoding))
    return from_rows(rows, RAW), rejected


def _load(path: Path, limit: int) -> tuple[str, str]:
    """The decoded text of `path` and its encoding; Rejected carries the original bytes if read."""
    raw = _read_bytes(path, limit)
    try:
        data = _gunzip(raw, limit) if path.name.lower().endswith(".gz") else raw
        return decode(data, _format(path))
    except Rejected as r:
        raise Rejected(r.reason, raw) from None


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Rejected("cannot read file: is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise Rejected("cannot read file: not a regular file")
        if info.st_size > limit:  # checked before reading: never pull a huge file into memory
            raise Rejected(f"file too large ({info.st_size} bytes > limit {limit})")
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as e:
        raise Rejected(f"cannot read file: {_os_reason(e)}") from None
    if len(raw) > limit:  # the file grew after stat()
        raise Rejected(f"file too large (grew past the limit {limit} while being read)")
    return raw


def _gunzip(raw: bytes, limit: int) -> bytes:
    try:
        return gunzip_capped(raw, limit)
    except GzipTooLarge:
        raise Rejected(f"decompressed size exceeds {limit} bytes (possible gzip bomb)") from None
    except GzipCorrupt as e:
        raise Rejected(f"corrupt gzip: {e}") from None


def _row(source: str, body: str, body_format: str, encoding: str, **meta: object) -> dict:
    return {"source": source, "body": body, "body_format": body_format, "encoding": encoding, **meta}


def _os_reason(e: OSError) -> str:
    return e.strerror or str(e)
