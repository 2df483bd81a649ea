"""Batches through a Prefect task runner: analysed in parallel, committed by this process in order.

Per batch: `prepare` (read + clean, on a worker) -> the writer's dedupe (here, in input order) ->
`analyse` (NLP + row-level checks, on a worker) -> the writer's commit (here, in input order). Later
batches are prepared and analysed while earlier ones commit; at most `batches_in_flight` batches are
held at once, so memory stays flat however long the night is.

A task that raises is an infrastructure failure (the stages return their own failures): a worker
killed, a process pool broken, a cluster gone. The batch is sent again (`batch_retries`), on a new
runner when the old one broke; nothing was loaded for it, so nothing loads twice.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
from prefect import tags

from newsflow.batches import ARTICLE, Quarantined
from newsflow.config import Settings
from newsflow import resources, runners
from tasks import commit, steps
from tasks.analyse import Analysed, Failure, Prepared
from tasks.sources import ingest

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One batch's input: files to read, or RAW rows already read (JSONL, WARC, fetched, stored)."""

    inputs: list[str]  # named in quarantine when the batch fails before its rows are read
    source: str  # files | jsonl | warc | web | stored: a Prefect tag
    files: list[Path] | None = None
    raw: pa.Table | None = None
    extra: dict[str, pa.Table] = field(default_factory=dict)  # fetch_log rows of fetched pages
    quarantined: list[Quarantined] = field(default_factory=list)  # rejects that came with the input
    replace: bool = False


class _Handle:
    """A submitted task run (its future), or a value computed inline by the sequential runner."""

    def __init__(self, wake: threading.Event, future=None, value=None, generation: int = 0):
        self.future, self.value, self.generation = future, value, generation
        self.done = future is None
        if future is not None:
            future.add_done_callback(lambda _f: self._finished(wake))

    def _finished(self, wake: threading.Event) -> None:
        self.done = True
        wake.set()

    def result(self):
        return self.value if self.future is None else self.future.result()


@dataclass
class Batch:
    number: int
    job: Job
    prepare: _Handle | None = None
    prepared: Prepared | None = None
    selected: bool = False  # deduped against the warehouse and the batches in flight
    articles: pa.Table | None = None  # the new articles sent to analysis
    duplicates: int = 0
    saw_in_flight: bool = False  # its dedupe counted on batches not committed yet
    analyse: _Handle | None = None
    analysed: Analysed | None = None
    attempts: dict[str, int] = field(default_factory=dict)

    @property
    def raw(self) -> pa.Table | None:
        return self.job.raw if self.job.raw is not None else (self.prepared.raw if self.prepared else None)


class Pipeline:
    """`select(batch)` (the writer's dedupe; sets batch.articles) and `commit(batch)` are called in
    input order, in this thread; everything else runs on the task runner."""

    def __init__(self, settings: Settings, select: Callable[[Batch], None], commit: Callable[[Batch], None]):
        self.settings = settings
        self.select, self.commit = select, commit
        self.runner = runners.task_runner(settings)
        self.limit = runners.batches_in_flight(settings) if self.runner is not None else 1
        self.read_here = runners.is_remote(settings)  # remote workers do not see this machine's files
        self.shipped = resources.pack(settings) if self.read_here else None
        self.window: deque[Batch] = deque()
        self.wake = threading.Event()
        self.generation = 0
        self.numbered = 0
        self._warming: threading.Thread | None = None

    def run(self, jobs: Iterable[Job]) -> None:
        if self.runner is None:
            return self._loop(iter(jobs))
        with runners.shared_api():
            self.runner.__enter__()
            try:
                self._loop(iter(jobs))
            finally:
                runners.close(self.runner)  # the one running now (a restart replaces it)

    def _loop(self, jobs) -> None:
        exhausted = False
        while True:
            while not exhausted and len(self.window) < self.limit:
                job = next(jobs, None)
                if job is None:
                    exhausted = True
                    break
                self._start(job)
            if not self.window:
                return
            if not self._advance():
                self.wake.wait(timeout=1.0)
                self.wake.clear()

    # --- submitting ---

    def _submit(self, task, batch: Batch, stage: str, **parameters) -> _Handle:
        if self.runner is None:
            return _Handle(self.wake, value=task(batch=batch.number, **parameters))
        with tags(f"stage:{stage}", f"source:{batch.job.source}"):
            future = self.runner.submit(task, {"batch": batch.number, **parameters})
        return _Handle(self.wake, future=future, generation=self.generation)

    def _start(self, job: Job) -> None:
        self.numbered += 1
        batch = Batch(self.numbered, job)
        if self.read_here and job.files and job.raw is None:
            job.raw, rejected = ingest.read_documents(job.files, self.settings)
            job.quarantined = job.quarantined + rejected
        self.window.append(batch)
        self._submit_prepare(batch)

    def _submit_prepare(self, batch: Batch) -> None:
        job = batch.job
        batch.prepare = self._submit(steps.prepare_batch, batch, "prepare", settings=self.settings,
                                     files=job.files if job.raw is None else None, raw=job.raw)

    def _submit_analyse(self, batch: Batch) -> None:
        if self.runner is not None and self._warming is None:  # the writer gets ready meanwhile
            self._warming = threading.Thread(target=commit.warm_up, name="newsflow-warm-up", daemon=True)
            self._warming.start()
        batch.analyse = self._submit(steps.analyse_batch, batch, "analyse", articles=batch.articles,
                                     settings=self.settings, shipped=self.shipped)

    # --- advancing ---

    def _advance(self) -> bool:
        progressed = False
        for batch in self.window:  # dedupe in input order, as soon as each batch is clean
            if batch.selected:
                continue
            if not batch.prepare.done:
                break
            prepared = self._outcome(batch, "prepare")
            if prepared is None:  # sent again
                break
            batch.prepared = prepared
            self.select(batch)
            batch.selected = True
            progressed = True
            if batch.prepared.failure is None and batch.articles is not None and batch.articles.num_rows:
                self._submit_analyse(batch)
        head = self.window[0]
        if head.selected and (head.analyse is None or head.analyse.done):
            if head.analyse is not None and head.analysed is None:
                analysed = self._outcome(head, "analyse")
                if analysed is None:
                    return progressed
                head.analysed = analysed
            if self._warming is not None:
                self._warming.join()  # the GX context is not built from two threads at once
            self.commit(head)
            self.window.popleft()
            progressed = True
        return progressed

    def _outcome(self, batch: Batch, stage: str):
        """The task's result; on an infrastructure failure the batch is sent again (None), or after
        `batch_retries` a Failure result is made so that the batch is quarantined."""
        handle = batch.prepare if stage == "prepare" else batch.analyse
        try:
            value = handle.result()
            handle.future, handle.value = None, value  # a cluster frees the result on its worker
            return value
        except Exception as exc:  # noqa: BLE001 - a lost worker, a broken pool, a cluster gone
            tries = batch.attempts.get(stage, 0)
            log.warning("batch %d: %s lost (%s: %s)%s", batch.number, stage, type(exc).__name__, exc,
                        "; sending it again" if tries < self.settings.batch_retries else "")
            runners.mark_crashed(handle.future, f"{type(exc).__name__}: {exc}")
            if runners.is_broken(self.runner, exc) and handle.generation == self.generation:
                self._restart()
            if tries >= self.settings.batch_retries:
                failure = Failure(stage, f"{type(exc).__name__}: {exc} (after {tries + 1} attempts)")
                if stage == "prepare":
                    return Prepared(None, ARTICLE.empty_table(), [], {}, failure)
                return Analysed({}, [], {}, {}, failure)
            batch.attempts[stage] = tries + 1
            (self._submit_prepare if stage == "prepare" else self._submit_analyse)(batch)
            return None

    def _restart(self) -> None:
        """A process pool whose worker died is broken for good: a new one takes the pending work."""
        log.warning("the task runner broke; starting a new one")
        try:
            runners.close(self.runner)
        except Exception:  # noqa: BLE001 - the old pool is gone either way
            log.debug("closing the broken task runner failed", exc_info=True)
        self.runner = self.runner.duplicate()
        self.runner.__enter__()
        self.generation += 1
