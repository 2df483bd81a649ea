"""What a run reads: command-line inputs and `[[sources]]` sorted into local files (the ingest
stage), JSONL files (streamed), WARC files, page URLs (also from URL-list files) and listings (feeds, sitemaps, sites).

A `.txt` file is a URL list when every non-blank line not starting with `#` is an http(s) URL; any
other text file is an article, as before.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from newsflow.batches import Quarantined
from newsflow.config import Settings, Source
from tasks.fetch.crawl import Listing, PageJob
from tasks.sources import discover
from tasks.sources.decoding import Rejected
from tasks.sources.files import read_regular, shown
from tasks.sources.jsonl import is_jsonl

STAGE = "fetch"
_URL = re.compile(r"^https?://\S+$", re.I)
MAX_URL_LIST_BYTES = 5_000_000


@dataclass
class Plan:
    files: list[Path] = field(default_factory=list)          # for ingest
    jsonl: list[Path] = field(default_factory=list)          # streamed in batches (tasks/sources/jsonl.py)
    warcs: list[tuple[Path, Source]] = field(default_factory=list)
    pages: list[PageJob] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> paths: hidden, our own outputs

    @property
    def web(self) -> bool:
        return bool(self.pages or self.listings)

    def skipped_summary(self) -> list[dict]:
        return discover.summarise(self.skipped)


def cli_sources(paths=(), feeds=(), sitemaps=(), discover=()) -> list[Source]:
    """Command-line inputs as Sources: bare paths/URLs are `auto` (sorted by what they are)."""
    out = [Source(name=str(p), kind="auto", url=str(p)) for p in paths or ()]
    for kind, urls in (("feed", feeds), ("sitemap", sitemaps), ("discover", discover)):
        out += [Source(name=u, kind=kind, url=u) for u in urls or ()]
    return out


def describe(source: Source) -> str:
    """How a source is recorded in runs.inputs (a path that is not UTF-8 with \\x escapes)."""
    return shown(source.url) if source.kind in ("auto", "path") else f"{source.kind}:{shown(source.url)}"


def url_list(path: Path) -> list[str] | None:
    """The URLs of a URL-list file, or None if it is not one (then it is an article, and ingest
    says what is wrong with it). Only a regular file of at most MAX_URL_LIST_BYTES is read: a FIFO
    would block the run, a symlink to /dev/zero would read until memory runs out."""
    try:
        text = read_regular(path, MAX_URL_LIST_BYTES).decode("utf-8-sig")
    except (Rejected, UnicodeDecodeError):
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if lines and all(_URL.match(ln) for ln in lines):
        return lines
    return None


def plan(sources: list[Source], settings: Settings) -> Plan:
    out = Plan()
    local: dict[str, Source] = {}  # path as given -> its source
    for src in sources:
        if src.kind in ("feed", "sitemap", "discover"):
            out.listings.append(Listing(src.url, src.kind, src.name, src.language, src.max_articles))
        elif src.kind == "page" or (src.kind == "auto" and _URL.match(src.url)):
            out.pages.append(PageJob(src.url, src.name, None, None, src.language))
        elif src.kind == "auto" and "://" in src.url:
            out.quarantined.append(Quarantined(STAGE, src.url, "only http and https URLs are fetched", None))
        elif src.kind == "warc":
            out.warcs.append((Path(src.url), src))
        elif src.kind == "urls":
            urls = url_list(Path(src.url))
            if urls is None:
                out.quarantined.append(Quarantined(STAGE, src.url, "not a readable URL list (every non-blank, "
                                                                   "non-# line must be an http(s) URL)", None))
            else:
                out.pages += [PageJob(u, src.name, src.url, None, src.language) for u in urls]
        else:
            local[src.url] = src
    if local:
        found = discover.find(list(local), settings)
        out.quarantined += found.rejected
        out.skipped = found.skipped
        out.warcs += [(f, _owner(str(f), local)) for f in found.warcs]
        for f in found.files:
            if is_jsonl(f):
                out.jsonl.append(f)
                continue
            src = _owner(str(f), local)
            urls = url_list(f) if f.suffix.lower() == ".txt" else None
            if urls is not None:
                out.pages += [PageJob(u, src.name, str(f), None, src.language) for u in urls]
            else:
                out.files.append(f)
    return out


def _owner(path: str, local: dict[str, Source]) -> Source:
    """The source a discovered file came from (the given path it is, or is under)."""
    if path in local:
        return local[path]
    # abspath, not resolve(): no symlink is followed, so a loop cannot raise here
    absolute = Path(os.path.abspath(path))
    for given, src in local.items():
        root = Path(os.path.abspath(os.path.expanduser(given)))
        if absolute == root or root in absolute.parents:
            return src
    return Source(name=path, kind="auto", url=path)
