"""The polite client against a local server (pytest-httpserver on 127.0.0.1): never the internet."""

import gzip
import socket
import time

import brotli
import pytest
from werkzeug import Response

from newsflow.config import Settings
from tasks.fetch.client import Fetcher

PAGE = b"<html><head><title>T</title></head><body><p>" + b"Words of an article. " * 20 + b"</p></body></html>"


def fast(**overrides) -> Settings:
    """Local-server settings: private addresses allowed, no politeness gap, short timeouts/backoff."""
    base = dict(fetch_allow_private=True, fetch_delay_ms=0, fetch_timeout_ms=400, fetch_backoff_ms=10,
                fetch_retries=2)
    return Settings(**{**base, **overrides})


@pytest.fixture
def site(httpserver):
    httpserver.no_handler_status_code = 404  # no robots.txt unless a test serves one
    return httpserver


def requests_to(server, path):
    return [req for req, _ in server.log if req.path == path]


def test_ok_then_304_with_validators(site):
    def page(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(PAGE, content_type="text/html; charset=utf-8",
                        headers={"ETag": '"v1"', "Last-Modified": "Mon, 30 Nov 2026 08:00:00 GMT"})
    site.expect_request("/a").respond_with_handler(page)
    with Fetcher(fast()) as f:
        first = f.fetch(site.url_for("/a"))
        assert first.outcome == "ok" and first.status == 200 and first.body == PAGE
        assert first.etag == '"v1"' and first.last_modified.startswith("Mon, 30 Nov 2026")
        second = f.fetch(site.url_for("/a"), validators=(first.etag, first.last_modified))
    assert second.outcome == "not_modified" and second.status == 304 and second.body == b""
    sent = requests_to(site, "/a")[-1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == first.last_modified
    assert sent["User-Agent"] == "newsflow/0.1 (+https://example.org/newsflow)"


def test_robots_disallow_and_crawl_delay(site):
    site.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private\nCrawl-delay: 1\n\nUser-agent: newsflow\nDisallow: /news/secret\n"
        "Crawl-delay: 1\n", content_type="text/plain")
    site.expect_request("/news/ok").respond_with_data(PAGE, content_type="text/html")
    with Fetcher(fast()) as f:
        refused = f.fetch(site.url_for("/news/secret"))
        started = time.monotonic()
        ok = f.fetch(site.url_for("/news/ok"))
        again = f.fetch(site.url_for("/news/ok"))
        waited = time.monotonic() - started
        robots = f.robots.drain()
    assert refused.outcome == "robots" and "disallowed by robots.txt" in refused.error
    assert ok.outcome == again.outcome == "ok"
    assert waited >= 0.9  # Crawl-delay 1 s between the two page requests to the host
    assert len(robots) == 1 and len(requests_to(site, "/robots.txt")) == 1  # once per host and run
    assert not requests_to(site, "/news/secret")


def test_robots_unreachable_means_nothing_is_fetched(site):
    site.expect_request("/robots.txt").respond_with_data("down", status=503)
    with Fetcher(fast(fetch_retries=0)) as f:
        result = f.fetch(site.url_for("/page"))
    assert result.outcome == "robots" and "robots.txt unreachable" in result.error
    assert not requests_to(site, "/page")


def test_429_retry_after_is_respected(site):
    site.expect_oneshot_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "1"})
    site.expect_request("/busy").respond_with_data(PAGE, content_type="text/html")
    with Fetcher(fast()) as f:
        result = f.fetch(site.url_for("/busy"))
    assert result.outcome == "ok" and result.attempts == 2
    assert result.elapsed_ms >= 900  # waited Retry-After: 1, not the 10 ms backoff


def test_5xx_retried_with_backoff_then_logged(site):
    site.expect_request("/broken").respond_with_data("oops", status=500)
    with Fetcher(fast(fetch_retries=2, fetch_backoff_ms=50)) as f:
        result = f.fetch(site.url_for("/broken"))
    assert result.outcome == "http_error" and result.status == 500 and result.attempts == 3
    assert "HTTP 500 Internal Server Error (after 3 attempts)" == result.error
    assert result.elapsed_ms >= 140  # 50 + 100 ms of backoff
    site.expect_request("/gone").respond_with_data("no", status=404)
    with Fetcher(fast()) as f:
        gone = f.fetch(site.url_for("/gone"))
    assert gone.outcome == "http_error" and gone.attempts == 1 and gone.error == "HTTP 404 Not Found"


def test_retry_after_longer_than_allowed_is_not_waited_for(site):
    site.expect_request("/later").respond_with_data("later", status=503, headers={"Retry-After": "3600"})
    with Fetcher(fast()) as f:
        result = f.fetch(site.url_for("/later"))
    assert result.outcome == "http_error" and "Retry-After 3600" in result.error and result.attempts == 1


def test_slow_endpoint_times_out(site):
    def slow(_request):
        time.sleep(1.0)
        return Response(PAGE, content_type="text/html")
    site.expect_request("/slow").respond_with_handler(slow)
    with Fetcher(fast(fetch_timeout_ms=200, fetch_retries=0)) as f:
        result = f.fetch(site.url_for("/slow"))
    assert result.outcome == "timeout" and "timed out" in result.error


def test_redirects_followed_and_loop_detected(site):
    site.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    site.expect_request("/new").respond_with_data(PAGE, content_type="text/html")
    site.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    site.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})
    for i in range(4):
        site.expect_request(f"/hop{i}").respond_with_data("", status=302, headers={"Location": f"/hop{i + 1}"})
    with Fetcher(fast(fetch_max_redirects=2)) as f:
        moved = f.fetch(site.url_for("/old"))
        loop = f.fetch(site.url_for("/loop-a"))
        far = f.fetch(site.url_for("/hop0"))
    assert moved.outcome == "ok" and moved.final_url == site.url_for("/new")
    assert loop.outcome == "redirects" and "redirect loop" in loop.error
    assert far.outcome == "redirects" and "more than 2 redirects" in far.error


def test_oversized_body_refused(site):
    site.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/html")

    def chunked(_request):  # no Content-Length: the streamed count must stop it
        return Response((b"y" * 1000 for _ in range(10)), content_type="text/html")
    site.expect_request("/stream").respond_with_handler(chunked)
    with Fetcher(fast(fetch_max_bytes=2000)) as f:
        big, stream = f.fetch(site.url_for("/big")), f.fetch(site.url_for("/stream"))
    assert big.outcome == "too_large" and "Content-Length 5000" in big.error
    assert stream.outcome == "too_large" and big.body is None


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_bombs_refused(site, coding):
    zeros = b"\0" * 5_000_000
    packed = gzip.compress(zeros) if coding == "gzip" else brotli.compress(zeros)
    assert len(packed) < 10_000
    site.expect_request("/bomb").respond_with_data(packed, content_type="text/html",
                                                   headers={"Content-Encoding": coding})
    small = b"<p>" + b"fine " * 200 + b"</p>"
    site.expect_request("/fine").respond_with_data(gzip.compress(small) if coding == "gzip" else brotli.compress(small),
                                                   content_type="text/html", headers={"Content-Encoding": coding})
    with Fetcher(fast(fetch_max_bytes=100_000)) as f:
        bomb, fine = f.fetch(site.url_for("/bomb")), f.fetch(site.url_for("/fine"))
    assert bomb.outcome == "too_large" and "decompressed" in bomb.error
    assert fine.outcome == "ok" and fine.body == small


def test_private_addresses_and_other_schemes_refused(site):
    site.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    with Fetcher(Settings(fetch_retries=0)) as f:  # the defaults: private addresses refused
        local = f.fetch(site.url_for("/a"))
        other = f.fetch("ftp://example.org/file")
    assert local.outcome == "refused" and "non-public address (127.0.0.1)" in local.error
    assert other.outcome == "refused" and "only http and https" in other.error
    assert not site.log  # not even robots.txt was asked for


def test_dns_failure_is_its_own_outcome(monkeypatch):
    def no_such_host(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with Fetcher(fast()) as f:
        result = f.fetch("http://no-such-host.example/a")
    assert result.outcome == "dns" and "DNS lookup failed for no-such-host.example" in result.error


def test_many_hosts_fetched_concurrently_in_order(site):
    def slowish(_request):
        time.sleep(0.2)
        return Response(PAGE, content_type="text/html")
    site.expect_request("/p").respond_with_handler(slowish)
    # 127.0.0.1 and localhost are two hosts to the limiter (one connection each)
    urls = [site.url_for("/p"), site.url_for("/p").replace("127.0.0.1", "localhost")]
    with Fetcher(fast()) as f:
        results = f.fetch_many([(u, "page", None, {"n": i}) for i, u in enumerate(urls)])
    assert [r.meta["n"] for r in results] == [0, 1] and all(r.ok for r in results)


def test_invalid_urls_are_refused_not_raised():
    with Fetcher(fast()) as f:
        results = [f.fetch(u) for u in ("http://[::1/x", "http://example.org:99999/", "javascript:alert(1)")]
    assert [r.outcome for r in results] == ["refused"] * 3
    assert results[0].error.startswith("invalid URL") and "only http and https" in results[2].error


def test_deflate_zlib_wrapped_and_raw(site):
    import zlib

    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    site.expect_request("/zlib").respond_with_data(zlib.compress(PAGE), content_type="text/html",
                                                   headers={"Content-Encoding": "deflate"})
    site.expect_request("/raw").respond_with_data(raw.compress(PAGE) + raw.flush(), content_type="text/html",
                                                  headers={"Content-Encoding": "deflate"})
    with Fetcher(fast()) as f:
        assert f.fetch(site.url_for("/zlib")).body == PAGE
        assert f.fetch(site.url_for("/raw")).body == PAGE
