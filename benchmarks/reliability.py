"""Crash recovery against an uninterrupted run: random SIGKILLs of a real `newsflow run`.

    .venv/bin/python benchmarks/reliability.py [--trials 10] [--n 200] [--batch-size 20] [--seed 1]
        [--code DIR]

Builds N articles from the seeds' paragraphs (`throughput.build_corpus`), loads them once without
interruption (the reference), then per trial: starts `python -m flows.cli run` on the same files into
a fresh warehouse, SIGKILLs it (its whole process group) at a moment drawn uniformly over the batch
phase (a position in batches, u in [0, batches): after int(u) batches are loaded, plus the fraction
of u of a batch at the reference run's pace; batch 0 starts when the first ingest ends), runs the
same command again to completion, and compares every table with the reference
(`warehouse.contents`: all base tables but `runs`, all columns but run ids and load times). Prints
per trial how many batches were committed before the kill and which tables differ, then the number
of trials whose every table equals the reference.

`--code DIR` runs the newsflow code in DIR (e.g. an exported older commit) instead of this tree;
the comparison always uses this tree's `warehouse.contents`. All runs report to one local Prefect
server (Prefect's test harness), so none starts its own.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import build_corpus  # noqa: E402  (the seed-paragraph corpus of the throughput benchmark)

# A batch is read by `prepare` and committed by `commit` (before the analyse/commit split, by `ingest`
# and `load`, which --code DIR may still run).
_INGESTED = re.compile(r"Task run '(?:prepare|ingest)-\w+' - Finished")
_LOADED = re.compile(r"Task run '(?:commit|load)-\w+' - Finished")


class Run:
    """One `newsflow run` subprocess whose log lines are timed as they arrive."""

    def __init__(self, code: Path, corpus: Path, db: Path, batch_size: int, env: dict):
        self.t0 = time.monotonic()
        self.ingested: list[float] = []
        self.loaded: list[float] = []
        self.tail: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "run", str(corpus), "--db", str(db), "--batch-size", str(batch_size)],
            cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            now = time.monotonic() - self.t0
            if _INGESTED.search(line):
                self.ingested.append(now)
            elif _LOADED.search(line):
                self.loaded.append(now)
            self.tail = (self.tail + [line])[-40:]

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the run and anything it started
        self.proc.wait()
        self.reader.join(timeout=10)

    def wait(self, timeout: float = 1800) -> int:
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code


def _contents(db: Path) -> dict:
    import duckdb

    from warehouse.contents import contents

    with duckdb.connect(str(db), read_only=True) as con:
        return contents(con)


def _finish(run: Run, what: str) -> None:
    code = run.wait()
    if code != 0:
        raise SystemExit(f"{what} exited {code}:\n{''.join(run.tail)}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--code", default=str(ROOT), help="the newsflow source tree to run (default: this one)")
    args = ap.parse_args()

    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    from warehouse.contents import differences

    code = Path(args.code).resolve()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="newsflow-reliability-"))
    corpus = work / "corpus"
    build_corpus(corpus, args.n)
    batches = -(-args.n // args.batch_size)
    with prefect_test_harness(server_startup_timeout=120):
        env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(code),
               "NEWSFLOW_DATA_DOCS": "false", "NEWSFLOW_WRITE_PARQUET": "false", "PREFECT_LOGGING_LEVEL": "INFO"}
        t = time.monotonic()
        ref = Run(code, corpus, work / "reference.duckdb", args.batch_size, env)
        _finish(ref, "the reference run")
        if len(ref.loaded) < batches or not ref.ingested:
            raise SystemExit(f"the reference run logged {len(ref.ingested)} ingests and {len(ref.loaded)} loads "
                             f"(expected {batches}): are Prefect's task logs on?")
        phase = ref.loaded[batches - 1] - ref.ingested[0]
        reference = _contents(work / "reference.duckdb")
        print(f"{args.n} articles, batches of {args.batch_size} ({batches} batches); reference run "
              f"{time.monotonic() - t:.0f} s, batch phase {phase:.0f} s; code: {code}")
        equal = 0
        for trial in range(1, args.trials + 1):
            db = work / f"trial{trial}.duckdb"
            for attempt in range(5):
                db.unlink(missing_ok=True)
                at = rng.uniform(0, batches)  # where in the batch phase, in batches
                run = Run(code, corpus, db, args.batch_size, env)
                done = int(at)  # batches to let commit first
                while run.proc.poll() is None and (len(run.loaded) < done if done else not run.ingested):
                    time.sleep(0.02)
                # the rest of the way into the next batch, at the reference run's pace per batch
                mark = run.loaded[done - 1] if done and len(run.loaded) >= done else (
                    run.ingested[0] if run.ingested else 0.0)
                while run.proc.poll() is None and time.monotonic() - run.t0 < mark + (at % 1) * phase / batches:
                    time.sleep(0.02)
                if run.proc.poll() is None:
                    committed = len(run.loaded)
                    run.kill()
                    break
                run.wait()  # finished before the moment drawn: draw again
            else:
                raise SystemExit(f"trial {trial}: the run always finished before the kill")
            again = Run(code, corpus, db, args.batch_size, env)
            _finish(again, f"trial {trial}'s re-run")
            diff = differences(_contents(db), reference)
            equal += not diff
            where = ", ".join(f"{table} ({d.split(';')[0]})" for table, d in diff.items()) or "every table equal"
            print(f"trial {trial}: killed at batch {at:.2f} of the batch phase, after {committed}/{batches} "
                  f"committed batches; re-run: {where}", flush=True)
    print(f"{equal}/{args.trials} runs whose every table equals the uninterrupted run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
