"""Feeds, sitemaps, WARC files, URL lists and [[sources]]: parsing on inputs written here."""

import gzip
import io
from datetime import datetime, timezone

import pytest

from newsflow.config import Settings, load_settings
from tasks.fetch.feeds import MalformedListing, alternate_links, parse_feed
from tasks.fetch.sitemaps import parse_sitemap
from tasks.sources.plan import cli_sources, plan, url_list

BASE = "https://news.example.org/feed"
UTC = timezone.utc

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example News</title><link>https://news.example.org/</link>
<item><title>Talks resume</title><link>https://news.example.org/a/1?utm_source=rss</link>
<pubDate>Fri, 16 May 2025 09:30:00 +0200</pubDate></item>
<item><title>No date</title><link>/a/2</link></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id>
<updated>2025-05-16T10:00:00Z</updated>
<entry><title>Atom one</title><id>urn:1</id><link rel="alternate" href="https://news.example.org/atom/1"/>
<published>2025-05-16T08:00:00Z</published><updated>2025-05-16T09:00:00Z</updated></entry>
<entry><title>Atom two</title><id>urn:2</id><link href="https://news.example.org/atom/2"/>
<updated>2025-05-15T07:00:00-04:00</updated></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example.org/"><title>RDF news</title><link>https://news.example.org/</link></channel>
<item rdf:about="https://news.example.org/rdf/1"><title>RDF one</title><link>https://news.example.org/rdf/1</link>
<dc:date>2025-05-14T12:00:00Z</dc:date></item>
</rdf:RDF>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "JSON news",
 "items": [{"id": "1", "url": "https://news.example.org/json/1", "title": "JSON one",
            "date_published": "2025-05-13T06:00:00+02:00"},
           {"id": "2", "external_url": "https://elsewhere.example.com/story"},
           {"id": "3", "content_text": "no link"}]}"""


def test_rss2():
    fmt, entries = parse_feed(RSS2, BASE)
    assert fmt == "rss20"
    assert [e.url for e in entries] == ["https://news.example.org/a/1?utm_source=rss", "https://news.example.org/a/2"]
    assert entries[0].published_at == datetime(2025, 5, 16, 7, 30, tzinfo=UTC)
    assert entries[0].title == "Talks resume" and entries[1].published_at is None


def test_atom_published_before_updated():
    fmt, entries = parse_feed(ATOM, BASE)
    assert fmt == "atom10"
    assert [(e.url, e.published_at) for e in entries] == [
        ("https://news.example.org/atom/1", datetime(2025, 5, 16, 8, 0, tzinfo=UTC)),
        ("https://news.example.org/atom/2", datetime(2025, 5, 15, 11, 0, tzinfo=UTC)),
    ]


def test_rss1_rdf():
    fmt, entries = parse_feed(RDF, BASE)
    assert fmt == "rss10"
    assert entries[0].url == "https://news.example.org/rdf/1"
    assert entries[0].published_at == datetime(2025, 5, 14, 12, 0, tzinfo=UTC)


def test_json_feed():
    fmt, entries = parse_feed(JSON_FEED, BASE, "application/feed+json")
    assert fmt == "json"
    assert [e.url for e in entries] == ["https://news.example.org/json/1", "https://elsewhere.example.com/story"]
    assert entries[0].published_at == datetime(2025, 5, 13, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("data, message", [
    (b"<html><body>Not a feed at all</body></html>", "not a feed"),
    (b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</ti", "malformed feed"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": [', "malformed JSON feed"),
    (b'{"title": "no version"}', "not a JSON Feed"),
])
def test_malformed_feeds_are_refused_with_a_reason(data, message):
    with pytest.raises(MalformedListing, match=message):
        parse_feed(data, BASE)


def test_feed_with_entities_is_refused_not_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><item><title>&b;</title><link>https://x.example/1</link></item>'
            b'</channel></rss>')
    with pytest.raises(MalformedListing, match="declares entities"):
        parse_feed(bomb, BASE)


def test_alternate_links():
    html = """<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">
    <link rel="Alternate" type="application/atom+xml" href="https://news.example.org/atom.xml">
    <link rel="alternate" type="application/feed+json" href="feed.json">
    <link rel="alternate" hreflang="de" href="/de/"><link rel="stylesheet" href="/s.css"></head></html>"""
    assert alternate_links(html, "https://news.example.org/section/") == [
        "https://news.example.org/rss.xml", "https://news.example.org/atom.xml",
        "https://news.example.org/section/feed.json"]


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://news.example.org/n/1</loc><lastmod>2025-05-17</lastmod>
  <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2025-05-16T10:15:00+02:00</news:publication_date><news:title>One</news:title></news:news></url>
 <url><loc> https://news.example.org/n/2 </loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://news.example.org/sitemap-1.xml.gz</loc></sitemap>
 <sitemap><loc>https://news.example.org/sitemap-2.xml</loc><lastmod>2025-05-01</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap_dates_and_gzip():
    for data in (NEWS_SITEMAP, gzip.compress(NEWS_SITEMAP)):
        entries, children = parse_sitemap(data, 1_000_000)
        assert children == []
        assert [e.url for e in entries] == ["https://news.example.org/n/1", "https://news.example.org/n/2"]
        assert entries[0].published_at == datetime(2025, 5, 16, 8, 15, tzinfo=UTC)  # not <lastmod>
        assert entries[0].title == "One" and entries[1].published_at is None


def test_sitemap_index_text_sitemap_and_refusals():
    assert parse_sitemap(INDEX, 1_000_000) == ([], ["https://news.example.org/sitemap-1.xml.gz",
                                                    "https://news.example.org/sitemap-2.xml"])
    entries, _ = parse_sitemap(b"https://news.example.org/t/1\nhttps://news.example.org/t/2\n", 1000)
    assert [e.url for e in entries] == ["https://news.example.org/t/1", "https://news.example.org/t/2"]
    with pytest.raises(MalformedListing, match="DTD"):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      b"<urlset><url><loc>&x;</loc></url></urlset>", 1_000_000)
    with pytest.raises(MalformedListing, match="gzip bomb"):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>"), 1_000_000)
    with pytest.raises(MalformedListing, match="malformed sitemap XML"):
        parse_sitemap(b"<urlset><url><loc>https://x.example/</loc></url>", 1000)
    with pytest.raises(MalformedListing, match="not a sitemap"):
        parse_sitemap(b"<html><body>hi</body></html>", 1000)


def test_warc_response_records_become_raw_html(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from tasks.fetch.warc import read_warc

    path = tmp_path / "crawl.warc.gz"
    html = "<html><head><meta charset='utf-8'><title>Café talks</title></head><body><p>Déjà vu.</p></body></html>"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri, status, ctype, body in [
            ("https://news.example.org/a/1?utm_medium=x", "200 OK", "text/html; charset=utf-8", html.encode()),
            ("https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n"),
            ("https://news.example.org/moved", "301 Moved Permanently", "text/html", b""),
        ]:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        writer.write_record(writer.create_warc_record("https://news.example.org/a/1", "request",
                                                      payload=io.BytesIO(b"GET /a/1 HTTP/1.1\r\n\r\n")))
    batches = list(read_warc(path, Settings(), batch_size=10, language="en"))
    assert len(batches) == 1
    raw, rejected = batches[0]
    rows = raw.to_pylist()
    assert [(r["source"], r["url"], r["body_format"], r["language"]) for r in rows] == [
        ("https://news.example.org/a/1?utm_medium=x", "https://news.example.org/a/1", "html", "en")]
    assert rows[0]["body"] == html and rows[0]["encoding"] == "utf-8"
    assert sorted(q.reason.split(" (")[0].split(" in ")[0] for q in rejected) == [
        "WARC response is HTTP 301, not 200", "not HTML"]
    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"this is not a WARC file\r\n" * 10)
    (_, rejected), = read_warc(broken, Settings(), batch_size=10)
    assert rejected[0].reason.startswith("unreadable WARC file")


def test_url_list_versus_article_text(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("# tonight\nhttps://news.example.org/a/1\n\n  http://news.example.org/a/2  \n")
    article = tmp_path / "article.txt"
    article.write_text("Talks in Istanbul\nSee https://news.example.org/a/1 for more.\n")
    assert url_list(urls) == ["https://news.example.org/a/1", "http://news.example.org/a/2"]
    assert url_list(article) is None
    (tmp_path / "crawl.warc.gz").write_bytes(b"")
    p = plan(cli_sources([str(tmp_path), "https://news.example.org/page", "ftp://x.example/y"],
                         feeds=["https://news.example.org/rss"]), Settings())
    assert p.files == [article]
    assert [j.url for j in p.pages] == ["https://news.example.org/page", "https://news.example.org/a/1",
                                        "http://news.example.org/a/2"]
    assert p.pages[1].via == str(urls) and not p.pages[1].from_listing
    assert [w for w, _src in p.warcs] == [tmp_path / "crawl.warc.gz"]
    assert [(lst.url, lst.kind) for lst in p.listings] == [("https://news.example.org/rss", "feed")]
    assert [q.reason for q in p.quarantined] == ["only http and https URLs are fetched"]


def test_sources_in_newsflow_toml(tmp_path):
    toml = tmp_path / "newsflow.toml"
    toml.write_text('[newsflow]\nfetch_delay_ms = 2000\n\n'
                    '[[sources]]\nname = "example"\nkind = "feed"\nurl = "https://news.example.org/rss"\n'
                    'language = "en"\nmax_articles = 20\n\n'
                    '[[sources]]\nkind = "sitemap"\nurl = "https://news.example.org/sitemap.xml"\n')
    s = load_settings(toml, env={})
    assert s.fetch_delay_ms == 2000
    assert [(x.name, x.kind, x.language, x.max_articles) for x in s.sources] == [
        ("example", "feed", "en", 20), ("https://news.example.org/sitemap.xml", "sitemap", None, None)]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nkind = "gopher"\nurl = "x"\n')
    with pytest.raises(ValueError, match="needs a url and a kind"):
        load_settings(bad, env={})


def test_cli_flags_become_sources(capsys):
    from flows.cli import _parser, _print_summary

    args = _parser().parse_args(["run", "--feed", "https://a.example/rss", "--feed", "https://b.example/atom",
                                 "--sitemap", "https://a.example/sitemap.xml", "--discover", "https://c.example/",
                                 "urls.txt"])
    sources = cli_sources(args.paths, args.feed, args.sitemap, args.discover)
    assert [(s.kind, s.url) for s in sources] == [
        ("auto", "urls.txt"), ("feed", "https://a.example/rss"), ("feed", "https://b.example/atom"),
        ("sitemap", "https://a.example/sitemap.xml"), ("discover", "https://c.example/")]
    assert _parser().parse_args(["run"]).paths == []  # no paths: the [[sources]] of newsflow.toml
    _print_summary({"run_id": "r", "status": "warning", "db_path": "x", "docs_seen": 2, "articles_new": 2,
                    "articles_duplicate": 0, "rows_loaded": {}, "quarantined": 1, "quarantined_by_stage": {"fetch": 1},
                    "validation": [], "validation_success": True, "stage_seconds": {},
                    "fetch_outcomes": {"page": {"ok": 2, "robots": 1}, "feed": {"not_modified": 1}}})
    assert "  fetched        feed 1 not_modified; page 2 ok, 1 robots\n" in capsys.readouterr().out
