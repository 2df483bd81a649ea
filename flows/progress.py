"""Watching a night: batch i/N, documents, docs/s and ETA.

On a terminal (stderr is a TTY) a rich progress bar, drawn through the console Prefect's log handler
already writes to, so log lines print above the bar instead of through it. Elsewhere (cron, `serve`,
a deployment, a pipe) one plain log line per batch, which also reaches the Prefect UI.
"""

from __future__ import annotations

import logging
import sys
import time

from newsflow.config import Settings

MODES = ("auto", "bar", "lines", "off")


def _console_handlers() -> list:
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    return [h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)]


class Progress:
    def __init__(self, settings: Settings, batches: int | None, documents: int | None):
        self.total_batches, self.total_docs = batches, documents
        mode = settings.progress if settings.progress in MODES else "auto"
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "lines"
        self.mode = mode
        self.batches = self.docs = 0
        self.t0 = time.monotonic()
        self._bar = self._task = None
        self._swapped: list = []

    def __enter__(self) -> "Progress":
        if self.mode == "bar":
            try:
                self._start_bar()
            except Exception:  # noqa: BLE001 - a view of the run never stops it: plain lines instead
                logging.getLogger(__name__).warning("no progress bar; one line per batch", exc_info=True)
                self._stop_bar()
                self.mode = "lines"
        return self

    def __exit__(self, *exc) -> None:
        self._stop_bar()

    def _stop_bar(self) -> None:
        try:
            if self._bar is not None:
                self._bar.stop()
        finally:
            self._bar = None
            for handler, console in self._swapped:
                handler.console = console
                if getattr(console, "_newsflow_theme", False):
                    console.pop_theme()
                    console._newsflow_theme = False
            self._swapped = []

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        from rich.default_styles import DEFAULT_STYLES
        from rich.theme import Theme

        handlers = _console_handlers()
        console = handlers[0].console if handlers else Console(stderr=True)
        for handler in handlers:  # one console for the bar and the log lines
            self._swapped.append((handler, handler.console))
            handler.console = console
        # Prefect's console theme has only its log styles; the bar needs rich's own
        console.push_theme(Theme({k: v for k, v in DEFAULT_STYLES.items() if k.startswith(("bar.", "progress."))}))
        console._newsflow_theme = True
        self._bar = Bar(TextColumn("batch"), MofNCompleteColumn(), BarColumn(),
                        TextColumn("{task.fields[docs]} docs, {task.fields[rate]} docs/s"),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console)
        self._task = self._bar.add_task("newsflow", total=self.total_batches, docs=0, rate="-")
        self._bar.start()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.t0
        return self.docs / elapsed if elapsed > 0 else 0.0

    def eta_seconds(self) -> float | None:
        rate = self.rate()
        if not self.total_docs or not rate or self.docs >= self.total_docs:
            return None
        return (self.total_docs - self.docs) / rate

    def line(self, summary) -> str:
        of = f"/{self.total_batches}" if self.total_batches else ""
        eta = self.eta_seconds()
        return (f"batch {self.batches}{of}: {self.docs} documents read, {summary.articles_new} new, "
                f"{summary.articles_duplicate} duplicates, {summary.quarantined} quarantined, "
                f"{self.rate():.1f} docs/s" + (f", ETA {time.strftime('%H:%M:%S', time.gmtime(eta))}"
                                                if eta is not None else ""))

    def advance(self, documents: int, summary) -> None:
        """One batch committed."""
        self.batches += 1
        self.docs += documents
        if self.mode == "lines":
            from prefect import get_run_logger

            get_run_logger().info("%s", self.line(summary))
        elif self._bar is not None:
            try:
                self._bar.update(self._task, advance=1, docs=self.docs, rate=f"{self.rate():.1f}")
            except Exception:  # noqa: BLE001 - never a reason to stop the night
                self._stop_bar()
                self.mode = "lines"
