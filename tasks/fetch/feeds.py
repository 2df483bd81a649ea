"""Feeds to entries: RSS 0.9x/1.0 (RDF)/2.0 and Atom through feedparser, JSON Feed by hand.

Parsing only: the bytes come from the polite client. feedparser gets a stream (never a string, which
it could take for a URL or a file name and open itself), and the XML is first checked with defusedxml
so a feed declaring entities (billion laughs, external entities) is refused, not expanded. trafilatura's
feeds module was not used: it fetches by itself (bypassing robots, rate limits and fetch_log) and pulls
links out with regular expressions, without the entries' dates.

Also here: `alternate_links`, the feeds an HTML page announces with <link rel="alternate">.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin

import defusedxml
import defusedxml.ElementTree as SafeET

from newsflow import published

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/json", "application/xml", "text/xml"}


@dataclass(frozen=True)
class Entry:
    """An article URL a feed or sitemap lists, with what the listing says about it."""

    url: str
    # a datetime (UTC) for a full timestamp; else the value as stated (a date alone, something that
    # is no date): the clean stage parses it with its precision or rejects it with a note
    published_at: datetime | str | None = None
    title: str | None = None


class MalformedListing(ValueError):
    """A feed or sitemap that cannot be read; the message is the fetch_log error."""


def parse_feed(data: bytes, base_url: str, content_type: str | None = None) -> tuple[str, list[Entry]]:
    """(format, entries) of a feed; raises MalformedListing."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"[") or "json" in (content_type or ""):
        return "json", _json_feed(data, base_url)
    refuse_entities(data)
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=False,
                              response_headers={"content-location": base_url,
                                                "content-type": content_type or "application/xml"})
    if not parsed.entries and not parsed.version and not parsed.bozo:
        raise MalformedListing("not a feed (no RSS, Atom or RDF root element)")
    entries = []
    for e in parsed.entries:
        link = e.get("link") or next((lk.get("href") for lk in e.get("links", []) if lk.get("href")), None)
        if not link:
            continue
        when = e.get("published_parsed") or e.get("updated_parsed")  # feedparser gives UTC
        stated = e.get("published") or e.get("updated")  # what feedparser could not parse goes on as stated
        entries.append(Entry(url=urljoin(base_url, link.strip()),
                             published_at=datetime(*when[:6], tzinfo=timezone.utc) if when else stated or None,
                             title=e.get("title") or None))
    if parsed.bozo and not entries:  # a broken feed that still yields links is read leniently
        raise MalformedListing(f"malformed feed: {parsed.bozo_exception}")
    if not parsed.version and not entries:
        raise MalformedListing("not a feed (no RSS, Atom or RDF root element)")
    return parsed.version or "feed", entries


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def refuse_entities(data: bytes) -> None:
    """Refuses XML that declares entities; other parse errors are left to the lenient parsers.
    Leading whitespace (or a BOM) before `<?xml` is a parse error to expat before the DTD is seen,
    and the lenient parsers read past it: it is stripped for the check, and a document the check
    cannot parse is still refused when it declares an entity anywhere."""
    try:
        SafeET.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"), forbid_dtd=False, forbid_entities=True,
                          forbid_external=True)
    except defusedxml.DefusedXmlException as e:
        raise MalformedListing(f"refused: XML declares entities ({type(e).__name__})") from None
    except ET.ParseError:
        if _ENTITY_DECL.search(data):
            raise MalformedListing("refused: XML declares entities (<!ENTITY in a document that does "
                                   "not parse)") from None


def _json_feed(data: bytes, base_url: str) -> list[Entry]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MalformedListing(f"malformed JSON feed: {e}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise MalformedListing("not a JSON Feed (no https://jsonfeed.org/version/ 'version')")
    items = doc.get("items")
    if not isinstance(items, list):
        raise MalformedListing("malformed JSON feed: 'items' is not a list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if isinstance(link, str) and link.strip():
            entries.append(Entry(url=urljoin(base_url, link.strip()),
                                 published_at=parse_iso(item.get("date_published")),
                                 title=item.get("title") if isinstance(item.get("title"), str) else None))
    return entries


def parse_iso(value) -> datetime | str | None:
    """A listing's date: a UTC datetime for a full timestamp, else the value as stated (see Entry)."""
    if not isinstance(value, str) or not value.strip():
        return None
    when = published.parse(value)
    return when.at if when.precision in ("second", "minute") else value.strip()


class _Alternates(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag != "link":
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        if "alternate" in a.get("rel", "").lower().split() and a.get("href"):
            kind = a.get("type", "").lower().split(";")[0].strip()
            if kind in FEED_TYPES:
                self.links.append((a["href"].strip(), kind))


def alternate_links(html: str, base_url: str) -> list[str]:
    """Feed URLs of <link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json">."""
    parser = _Alternates()
    parser.feed(html[:500_000])  # the <head> is at the top
    return list(dict.fromkeys(urljoin(base_url, href) for href, _ in parser.links))
