"""URL canonicalisation: one form per article URL, used for ids and duplicate detection."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


_TRACKING = re.compile(r"utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|"
                       r"yclid|twclid|ttclid|oly_anon_id|oly_enc_id|vero_id|mkt_tok", re.I)


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash but the root.

    Written out rather than courlan.normalize_url: that one keeps fragments unless `strict`, and
    `strict` also drops ordinary query parameters (article ids on some sites). Other parameters keep
    their order so the URL still works. Anything that is not an http(s) URL is kept as given.
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    netloc = parts.netloc.lower()
    if (parts.scheme.lower(), parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    path = parts.path.rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.fullmatch(k)], doseq=True)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
