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

