"""Sitemaps to entries: <urlset> (with Google News' <news:publication_date>), <sitemapindex>,
gzipped (.xml.gz) and plain-text sitemaps.

Parsed with defusedxml (no DTDs, no entity expansion, no network) on bytes the polite client fetched.
trafilatura's sitemaps module was not used: it downloads the children itself (outside robots, rate
limits and fetch_log), reads <loc> with regular expressions and drops the news publication dates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from newsflow.gzipped import GzipCorrupt, GzipTooLarge, gunzip_capped
from tasks.fetch.feeds import Entry, MalformedListing, parse_iso

_URL_LINE = re.compile(r"^https?://\S+$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _gunzip(data: bytes, limit: int) -> bytes:
    try:
        return gunzip_capped(data, limit)
    except GzipTooLarge:
        raise MalformedListing(f"decompressed sitemap exceeds {limit} bytes (gzip bomb?)") from None
    except GzipCorrupt as e:
        raise MalformedListing(f"corrupt gzip sitemap: {e}") from None


def parse_sitemap(data: bytes, limit: int) -> tuple[list[Entry], list[str]]:
    """(article entries, child sitemap URLs); raises MalformedListing."""
    if data[:2] == b"\x1f\x8b":  # .xml.gz served as application/gzip (no Content-Encoding)
        data = _gunzip(data, limit)
    text_head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if text_head != b"<":
        return _text_sitemap(data), []
    try:  # whitespace before <?xml is a parse error to expat: a sitemap that has it is read all the same
        root = SafeET.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"), forbid_dtd=True)
    except defusedxml.DefusedXmlException as e:
        raise MalformedListing(f"refused: sitemap declares a DTD or entities ({type(e).__name__})") from None
    except ET.ParseError as e:
        raise MalformedListing(f"malformed sitemap XML: {e}") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        return [], [loc for s in root if _local(s.tag) == "sitemap" and (loc := _child_text(s, "loc"))]
    if kind != "urlset":
        raise MalformedListing(f"not a sitemap (root element <{kind}>)")
    entries = []
    for url in root:
        if _local(url.tag) != "url" or not (loc := _child_text(url, "loc")):
            continue
        published, title = None, None
        for child in url:
            if _local(child.tag) == "news":  # Google News sitemap
                published = parse_iso(_child_text(child, "publication_date"))
                title = _child_text(child, "title")
        entries.append(Entry(url=loc, published_at=published, title=title))
    return entries, []


def _text_sitemap(data: bytes) -> list[Entry]:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    if not lines or not all(_URL_LINE.match(ln) for ln in lines):
        raise MalformedListing("not a sitemap (neither XML nor one URL per line)")
    return [Entry(url=ln) for ln in lines]
