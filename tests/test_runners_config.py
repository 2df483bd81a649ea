"""The task-runner settings: names, counts, clear errors, the deployment that carries them."""

import pytest

from newsflow import runners
from newsflow.config import Settings, load_settings


def test_runner_settings_from_env_and_flags():
    s = load_settings(env={"NEWSFLOW_TASK_RUNNER": "dask", "NEWSFLOW_WORKERS": "3",
                           "NEWSFLOW_DASK_ADDRESS": "tcp://10.0.0.5:8786"})
    assert (s.task_runner, s.workers, s.dask_address) == ("dask", 3, "tcp://10.0.0.5:8786")
    assert runners.is_remote(s) and runners.batches_in_flight(s) == 4
    assert load_settings(env={"NEWSFLOW_TASK_RUNNER": "dask"}, task_runner="sequential").task_runner == "sequential"
    assert Settings().task_runner == "process" and runners.worker_count(Settings()) >= 1


def test_unknown_runner_is_a_clear_error():
    with pytest.raises(ValueError, match="task_runner must be one of process, dask, ray, sequential"):
        runners.check(Settings(task_runner="threads"))
    with pytest.raises(ValueError, match="workers must be 0"):
        runners.check(Settings(workers=-1))


def test_each_runner_builds_its_prefect_task_runner():
    from prefect.task_runners import ProcessPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert runners.task_runner(Settings(task_runner="sequential")) is None
    assert isinstance(runners.task_runner(Settings(workers=2)), ProcessPoolTaskRunner)
    local = runners.task_runner(Settings(task_runner="dask", workers=2))
    assert isinstance(local, DaskTaskRunner) and local.cluster_kwargs["n_workers"] == 2
    assert runners.task_runner(Settings(task_runner="dask", dask_address="tcp://127.0.0.1:1")).address == \
        "tcp://127.0.0.1:1"


@pytest.mark.parametrize("runner", runners.RUNNERS)
def test_the_deployment_runs_with_every_runner(settings, runner):
    from flows.serve import build_deployment

    deployment = build_deployment(settings.with_overrides(task_runner=runner, workers=2), ["seeds"])
    assert deployment.parameters["task_runner"] == runner and deployment.parameters["workers"] == 2


def test_shipped_files_land_on_the_worker_once(tmp_path):
    from newsflow import resources

    actors = tmp_path / "my_actors.csv"
    actors.write_text("name,code\nJane Doe,USAGOV\n", encoding="utf-8")
    settings = Settings(actor_dictionary=actors)
    shipped = resources.pack(settings)
    remote = resources.unpack(settings, shipped, folder=tmp_path / "worker")
    assert remote.actor_dictionary != actors and remote.actor_dictionary.read_bytes() == actors.read_bytes()
    assert resources.unpack(settings, shipped, folder=tmp_path / "worker").actor_dictionary == remote.actor_dictionary
    assert resources.pack(Settings()) is None


def test_progress_line_names_the_batch_rate_and_eta():
    from flows.progress import Progress
    from tasks.store.runs import RunSummary

    p = Progress(Settings(progress="lines"), batches=4, documents=8)
    summary = RunSummary(run_id="r", flow_run_id=None, started_at=None, inputs=[])
    p.batches, p.docs, summary.articles_new = 1, 2, 2
    p.t0 -= 2  # two seconds in
    line = p.line(summary)
    assert line.startswith("batch 1/4: 2 documents read, 2 new, 0 duplicates, 0 quarantined, 1.0 docs/s, ETA 00:00:06")


def test_a_progress_bar_that_cannot_draw_falls_back_to_lines(monkeypatch):
    from flows.progress import Progress

    p = Progress(Settings(progress="bar"), batches=2, documents=4)
    monkeypatch.setattr(p, "_start_bar", lambda: 1 / 0)
    with p:
        assert p.mode == "lines"  # the run goes on, one log line per batch
