"""Shared fixtures. Prefect and GX must not phone home from a test run."""

import faulthandler
import os
import sys
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Flows under test run their batches inline unless a test names a runner (tests/e2e/test_runners.py
# runs the real process pool and Dask clusters): worker start-up would dominate the suite's time.
os.environ.setdefault("NEWSFLOW_TASK_RUNNER", "sequential")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def settings():
    from newsflow.config import Settings

    return Settings()


@pytest.fixture(scope="session")
def nlp(settings):
    from tasks.nlp.parse import load_model

    return load_model(settings.model)


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect server for every test that runs a flow (it takes 10-20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seeds_warehouse(prefect_harness, tmp_path_factory):
    """One real nightly run on seeds/ into a fresh warehouse, shared by the tests that only read it
    (documented queries, the DuckDB CLIs, the night report). Returns (db path, run summary)."""
    from flows.nightly import nightly, run_flow

    db = tmp_path_factory.mktemp("seeds") / "newsflow.duckdb"
    summary = run_flow(nightly, inputs=[str(SEEDS)], db_path=str(db))
    assert summary["status"] == "success", summary
    return db, summary


EXIT_GRACE_S = 60


def pytest_sessionfinish(session, exitstatus):
    """A CI run once passed every test and then never exited (killed at 90 min, nothing printed
    after the summary). If the interpreter is still alive EXIT_GRACE_S after the session, this prints
    every thread's stack and the child processes, ends the children and exits with the session's
    status; faulthandler's C-level timer covers a hang past Python's own shutdown."""
    status = int(exitstatus)

    def watch():
        time.sleep(EXIT_GRACE_S)
        err = sys.__stderr__
        err.write(f"\ntests: the interpreter has not exited {EXIT_GRACE_S} s after the session; "
                  "what is still running:\n")
        faulthandler.dump_traceback(file=err, all_threads=True)
        try:
            import psutil

            for child in psutil.Process().children(recursive=True):
                err.write(f"  child {child.pid}: {' '.join(child.cmdline())[:300]}\n")
                child.kill()
        except Exception as exc:  # diagnostics only: the exit below must happen
            err.write(f"  (child processes not listed: {exc})\n")
        err.flush()
        os._exit(status)

    threading.Thread(target=watch, name="tests-exit-watchdog", daemon=True).start()
    faulthandler.dump_traceback_later(3 * EXIT_GRACE_S, exit=True, file=sys.__stderr__)
