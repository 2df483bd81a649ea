"""The same tables whatever the task runner. The real runners: a process pool of 2 workers, a Dask
LocalCluster of 2 worker processes, and a Dask scheduler and two workers started as separate
processes that newsflow reaches over TCP on 127.0.0.1, as it would a cluster. Each run's tables
(every table, every row) equal those of a `sequential` run with the same batch size. A worker
SIGKILLed in the middle of a batch costs a retry of the batches it held, not the night, and nothing
loads twice. Also: the Prefect names, tags and artifacts a run leaves (the test harness's API)."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SEEDS
from tests.e2e.tables import contents, differences

pytestmark = pytest.mark.e2e

BATCH = 2  # four batches of the seven inputs below


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The five seeds, a copy of one (a duplicate in a later batch) and a text too short to keep."""
    folder = tmp_path_factory.mktemp("runners") / "in"
    folder.mkdir()
    for path in sorted(SEEDS.iterdir()):
        shutil.copy(path, folder / path.name)
    first = sorted(SEEDS.iterdir())[0]
    shutil.copy(first, folder / "003b_copy_of_000.txt")
    (folder / "001b_short.txt").write_text("Too short to be an article.\n", encoding="utf-8")
    return folder


def _run(corpus, db, **kw):
    from flows.nightly import nightly, run_flow

    return run_flow(nightly, inputs=[str(corpus)], db_path=str(db), batch_size=BATCH, **kw)


@pytest.fixture(scope="module")
def reference(prefect_harness, corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("sequential") / "wh.duckdb"
    summary = _run(corpus, db, task_runner="sequential")
    assert summary["articles_new"] == 5 and summary["articles_duplicate"] == 1, summary
    return summary, contents(db)


def _same(summary, db, reference):
    ref_summary, ref_tables = reference
    assert differences(contents(db), ref_tables) == {}
    for key in ("docs_seen", "articles_new", "articles_duplicate", "quarantined", "rows_loaded", "status"):
        assert summary[key] == ref_summary[key], key


def test_process_pool_of_two_with_a_worker_killed_mid_batch(prefect_harness, corpus, reference, tmp_path,
                                                            monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv("NEWSFLOW_TEST_KILL_ANALYSE", f"2:{marker}")  # the worker analysing batch 2 dies
    summary = _run(corpus, tmp_path / "wh.duckdb", task_runner="process", workers=2)
    assert marker.exists()  # it did die (SIGKILL), and the night went on
    _same(summary, tmp_path / "wh.duckdb", reference)
    _names_tags_and_artifacts(summary)


def test_dask_local_cluster_of_two(prefect_harness, corpus, reference, tmp_path):
    summary = _run(corpus, tmp_path / "wh.duckdb", task_runner="dask", workers=2)
    _same(summary, tmp_path / "wh.duckdb", reference)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(prefect_harness, tmp_path):
    """`dask scheduler` and two `dask worker`s as their own processes, on 127.0.0.1. The workers
    report their task runs to the harness's Prefect API; the one analysing batch 3 kills itself."""
    from prefect.settings import PREFECT_API_URL

    port, bin_ = _free_port(), os.path.dirname(sys.executable)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(ROOT),
           "NEWSFLOW_TEST_KILL_ANALYSE": f"3:{tmp_path / 'killed'}"}
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([f"{bin_}/dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    procs += [subprocess.Popen([f"{bin_}/dask", "worker", address, "--nthreads", "1", "--no-dashboard",
                                "--host", "127.0.0.1", "--local-directory", str(tmp_path / f"w{i}")],
                               env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True) for i in range(2)]
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, tmp_path / "killed"
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, 15)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def test_dask_cluster_over_tcp_with_a_worker_killed(corpus, reference, tmp_path, dask_cluster, monkeypatch):
    address, marker = dask_cluster
    monkeypatch.setenv("NEWSFLOW_DASK_ADDRESS", address)
    summary = _run(corpus, tmp_path / "wh.duckdb", task_runner="dask")
    assert marker.exists()  # a worker died in batch 3: the scheduler gave the batch to the other one
    _same(summary, tmp_path / "wh.duckdb", reference)


def _names_tags_and_artifacts(summary):
    """The flow run is named after the newsflow run id; task runs carry their batch number and
    stage/source tags; the run left its summary, quarantine reasons and report link as artifacts."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(summary["flow_run_id"])
        assert run.name == summary["run_id"]
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
        names = {t.name for t in tasks}
        assert {"prepare-1", "analyse-1", "commit-1", "prepare-4", "analyse-4", "commit-4"} <= names
        analyse = next(t for t in tasks if t.name == "analyse-3")
        assert {"stage:analyse", "source:files"} <= set(analyse.tags)
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    by_key = {a.key: a for a in found}
    assert {"newsflow-run-summary", "newsflow-quarantine", "newsflow-report"} <= set(by_key)
    assert summary["run_id"] in by_key["newsflow-run-summary"].data
    assert "no article text after cleaning" in str(by_key["newsflow-quarantine"].data)
    assert f"reports/{summary['run_id']}.html" in by_key["newsflow-report"].data


def test_ray_with_a_worker_killed(prefect_harness, corpus, reference, tmp_path, monkeypatch):
    """Only with the optional extra (pip install 'newsflow[ray]'); a local Ray instance of 2 CPUs."""
    pytest.importorskip("prefect_ray")
    marker = tmp_path / "killed"
    monkeypatch.setenv("NEWSFLOW_TEST_KILL_ANALYSE", f"2:{marker}")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    summary = _run(corpus, tmp_path / "wh.duckdb", task_runner="ray", workers=2)
    assert marker.exists()  # Ray re-ran the task of the dead worker
    _same(summary, tmp_path / "wh.duckdb", reference)
