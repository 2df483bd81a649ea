"""Bytes to text: byte-order marks, UTF-8, a declared charset (HTML), charset-normalizer, cp1252.

Shared by local files (`ingest`), streamed JSONL (`jsonl`, which judges a stream by its head with
`sniff_codec`) and fetched pages (`tasks.fetch.pages`). Binary content is refused with `Rejected`.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

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
