"""Stable, content-derived identifiers: the same input gives the same id on every machine and night."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")


def digest(*parts: str, length: int = 16) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def normalise_text(text: str) -> str:
    """The form two copies of one article share: NFKC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(text: str) -> str:
    return digest(normalise_text(text), length=32)


def article_id(canonical_url: str | None, text_hash: str) -> str:
    # Local files have no URL: their id is the content alone, so moving a folder changes nothing.
    return digest("url", canonical_url, text_hash) if canonical_url else digest("text", text_hash)


def entity_id(canonical_name: str, label: str) -> str:
    return digest("entity", label, canonical_name.casefold())


def mention_id(article: str, start: int, end: int, label: str) -> str:
    return digest("mention", article, str(start), str(end), label)
