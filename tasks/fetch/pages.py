"""Fetched pages to RAW rows: HTML check, decoding (the header's charset, else the page's own
declaration and detection as for local files), and the listing's date and language carried along."""

from __future__ import annotations

import codecs
from datetime import datetime

from newsflow.urls import canonical_url
from tasks.sources import decoding
HTML_TYPES = ("text/html", "application/xhtml+xml")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html(content_type: str | None, body: bytes | None = None) -> bool:
    kind = media_type(content_type)
    if kind:
        return kind in HTML_TYPES
    head = (body or b"")[:1024].lstrip().lower()  # no Content-Type: sniff like a browser would
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _header_charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            try:
                return codecs.lookup(value.strip().strip("\"'")).name
            except LookupError:
                return None
    return None


def decode_html(body: bytes, content_type: str | None) -> decoding.Decoded:
    """The page's text; raises ValueError with a quarantine reason (empty, binary). The header's
    charset wins when the bytes decode with it, except a legacy charset over bytes that are UTF-8
    (servers default to ISO-8859-1): then UTF-8, with a note, as for a lying <meta charset>."""
    charset = _header_charset(content_type)
    try:
        if charset and not charset.startswith(("utf-16", "utf-32")):
            if not charset.startswith("utf-8") and _utf8_text(body):
                text = body.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
                return decoding.Decoded(text, "utf-8", f"Content-Type says charset {charset} but the bytes "
                                                       "are UTF-8: decoded as UTF-8")
            try:
                return decoding.Decoded(body.decode(charset).replace("\r\n", "\n").replace("\r", "\n"), charset)
            except UnicodeDecodeError:  # a wrong header: fall back to what the page itself says
                found = decoding.decode(body, "html")
                return decoding.Decoded(found.text, found.encoding, f"Content-Type says charset {charset} but the "
                                        f"bytes are not: {found.note or f'decoded as {found.encoding}'}")
        # the same decoding as local .html files (BOM, UTF-8, <meta charset>, detection)
        return decoding.decode(body, "html")
    except decoding.Rejected as r:
        raise ValueError(r.reason) from None


def _utf8_text(body: bytes) -> bool:
    """Non-ASCII bytes that are all valid UTF-8: no legacy text looks like that."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def page_row(result, language: str | None = None) -> dict:
    """A RAW row for an `ok` FetchResult of an HTML page; raises ValueError (not HTML, undecodable)."""
    if not is_html(result.content_type, result.body):
        raise ValueError(f"not HTML (Content-Type {media_type(result.content_type) or 'missing'!r})")
    decoded = decode_html(result.body or b"", result.content_type)
    meta = result.meta
    stated = meta.get("published_at")  # the feed's/sitemap's date: a datetime, or a string as stated
    return {
        "source": result.url,
        "url": canonical_url(result.final_url or result.url),
        "title": None,  # the page's own headline (trafilatura) beats a feed's, which may be shortened
        "body": decoded.text,
        "body_format": "html",
        "encoding": decoded.encoding,
        "decode_note": decoded.note,
        # the page's own date (trafilatura) wins in the clean stage; the listing's fills a gap
        "published_at": stated if isinstance(stated, datetime) else None,
        "published_raw": stated if isinstance(stated, str) else None,
        "site_name": None,
        "author": None,
        "language": meta.get("language") or language,
    }
