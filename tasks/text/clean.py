"""The clean stage: a RAW batch in, an ARTICLE batch and quarantine records out.

HTML goes through trafilatura (main text and metadata); plain text that still carries web boilerplate
goes through the line classifier in `tasks.text.boilerplate`. Both end in the same normalised text:
NFC, no control characters, one paragraph per line.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

import pyarrow as pa

from newsflow import ids, published
from newsflow.batches import ARTICLE, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.urls import canonical_url
from tasks.text import boilerplate, deep_html, language, outlet

STAGE = "clean"

# Passed through from the input row when set; cleaning fills them only where the input has none.
_META = ("site_name", "author", "language")

# --------------------------------------------------------------------------------------------------
# Text normalisation

_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newlines (also NBSP, thin and ideographic spaces)
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space/joiner, BOM
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls; \t..\r become whitespace
_BLANK_RUNS = re.compile(r"\n{2,}")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_MD_HEADING = re.compile(r"^#{1,6}\s+")


def normalise(text: str) -> str:
    """NFC, line breaks as "\\n", no control or invisible characters, single spaces, stripped lines.

    Paragraph breaks survive as single "\\n"; curly quotes and apostrophes are left alone because
    later stages store character offsets into this text.
    """
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(text.splitlines())  # \r\n, \r, \x0b, \x0c, \x85, \u2028, \u2029
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    text = _SPACES.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n", "\n".join(lines)).strip("\n")


def strip_markup(line: str) -> str:
    """Markdown emphasis and heading markers carry no words: **bold** -> bold, "## Head" -> Head."""
    line = _MD_HEADING.sub("", line)
    line = _BOLD.sub(r"\2", line)
    return _ITALIC.sub(r"\1", line).strip()


def _key(line: str) -> str:
    """Comparison form for "is this line the title again?"."""
    return " ".join(re.findall(r"\w+", line.casefold()))


def drop_title_repeats(lines: list[str], title: str | None) -> list[str]:
    """Pages often print the headline again (or twice) above the body: the text starts after it."""
    if not title:
        return lines
    key = _key(title)
    i = 0
    while i < len(lines) and _key(lines[i]) == key:
        i += 1
    return lines[i:]


_SENTENCE_BREAK = re.compile(r"(?<![A-Z])[.!?…][\"'”’)]*(?:\s|$)")


def plausible_title(line: str) -> bool:
    """A headline is short and at most two sentences ("Talks end? Another round wraps up")."""
    return (0 < len(line) <= 150 and len(_SENTENCE_BREAK.findall(line)) <= 2
            and not line.startswith(("- ", "* ", "• ")))


# --------------------------------------------------------------------------------------------------
# One document

@dataclass
class Cleaned:
    title: str | None
    text: str
    url: str | None = None
    published: published.Published = published.NONE
    site_name: str | None = None
    author: str | None = None
    language: str | None = None


class Rejected(Exception):
    """A document the stage cannot turn into an article; the message is the quarantine reason."""


def clean_text(body: str, title: str | None = None) -> Cleaned:
    """Plain text with boilerplate lines: keep the article's lines, find the title if none is given.
    The line classifier counts the stop words of the text's language (detected on the whole text)."""
    lines = [strip_markup(line) for line in normalise(body).split("\n")]
    lang, _ = language.detect("\n".join(lines))
    kept = [ln.text for ln in boilerplate.classify([ln for ln in lines if ln], lang or "en")
            if ln.kind != boilerplate.BOILERPLATE]
    if not title and len(kept) > 1 and plausible_title(kept[0]):  # a one-paragraph text is no headline
        title = kept[0]
    return Cleaned(title=title, text="\n".join(drop_title_repeats(kept, title)))


_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,8})*)""", re.I)
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # htmldate gives the time and zone when the page has them
# htmldate drops dates after its max_date (today) silently; we take them, so a page dated 2099 meets
# the same critical `published_at` check as a JSONL line or a feed entry (newsflow/published.py).
_MAX_DATE = "2999-12-31"


def _html_language(html: str) -> str | None:
    """The language the page declares on <html lang>: metadata, not detection."""
    m = _HTML_LANG.search(html, 0, 20_000)
    return m.group(1) if m else None


def clean_html(html: str, url: str | None = None, title: str | None = None) -> Cleaned:
    import trafilatura  # imported here: plain-text batches never pay for it
    from trafilatura.settings import set_date_params

    # Markup only (meta, <time>, JSON-LD): the extensive search guesses from years in the body
    # ("talks since March 2022" -> 2022-01-01), which is worse than no date.
    date_params = {**set_date_params(False), "outputformat": _DATE_FORMAT, "max_date": _MAX_DATE}
    def extract(page: str):
        return trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True,  # +0.011 token F1 on the extraction dev set: fewer related-link blocks
            date_extraction_params=date_params,
        )

    doc = extract(html)
    if (doc is None or not (doc.text or "").strip()) and (flat := deep_html.flattened(html)) is not None:
        doc = extract(flat)  # nested past lxml's depth limit: extracted again with the wrappers flattened
    if doc is None or not (doc.text or "").strip():
        raise Rejected("no article text found in HTML")
    title = title or (normalise(doc.title).replace("\n", " ") if doc.title else None)
    lines = [ln for ln in normalise(doc.text).split("\n") if ln]
    return Cleaned(
        title=title or None,
        text="\n".join(drop_title_repeats(lines, title)),
        url=doc.url,
        published=published.from_htmldate(doc.date),
        site_name=doc.sitename or None,
        author=doc.author or None,
        language=doc.language or _html_language(html),
    )


def _published(row: dict, cleaned: Cleaned) -> tuple[published.Published, list[str]]:
    """The article's publication time and the notes on stated values that were rejected.

    A page's own date beats a feed's or sitemap's, which only fill a gap; the input's stated value
    (`published_raw`, JSONL/feeds/sitemaps) is parsed again here so every path rejects alike."""
    stated = published.parse(row.get("published_raw") or row.get("published_at"))
    if stated.at is not None and not row.get("published_raw") and row.get("published_precision"):
        stated = dataclasses.replace(stated, precision=row["published_precision"])
    candidates = [cleaned.published, stated] if row.get("body_format") == "html" else [stated, cleaned.published]
    notes = [f"{c.problem} (kept the article without it)" for c in candidates if c.rejected]
    chosen = next((c for c in candidates if c.at is not None), None)
    if chosen is None:  # nothing usable: keep the first rejected value as stated
        chosen = next((published.Published(raw=c.raw) for c in candidates if c.rejected), published.NONE)
    return chosen, notes


def clean_document(row: dict, settings: Settings) -> tuple[dict, list[str]]:
    """One RAW row to one ARTICLE row and its notes (rejected dates, for the quarantine); raises
    Rejected with the quarantine reason when the document cannot become an article."""
    body = row.get("body") or ""
    fmt = row.get("body_format")
    given_title = normalise(row["title"]).replace("\n", " ") if row.get("title") else None
    if fmt == "html":
        cleaned = clean_html(body, url=row.get("url"), title=given_title)
    elif fmt == "text":
        cleaned = clean_text(body, title=given_title)
    else:
        raise Rejected(f"unknown body_format {fmt!r}")

    n = len(cleaned.text)
    if n < settings.min_text_chars:
        raise Rejected(f"no article text after cleaning ({n} chars < min_text_chars {settings.min_text_chars})")
    if n > settings.max_text_chars:
        raise Rejected(f"text too long ({n} chars > max_text_chars {settings.max_text_chars})")

    url = canonical_url(row.get("url")) or canonical_url(cleaned.url)
    content_hash = ids.content_hash(cleaned.text)
    out = {
        "article_id": ids.article_id(url, content_hash),
        "source": row.get("source"),
        "url": url,
        "text": cleaned.text,
        "content_hash": content_hash,
        "body_format": fmt,
        "encoding": row.get("encoding"),
        "decode_note": row.get("decode_note"),
    }
    for name in _META:  # the input's own values win over what extraction found
        out[name] = row.get(name) if row.get(name) is not None else getattr(cleaned, name)
    when, notes = _published(row, cleaned)
    out.update(published_at=when.at, published_precision=when.precision, published_raw=when.raw)
    lang = language.choose(cleaned.text, out.pop("language"), settings.language_min_confidence,
                           settings.default_language)
    out.update(language=lang.language, language_declared=lang.declared, language_detected=lang.detected,
               nlp_status="ok" if settings.model_for(lang.language) else f"no_model:{lang.language}")
    out["outlet"] = outlet.outlet(url, out["site_name"], out["source"], settings)
    out["title"] = cleaned.title
    return out, notes


def clean_batch(raw: pa.Table, settings: Settings) -> tuple[pa.Table, list[Quarantined]]:
    """Cleans every document of a RAW batch; a document that fails is quarantined, never raised."""
    rows, quarantined = [], []
    for row in raw.to_pylist():
        source = row.get("source") or ""
        try:
            out, notes = clean_document(row, settings)
            rows.append(out)
            # the article loads; the note records the stated value that was not taken
            quarantined += [Quarantined(STAGE, source, note, None) for note in notes]
        except Rejected as exc:
            quarantined.append(Quarantined(STAGE, source, str(exc), row.get("body")))
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the night
            quarantined.append(Quarantined(STAGE, source, f"cleaning failed: {type(exc).__name__}: {exc}",
                                           row.get("body")))
    return from_rows(rows, ARTICLE), quarantined
