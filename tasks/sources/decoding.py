"""Bytes to text, judged per document: byte-order marks, UTF-16 without one, UTF-8, a declared
charset (HTML), charset-normalizer, cp1252, and a note when the text needed more than one codec.

Shared by local files (`ingest`), streamed JSONL (`jsonl`, which judges a stream by its head with
`sniff_codec` and then each line with `decode_line`) and fetched pages (`tasks.fetch.pages`). Binary
content is refused with `Rejected`. A document whose bytes are not what they claim is still read,
and `Decoded.note` says what was done (it becomes `raw_documents.decode_note`/`articles.decode_note`):
a page declaring UTF-8 that is latin-1, a file mixing UTF-8 and legacy lines (each line decoded as
what it is), UTF-8 text carrying mojibake (repaired with ftfy).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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
_WIDE_SHARE = 0.30  # UTF-16 without a BOM: at least this share of code units has a zero high byte
# CJK punctuation, kana, unified ideographs, Hangul syllables, full-width forms
_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
_CJK_SHARE = 0.8
_PRINTABLE_ASCII = re.compile(rb"[\x20-\x7e\n]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# bytes 0x80-0xbf as cp1252 shows them: the continuation bytes of UTF-8 misread
_CONTINUATION = "\u0080-\u00bf" + bytes(range(0x80, 0xa0)).decode("cp1252", errors="ignore")
_MOJIBAKE_HINT = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec; "utf-8+cp1252" for a document that mixes both
    note: str | None = None  # what was repaired or guessed against a declaration, else None


class Rejected(Exception):
    """An input ingest cannot use; `reason` goes to quarantine (fetch/pages.py reuses `decode`)."""

    def __init__(self, reason: str, payload: bytes | str | None = None):
        super().__init__(reason)
        self.reason, self.payload = reason, payload



def decode(data: bytes, fmt: str | None) -> Decoded:
    """A whole document's text; Rejected when it is empty or binary."""
    if not data:
        raise Rejected("empty file")
    note = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise Rejected(f"could not decode as {codec} (byte-order mark present): {e}") from None
            encoding = codec.removesuffix("-sig")
            break
    else:
        if (wide := bomless_utf16(data[:_SNIFF])) is not None:
            try:
                text, encoding = data.decode(wide), wide
            except UnicodeDecodeError as e:
                raise Rejected(f"could not decode as {wide} (no byte-order mark): {e}") from None
        else:
            _refuse_binary(data[:_SNIFF])
            text, encoding, note = _detect(data, fmt)
    control = len(_CONTROL.findall(text[:_SNIFF])) / min(len(text), _SNIFF) if text else 0.0
    if control > _MAX_CONTROL_SHARE:
        raise Rejected(f"binary content ({control:.0%} control characters), not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Rejected("empty file")
    return Decoded(text, encoding, note)


def sniff_codec(head: bytes, complete: bool) -> str:
    """The codec of a stream judged from its first bytes, as `decode` judges a whole file (BOM,
    UTF-8, charset-normalizer, cp1252); Rejected when they are binary. `complete`: head is all of it."""
    if complete and not head.strip():
        raise Rejected("empty file")
    codec = next((c for bom, c in _BOMS if head.startswith(bom)), None) or bomless_utf16(head[:_SNIFF])
    if codec is None:
        _refuse_binary(head[:_SNIFF])
        try:  # incremental: a multi-byte character cut at the end of the head is not an error
            codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
            codec = "utf-8"
        except UnicodeDecodeError:
            whole_lines = head if complete else head[:head.rfind(b"\n") + 1] or head
            codec = legacy_codec(whole_lines)
    text = head[:_SNIFF].decode(codec, errors="replace")
    control = len(_CONTROL.findall(text)) / max(len(text), 1)
    if control > _MAX_CONTROL_SHARE:
        raise Rejected(f"binary content ({control:.0%} control characters), not text")
    return codec


def decode_line(data: bytes, codec: str) -> tuple[str, str, str | None]:
    """One line of a stream whose head was judged `codec`: (text, its codec, note). A UTF-8 line
    stays UTF-8 whatever the head was, a line that is not UTF-8 in a UTF-8 stream is judged alone:
    files concatenated from several sources mix them. UnicodeDecodeError if it decodes as neither."""
    if codec == "utf-8-sig" or codec == "utf-8":
        try:
            text = data.decode(codec)
            repaired = _repaired(text)
            return repaired, "utf-8", "mojibake repaired (ftfy)" if repaired != text else None
        except UnicodeDecodeError:
            legacy = legacy_codec(data)
            return _repaired(data.decode(legacy)), legacy, f"not UTF-8 like the rest of the file: decoded as {legacy}"
    if _NON_ASCII.search(data):
        try:
            return data.decode("utf-8"), "utf-8", f"UTF-8, while the file's head is {codec}: decoded as UTF-8"
        except UnicodeDecodeError:
            pass
    return data.decode(codec), codec, None


def bomless_utf16(head: bytes) -> str | None:
    """utf-16-le/-be when the bytes look like UTF-16 text without a byte-order mark: many code
    units with a zero high byte (Latin script), or a few with most characters Chinese, Japanese or
    Korean; (almost) none with a zero low byte; decodable."""
    n = len(head) // 2 * 2
    if n < 8 or b"\x00" not in head:
        return None
    units = n // 2
    zeros_even, zeros_odd = head[0:n:2].count(0), head[1:n:2].count(0)
    if zeros_odd == zeros_even:
        return None
    # the high bytes are the side with more zeros; (almost) no zero low bytes ("言" is U+8A00)
    codec, high, low = ("utf-16-le", zeros_odd, zeros_even) if zeros_odd > zeros_even else \
        ("utf-16-be", zeros_even, zeros_odd)
    if low > 0.02 * units:
        return None
    wide = high < _WIDE_SHARE * units  # few zero high bytes: newlines, spaces, digits between CJK text
    try:  # incremental: a surrogate pair cut at the end of the head is not an error
        text = codecs.getincrementaldecoder(codec)().decode(head[:n], final=False)
    except UnicodeDecodeError:
        return None
    control = len(_CONTROL.findall(text)) / max(len(text), 1)
    if control > _MAX_CONTROL_SHARE:
        return None
    if wide:  # Chinese, Japanese or Korean text: most characters in their blocks (random bytes: ~30%)
        if len(_PRINTABLE_ASCII.findall(head[:n])) > 0.75 * n:
            return None  # ASCII text with a stray NUL: its letter pairs would read as ideographs
        letters = [c for c in text if not c.isspace()]
        cjk = sum(1 for c in letters if _CJK.match(c))
        return codec if letters and cjk >= _CJK_SHARE * len(letters) else None
    return codec


def _refuse_binary(head: bytes) -> None:
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            raise Rejected(f"binary content ({kind}), not text")
    if b"\x00" in head:  # no BOM and not UTF-16 text, so NULs mean binary
        raise Rejected("binary content (NUL bytes), not text")


def _detect(data: bytes, fmt: str | None) -> tuple[str, str, str | None]:
    """(text, encoding, note) of bytes without a BOM that are not all UTF-8 or carry mojibake."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        repaired = _repaired(text)
        return repaired, "utf-8", "mojibake repaired (ftfy)" if repaired != text else None
    declared = _declared_charset(data[:4096]) if fmt == "html" else None
    lines = data.splitlines(keepends=True)
    utf8, legacy = [], []
    for i, line in enumerate(lines):
        if _NON_ASCII.search(line):
            try:
                line.decode("utf-8")
                utf8.append(i)
            except UnicodeDecodeError:
                legacy.append(i)
    if utf8 and legacy:  # a file put together from UTF-8 and legacy parts: each line as what it is
        bad = [lines[i] for i in legacy]
        codec = declared if _usable_legacy(declared, b"".join(bad)) else legacy_codec(b"".join(bad))
        for i in legacy:
            lines[i] = _repaired(lines[i].decode(codec, errors="replace")).encode("utf-8")
        return (b"".join(lines).decode("utf-8"), f"utf-8+{codec}",
                f"mixed encodings: {len(legacy)} of {len(utf8) + len(legacy)} non-ASCII lines are not UTF-8, "
                f"decoded as {codec}")
    if declared and declared != "utf-8" and (decoded := _decode_declared(data, declared)) is not None:
        return decoded[0], decoded[1], None
    if (guessed := _guess(data)) is not None:
        text, codec = guessed
    else:
        text, codec = data.decode("cp1252", errors="replace"), "cp1252"
    note = f"declared {declared} but the bytes are not: decoded as {codec}" if declared else None
    return text, codec, note


def legacy_codec(data: bytes) -> str:
    """The single- or multi-byte legacy codec of bytes that are not UTF-8 (cp1252 if unsure)."""
    guessed = _guess(data)
    return guessed[1] if guessed is not None else "cp1252"


def _repaired(text: str) -> str:
    """UTF-8 read as cp1252/latin-1 somewhere upstream ("GenÃ¨ve") back to the real text (ftfy).
    ftfy's `is_bad` costs ~0.5 us a character, so it only looks at texts with the signature of that
    mistake: a UTF-8 lead byte read as a letter (Â..ô) followed by a continuation byte read as cp1252."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy
    from ftfy.badness import is_bad

    return ftfy.fix_encoding(text) if is_bad(text) else text


def _usable_legacy(codec: str | None, data: bytes) -> bool:
    if not codec or codec.startswith(("utf-8", "utf-16", "utf-32")):
        return False
    try:
        data.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


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
    # On short Western text charset_normalizer ranks cp1250/cp775/cp1257 over cp1252 by a coherence
    # that a few accented letters cannot carry ("Genève" -> "Genčve", "GenĶve"): when cp1252 reads
    # the bytes with no more chaos than the best, prefer it, the commonest legacy codec by far.
    if any("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos for m in matches):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), codecs.lookup(best.encoding).name
