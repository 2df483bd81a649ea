"""robots.txt per origin, fetched once per run through the same polite client (RFC 9309 rules).

- 2xx: the rules apply (urllib.robotparser; our user agent's group, else `*`); Crawl-delay, when longer
  than `fetch_delay_ms`, becomes that host's gap.
- 4xx (no robots.txt): everything is allowed.
- 5xx, timeouts, connection errors: the site is unreachable for robots, so nothing is fetched from it
  this run (RFC 9309 §2.3.1.4: "assume complete disallow").
"""

from __future__ import annotations

import threading
from collections import defaultdict
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

MAX_CRAWL_DELAY = 60.0  # a site asking for more gets this much


class RobotsCache:
    def __init__(self, fetcher):
        self.fetcher = fetcher
        self._rules: dict[str, RobotFileParser] = {}
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._results = []  # FetchResults of robots.txt requests not yet logged

    def rules(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._guard:
            lock = self._locks[origin]
        with lock:  # one fetch per origin even when several threads ask at once
            if origin not in self._rules:
                self._rules[origin] = self._load(origin, (parts.hostname or "").lower())
        return self._rules[origin]

    def refusal(self, url: str) -> str | None:
        """Why robots.txt keeps us from `url`, or None when it may be fetched."""
        rules = self.rules(url)
        if rules.can_fetch(self.fetcher.settings.user_agent, url):
            return None
        return getattr(rules, "why", None) or f"disallowed by robots.txt for {self.fetcher.settings.user_agent}"

    def drain(self) -> list:
        """robots.txt fetches made since the last call, for fetch_log."""
        with self._guard:
            taken, self._results = self._results, []
        return taken

    def sitemaps(self, url: str) -> list[str]:
        return list(self.rules(url).site_maps() or [])

    def _load(self, origin: str, host: str) -> RobotFileParser:
        result = self.fetcher.fetch(f"{origin}/robots.txt", kind="robots")
        with self._guard:
            self._results.append(result)
        rules = RobotFileParser(f"{origin}/robots.txt")
        if result.ok:
            rules.parse((result.body or b"").decode("utf-8", "replace").splitlines())
            delay = rules.crawl_delay(self.fetcher.settings.user_agent)
            if delay:
                self.fetcher.hosts.extra_gap[host] = min(float(delay), MAX_CRAWL_DELAY)
        elif result.status is not None and 400 <= result.status < 500:
            rules.allow_all = True
            result.error = f"{result.error}: no robots.txt, everything allowed"
        elif result.outcome == "refused":
            rules.allow_all = True  # the page fetch itself will be refused with the same reason
        else:
            rules.disallow_all = True
            rules.why = f"robots.txt unreachable ({result.error}): nothing is fetched from {origin} this run"
        rules.modified()  # can_fetch answers False until the rules count as read
        return rules
