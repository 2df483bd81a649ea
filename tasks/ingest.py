"""Ingest: turn the files a user points at into a RAW batch, quarantining whatever cannot be read.

`discover` expands paths, folders and globs into input files; `read_documents` reads them (gzip,
encoding detection; JSONL through `tasks.jsonl`) into a `newsflow.batches.RAW` table. Neither raises
on bad input: every rejected path, file or line becomes a `Quarantined` record, so nothing a user
gave is silently lost.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Sequence
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
    """One RAW row per document (a file, or a JSONL line), in input order, plus rejects.

    A JSONL file is read whole into the table here (retries, benchmarks); the nightly flow reads big
    ones in batches with `tasks.jsonl.read_jsonl_batches` instead."""
    rows: list[dict] = []
    rejected: list[Quarantined] = []
    from tasks import jsonl  # it imports this module (decode helpers, Rejected)

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


def sniff_codec(head: bytes, complete: bool) -> str:
    """The codec of a stream judged from its first bytes, as `decode` judges a whole file (BOM,
    UTF-8, charset-normalizer, cp1252); Rejected when they are binary. `complete`: head is all of it."""
    if complete and not head.strip():
        raise Rejected("empty file")
    codec = next((c for bom, c in _BOMS if head.startswith(bom)), None)
    if codec is None:
        _refuse_binary(head[:_SNIFF])
        try:  # incremental: a multi-byte character cut at the end of the head is not an error
            codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
            codec = "utf-8"
        except UnicodeDecodeError:
            whole_lines = head if complete else head[:head.rfind(b"\n") + 1] or head
            codec = guessed[1] if (guessed := _guess(whole_lines)) is not None else "cp1252"
    text = head[:_SNIFF].decode(codec, errors="replace")
    control = len(_CONTROL.findall(text)) / max(len(text), 1)
    if control > _MAX_CONTROL_SHARE:
        raise Rejected(f"binary content ({control:.0%} control characters), not text")
    return codec


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


def _row(source: str, body: str, body_format: str, encoding: str, **meta: object) -> dict:
    return {"source": source, "body": body, "body_format": body_format, "encoding": encoding, **meta}


def _os_reason(e: OSError) -> str:
    return e.strerror or str(e)
