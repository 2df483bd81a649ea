"""The outlet of an article: who published it, what `num_sources`/`NumSources` and the night checks count.

In order: the registered domain of its URL ("www.bbc.co.uk/news/..." -> "bbc.co.uk", by the Public
Suffix List snapshot the `tld` package ships, through courlan, trafilatura's URL library: no download
at run time), the URL's host when it has no registered domain (an IP address, localhost), the input's
site name, the `name` of the `[[sources]]` entry whose path holds the file, the `default_outlet`
setting, and last the name of the folder the file is in (`seeds/x.txt` -> "seeds").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from newsflow.config import Settings

_HOSTNAME = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,63}$", re.I)


@lru_cache(maxsize=100_000)
def registered_domain(url: str | None) -> str | None:
    """"https://edition.cnn.com/x" -> "cnn.com"; an IP or localhost URL -> its host; else None."""
    if not url or "://" not in url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    from courlan import extract_domain

    try:
        return extract_domain(url) or host
    except Exception:  # tld raises on a few odd hosts; the host is still an outlet
        return host


def _local_path(source: str | None) -> str | None:
    if not source or "://" in source:
        return None
    return source.split("#L", 1)[0]  # a JSONL line's source is "<file>#L<n>"


def _source_entry(path: str, settings: Settings) -> str | None:
    """The name of the `[[sources]]` entry (a local file or folder) that holds `path`."""
    resolved = Path(path).expanduser().resolve()
    for src in settings.sources:
        if "://" in src.url or src.name == src.url:
            continue  # a URL source, or an entry without its own name
        root = Path(src.url).expanduser().resolve()
        if resolved == root or root in resolved.parents:
            return src.name
    return None


def outlet(url: str | None, site_name: str | None, source: str | None, settings: Settings) -> str | None:
    """The article's outlet (see the module doc); None only for an input with no name at all."""
    found = registered_domain(url)
    if found:
        return found
    if site_name and site_name.strip():
        name = site_name.strip()
        # a host given as the site name (news-please's source_domain "www.example.com")
        return registered_domain(f"http://{name}") if _HOSTNAME.match(name) else name
    path = _local_path(source)
    if path is None:
        return registered_domain(source)
    return (_source_entry(path, settings) or settings.default_outlet
            or Path(path).expanduser().resolve().parent.name or None)
