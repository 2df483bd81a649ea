"""The fetcher's connections: to the address that was checked, within a wall-clock deadline.

`PinnedTransport` is httpx's HTTPTransport over an httpcore pool whose network backend connects only
to the addresses the fetcher vetted for a host (resolved once per run, checked public): a DNS server
that answers a public address for the check and 127.0.0.1 for the connection (rebinding) gets no
second question. TLS SNI, certificate checks and the Host header keep the name: httpcore takes them
from the URL's origin, not from the address connected to. Environment proxies are not used (a proxy
would resolve the name itself, out of the check's reach).

`deadline(seconds)` bounds every socket read and write of the requests made inside it by the time
left, so a server that drips a byte a second (each read within the read timeout) cannot hold a
worker past the deadline: `DeadlineExceeded` is raised from the read that would cross it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()  # one request at a time per fetch thread: the deadline is the thread's


class DeadlineExceeded(Exception):
    """The request's wall-clock deadline passed while waiting for the server."""


@contextmanager
def deadline(seconds: float):
    _local.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.at = None


def _clip(timeout: float | None) -> float | None:
    """The operation's timeout, shortened to the time left before the deadline."""
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded
    return left if timeout is None else min(timeout, left)


def _past_deadline() -> bool:
    at = getattr(_local, "at", None)
    return at is not None and time.monotonic() >= at


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _clip(timeout))
        except httpcore.ReadTimeout:
            if _past_deadline():  # the clipped timeout, not the server's silence, ended the read
                raise DeadlineExceeded from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _clip(timeout))
        except httpcore.WriteTimeout:
            if _past_deadline():
                raise DeadlineExceeded from None
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clip(timeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.SyncBackend):
    """Connects to `vet(host, port)`'s addresses in turn; `vet` resolves (once) and refuses."""

    def __init__(self, vet: Callable[[str, int], list[str]]):
        self._vet = vet

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options=None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self._vet(host, port):
            try:
                return _DeadlineStream(super().connect_tcp(address, port, _clip(timeout), local_address,
                                                           socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:  # the next address, as browsers do
                error = e
        raise error or httpcore.ConnectError(f"no address to connect to for {host}")


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport (request/response mapping, errors) over the pinned backend."""

    def __init__(self, vet: Callable[[str, int], list[str]], limits: httpx.Limits):
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(  # HTTPTransport takes no backend: the pool it made is replaced
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(vet),
        )
