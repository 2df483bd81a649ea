"""Throughput of the whole `newsflow run` command per task runner, against raw spaCy on the same texts.

    .venv/bin/python benchmarks/throughput.py [--n 2000] [--batch-size 300] [--workers 2]
                                              [--runners sequential,process,dask]

Builds N distinct articles by mixing the seed articles' paragraphs (boilerplate lines included, so
cleaning has work to do), then measures, one run each:
  (a)  nlp.pipe over the cleaned texts in one process, same model and settings as the pipeline;
  (a2) nlp.pipe(n_process=workers) over the same texts;
  the `newsflow run` command on the same files into a fresh DuckDB file, per runner, as a
  subprocess timed from outside (Python start, imports, Prefect's temporary server, every worker's
  start-up and the end-of-run steps included).
Prints docs/s, the ratios to (a) and (a2), the commit phase's share of the command's wall time
(the writer's dedupe + commit seconds), and the peak RSS summed over the command's process tree
(sampled every 0.2 s with psutil: the flow's process, its workers, the Prefect server).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def build_corpus(out: Path, n: int, seed: int = 7) -> list[Path]:
    """N .txt articles: a title line and 6-12 paragraphs drawn from all seeds, in random order."""
    rng = random.Random(seed)
    lines = []
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        lines += [line for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = [line for line in lines if len(line) > 60]
    short = [line for line in lines if len(line) <= 60]
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        body = rng.sample(paragraphs, rng.randint(6, 12))
        head = [rng.choice(short)] if rng.random() < 0.5 else []
        tail = [rng.choice(short)] if rng.random() < 0.5 else []
        title = f"Report {i}: " + rng.choice(paragraphs).split(".")[0][:80]
        path = out / f"article_{i:05d}.txt"
        path.write_text("\n".join([*head, title, *body, *tail]) + "\n", encoding="utf-8")
        files.append(path)
    return files


class TreeRss:
    """Peak of the RSS summed over a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        import psutil

        self.root, self.every, self.peak = psutil.Process(pid), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_command(corpus: Path, db: Path, runner: str, workers: int, batch_size: int | None) -> dict:
    cmd = [str(ROOT / ".venv" / "bin" / "newsflow"), "run", str(corpus), "--db", str(db), "--json",
           "--runner", runner, "--workers", str(workers)]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    env = {**os.environ, "NEWSFLOW_DATA_DOCS": "false", "NEWSFLOW_PROGRESS": "off"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=db.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = TreeRss(proc.pid)
    out, err = proc.communicate()
    secs = time.perf_counter() - t0
    peak = rss.stop()
    if proc.returncode != 0:
        raise SystemExit(f"newsflow run --runner {runner} failed ({proc.returncode}):\n{err[-3000:]}")
    summary = json.loads(out[out.index("{"):])
    stages = summary["stage_seconds"]
    commit = stages.get("commit", 0.0) + stages.get("dedupe", 0.0)
    return {"seconds": round(secs, 1), "articles_loaded": summary["articles_new"], "status": summary["status"],
            "commit_seconds": round(commit, 1), "commit_share": round(commit / secs, 3),
            "batch_phase_seconds": stages.get("batches"), "peak_rss_mb_summed": round(peak / 2**20),
            "stage_seconds": stages}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runners", default="sequential,process,dask")
    args = ap.parse_args()

    from newsflow.config import load_settings
    from tasks.nlp.parse import load_model
    from tasks.sources.ingest import read_documents
    from tasks.text.clean import clean_batch

    settings = load_settings(env={}, batch_size=args.batch_size)
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    files = build_corpus(work / "corpus", args.n)
    raw, _ = read_documents(files, settings)
    cleaned, _ = clean_batch(raw, settings)
    texts = cleaned.column("text").to_pylist()
    nlp = load_model(settings.model)
    list(nlp.pipe(texts[:20]))  # warm-up

    t0 = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size))
    a = len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    sum(len(doc) for doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size, n_process=args.workers))
    a2 = len(texts) / (time.perf_counter() - t0)

    result = {"n_articles": len(texts), "tokens": tokens, "model": settings.model,
              "batch_size": settings.batch_size, "workers": args.workers, "cpus": os.cpu_count(),
              "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
              "a_nlp_pipe_docs_per_s": round(a, 1), "a2_nlp_pipe_n_process_docs_per_s": round(a2, 1), "runs": {}}
    for runner in args.runners.split(","):
        db = work / runner / "bench.duckdb"
        db.parent.mkdir()
        r = run_command(work / "corpus", db, runner, args.workers, args.batch_size)
        docs_s = len(texts) / r["seconds"]
        result["runs"][runner] = {"docs_per_s": round(docs_s, 2), "ratio_to_a": round(docs_s / a, 3),
                                  "ratio_to_a2": round(docs_s / a2, 3), **r}
        print(f"{runner:>10}: {docs_s:6.2f} docs/s  x{docs_s / a:.2f} of (a)  x{docs_s / a2:.2f} of (a2)  "
              f"commit share {r['commit_share']:.1%}  peak RSS {r['peak_rss_mb_summed']} MB", file=sys.stderr)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
