"""WARC/ARC files (e.g. Common Crawl News) to RAW batches: HTTP 200 HTML response records.

warcio streams the records (gzipped per record or not) and undoes chunked transfer and gzip/deflate
content encodings. request, metadata and warcinfo records are not articles and are skipped; a
response that is not an HTML 200 is quarantined with the reason but without its body (the WARC file
keeps it); an unreadable file is quarantined whole. A file cut short keeps what it holds: the records
before the cut load, a record cut in its body loads with `decode_note` saying how much of it is there,
and the cut itself is one quarantine row (warcio's own errors on broken headers included).
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
from tasks.sources.decoding import Rejected
from tasks.sources.files import open_regular

STAGE = "fetch"
SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def read_warc(path: Path, settings: Settings, batch_size: int,
              language: str | None = None) -> Iterator[tuple[pa.Table, list[Quarantined]]]:
    """RAW batches of at most `batch_size` articles, each with the rejects read along with it."""
    from warcio.archiveiterator import ArchiveIterator

    rows: list[dict] = []
    rejected: list[Quarantined] = []
    if not _looks_like_warc(path):
        yield from_rows([], RAW), [Quarantined(STAGE, str(path), "unreadable WARC file: it starts with neither "
                                                               "'WARC/' nor an ARC 'filedesc://' header", None)]
        return
    read = 0
    try:
        with open_regular(path) as fh:
            for record in ArchiveIterator(fh, arc2warc=True):
                _read_record(path, record, settings, language, rows, rejected)
                read += 1
                if len(rows) >= batch_size:
                    yield from_rows(rows, RAW), rejected
                    rows, rejected = [], []
    except Rejected as r:
        rejected.append(Quarantined(STAGE, str(path), f"unreadable WARC file: {r.reason}", None))
    except Exception as e:  # noqa: BLE001 - warcio parses untrusted bytes: AttributeError on cut headers
        rejected.append(Quarantined(STAGE, str(path), f"unreadable WARC file after {read} record(s) (cut short "
                                    f"or corrupt; the records before are read): {type(e).__name__}: {e}", None))
    if rows or rejected:
        yield from_rows(rows, RAW), rejected


def _looks_like_warc(path: Path) -> bool:
    try:
        with open_regular(path) as fh:
            head = fh.read(2)
            fh.seek(0)
            head = (gzip.GzipFile(fileobj=fh) if head == b"\x1f\x8b" else fh).read(16)
    except (Rejected, OSError, EOFError, zlib.error):
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
        decoded = decode_html(body, content_type)
    except ValueError as e:
        rejected.append(Quarantined(STAGE, source, str(e), body))
        return
    missing = getattr(record.raw_stream, "limit", 0)  # bytes the record announced but the file lacks
    cut = f"truncated: the WARC record ends {missing} bytes short of its Content-Length {record.length}" \
        if missing else None
    rows.append({"source": uri, "url": canonical_url(uri), "title": None, "body": decoded.text, "body_format": "html",
                 "encoding": decoded.encoding, "published_at": None, "site_name": None, "author": None,
                 "language": language, "decode_note": "; ".join(n for n in (cut, decoded.note) if n) or None})

