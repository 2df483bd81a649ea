"""Wall time per stage, summed over batches: `runs.stage_seconds` and the commit share of a run."""

from __future__ import annotations

import time
from contextlib import contextmanager


class Stopwatch:
    def __init__(self, totals: dict[str, float] | None = None):
        self.totals = {} if totals is None else totals
        self.current = "start"  # the stage running (or that failed): named in a failed batch's reason

    @contextmanager
    def stage(self, name: str):
        self.current = name
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - t0)

    def add(self, name: str, seconds: float) -> None:
        self.totals[name] = self.totals.get(name, 0.0) + seconds

    def merge(self, seconds: dict[str, float]) -> None:
        for name, value in seconds.items():
            self.add(name, value)
