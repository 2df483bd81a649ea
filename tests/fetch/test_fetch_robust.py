"""WARC files cut short or repeating a URI, entity declarations after leading whitespace, and a
sitemap index listing a child twice (issue 14): read what is there, say what is not."""

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsflow.config import Settings
from tasks.fetch import crawl
from tasks.fetch.client import Fetcher
from tasks.fetch.crawl import Listing
from tasks.fetch.feeds import MalformedListing, parse_feed
from tasks.fetch.warc import read_warc
from tasks.store.load import load_batch
from tests.fetch.test_fetch_crawl import NoState
from tests.fetch.test_fetch_client import fast
from warehouse import db

NOW = datetime(2026, 5, 16, tzinfo=timezone.utc)

ARTICLE = ("<html><head><title>Harbour story {n}</title></head><body><article><h1>Harbour story {n}</h1>"
           + "".join(f"<p>The harbour authority said on Tuesday that part {i} of the plan covers the new quay, "
                     "which ships will use from next spring.</p>" for i in range(6)) + "</article></body></html>")


def warc_bytes(records) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for uri, status, html in records:
        body = html.encode()
        http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8"),
                                         ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
    return out.getvalue()


def read(path: Path):
    batches = list(read_warc(path, Settings(), batch_size=10))
    rows = [r for raw, _ in batches for r in raw.to_pylist()]
    return rows, [q for _, qs in batches for q in qs]


def test_a_warc_cut_inside_a_records_headers_keeps_the_records_before(tmp_path):
    whole = warc_bytes([("https://news.example.org/1", "200 OK", ARTICLE.format(n=1)),
                        ("https://news.example.org/2", "200 OK", ARTICLE.format(n=2))])
    path = tmp_path / "cut.warc"
    path.write_bytes(whole[:whole.find(b"WARC/1.0", 10) + 60])
    rows, rejected = read(path)
    assert [r["source"] for r in rows] == ["https://news.example.org/1"]
    (q,) = rejected
    assert q.source == str(path) and q.reason.startswith("unreadable WARC file after 1 record(s) (cut short")


def test_a_warc_record_cut_in_its_body_loads_with_a_note(tmp_path):
    whole = warc_bytes([("https://news.example.org/1", "200 OK", ARTICLE.format(n=1)),
                        ("https://news.example.org/2", "200 OK", ARTICLE.format(n=2))])
    path = tmp_path / "cut.warc"
    path.write_bytes(whole[:whole.rfind(b"part 3 of the plan")])
    rows, rejected = read(path)
    assert rejected == [] and [r["decode_note"] for r in rows][0] is None
    assert rows[1]["decode_note"].startswith("truncated: the WARC record ends ")
    assert "part 2 of the plan" in rows[1]["body"] and "part 3" not in rows[1]["body"]


def test_a_warc_repeating_a_uri_loads_once_with_one_quarantine_row(tmp_path):
    path = tmp_path / "twice.warc"
    path.write_bytes(warc_bytes([("https://news.example.org/gone", "404 Not Found", "<html>gone</html>"),
                                 ("https://news.example.org/gone", "404 Not Found", "<html>gone</html>"),
                                 ("https://news.example.org/1", "200 OK", ARTICLE.format(n=1))]))
    rows, rejected = read(path)
    assert len(rejected) == 2 and len(rows) == 1
    con = db.connect(":memory:")
    load_batch(con, "r1", NOW, {}, rejected)
    assert con.execute("select source, reason from quarantine").fetchall() == [
        ("https://news.example.org/gone", "WARC response is HTTP 404, not 200 (twice.warc)")]


BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>&b;</title>'
        b'<link>https://news.example.org/x</link></item></channel></rss>')


@pytest.mark.parametrize("prefix", [b"", b"  \n", b"\xef\xbb\xbf\n\t"])
def test_entity_declarations_are_refused_after_leading_whitespace(prefix):
    with pytest.raises(MalformedListing, match="refused: XML declares entities"):
        parse_feed(prefix + BOMB, "https://news.example.org/feed")


def test_a_sitemap_index_listing_a_child_twice_keeps_its_fetch_log(site):
    child = site.url_for("/child.xml")
    site.expect_request("/index.xml").respond_with_data(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + f"<sitemap><loc>{child}</loc></sitemap>" * 2 + "</sitemapindex>", content_type="application/xml")
    settings = fast(fetch_max_sitemaps=0)  # neither copy is followed: two identical "not followed" rows
    with Fetcher(settings) as f:
        _jobs, results, quarantined = crawl.expand_listings(
            f, [Listing(site.url_for("/index.xml"), "sitemap", "example")], NoState(), settings)
    assert [q.source for q in quarantined] == [child, child]
    con = db.connect(":memory:")
    load_batch(con, "r1", NOW, {"fetch_log": crawl.log_table(results)}, quarantined)
    assert con.execute("select count(*) from fetch_log").fetchone()[0] == 1
    assert con.execute("select count(*) from quarantine").fetchone()[0] == 1


@pytest.fixture
def site(httpserver):
    httpserver.no_handler_status_code = 404
    return httpserver
