"""WARC/ARC files (e.g. Common Crawl News) to RAW batches: HTTP 200 HTML response records.

warcio streams the records (gzipped per record or not) and undoes chunked transfer and gzip/deflate
content encodings. request, metadata and warcinfo records are not articles and are skipped; a
response that is not an HTML 200 is quarantined with the reason but without its body (the WARC file
keeps it); an unreadable file is quarantined whole.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from newsflow.batches import RAW, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.urls import canonical_url
from tasks.fetch.pages import decode_html, is_html

STAGE = "fetch"
SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def read_warc(path: Path, settings: Settings, batch_size: int,
              language: str | None = None) -> Iterator[tuple[pa.Table, list[Quarantined]]]:
    """RAW batches of at most `batch_size` articles, each with the rejects read along with it."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    rows: list[dict] = []
    rejected: list[Quarantined] = []
    if not _looks_like_warc(path):
        yield from_rows([], RAW), [Quarantined(STAGE, str(path), "unreadable WARC file: it starts with neither "
                                                               "'WARC/' nor an ARC 'filedesc://' header", None)]
        return
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, arc2warc=True):
                _read_record(path, record, settings, language, rows, rejected)
                if len(rows) >= batch_size:
                    yield from_rows(rows, RAW), rejected
                    rows, rejected = [], []
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as e:
        rejected.append(Quarantined(STAGE, str(path), f"unreadable WARC file: {type(e).__name__}: {e}", None))
    if rows or rejected:
        yield from_rows(rows, RAW), rejected


def _looks_like_warc(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            head = fh.read(16)
    except (OSError, EOFError, zlib.error):
        return False
    return head.startswith((b"WARC/", b"filedesc://"))


def _read_record(path: Path, record, settings: Settings, language: str | None,
                 rows: list[dict], rejected: list[Quarantined]) -> None:
    if record.rec_type != "response":
        return
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    source = uri or f"{path}#{record.rec_headers.get_header('WARC-Record-ID')}"
    if not uri.lower().startswith(("http://", "https://")):
        if uri.lower().startswith("dns:"):
            return  # Heritrix' DNS answers are response records too
        rejected.append(Quarantined(STAGE, source, f"WARC response for a non-HTTP URI in {path.name}", None))
        return
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http else 0
    content_type = http.get_header("Content-Type") if http else None
    if status != 200:
        rejected.append(Quarantined(STAGE, source, f"WARC response is HTTP {status}, not 200 ({path.name})", None))
        return
    if not is_html(content_type):
        rejected.append(Quarantined(STAGE, source, f"not HTML (Content-Type {content_type!r}) in {path.name}", None))
        return
    body = record.content_stream().read(settings.max_doc_bytes + 1)
    if len(body) > settings.max_doc_bytes:
        rejected.append(Quarantined(STAGE, source, f"WARC record too large (> max_doc_bytes {settings.max_doc_bytes})",
                                    None))
        return
    try:
        html, encoding = decode_html(body, content_type)
    except ValueError as e:
        rejected.append(Quarantined(STAGE, source, str(e), body))
        return
    rows.append({"source": uri, "url": canonical_url(uri), "title": None, "body": html, "body_format": "html",
                 "encoding": encoding, "published_at": None, "site_name": None, "author": None,
                 "language": language})

