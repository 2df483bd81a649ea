"""Listings to page jobs, page jobs to RAW batches, and the crawl state in fetch_log (local server)."""

import gzip
from datetime import datetime, timezone

import pytest

from tasks.fetch import crawl
from tasks.fetch.client import Fetcher
from tasks.fetch.crawl import CrawlState, Listing, PageJob
from tests.fetch.test_fetch_client import PAGE, fast

UTC = timezone.utc


class NoState:
    """A crawl state with no history (CrawlState reads the warehouse)."""

    def validators(self, urls):
        return {}

    def seen(self, urls):
        return set()


@pytest.fixture
def site(httpserver):
    httpserver.no_handler_status_code = 404
    return httpserver


def rss(*links):
    items = "".join(f"<item><title>{i}</title><link>{u}</link><pubDate>Fri, 16 May 2025 09:30:00 GMT</pubDate></item>"
                    for i, u in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def test_feed_and_sitemap_index_with_gzip_child(site):
    site.expect_request("/rss").respond_with_data(rss(site.url_for("/a/1"), site.url_for("/a/2")),
                                                  content_type="application/rss+xml")
    site.expect_request("/sitemap.xml").respond_with_data(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<sitemap><loc>{site.url_for("/news.xml.gz")}</loc></sitemap>'
        f'<sitemap><loc>{site.url_for("/sitemap.xml")}</loc></sitemap></sitemapindex>',  # itself: read once
        content_type="application/xml")
    news = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f'<url><loc>{site.url_for("/s/1")}</loc><news:news>'
            '<news:publication_date>2025-05-16T10:00:00Z</news:publication_date></news:news></url>'
            f'<url><loc>{site.url_for("/s/2")}</loc></url><url><loc>{site.url_for("/s/3")}</loc></url></urlset>')
    site.expect_request("/news.xml.gz").respond_with_data(gzip.compress(news.encode()), content_type="application/gzip")
    listings = [Listing(site.url_for("/rss"), "feed", "example-rss", "en"),
                Listing(site.url_for("/sitemap.xml"), "sitemap", "example-map", max_articles=2)]
    with Fetcher(fast()) as f:
        jobs, results, quarantined = crawl.expand_listings(f, listings, NoState(), fast())
        robots = f.robots.drain()
    assert quarantined == [] and len(robots) == 1
    assert [(r.kind, r.outcome) for r in results] == [("feed", "ok"), ("sitemap", "ok"), ("sitemap", "ok")]
    assert [j.url for j in jobs] == [site.url_for(p) for p in ("/a/1", "/a/2", "/s/1", "/s/2")]  # max_articles 2
    assert jobs[0].published_at == datetime(2025, 5, 16, 9, 30, tzinfo=UTC) and jobs[0].language == "en"
    assert jobs[2].published_at == datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
    assert jobs[2].via == site.url_for("/news.xml.gz") and all(j.from_listing for j in jobs)
    assert results[2].meta["via"] == site.url_for("/sitemap.xml")


def test_discover_reads_robots_sitemaps_and_link_alternate(site):
    site.expect_request("/robots.txt").respond_with_data(f"User-agent: *\nAllow: /\nSitemap: {site.url_for('/sm.xml')}\n")
    site.expect_request("/").respond_with_data(
        '<html><head><link rel="alternate" type="application/feed+json" href="/feed.json"></head><body>hi</body></html>',
        content_type="text/html")
    site.expect_request("/sm.xml").respond_with_data(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.url_for("/x")}</loc></url></urlset>')
    site.expect_request("/feed.json").respond_with_data(
        '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "/y"}]}',
        content_type="application/feed+json")
    with Fetcher(fast()) as f:
        jobs, results, quarantined = crawl.expand_listings(f, [Listing(site.url_for("/"), "discover", "site")],
                                                           NoState(), fast())
    assert quarantined == []
    assert sorted(j.url for j in jobs) == [site.url_for("/x"), site.url_for("/y")]
    assert sorted(r.kind for r in results) == ["discover", "feed", "sitemap"]


def test_malformed_feed_and_failed_listing_are_logged_and_quarantined(site):
    site.expect_request("/bad").respond_with_data("<rss><channel><item><title>x</ti", content_type="application/rss+xml")
    with Fetcher(fast()) as f:
        jobs, results, quarantined = crawl.expand_listings(
            f, [Listing(site.url_for("/bad"), "feed"), Listing(site.url_for("/missing"), "feed"),
                Listing(site.url_for("/"), "discover")], NoState(), fast())
    assert jobs == []
    assert [(r.outcome, r.status) for r in results] == [("malformed", 200), ("http_error", 404), ("http_error", 404)]
    reasons = {q.source: q.reason for q in quarantined}
    assert reasons[site.url_for("/bad")].startswith("feed fetch failed (malformed): malformed feed")
    assert reasons[site.url_for("/missing")] == "feed fetch failed (http_error): HTTP 404 Not Found"
    assert next(q for q in quarantined if q.source == site.url_for("/bad")).payload.startswith(b"<rss>")


def test_fetch_pages_to_raw_and_fetch_log(site):
    site.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    site.expect_request("/a").respond_with_data(PAGE, content_type="text/html; charset=utf-8", headers={"ETag": "e1"})
    site.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    published = datetime(2025, 5, 16, tzinfo=UTC)
    jobs = [PageJob(site.url_for("/a?utm_source=x"), "src", "feed-url", published, "en", from_listing=True),
            PageJob(site.url_for("/doc.pdf"), "src"), PageJob(site.url_for("/private/p"), "src"),
            PageJob(site.url_for("/gone"), "src")]
    with Fetcher(fast()) as f:
        fetched = crawl.fetch_pages(f, jobs)
    row, = fetched.raw.to_pylist()
    assert row["source"] == site.url_for("/a?utm_source=x") and row["url"] == site.url_for("/a")
    assert row["body"] == PAGE.decode() and row["body_format"] == "html" and row["encoding"] == "utf-8"
    assert row["published_at"] == published and row["language"] == "en"
    assert sorted(fetched.outcomes) == [("page", "http_error"), ("page", "not_html"), ("page", "ok"),
                                        ("page", "robots"), ("robots", "ok")]
    reasons = sorted(q.reason for q in fetched.quarantined)
    assert reasons[0] == "page fetch failed (http_error): HTTP 404 Not Found"
    assert reasons[1] == "page fetch failed (not_html): not HTML (Content-Type 'application/pdf')"
    assert reasons[2].startswith("page fetch failed (robots): disallowed by robots.txt")
    log = fetched.tables["fetch_log"].to_pylist()
    ok = next(r for r in log if r["outcome"] == "ok" and r["kind"] == "page")
    assert ok["url"] == site.url_for("/a") and ok["etag"] == "e1" and ok["bytes"] == len(PAGE)
    assert ok["via"] == "feed-url" and ok["source_name"] == "src" and ok["status"] == 200


def test_crawl_state_from_the_warehouse():
    from tasks.store.load import load_batch
    from warehouse import db

    con = db.connect(":memory:")
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    from tasks.fetch.client import FetchResult
    results = [
        FetchResult("https://n.example/rss", "feed", "ok", now, status=200, etag='"f1"', body=b"x"),
        FetchResult("https://n.example/a/1", "page", "ok", now, status=200, body=b"x", last_modified="Mon"),
        FetchResult("https://n.example/a/2", "page", "timeout", now, error="timed out"),
    ]
    load_batch(con, "run1", now, {"fetch_log": crawl.log_table(results)}, [])
    state = CrawlState(con)
    assert state.validators(["https://n.example/rss", "https://n.example/a/2"]) == {"https://n.example/rss": ('"f1"', None)}
    assert state.seen(["https://n.example/a/1#top", "https://n.example/a/2"]) == {"https://n.example/a/1"}
    jobs = [PageJob("https://n.example/a/1", from_listing=True), PageJob("https://n.example/a/2", from_listing=True),
            PageJob("https://n.example/a/2?utm_source=dup", from_listing=True),
            PageJob("https://n.example/a/1?utm_campaign=x")]
    kept, skipped = crawl.plan_pages(jobs, state)
    # a/1 from a feed was fetched before: skipped; a/2 failed last time: fetched again, once
    assert [j.url for j in kept] == ["https://n.example/a/2"] and skipped == 1
    explicit, skipped = crawl.plan_pages([PageJob("https://n.example/a/1")], state)
    assert explicit[0].validators == (None, "Mon") and skipped == 0  # an explicit URL is revalidated
    assert con.execute("select host, fetches, ok, failed, bytes, last_error from fetch_hosts").fetchall() == [
        ("n.example", 3, 2, 1, 2, "timed out")]


def test_fetch_log_suite_knows_every_outcome():
    import json

    from tasks.fetch.client import OUTCOMES
    from tests.conftest import ROOT

    suite = json.loads((ROOT / "expectations" / "fetch_log.json").read_text())
    allowed = next(e["kwargs"]["value_set"] for e in suite["expectations"]
                   if e["kwargs"].get("column") == "outcome" and "value_set" in e["kwargs"])
    assert set(allowed) == {"ok", "not_modified", *OUTCOMES}
