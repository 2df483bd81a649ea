"""Reliability with real processes (`python -m flows.cli`): SIGKILL in the middle of a load, a reader
and a second writer while a run writes, then two runs at once that recover the killed one. The subprocesses report to the test harness's
Prefect server (PREFECT_API_URL), so none starts its own."""

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import ROOT, SEEDS
from warehouse.contents import contents, differences

pytestmark = pytest.mark.e2e

TABLES = {"articles": "article_id", "entities": "entity_id", "mentions": "mention_id"}


@pytest.fixture(scope="module")
def api_url(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reliability") / "in"
    folder.mkdir()
    for path in sorted(SEEDS.iterdir())[:3]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def reference(prefect_harness, inputs, tmp_path_factory):
    """The tables of one uninterrupted run on the same inputs and batches (in-process). Same batches:
    entity resolution links names within a batch first, so batching is part of the input."""
    from flows.nightly import nightly, run_flow

    db = tmp_path_factory.mktemp("reference") / "wh.duckdb"
    summary = run_flow(nightly, inputs=[str(inputs)], db_path=str(db), batch_size=1)
    assert summary["status"] in {"success", "warning"}  # one-article batches trip "mostly" warnings
    return _ids(db), _contents(db)


def _contents(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return contents(con)


def _ids(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, key in TABLES.items():
            total, distinct = con.execute(f"select count(*), count(distinct {key}) from {table}").fetchall()[0]
            assert total == distinct, f"duplicate {key} in {table}"
            out[table] = sorted(r[0] for r in con.execute(f"select {key} from {table}").fetchall())
        return out


def _env(api_url, **extra) -> dict:
    env = {**os.environ, "PREFECT_API_URL": api_url, "NEWSFLOW_DATA_DOCS": "false",
           "NEWSFLOW_WRITE_PARQUET": "false", "PYTHONPATH": str(ROOT)}
    env.pop("NEWSFLOW_TEST_HOLD_LOAD", None)
    return {**env, **extra}


def _newsflow(*args) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *map(str, args)]


def _run(args, env, timeout=240) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_sigkill_mid_load_then_rerun_equals_an_uninterrupted_run(api_url, inputs, reference, tmp_path):
    db, marker = tmp_path / "wh.duckdb", tmp_path / "held"
    held = subprocess.Popen(_newsflow("run", inputs, "--db", db, "--batch-size", 1),
                            env=_env(api_url, NEWSFLOW_TEST_HOLD_LOAD=f"2:{marker}"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():  # batch 2 is inside its load transaction, batch 1 is committed
            assert held.poll() is None, "the run ended before reaching batch 2"
            assert time.monotonic() < deadline, "the run never reached batch 2"
            time.sleep(0.2)

        # A reader while the run writes: DuckDB's lock, reported as a message with exit code 3.
        reader = _run(_newsflow("sql", "select count(*) from articles", "--db", db), _env(api_url))
        assert reader.returncode == 3, reader.stderr
        assert "in use by another process" in reader.stderr and "Traceback" not in reader.stderr

        # A second writer waits lock_timeout seconds, then refuses with exit code 3.
        second = _run(_newsflow("run", inputs, "--db", db), _env(api_url, NEWSFLOW_LOCK_TIMEOUT="2"))
        assert second.returncode == 3, second.stderr[-2000:]
        assert "still being written by another newsflow run" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        os.killpg(held.pid, signal.SIGKILL)
        held.wait()

    with duckdb.connect(str(db), read_only=True) as con:  # the killed batch left nothing behind
        assert con.execute("select count(*) from articles").fetchall() == [(1,)]
        assert con.execute("select status from runs").fetchall() == [("running",)]

    # The recovery: two runs at once on the same warehouse. One waits for the other's lock; both
    # finish; the tables equal those of an uninterrupted run (same ids, no duplicates, same rows).
    procs = [subprocess.Popen(_newsflow("run", inputs, "--db", db, "--batch-size", 1), env=_env(api_url),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
        assert "Traceback" not in err and "IOException" not in err
    # one waited for the other (at the CLI's early probe of the lock, at the flow's own lock, or both)
    assert sum("waiting up to" in err for _, err in outputs) >= 1
    ids, tables = reference
    assert _ids(db) == ids
    # ...and every table equals the uninterrupted run's (all columns but run ids and load times):
    # stories, events, aliases, quotes, amounts, raw documents, quarantine, story moves
    assert differences(_contents(db), tables) == {}
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("select articles_new, status, error from runs order by started_at").fetchall()
    assert runs[0][1] == "failed" and "did not finish" in runs[0][2]  # the killed run, closed by the next
    assert sorted(r[0] for r in runs[1:]) == [0, 2]  # the first picked up what the killed run had not loaded
