"""A run's crawl: listings (feeds, sitemaps, discovery) to page jobs, page jobs to RAW batches, and
every fetch to a `fetch_log` row.

The crawl state is the warehouse's `fetch_log`: `CrawlState` reads the latest ETag/Last-Modified per
URL for conditional requests, and which article URLs were already fetched in earlier nights (feed
and sitemap entries among them are not fetched again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import pyarrow as pa

from newsflow import ids
from newsflow.batches import RAW, TS, Quarantined, from_rows
from newsflow.config import Settings
from newsflow.urls import canonical_url
from tasks.fetch.client import Fetcher, FetchResult
from tasks.fetch.feeds import MalformedListing, alternate_links, parse_feed
from tasks.fetch.pages import decode_html, page_row
from tasks.fetch.sitemaps import parse_sitemap

STAGE = "fetch"
MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is as deep as real sites go

# fetch_log minus the load-time run_id (tasks/store/load.py adds it).
FETCH_LOG = pa.schema([
    ("fetch_id", pa.string()),
    ("url", pa.string()),
    ("final_url", pa.string()),
    ("kind", pa.string()),
    ("source_name", pa.string()),
    ("via", pa.string()),
    ("status", pa.int32()),
    ("outcome", pa.string()),
    ("etag", pa.string()),
    ("last_modified", pa.string()),
    ("content_type", pa.string()),
    ("bytes", pa.int64()),
    ("elapsed_ms", pa.int32()),
    ("attempts", pa.int32()),
    ("fetched_at", TS),
    ("error", pa.string()),
])


@dataclass(frozen=True)
class Listing:
    """Something to read article URLs from: a feed, a sitemap, or a site to discover them on."""

    url: str
    kind: str  # feed | sitemap | discover
    source_name: str | None = None
    language: str | None = None
    max_articles: int | None = None
    via: str | None = None
    depth: int = 0


@dataclass
class PageJob:
    url: str
    source_name: str | None = None
    via: str | None = None
    published_at: object = None
    language: str | None = None
    from_listing: bool = False  # feed/sitemap entries are skipped once fetched; explicit URLs revalidate
    validators: tuple | None = None

    def request(self) -> tuple:
        meta = {"source_name": self.source_name, "via": self.via, "published_at": self.published_at,
                "language": self.language}
        return self.url, "page", self.validators, meta


@dataclass
class Fetched:
    """One fetched batch, ready for clean: RAW rows, fetch_log rows, rejects, and the URLs asked for."""

    raw: pa.Table
    tables: dict[str, pa.Table]
    quarantined: list[Quarantined]
    urls: list[str]
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (kind, outcome) per fetch


class CrawlState:
    """Reads what earlier nights fetched, from the warehouse (main thread only: it uses `con`)."""

    def __init__(self, con):
        self.con = con

    def validators(self, urls: list[str]) -> dict[str, tuple]:
        if not urls:
            return {}
        rows = self.con.execute(
            "select url, etag, last_modified from fetch_log "
            "where url in (select unnest(?)) and outcome in ('ok', 'not_modified') "
            "and (etag is not null or last_modified is not null) "
            "qualify row_number() over (partition by url order by fetched_at desc) = 1",
            [[canonical_url(u) for u in urls]]).fetchall()
        by_url = {u: (e, lm) for u, e, lm in rows}
        return {u: by_url[canonical_url(u)] for u in urls if canonical_url(u) in by_url}

    def seen(self, urls: list[str]) -> set[str]:
        """Canonical article URLs fetched before (ok or 304) or already in `articles`."""
        if not urls:
            return set()
        canon = [canonical_url(u) for u in urls]
        rows = self.con.execute(
            "select url from fetch_log where kind = 'page' and outcome in ('ok', 'not_modified') "
            "and url in (select unnest(?)) union select url from articles where url in (select unnest(?))",
            [canon, canon]).fetchall()
        return {r[0] for r in rows}


def log_table(results: list[FetchResult]) -> pa.Table:
    rows = [{
        "fetch_id": ids.digest("fetch", r.kind, r.url, r.fetched_at.isoformat()),
        "url": canonical_url(r.url) or r.url,
        "final_url": r.final_url,
        "kind": r.kind,
        "source_name": r.meta.get("source_name"),
        "via": r.meta.get("via"),
        "status": r.status,
        "outcome": r.outcome,
        "etag": r.etag,
        "last_modified": r.last_modified,
        "content_type": r.content_type,
        "bytes": len(r.body) if r.body is not None else None,
        "elapsed_ms": r.elapsed_ms,
        "attempts": r.attempts,
        "fetched_at": r.fetched_at,
        "error": r.error,
    } for r in results]
    return from_rows(rows, FETCH_LOG)


def failure(result: FetchResult, payload: bytes | None = None) -> Quarantined:
    return Quarantined(STAGE, result.url, f"{result.kind} fetch failed ({result.outcome}): {result.error}", payload)


def _fail(result: FetchResult, outcome: str, error: str) -> None:
    result.outcome, result.error = outcome, error


# --- listings -----------------------------------------------------------------------------------

def expand_listings(fetcher: Fetcher, listings: list[Listing], state, settings: Settings
                    ) -> tuple[list[PageJob], list[FetchResult], list[Quarantined]]:
    """Fetches feeds/sitemaps (conditionally) and discovers sites, wave by wave (a sitemap index's
    children, the feeds a home page announces); returns the article URLs they list."""
    jobs: list[PageJob] = []
    results: list[FetchResult] = []
    quarantined: list[Quarantined] = []
    taken: dict[tuple, int] = {}  # entries taken per source (a sitemap tree shares one max_articles)
    children = 0
    visited: set[tuple[str, str]] = set()  # an index listing itself (or a cycle) is read once
    wave = _unvisited(listings, visited)
    while wave:
        validators = state.validators([lst.url for lst in wave if lst.kind != "discover"])
        fetched = fetcher.fetch_many([
            (lst.url, lst.kind, validators.get(lst.url), {"source_name": lst.source_name, "via": lst.via})
            for lst in wave])
        next_wave: list[Listing] = []
        for lst, result in zip(wave, fetched):
            results.append(result)
            if result.outcome == "not_modified":
                continue
            if not result.ok:
                quarantined.append(failure(result))
                continue
            try:
                if lst.kind == "discover":
                    found = _discover(fetcher, lst, result)
                    if not found:
                        raise MalformedListing("no feed or sitemap found (robots.txt Sitemap: lines, "
                                               "<link rel=alternate>)")
                    next_wave += found
                    continue
                if lst.kind == "feed":
                    _fmt, entries = parse_feed(result.body or b"", result.final_url or lst.url, result.content_type)
                    subs: list[str] = []
                else:
                    entries, subs = parse_sitemap(result.body or b"", settings.fetch_max_bytes)
            except MalformedListing as e:
                _fail(result, "malformed", str(e))
                quarantined.append(failure(result, result.body))
                continue
            for sub in subs:
                if lst.depth + 1 > MAX_SITEMAP_DEPTH or children >= settings.fetch_max_sitemaps:
                    quarantined.append(Quarantined(STAGE, sub, f"sitemap not followed: more than "
                                                               f"fetch_max_sitemaps {settings.fetch_max_sitemaps} "
                                                               f"or depth {MAX_SITEMAP_DEPTH} (from {lst.url})", None))
                    continue
                children += 1
                next_wave.append(Listing(sub, "sitemap", lst.source_name, lst.language, lst.max_articles,
                                         via=lst.url, depth=lst.depth + 1))
            key = (lst.source_name, lst.max_articles)
            cap = lst.max_articles or settings.fetch_max_articles
            for entry in entries:
                if taken.get(key, 0) >= cap:
                    break
                taken[key] = taken.get(key, 0) + 1
                jobs.append(PageJob(entry.url, lst.source_name, lst.url, entry.published_at, lst.language,
                                    from_listing=True))
        wave = _unvisited(next_wave, visited)
    return jobs, results, quarantined


def _unvisited(listings: list[Listing], visited: set[tuple[str, str]]) -> list[Listing]:
    out = []
    for lst in listings:
        key = (canonical_url(lst.url) or lst.url, lst.kind)
        if key not in visited:
            visited.add(key)
            out.append(lst)
    return out


def _discover(fetcher: Fetcher, lst: Listing, result: FetchResult) -> list[Listing]:
    found = [Listing(u, "sitemap", lst.source_name, lst.language, lst.max_articles, via=lst.url, depth=1)
             for u in fetcher.robots.sitemaps(lst.url)]
    try:
        html = decode_html(result.body or b"", result.content_type).text
    except ValueError:
        html = ""
    found += [Listing(u, "feed", lst.source_name, lst.language, lst.max_articles, via=lst.url)
              for u in alternate_links(html, result.final_url or lst.url)]
    return found


def plan_pages(jobs: list[PageJob], state) -> tuple[list[PageJob], int]:
    """One job per canonical URL; listing entries fetched in earlier nights dropped; conditional
    request validators attached to the rest. Returns (jobs, how many were skipped as seen)."""
    unique: dict[str, PageJob] = {}
    for job in jobs:
        unique.setdefault(canonical_url(job.url) or job.url, job)
    listed = [j.url for j in unique.values() if j.from_listing]
    seen = state.seen(listed)
    kept = [j for key, j in unique.items() if not (j.from_listing and key in seen)]
    validators = state.validators([j.url for j in kept if not j.from_listing])
    for job in kept:
        job.validators = validators.get(job.url)
    return kept, len(unique) - len(kept)


# --- pages --------------------------------------------------------------------------------------

def fetch_pages(fetcher: Fetcher, jobs: list[PageJob]) -> Fetched:
    """Fetches a batch of page URLs concurrently (by host) into a RAW batch."""
    results = fetcher.fetch_many([job.request() for job in jobs])
    rows, quarantined = [], []
    for result in results:
        if result.outcome == "not_modified":
            continue
        if not result.ok:
            quarantined.append(failure(result))
            continue
        try:
            rows.append(page_row(result))
        except ValueError as e:
            payload = result.body
            _fail(result, "not_html", str(e))
            quarantined.append(failure(result, payload))
    results += fetcher.robots.drain()
    return Fetched(raw=from_rows(rows, RAW), tables={"fetch_log": log_table(results)},
                   quarantined=quarantined, urls=[j.url for j in jobs],
                   outcomes=[(r.kind, r.outcome) for r in results])



def failed_fetch(jobs: list[PageJob], exc: Exception) -> Fetched:
    """A batch whose fetch task failed even after its retries: every URL is quarantined, none lost."""
    reason = f"fetch failed for the batch: {type(exc).__name__}: {exc}"
    return Fetched(raw=RAW.empty_table(), tables={}, quarantined=[Quarantined(STAGE, j.url, reason, None) for j in jobs],
                   urls=[j.url for j in jobs])
