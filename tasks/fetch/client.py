"""The polite HTTP client: one `Fetcher` per run, shared by the fetch tasks' threads.

Manners: robots.txt (`tasks.fetch.robots`), a per-host gap between requests, a few hosts at once,
timeouts, retries with exponential backoff on 429/5xx/connection errors (Retry-After respected),
redirects followed by hand (each hop re-checked: scheme, address, robots; loops detected), bodies
streamed and refused past `fetch_max_bytes` before and after decompression (gzip/brotli bombs),
http(s) only, private/loopback/link-local addresses refused unless `fetch_allow_private` (and the
connection made to the very address that was checked: `tasks.fetch.transport`), a whole response
within 3x the timeout on wall time however slowly it drips, and conditional requests
(If-None-Match / If-Modified-Since) so an unchanged resource costs a 304.

`fetch` never raises for what a URL does: the outcome (`ok`, `not_modified` or an error kind) and a
clear `error` are in the returned `FetchResult`, which becomes a `fetch_log` row.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from newsflow.config import Settings
from tasks.fetch.transport import DeadlineExceeded, PinnedTransport, deadline

RETRY_STATUS = {429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
# Error kinds (fetch_log.outcome besides ok / not_modified).
OUTCOMES = ("refused", "robots", "dns", "timeout", "slow_body", "connection", "http_error", "too_large",
            "redirects", "not_html", "malformed")


class FetchError(Exception):
    def __init__(self, outcome: str, message: str, status: int | None = None):
        super().__init__(message)
        self.outcome, self.status = outcome, status


@dataclass
class FetchResult:
    url: str                      # as requested
    kind: str                     # page | feed | sitemap | robots | discover
    outcome: str                  # ok | not_modified | one of OUTCOMES
    fetched_at: datetime
    final_url: str | None = None
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: int = 0
    attempts: int = 0
    error: str | None = None
    meta: dict = field(default_factory=dict)  # what the caller attached (source name, via, date)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class HostLimiter:
    """Hands out request slots per host at least `gap` seconds apart, across threads."""

    def __init__(self, gap: float):
        self.gap = gap
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self.extra_gap: dict[str, float] = {}  # robots.txt Crawl-delay, when longer than ours

    def wait(self, host: str) -> None:
        gap = max(self.gap, self.extra_gap.get(host, 0.0))
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + gap
        if slot > now:
            time.sleep(slot - now)


def user_agent(settings: Settings) -> str:
    return f"{settings.user_agent} (+{settings.contact_url})"


class Fetcher:
    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None):
        from tasks.fetch.robots import RobotsCache

        self.settings = settings
        self.timeout = settings.fetch_timeout_ms / 1000
        self.hosts = HostLimiter(settings.fetch_delay_ms / 1000)
        pool = max(2, settings.fetch_max_hosts * 2)
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.timeout), follow_redirects=False,
            transport=transport or PinnedTransport(self._vetted, limits), limits=limits,
            headers={"User-Agent": user_agent(settings), "Accept-Encoding": _ACCEPT_ENCODING},
        )
        self.robots = RobotsCache(self)
        self._resolved: dict[str, list[str]] = {}
        self._resolve_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- many URLs ------------------------------------------------------------------------------

    def fetch_many(self, requests: list[tuple[str, str, tuple | None, dict]]) -> list[FetchResult]:
        """Fetches (url, kind, (etag, last_modified) or None, meta) in input order.

        One worker per host at a time, `fetch_max_hosts` hosts at once: the per-host gap is kept
        and no host sees parallel connections from us.
        """
        by_host: dict[str, list[int]] = defaultdict(list)
        for i, (url, *_rest) in enumerate(requests):
            by_host[(urlsplit(url).hostname or "").lower()].append(i)
        results: list[FetchResult | None] = [None] * len(requests)

        def run_host(indices: list[int]) -> None:
            for i in indices:
                url, kind, validators, meta = requests[i]
                results[i] = self.fetch(url, kind, validators, meta)

        workers = max(1, min(self.settings.fetch_max_hosts, len(by_host)))
        with ThreadPoolExecutor(workers, thread_name_prefix="fetch") as pool:
            for future in [pool.submit(run_host, idx) for idx in by_host.values()]:
                future.result()
        return results  # type: ignore[return-value]

    # --- one URL --------------------------------------------------------------------------------

    def fetch(self, url: str, kind: str = "page", validators: tuple | None = None,
              meta: dict | None = None) -> FetchResult:
        started = time.monotonic()
        result = FetchResult(url=url, kind=kind, outcome="ok", fetched_at=datetime.now(timezone.utc),
                             meta=dict(meta or {}))
        try:
            self._follow(result, validators)
        except FetchError as e:
            result.outcome, result.error, result.body = e.outcome, str(e), None
            result.status = e.status if e.status is not None else result.status
        except httpx.HTTPError as e:  # anything the transport raised that _attempt did not map
            result.outcome, result.error, result.body = "connection", f"{type(e).__name__}: {e}", None
        except (httpx.InvalidURL, ValueError, UnicodeError) as e:  # e.g. a bad port or IPv6 literal in a feed
            result.outcome, result.error, result.body = "refused", f"invalid URL: {e}", None
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    def _follow(self, result: FetchResult, validators: tuple | None) -> None:
        current, seen = result.url, {result.url}
        headers = _conditional_headers(validators)
        for _hop in range(self.settings.fetch_max_redirects + 1):
            self._check_address(current)
            if result.kind != "robots" and (why := self.robots.refusal(current)):
                raise FetchError("robots", f"{why}: {current}")
            status, resp_headers, body = self._with_retries(current, headers, result)
            result.final_url, result.status = current, status
            if status in REDIRECT_STATUS and resp_headers.get("location"):
                target = urljoin(current, resp_headers["location"].strip())
                if target in seen:
                    raise FetchError("redirects", f"redirect loop: {current} -> {target}", status)
                seen.add(target)
                current = target
                continue
            break
        else:
            raise FetchError("redirects", f"more than {self.settings.fetch_max_redirects} redirects",
                             result.status)
        result.etag = resp_headers.get("etag")
        result.last_modified = resp_headers.get("last-modified")
        result.content_type = resp_headers.get("content-type")
        if status == 304:
            result.outcome, result.body = "not_modified", b""
            return
        if status >= 400:
            raise FetchError("http_error", f"HTTP {status} {_reason(status)}".strip(), status)
        if status >= 300:
            raise FetchError("redirects", f"HTTP {status} without a Location header", status)
        result.body = body

    def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError("refused", f"only http and https URLs are fetched, not {parts.scheme or 'none'!r}")
        host = parts.hostname
        if not host:
            raise FetchError("refused", f"no host in URL {url!r}")
        self._vetted(host, parts.port or (443 if parts.scheme.lower() == "https" else 80))

    def _vetted(self, host: str, port: int) -> list[str]:
        """The host's addresses, all public (else FetchError refused) unless fetch_allow_private.
        Called before each request and again by the transport to connect: the same cached answer,
        so the connection goes to an address that was checked (no DNS rebinding)."""
        addresses = self._resolve(host.strip("[]"), port)
        if self.settings.fetch_allow_private:
            return addresses
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise FetchError("refused", f"{host} resolves to a non-public address ({ip}); "
                                            "set fetch_allow_private = true to allow it")
        return addresses

    def _resolve(self, host: str, port: int) -> list[str]:
        """DNS once per host and run: the check and the connection use this one answer."""
        with self._resolve_lock:
            if host in self._resolved:
                return self._resolved[host]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            raise FetchError("dns", f"DNS lookup failed for {host}: {getattr(e, 'strerror', None) or e}") from None
        addresses = sorted({info[4][0] for info in infos})
        with self._resolve_lock:
            self._resolved[host] = addresses
        return addresses

    def _with_retries(self, url: str, headers: dict, result: FetchResult):
        s = self.settings
        host = (urlsplit(url).hostname or "").lower()
        for attempt in range(s.fetch_retries + 1):
            result.attempts += 1
            self.hosts.wait(host)
            retry_after = None
            try:
                status, resp_headers, body = self._attempt(url, headers)
            except httpx.TimeoutException:
                error = FetchError("timeout", f"timed out after {self.timeout:g} s")
            except FetchError as e:
                if e.outcome != "timeout":
                    raise
                error = e
            except httpx.TransportError as e:
                error = FetchError("connection", f"connection failed: {type(e).__name__}: {e}")
            else:
                if status not in RETRY_STATUS:
                    return status, resp_headers, body
                error = FetchError("http_error", f"HTTP {status} {_reason(status)}".strip(), status)
                retry_after = _retry_after(resp_headers.get("retry-after"))
            if attempt == s.fetch_retries:
                raise FetchError(error.outcome, f"{error} (after {attempt + 1} attempts)", error.status)
            delay = s.fetch_backoff_ms / 1000 * 2 ** attempt
            if retry_after is not None:
                if retry_after * 1000 > s.fetch_max_retry_after_ms:
                    raise FetchError(error.outcome, f"{error} with Retry-After {retry_after:g} s, more than "
                                                    f"fetch_max_retry_after_ms allows", error.status)
                delay = retry_after
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _attempt(self, url: str, headers: dict):
        """One GET: (status, lower-case headers, body or None for statuses whose body we ignore).
        The whole exchange has 3x the timeout on wall time, whatever the server sends: a slow drip
        (each byte within the read timeout) is `slow_body`, not retried."""
        limit = 3 * self.timeout
        seen = {"status": None, "bytes": 0}  # how far the response got, for the message
        try:
            with deadline(limit):
                return self._exchange(url, headers, seen)
        except DeadlineExceeded:
            got = (f"HTTP {seen['status']} and {seen['bytes']} body bytes received" if seen["status"]
                   else "no response headers received")
            raise FetchError("slow_body", f"deadline exceeded: the response was not complete within {limit:g} s "
                                          f"(3 x fetch_timeout_ms; a slow or dripping server): {got}",
                             seen["status"]) from None

    def _exchange(self, url: str, headers: dict, seen: dict):
        with self.client.stream("GET", url, headers=headers) as resp:
            seen["status"] = resp.status_code
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            if not 200 <= resp.status_code < 300:  # error and redirect bodies are not read
                return resp.status_code, resp_headers, None
            limit = self.settings.fetch_max_bytes
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError("too_large", f"response too large: Content-Length {declared} bytes > "
                                              f"fetch_max_bytes {limit}", 200)
            decoder = _Decoder(resp_headers.get("content-encoding", ""), limit)
            for chunk in resp.iter_raw():  # as the network gives it (each read bounded by the deadline)
                seen["bytes"] += len(chunk)
                if seen["bytes"] > limit:
                    raise FetchError("too_large", f"response too large: more than fetch_max_bytes {limit} "
                                                  "bytes", 200)
                decoder.feed(chunk)
            return resp.status_code, resp_headers, decoder.finish()


_ACCEPT_ENCODING = "gzip, deflate"
try:  # brotli is a dependency; without it we simply do not offer "br"
    import brotli as _brotli
    _ACCEPT_ENCODING += ", br"
except ImportError:  # pragma: no cover
    _brotli = None


class _Decoder:
    """Content-Encoding decoding with a cap on the decompressed size: a bomb stops at the cap."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.out = bytearray()
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1:
            raise FetchError("malformed", f"unsupported stacked Content-Encoding {encoding!r}", 200)
        self.coding = codings[0] if codings else None
        self._probed = False
        if self.coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._z = zlib.decompressobj()
        elif self.coding == "br" and _brotli is not None:
            self._br = _brotli.Decompressor()
        elif self.coding is not None:
            raise FetchError("malformed", f"unsupported Content-Encoding {encoding!r}", 200)

    def _add(self, data: bytes) -> None:
        self.out += data
        if len(self.out) > self.limit:
            raise FetchError("too_large", f"decompressed body exceeds fetch_max_bytes {self.limit} bytes "
                                          f"({self.coding} bomb?)", 200)

    def feed(self, chunk: bytes) -> None:
        try:
            if self.coding is None:
                self._add(chunk)
            elif self.coding == "br":
                self._feed_brotli(chunk)
            else:
                self._feed_zlib(chunk)
        except (zlib.error, _brotli.error if _brotli else zlib.error) as e:
            raise FetchError("malformed", f"corrupt {self.coding} body: {e}", 200) from None

    def _feed_zlib(self, chunk: bytes) -> None:
        if self.coding == "deflate" and not self._probed:
            self._probed = True
            try:  # "deflate" should be zlib-wrapped, but some servers send raw deflate
                probe = zlib.decompressobj().decompress(chunk[:64], 1)
            except zlib.error:
                probe = None
            if probe is None:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            self.coding = "deflate" if probe is not None else "raw deflate"
        data = chunk
        while data:  # max_length bounds each step; the rest waits in unconsumed_tail
            self._add(self._z.decompress(data, self.limit + 1 - len(self.out)))
            data = self._z.unconsumed_tail

    def _feed_brotli(self, chunk: bytes) -> None:
        step = max(1, self.limit + 1 - len(self.out))
        self._add(self._br.process(chunk, output_buffer_limit=step))
        while not self._br.can_accept_more_data():
            self._add(self._br.process(b"", output_buffer_limit=max(1, self.limit + 1 - len(self.out))))

    def finish(self) -> bytes:
        if self.coding in ("gzip", "x-gzip", "deflate", "raw deflate"):
            self._add(self._z.flush())
        return bytes(self.out)


def _conditional_headers(validators: tuple | None) -> dict:
    headers = {}
    if validators:
        etag, last_modified = validators
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
    return headers


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _reason(status: int) -> str:
    try:
        from http import HTTPStatus
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
