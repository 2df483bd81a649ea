"""Ingest: turn the files a user points at into a RAW batch, quarantining whatever cannot be read.

`discover` expands paths, folders and globs into input files; `read_documents` reads them (gzip,
encoding detection, JSONL) into a `newsflow.batches.RAW` table. Neither raises on bad input: every
rejected path, file or line becomes a `Quarantined` record, so nothing a user gave is silently lost.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from glob import glob
from pathlib import Path

import charset_normalizer
import pyarrow as pa

from newsflow.batches import RAW, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.gzipped import GzipCorrupt, GzipTooLarge, gunzip_capped

STAGE = "ingest"

# Extension -> how the file is read; each may also be gzipped (".txt.gz").
FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
SUPPORTED = ", ".join([*FORMATS, *(f"{ext}.gz" for ext in FORMATS)])

_GLOB_CHARS = re.compile(r"[*?\[]")
_SNIFF = 8192  # bytes/chars inspected for binary content, as git and file(1) do
_MAX_CONTROL_SHARE = 0.10
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # C0 controls except tab, newlines, VT, FF
_C1 = re.compile(r"[\x80-\x9f]")
_MAGIC = {
    b"%PDF": "PDF document", b"\x89PNG": "PNG image", b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image", b"PK\x03\x04": "ZIP archive", b"\x1f\x8b": "gzip data",
    b"\xfd7zXZ": "xz data", b"7z\xbc\xaf": "7-Zip archive", b"Rar!": "RAR archive",
    b"\xd0\xcf\x11\xe0": "MS Office document", b"\x7fELF": "ELF executable",
}
# UTF-32 first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# <meta charset=x>, <meta http-equiv=... content="...; charset=x"> and <?xml ... encoding="x"?>
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_DATE_KEYS = ("published_at", "published", "date", "pubDate", "publishedAt")


class Rejected(Exception):
    """An input ingest cannot use; `reason` goes to quarantine (fetch/pages.py reuses `decode`)."""

    def __init__(self, reason: str, payload: bytes | str | None = None):
        super().__init__(reason)
        self.reason, self.payload = reason, payload


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
    """One RAW row per document (a file, or a JSONL line), in input order, plus rejects."""
    rows: list[dict] = []
    rejected: list[Quarantined] = []
    for path in map(Path, files):
        fmt = _format(path)
        if fmt is None:
            rejected.append(_unsupported(path, settings))
            continue
        try:
            text, encoding = _load(path, settings.max_doc_bytes)
        except Rejected as r:
            rejected.append(Quarantined(STAGE, str(path), r.reason, r.payload))
            continue
        if fmt == "jsonl":
            _read_jsonl(path, text, encoding, rows, rejected)
        else:
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


def decode(data: bytes, fmt: str | None) -> tuple[str, str]:
    if not data:
        raise Rejected("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise Rejected(f"could not decode as {codec} (byte-order mark present): {e}") from None
            encoding = codec.removesuffix("-sig")
            break
    else:
        _refuse_binary(data[:_SNIFF])
        text, encoding = _detect(data, fmt)
    control = len(_CONTROL.findall(text[:_SNIFF])) / min(len(text), _SNIFF) if text else 0.0
    if control > _MAX_CONTROL_SHARE:
        raise Rejected(f"binary content ({control:.0%} control characters), not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Rejected("empty file")
    return text, encoding


def _refuse_binary(head: bytes) -> None:
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            raise Rejected(f"binary content ({kind}), not text")
    if b"\x00" in head:  # no BOM, so NULs cannot be UTF-16/32 text
        raise Rejected("binary content (NUL bytes), not text")


def _detect(data: bytes, fmt: str | None) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if fmt == "html" and (declared := _declared_charset(data[:4096])):
        if (decoded := _decode_declared(data, declared)) is not None:
            return decoded
    if (guessed := _guess(data)) is not None:
        return guessed
    return data.decode("cp1252", errors="replace"), "cp1252"


def _declared_charset(head: bytes) -> str | None:
    if not (m := _DECLARED.search(head)):
        return None
    try:
        return codecs.lookup((m.group(1) or m.group(2)).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_declared(data: bytes, codec: str) -> tuple[str, str] | None:
    # An 8-bit page cannot really be UTF-16/32 (browsers ignore such a <meta>, and so do we).
    if codec.startswith(("utf-16", "utf-32")):
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    # Pages labelled latin-1 are usually cp1252 (curly quotes at 0x80-0x9f): browsers decode them so.
    if codec == "iso8859-1" and _C1.search(text):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return text, codec


def _guess(data: bytes) -> tuple[str, str] | None:
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    # On short Western text charset_normalizer ties cp1252 with cp1250/cp1125 and may pick those
    # (turning "à" into "ŕ"); among equally good candidates prefer cp1252, the commonest legacy one.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), codecs.lookup(best.encoding).name


# --- JSONL --------------------------------------------------------------------------------------

def _read_jsonl(path: Path, text: str, encoding: str,
                rows: list[dict], rejected: list[Quarantined]) -> None:
    # split("\n"), not splitlines(): U+2028 and friends may appear unescaped inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{path}#L{lineno}"
        try:
            row, note = _jsonl_row(source, line, lineno, encoding)
        except Rejected as r:
            rejected.append(Quarantined(STAGE, source, r.reason, line))
            continue
        rows.append(row)
        if note:  # the article goes through; the quarantine row records what was dropped from it
            rejected.append(Quarantined(STAGE, source, note, line))


def _jsonl_row(source: str, line: str, lineno: int, encoding: str) -> tuple[dict, str | None]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise Rejected(f"invalid JSON at line {lineno}: {e.msg} (column {e.colno})") from None
    if not isinstance(obj, dict):
        raise Rejected(f"not a JSON object at line {lineno} (got {type(obj).__name__})")
    html, body = _nonblank(obj.get("html")), _nonblank(obj.get("text"))
    if html is None and body is None:
        raise Rejected("no 'text' or 'html' field (missing, empty or not a string)")
    raw_date = next((obj[k] for k in _DATE_KEYS if obj.get(k) not in (None, "")), None)
    published = _parse_date(raw_date)
    note = None
    if raw_date is not None and published is None:
        note = f"unparseable published_at {raw_date!r} (kept the article without a date)"
    row = _row(source, (html or body).replace("\r\n", "\n").replace("\r", "\n"),
               "html" if html is not None else "text", encoding,
               url=_meta(obj.get("url")), title=_meta(obj.get("title")), published_at=published,
               site_name=_meta(obj.get("site_name")) or _meta(obj.get("source")),
               author=_meta(obj.get("author")), language=_meta(obj.get("language")))
    return row, note


def _parse_date(value: object) -> datetime | None:
    """ISO 8601 or RFC 2822 to an aware UTC datetime; a date without a time zone is taken as UTC."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        return None


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


def _row(source: str, body: str, body_format: str, encoding: str, **meta: object) -> dict:
    return {"source": source, "body": body, "body_format": body_format, "encoding": encoding, **meta}


def _os_reason(e: OSError) -> str:
    return e.strerror or str(e)
