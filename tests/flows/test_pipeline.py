"""The pipeline's order and recovery without Prefect: a stand-in task runner on threads finishes
batches out of order, loses tasks and breaks; the writer still sees every batch once, in order."""

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pyarrow as pa
import pytest

from flows import pipeline
from flows.pipeline import Job, Pipeline
from newsflow.config import Settings
from tasks.analyse import Analysed, Prepared


class _Future:
    """What the pipeline uses of a Prefect future: result() and add_done_callback()."""

    def __init__(self, inner: Future):
        self.inner, self.task_run_id = inner, None

    def result(self):
        return self.inner.result()

    def add_done_callback(self, fn):
        self.inner.add_done_callback(lambda _f: fn(self))


class FakeRunner:
    def __init__(self, fail=None):
        self.pool = ThreadPoolExecutor(4)
        self.fail = fail if fail is not None else {}  # (task name, batch) -> exception, raised once
        self.submitted: list[tuple[str, int]] = []
        self.generations = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)

    def duplicate(self):
        twin = FakeRunner(self.fail)
        twin.submitted, twin.generations = self.submitted, self.generations + 1
        return twin

    def submit(self, task, parameters):
        name, batch = task.__name__, parameters["batch"]
        self.submitted.append((name, batch))
        error = self.fail.pop((name, batch), None)

        def run():
            time.sleep(0.05 * (5 - batch))  # later batches finish first
            if error is not None:
                raise error
            return task(**parameters)

        return _Future(self.pool.submit(run))


def _prepare(batch, settings, files=None, raw=None):
    cleaned = pa.table({"article_id": [f"a{batch}"]})
    return Prepared(None, cleaned, [], {"clean": 0.1})


def _analyse(batch, articles, settings, shipped=None):
    return Analysed({"articles": articles}, [], {}, {"parse": 1.0})


def prepare_batch(**kw):
    return _prepare(**kw)


def analyse_batch(**kw):
    return _analyse(**kw)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(pipeline.steps, "prepare_batch", prepare_batch)
    monkeypatch.setattr(pipeline.steps, "analyse_batch", analyse_batch)
    monkeypatch.setattr(pipeline.runners, "mark_crashed", lambda *a: None)

    def make(settings, fail=None):
        runner = FakeRunner(fail)
        monkeypatch.setattr(pipeline.runners, "task_runner", lambda s: runner)
        return runner

    return make


def _run(settings, n=4):
    selected, committed = [], []

    def select(batch):
        assert threading.current_thread() is threading.main_thread()
        selected.append(batch.number)
        batch.articles = batch.prepared.cleaned

    def commit(batch):
        committed.append((batch.number, batch.analysed.tables["articles"].column("article_id").to_pylist()
                          if batch.analysed and batch.analysed.failure is None else batch.analysed.failure.stage))

    p = Pipeline(settings, select, commit)
    p.run(Job(inputs=[f"f{i}"], source="files", files=[]) for i in range(1, n + 1))
    return selected, committed, p


def test_batches_commit_in_input_order_while_later_ones_finish_first(fake):
    runner = fake(Settings(task_runner="process", workers=2))
    selected, committed, p = _run(Settings(task_runner="process", workers=2))
    assert selected == [1, 2, 3, 4]
    assert committed == [(1, ["a1"]), (2, ["a2"]), (3, ["a3"]), (4, ["a4"])]
    assert p.limit == 3  # workers + 1 batches in flight
    assert sorted(runner.submitted) == sorted([(t, b) for b in range(1, 5) for t in ("prepare_batch", "analyse_batch")])


def test_a_lost_task_is_sent_again_and_a_broken_pool_is_replaced(fake):
    settings = Settings(task_runner="process", workers=2)
    runner = fake(settings, fail={("analyse_batch", 2): BrokenProcessPool("a worker died"),
                                  ("prepare_batch", 3): OSError("connection lost")})
    selected, committed, p = _run(settings)
    assert committed == [(1, ["a1"]), (2, ["a2"]), (3, ["a3"]), (4, ["a4"])]
    assert runner.submitted.count(("analyse_batch", 2)) == 2 and runner.submitted.count(("prepare_batch", 3)) == 2
    assert p.runner.generations == 2  # the broken pool was replaced once; the OSError needed no new runner


def test_a_batch_lost_more_often_than_batch_retries_fails_alone(fake):
    settings = Settings(task_runner="process", workers=2, batch_retries=1)
    fake(settings, fail={})
    runner = pipeline.runners.task_runner(settings)
    always = {("analyse_batch", 3): OSError("gone")}

    class Always(dict):
        def pop(self, key, default=None):
            return always.get(key, default)

    runner.fail = Always()
    _, committed, _ = _run(settings)
    assert committed == [(1, ["a1"]), (2, ["a2"]), (3, "analyse"), (4, ["a4"])]
    assert runner.submitted.count(("analyse_batch", 3)) == 2  # the first try and one retry


def test_sequential_runs_one_batch_at_a_time_inline(fake, monkeypatch):
    monkeypatch.setattr(pipeline.runners, "task_runner", lambda s: None)
    selected, committed, p = _run(Settings(task_runner="sequential"))
    assert p.limit == 1 and selected == [1, 2, 3, 4] and [c[0] for c in committed] == [1, 2, 3, 4]
