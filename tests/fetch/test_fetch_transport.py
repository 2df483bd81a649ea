"""The connection layer against a local server (127.0.0.1 only): the address checked is the address
connected to (DNS rebinding), and a dripping server meets the wall-clock deadline."""

import socket
import time

import pytest
from werkzeug import Response

from newsflow.config import Settings
from tasks.fetch.client import Fetcher

PUBLIC = "93.184.215.14"  # a public-looking answer; never connected to (the guard below refuses it)


def fast(**overrides) -> Settings:
    base = dict(fetch_delay_ms=0, fetch_timeout_ms=400, fetch_backoff_ms=10, fetch_retries=1)
    return Settings(**{**base, **overrides})


@pytest.fixture
def site(httpserver):
    httpserver.no_handler_status_code = 404
    return httpserver


@pytest.fixture
def dns(monkeypatch):
    """A resolver for *.test names: `answers[name]` is a list of addresses, one per lookup (the last
    repeats); every connection to anything but 127.0.0.1 is refused and recorded, never made."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection
    answers: dict[str, list[str]] = {}
    lookups: list[str] = []
    connects: list[tuple] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            lookups.append(host)
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        host, port = address[:2]  # a name is resolved here, as socket.create_connection itself does
        ip = socket.getaddrinfo(host, port)[0][4][0]
        connects.append((ip, port))
        if ip != "127.0.0.1":
            raise ConnectionRefusedError(f"test guard: no connection to {ip}")
        return real_connect((ip, port), *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return answers, lookups, connects


def test_dns_rebinding_cannot_reach_the_private_address(site, dns):
    answers, lookups, connects = dns
    answers["rebind.test"] = [PUBLIC, "127.0.0.1"]  # public for the check, loopback for a second lookup
    site.expect_request("/secret").respond_with_data("intranet", content_type="text/html")
    with Fetcher(fast()) as f:
        result = f.fetch(f"http://rebind.test:{site.port}/secret")
        (robots,) = f.robots.drain()
    # robots.txt comes first: its connection went to the checked public address (and failed there)
    assert result.outcome == "robots" and robots.outcome == "connection"
    assert "no connection to " + PUBLIC in robots.error
    assert not site.log  # the server on 127.0.0.1 was never reached
    assert lookups == ["rebind.test"]  # one answer, used for the check and for every connection
    assert {c[0] for c in connects} == {PUBLIC}


def test_a_private_first_answer_is_refused_before_connecting(site, dns):
    answers, _lookups, connects = dns
    answers["inside.test"] = ["127.0.0.1"]
    with Fetcher(fast()) as f:
        result = f.fetch(f"http://inside.test:{site.port}/x")
    assert result.outcome == "refused" and "non-public address (127.0.0.1)" in result.error
    assert not connects and not site.log


def test_the_pinned_connection_keeps_the_name_in_the_host_header(site, dns):
    answers, lookups, connects = dns
    answers["named.test"] = ["127.0.0.1"]
    site.expect_request("/page").respond_with_data("<html><body>ok</body></html>", content_type="text/html")
    with Fetcher(fast(fetch_allow_private=True)) as f:
        first = f.fetch(f"http://named.test:{site.port}/page")
        second = f.fetch(f"http://named.test:{site.port}/page")
    assert first.outcome == second.outcome == "ok"
    assert [req.headers["Host"] for req, _ in site.log if req.path == "/page"] == [f"named.test:{site.port}"] * 2
    assert lookups == ["named.test"] and all(c[0] == "127.0.0.1" for c in connects)


def test_a_dripping_server_meets_the_wall_clock_deadline(site):
    def drip(_request):
        def body():
            for _ in range(100):  # a byte every 0.1 s: each read is well within the 0.4 s read timeout
                yield b"x"
                time.sleep(0.1)
        return Response(body(), content_type="text/html")

    site.expect_request("/drip").respond_with_handler(drip)
    with Fetcher(fast(fetch_allow_private=True, fetch_timeout_ms=400)) as f:
        started = time.monotonic()
        result = f.fetch(site.url_for("/drip"))
        took = time.monotonic() - started
    assert result.outcome == "slow_body" and result.error.startswith("deadline exceeded")
    assert "within 1.2 s" in result.error and "HTTP 200" in result.error
    assert result.attempts == 1  # not retried: a dripping host would cost every attempt the deadline
    assert took < 3.0  # 1.2 s deadline, not 100 bytes x 0.1 s


@pytest.fixture
def https_site(request):
    """An HTTPS server on 127.0.0.1 with a certificate for news.test only, from a throwaway CA."""
    import ssl

    import trustme
    from pytest_httpserver import HTTPServer

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.no_handler_status_code = 404  # no robots.txt: everything allowed
    server.start()
    request.addfinalizer(server.stop)
    return server, ca


def test_tls_over_the_pinned_connection_verifies_the_name_not_the_address(https_site, dns, monkeypatch):
    import httpx

    server, ca = https_site
    answers, lookups, connects = dns
    answers["news.test"] = ["127.0.0.1"]
    answers["other.test"] = ["127.0.0.1"]
    real = httpx.create_ssl_context

    def trusting_the_test_ca(*args, **kwargs):
        context = real(*args, **kwargs)
        ca.configure_trust(context)
        return context

    monkeypatch.setattr(httpx, "create_ssl_context", trusting_the_test_ca)
    server.expect_request("/page").respond_with_data("<html><body>ok</body></html>", content_type="text/html")
    with Fetcher(fast(fetch_allow_private=True, fetch_timeout_ms=2000)) as f:
        good = f.fetch(f"https://news.test:{server.port}/page")
        wrong = f.fetch(f"https://other.test:{server.port}/page")
    # connected to 127.0.0.1, yet the certificate was checked against news.test (SNI and hostname)
    assert good.outcome == "ok", good.error
    assert [req.headers["Host"] for req, _ in server.log if req.path == "/page"] == [f"news.test:{server.port}"]
    assert wrong.outcome != "ok" and "certificate" in (wrong.error or "").lower(), wrong.error
    assert all(c[0] == "127.0.0.1" for c in connects)
