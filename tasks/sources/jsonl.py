"""JSONL inputs (`.jsonl`, `.ndjson`, also gzipped), read as a stream: one article per line.

`read_jsonl_batches` yields RAW batches of `batch_size` lines, so a file of 100,000 articles is
hundreds of batches (one task each) and memory holds one batch, never the file. `max_doc_bytes` bounds
each line (a longer one is quarantined with its first bytes only); `max_jsonl_bytes` bounds the whole
file after decompression (the rest of a bigger file, or of a gzip bomb, is one quarantine row; the
lines before it are read). The encoding is judged on the first 64 KiB as `decoding.decode` judges a
whole file, then each line by itself (`decoding.decode_line`): a UTF-8 line after a cp1252 head stays
UTF-8, a cp1252 line in a UTF-8 file is decoded as what it is, and the row's `decode_note` says so; a
line that decodes as nothing is quarantined alone. Lone surrogate escapes (`"\ud83d"`, valid JSON but
no text) become U+FFFD, noted the same way.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from newsflow import published
from newsflow.batches import RAW, Quarantined, from_rows
from newsflow.config import Settings
from tasks.sources import STAGE
from tasks.sources.decoding import Rejected, decode_line, sniff_codec
from tasks.sources.files import open_regular, small_file

SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
HEAD_BYTES = 1 << 16  # the encoding is judged on this much of the (decompressed) file
KEEP_BYTES = 1 << 16  # of a too-long line, this much is kept as its quarantine payload
TRUNCATED = "payload truncated"  # in the reason of rows whose payload is not the whole line
_SKIP = 1 << 20  # the rest of a too-long line is read past in pieces of this size
_WIDE = {"utf-16": 2, "utf-32": 4, "utf-16-le": 2, "utf-16-be": 2}  # "\n" is not the byte 0x0a there: read as text, not split as bytes
_DATE_KEYS = ("published_at", "published", "date", "pubDate", "publishedAt", "date_publish")
_STREAM_ERRORS = (OSError, EOFError, zlib.error)  # BadGzipFile is an OSError; EOFError = truncated gzip
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Capped(Exception):
    """The file passed `max_jsonl_bytes` (decompressed) before the line being read."""


def is_jsonl(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def read_jsonl_batches(path: Path, settings: Settings,
                       batch_size: int) -> Iterator[tuple[pa.Table, list[Quarantined]]]:
    """RAW batches of at most `batch_size` articles, each with the rejects read along with it; a batch
    is also cut at `batch_size` rejects, so a file of bad lines does not pile up in memory either."""
    rows: list[dict] = []
    rejected: list[Quarantined] = []
    for row, q in documents(path, settings):
        if row is not None:
            rows.append(row)
        if q is not None:
            rejected.append(q)
        if len(rows) >= batch_size or len(rejected) >= batch_size:
            yield from_rows(rows, RAW), rejected
            rows, rejected = [], []
    if rows or rejected:
        yield from_rows(rows, RAW), rejected


def read_jsonl_line(path: Path, lineno: int, settings: Settings) -> tuple[pa.Table, list[Quarantined]]:
    """Line `lineno` alone, read again from the file as a stream (a quarantine retry of a line whose
    payload was truncated); whatever stops it is quarantined under `path#L<lineno>`."""
    source = f"{path}#L{lineno}"
    rows, rejected = [], []
    for row, q in documents(path, settings, only=lineno):
        if row is not None:
            rows.append(row)
        if q is not None:
            rejected.append(q if q.source == source else Quarantined(q.stage, source, q.reason, None))
    if not rows and not rejected:
        rejected.append(Quarantined(STAGE, source, f"line {lineno} is blank or missing in {path} now", None))
    return from_rows(rows, RAW), rejected


def documents(path: Path, settings: Settings,
              only: int | None = None) -> Iterator[tuple[dict | None, Quarantined | None]]:
    """(RAW row, None), (RAW row, note), or (None, reject) per line in file order; `only`: that line."""
    path = Path(path)
    try:
        codec = _sniff(path, settings)
    except Rejected as r:
        yield None, Quarantined(STAGE, str(path), r.reason, r.payload)
        return
    encoding = codec.removesuffix("-sig")
    lineno, seen = 0, False  # seen: a non-blank line
    note = None  # how the line being read was decoded, when not as the file's head
    try:
        with _open(path) as fh:
            lines = _text_lines(fh, codec, settings) if codec in _WIDE else _byte_lines(fh, settings)
            for data, too_long in lines:
                lineno += 1
                if only is not None and lineno > only:
                    return
                if too_long is not None:
                    seen = True
                    if only in (None, lineno):
                        yield None, _too_long(path, lineno, data, too_long, settings)
                    continue
                note = None
                if isinstance(data, bytes):
                    try:
                        data, _line_codec, note = decode_line(data, codec)
                    except UnicodeDecodeError as e:
                        if data.strip():
                            seen = True
                            if only in (None, lineno):
                                yield None, Quarantined(STAGE, f"{path}#L{lineno}",
                                                        _undecodable(lineno, encoding, e), data)
                        continue
                # A lone CR ends a line as it does in a decoded text file (its lines are counted so).
                text = data[:-1] if data.endswith("\r") else data
                for k, part in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                                         if "\r" in text else [text]):
                    lineno += 1 if k else 0
                    if not part.strip():
                        continue
                    seen = True
                    if only is None or lineno == only:
                        yield _parse_line(f"{path}#L{lineno}", part, lineno, encoding, note)
    except Rejected as r:  # the file was swapped for a FIFO or device after _sniff
        yield None, Quarantined(STAGE, str(path), r.reason, None)
        return
    except _Capped:
        yield None, Quarantined(STAGE, str(path), f"file larger than max_jsonl_bytes ({settings.max_jsonl_bytes} "
                                f"bytes after decompression; a gzip bomb?): stopped at line {lineno + 1}, "
                                f"the lines before it are read, the rest is not", None)
        return
    except UnicodeDecodeError as e:  # UTF-16/32 only: their lines are decoded as one stream
        yield None, Quarantined(STAGE, str(path), f"could not decode as {encoding} (byte-order mark present) "
                                f"at line {lineno + 1}: {e.reason}; the lines before it are read, the rest is not",
                                None)
        return
    except _STREAM_ERRORS as e:
        r = _stream_error(path, e, settings)
        yield None, Quarantined(STAGE, str(path), f"{r.reason} (at line {lineno + 1}; the lines before it are "
                                "read, the rest is not)", r.payload)
        return
    if not seen and only is None:
        yield None, Quarantined(STAGE, str(path), "empty file", small_file(path, settings.max_doc_bytes))


# --- reading ------------------------------------------------------------------------------------

@contextmanager
def _open(path: Path):
    with open_regular(path) as fh:  # never blocks on a FIFO, never reads a device
        if path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=fh) as gz:  # decompressed as it is read
                yield gz
        else:
            yield fh


def _sniff(path: Path, settings: Settings) -> str:
    """The file's codec, from its first HEAD_BYTES; Rejected (with the file if small) if unusable."""
    try:
        with _open(path) as stream:
            head = stream.read(HEAD_BYTES)
    except _STREAM_ERRORS as e:
        raise _stream_error(path, e, settings) from None
    try:
        return sniff_codec(head, complete=len(head) < HEAD_BYTES)
    except Rejected as r:
        raise Rejected(r.reason, small_file(path, settings.max_doc_bytes)) from None


def _stream_error(path: Path, e: Exception, settings: Settings) -> Rejected:
    if isinstance(e, (gzip.BadGzipFile, EOFError, zlib.error)):
        return Rejected(f"corrupt gzip: {e}", small_file(path, settings.max_doc_bytes))
    return Rejected(f"cannot read file: {getattr(e, 'strerror', None) or e}")


def _byte_lines(fh, settings: Settings) -> Iterator[tuple[bytes, int | None]]:
    """(line without its newline, None), or (its first bytes, its size) for a line over max_doc_bytes."""
    limit, cap, total = settings.max_doc_bytes, settings.max_jsonl_bytes, 0
    while line := fh.readline(limit + 1):
        total += len(line)
        if total > cap:
            raise _Capped
        if len(line) <= limit or line.endswith(b"\n"):
            yield (line[:-1] if line.endswith(b"\n") else line), None
            continue
        head, size = line[:min(KEEP_BYTES, limit)], len(line)
        del line
        while more := fh.readline(_SKIP):  # read past the rest without keeping it
            total += len(more)
            if total > cap:
                raise _Capped
            if more.endswith(b"\n"):
                size += len(more) - 1
                break
            size += len(more)
        yield head, size


def _text_lines(fh, codec: str, settings: Settings) -> Iterator[tuple[str, int | None]]:
    """As `_byte_lines` for UTF-16/32 files, counting `width` bytes per character."""
    width = _WIDE[codec]
    limit, cap, total = settings.max_doc_bytes // width, settings.max_jsonl_bytes, 0
    text = io.TextIOWrapper(fh, encoding=codec, newline="\n")
    while line := text.readline(limit + 1):
        total += len(line) * width
        if total > cap:
            raise _Capped
        if len(line) <= limit or line.endswith("\n"):
            yield (line[:-1] if line.endswith("\n") else line), None
            continue
        head, size = line[:min(KEEP_BYTES, settings.max_doc_bytes) // width], len(line)
        while more := text.readline(_SKIP):
            total += len(more) * width
            if total > cap:
                raise _Capped
            size += len(more) - more.endswith("\n")
            if more.endswith("\n"):
                break
        yield head, size * width


def _too_long(path: Path, lineno: int, head: bytes | str, size: int, settings: Settings) -> Quarantined:
    kept = len(head) if isinstance(head, bytes) else len(head.encode("utf-8"))
    return Quarantined(STAGE, f"{path}#L{lineno}",
                       f"line {lineno} too long ({size} bytes > max_doc_bytes {settings.max_doc_bytes}); "
                       f"{TRUNCATED} to its first {kept} bytes", head)


def _undecodable(lineno: int, encoding: str, e: UnicodeDecodeError) -> str:
    return (f"could not decode line {lineno} as {encoding} (detected on the file's first {HEAD_BYTES // 1024} KiB): "
            f"{e.reason} at byte {e.start}")


# --- one line -----------------------------------------------------------------------------------

def _parse_line(source: str, line: str, lineno: int, encoding: str,
                decode_note: str | None = None) -> tuple[dict | None, Quarantined | None]:
    try:
        row, note = _jsonl_row(source, line, lineno, encoding)
    except Rejected as r:
        return None, Quarantined(STAGE, source, r.reason, line)
    surrogates = _unpair_surrogates(row)
    if decode_note or surrogates:
        row["decode_note"] = "; ".join(n for n in (decode_note, surrogates) if n)
    # a note: the article goes through; the quarantine row keeps the line as given and says what was
    # dropped from it (a date) or changed in it (a lone surrogate)
    note = "; ".join(n for n in (note, surrogates and f"{surrogates} (kept the article)") if n)
    return row, Quarantined(STAGE, source, note, line) if note else None


# Field names of neighbouring tools (docs/inputs.md has the table): trafilatura's JSON output
# (`trafilatura --json`, `extract(output_format="json")`, `bare_extraction().as_dict()`) and
# news-please's article JSON. The first key present and non-empty wins.
_TEXT_KEYS = ("text", "maintext", "raw_text")
_TITLE_KEYS = ("title", "title_page", "title_rss")
_SITE_KEYS = ("site_name", "sitename", "source-hostname", "source_domain", "hostname")
_AUTHOR_KEYS = ("author", "authors")


def _first(obj: dict, keys: tuple[str, ...]) -> object:
    return next((obj[k] for k in keys if obj.get(k) not in (None, "", [])), None)


def _unpair_surrogates(row: dict) -> str | None:
    """Lone surrogates (JSON's "\\ud83d" without its pair) cannot be stored as text: U+FFFD instead."""
    fields = [k for k, v in row.items() if isinstance(v, str) and _SURROGATE.search(v)]
    for k in fields:
        row[k] = _SURROGATE.sub("\ufffd", row[k])
    return f"lone surrogate escape(s) in {', '.join(fields)} replaced by U+FFFD" if fields else None


def _jsonl_row(source: str, line: str, lineno: int, encoding: str) -> tuple[dict, str | None]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise Rejected(f"invalid JSON at line {lineno}: {e.msg} (column {e.colno})") from None
    except RecursionError:
        raise Rejected(f"invalid JSON at line {lineno}: nested too deeply") from None
    if not isinstance(obj, dict):
        raise Rejected(f"not a JSON object at line {lineno} (got {type(obj).__name__})")
    html, body = _nonblank(obj.get("html")), _nonblank(_first(obj, _TEXT_KEYS))
    if html is None and body is None:
        raise Rejected("no 'text', 'maintext' or 'html' field (missing, empty or not a string)")
    # "source" is the URL in trafilatura's output, an outlet name in NewsAPI's
    given_source = _meta(obj.get("source"))
    source_url = given_source if given_source and given_source.startswith(("http://", "https://")) else None
    # The stated date goes on as written; the clean stage parses it again and, if it must, rejects it
    # with a note, as for HTML pages and feeds (newsflow/published.py).
    raw_date = next((obj[k] for k in _DATE_KEYS if obj.get(k) not in (None, "")), None)
    when = published.parse(raw_date)
    row = {"source": source, "body": (html or body).replace("\r\n", "\n").replace("\r", "\n"),
           "body_format": "html" if html is not None else "text", "encoding": encoding,
           "url": _meta(obj.get("url")) or source_url, "title": _meta(_first(obj, _TITLE_KEYS)),
           "published_at": when.at, "published_precision": when.precision, "published_raw": when.raw,
           "site_name": _meta(_first(obj, _SITE_KEYS)) or (None if source_url else given_source),
           "author": _meta(_first(obj, _AUTHOR_KEYS)), "language": _meta(obj.get("language"))}
    return row, None


def _nonblank(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _meta(value: object) -> str | None:
    """A metadata field as a string: accepts {"name": ...} (NewsAPI's source) and author lists."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = ", ".join(v.strip() for v in value if isinstance(v, str) and v.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None
