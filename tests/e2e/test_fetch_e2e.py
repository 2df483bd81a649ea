"""Two real nights of the flow on web sources served from 127.0.0.1: a feed (with ETag), a URL list
and a WARC file, from `[[sources]]` in newsflow.toml. The second night fetches only what changed."""

import io
import json

import duckdb
import pytest
from werkzeug import Response

from tests.conftest import SEEDS

pytestmark = pytest.mark.e2e


def article_html(i: int) -> str:
    lines = [ln for ln in sorted(SEEDS.glob("*.txt"))[i].read_text(encoding="utf-8").splitlines() if len(ln) > 60]
    body = "".join(f"<p>{ln}</p>" for ln in lines[:8])
    return (f"<html lang='en'><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>"
            f"{body}</article></body></html>")


def feed_xml(links):
    items = "".join(f"<item><title>t{i}</title><link>{u}</link><pubDate>Fri, 16 May 2025 0{i}:00:00 GMT</pubDate>"
                    "</item>" for i, u in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>local</title>{items}</channel></rss>'


def conditional(body: bytes, content_type: str, etag: str):
    def handler(request):
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})
    return handler


def write_warc(path, url, html):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                                      http_headers=headers))


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_two_nights_on_web_sources(prefect_harness, httpserver, tmp_path):
    from flows.nightly import nightly

    site = httpserver
    site.no_handler_status_code = 404
    site.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    links = [site.url_for("/news/0?utm_source=rss"), site.url_for("/news/1"), site.url_for("/private/2"),
             site.url_for("/news/gone")]
    site.expect_request("/feed.xml").respond_with_handler(
        conditional(feed_xml(links).encode(), "application/rss+xml", '"feed-v1"'))
    for i in (0, 1):
        site.expect_request(f"/news/{i}").respond_with_data(article_html(i), content_type="text/html; charset=utf-8")
    site.expect_request("/listed").respond_with_handler(
        conditional(article_html(2).encode(), "text/html; charset=utf-8", '"page-v1"'))
    (tmp_path / "urls.txt").write_text(f"# explicit pages\n{site.url_for('/listed')}\n")
    write_warc(tmp_path / "crawl.warc.gz", "https://archive.example.org/story-3", article_html(3))
    config = tmp_path / "newsflow.toml"
    config.write_text(
        "[newsflow]\nfetch_allow_private = true\nfetch_delay_ms = 0\nfetch_timeout_ms = 2000\n"
        "fetch_backoff_ms = 10\nfetch_retries = 1\nwrite_parquet = false\n\n"
        f'[[sources]]\nname = "local-feed"\nkind = "feed"\nurl = "{site.url_for("/feed.xml")}"\nlanguage = "en"\n\n'
        f'[[sources]]\nname = "list"\nkind = "urls"\nurl = "{tmp_path / "urls.txt"}"\n\n'
        f'[[sources]]\nname = "archive"\nkind = "warc"\nurl = "{tmp_path / "crawl.warc.gz"}"\n')
    db = tmp_path / "wh.duckdb"

    first = nightly(db_path=str(db), config_file=str(config))
    night1 = len(site.log)
    assert first["articles_new"] == 4, first  # two feed pages, the listed page, the WARC record
    assert first["fetch_outcomes"]["page"] == {"ok": 3, "robots": 1, "http_error": 1}
    assert first["fetch_outcomes"]["feed"] == {"ok": 1}
    assert first["status"] == "warning" and first["quarantined"] == 2
    assert first["inputs"] == [f"feed:{site.url_for('/feed.xml')}", f"urls:{tmp_path / 'urls.txt'}",
                               f"warc:{tmp_path / 'crawl.warc.gz'}"]
    articles = dict(_query(db, "select url, published_at from articles"))
    assert set(articles) == {site.url_for("/news/0"), site.url_for("/news/1"), site.url_for("/listed"),
                             "https://archive.example.org/story-3"}
    assert articles[site.url_for("/news/1")].isoformat().startswith("2025-05-16T0")  # the feed's pubDate
    assert _query(db, "select language from articles where url like '%/news/0'") == [("en",)]
    reasons = dict(_query(db, "select source, reason from quarantine"))
    assert reasons[links[2]].startswith("page fetch failed (robots): disallowed by robots.txt")
    assert reasons[links[3]] == "page fetch failed (http_error): HTTP 404 Not Found"
    log = _query(db, "select kind, outcome, count(*) from fetch_log group by all order by all")
    assert {o["suite"] for o in first["validation"]} >= {"articles", "fetch_log"}  # validated like every table
    assert log == [("feed", "ok", 1), ("page", "http_error", 1), ("page", "ok", 3), ("page", "robots", 1),
                   ("robots", "ok", 1)]

    second = nightly(db_path=str(db), config_file=str(config))
    asked = [(req.path, resp.status_code) for req, resp in site.log[night1:]]
    # the feed and the explicitly listed page are revalidated (304); the feed's articles are not asked for
    assert sorted(asked) == [("/feed.xml", 304), ("/listed", 304), ("/robots.txt", 200)]
    assert second["articles_new"] == 0 and second["articles_duplicate"] == 1  # the WARC record
    assert second["fetch_outcomes"] == {"feed": {"not_modified": 1}, "page": {"not_modified": 1},
                                        "robots": {"ok": 1}}
    runs = _query(db, f"select fetch_outcomes from runs where run_id = '{second['run_id']}'")
    assert json.loads(runs[0][0]) == second["fetch_outcomes"]
