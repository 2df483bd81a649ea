"""A process-pool worker killed while it holds the lock of Prefect's message queue (it was putting a
log record there) must not leave the flow's process unable to exit (runners.close)."""

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import multiprocessing, os, signal, sys
    from prefect.task_runners import ProcessPoolTaskRunner
    from newsflow import runners

    def hold(lock, ready):  # a worker caught in the middle of a put: it holds the queue's write lock
        lock.acquire()
        ready.set()
        signal.pause()

    if __name__ == "__main__":
        runner = ProcessPoolTaskRunner(max_workers=1)
        runner.__enter__()
        ctx = multiprocessing.get_context("fork")  # inherits the lock; -c code cannot be spawned
        ready = ctx.Event()
        worker = ctx.Process(target=hold, args=(runner._subprocess_message_queue._wlock, ready))
        worker.start()
        assert ready.wait(30)
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        if sys.argv[1] == "close":
            runners.close(runner)
        else:
            runner.__exit__(None, None, None)
        print("stopped", flush=True)
""")


def _run(how: str, timeout: float):
    return subprocess.run([sys.executable, "-c", SCRIPT, how], capture_output=True, text=True, timeout=timeout)


def test_a_worker_killed_holding_the_queue_lock_does_not_block_the_exit():
    done = _run("close", timeout=120)  # Prefect waits 5 s for its message forwarder, then gives up
    assert done.returncode == 0 and "stopped" in done.stdout, done.stderr[-2000:]


def test_without_close_the_same_process_never_exits():
    """The failure close() prevents, reproduced: the runner stops, and then the exit waits forever."""
    with pytest.raises(subprocess.TimeoutExpired) as hung:
        _run("exit", timeout=25)
    out = hung.value.stdout or b""
    assert "stopped" in (out.decode() if isinstance(out, bytes) else out)
