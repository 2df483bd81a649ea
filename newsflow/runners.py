"""Where batches are analysed: the Prefect task runner named by the `task_runner` setting.

- `process` (default): Prefect's ProcessPoolTaskRunner, `workers` processes on this machine;
- `dask`: prefect-dask's DaskTaskRunner, a LocalCluster of `workers` processes, or the cluster at
  `dask_address`;
- `ray`: prefect-ray's RayTaskRunner (the `newsflow[ray]` extra), local or at `ray_address`;
- `sequential`: no runner, every task inline in the flow's process (debugging, tests).

Each worker process loads the spaCy model and the GX suites once and keeps them for later batches.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager

from newsflow.config import Settings

RUNNERS = ("process", "dask", "ray", "sequential")

log = logging.getLogger(__name__)


def worker_count(settings: Settings) -> int:
    return settings.workers if settings.workers > 0 else (os.cpu_count() or 1)


def batches_in_flight(settings: Settings) -> int:
    """Batches held at once (being prepared, analysed or waiting for the writer): one per worker
    plus one, so that a worker never waits for the writer; memory grows with this, not the night."""
    return settings.batches_in_flight if settings.batches_in_flight > 0 else worker_count(settings) + 1


def check(settings: Settings) -> None:
    """A clear error for a runner name that does not exist or whose package is not installed."""
    if settings.task_runner not in RUNNERS:
        raise ValueError(f"task_runner must be one of {', '.join(RUNNERS)}, not {settings.task_runner!r}")
    if settings.workers < 0:
        raise ValueError(f"workers must be 0 (one per CPU) or more, not {settings.workers}")
    package = {"dask": "prefect_dask", "ray": "prefect_ray"}.get(settings.task_runner)
    if package:
        try:
            __import__(package)
        except ImportError as exc:
            extra = "" if settings.task_runner == "dask" else "[ray]"
            raise ValueError(f"task_runner {settings.task_runner!r} needs {package.replace('_', '-')}: "
                             f"pip install 'newsflow{extra}' ({exc})") from exc


def is_remote(settings: Settings) -> bool:
    """Workers on other machines: inputs are read by the writer and your resource files shipped."""
    return ((settings.task_runner == "dask" and bool(settings.dask_address))
            or (settings.task_runner == "ray" and bool(settings.ray_address)))


def task_runner(settings: Settings):
    """A new (not started) Prefect task runner for `settings`, or None for `sequential`."""
    check(settings)
    n = worker_count(settings)
    if settings.task_runner == "sequential":
        return None
    if settings.task_runner == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=n)
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        import dask

        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which makes spaCy ~15% slower;
        # analyse returns its memory itself after each batch (tasks/analyse.py)
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(128 * 2**20)})
        # one thread per worker process: spaCy and the GIL want processes, not threads
        return DaskTaskRunner(cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    from prefect_ray import RayTaskRunner

    if settings.ray_address:
        return RayTaskRunner(address=settings.ray_address)
    return RayTaskRunner(init_kwargs={"num_cpus": n, "include_dashboard": False})


@contextmanager
def shared_api():
    """Worker processes report to this run's Prefect API. Without PREFECT_API_URL the flow's process
    runs a temporary server; without this each worker would start its own (seconds each, and an
    orphan when the worker is killed). Remote workers need a server they can reach: see
    docs/scaling.md."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()  # the one this process started (a singleton)
        if server.server_process is not None and server.server_process.poll() is None:
            url = server.api_url
    if not url or os.environ.get("PREFECT_API_URL") == url:
        yield
        return
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url  # read by the process pool's and LocalCluster's workers
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


def is_broken(runner, exc: BaseException) -> bool:
    """A process pool whose worker died refuses every later task; a cluster reschedules by itself."""
    from concurrent.futures.process import BrokenProcessPool

    return runner is not None and isinstance(exc, BrokenProcessPool)


def close(runner) -> None:
    """Stops a task runner, never leaving this process unable to exit.

    A process-pool worker killed (OOM, SIGKILL) while it put a log record on Prefect's message queue
    dies holding the queue's lock. The runner's own stop message then never leaves this process, and
    at exit Python would wait forever for it (multiprocessing joins a queue's feeder thread). So the
    queue is not joined at exit. Nothing is lost by that: by then the forwarding thread has received
    the stop message, or Prefect has given up on it after 5 s."""
    queue = getattr(runner, "_subprocess_message_queue", None)  # ProcessPoolTaskRunner's, Prefect 3.9
    if queue is not None:
        queue.cancel_join_thread()
    runner.__exit__(None, None, None)


def mark_crashed(future, message: str) -> None:
    """The task run of a lost worker never finished: say so in Prefect (best effort)."""
    if future is None:
        return
    try:
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        with get_client(sync_client=True) as client:
            client.set_task_run_state(future.task_run_id, Crashed(message=message), force=True)
    except Exception:  # noqa: BLE001 - bookkeeping only
        log.debug("could not mark task run %s crashed", getattr(future, "task_run_id", None), exc_info=True)
