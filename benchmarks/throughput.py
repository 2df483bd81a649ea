"""Throughput of a whole `newsflow run` against raw spaCy on the same texts, in one process.

    .venv/bin/python benchmarks/throughput.py [--n 2000] [--batch-size 300]

Builds N distinct articles by mixing the seed articles' paragraphs (boilerplate lines included,
so cleaning has work to do), then measures:
  (a) nlp.pipe over the cleaned texts, same model and settings as the pipeline;
  (b) the nightly flow on the same files into a fresh DuckDB file (Prefect's flow start excluded
      and reported separately; model loading is shared with (a), GX start-up is inside (b)).
Prints articles/s, tokens/s, the ratio b/a and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=None)
    args = ap.parse_args()

    from prefect import flow

    from flows.nightly import nightly
    from newsflow.config import load_settings
    from tasks.text.clean import clean_batch
    from tasks.nlp.parse import load_model
    from tasks.sources.ingest import read_documents

    settings = load_settings(env={}, batch_size=args.batch_size)
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    files = build_corpus(work / "corpus", args.n)

    raw, _ = read_documents(files, settings)
    cleaned, _ = clean_batch(raw, settings)
    texts = cleaned.column("text").to_pylist()
    nlp = load_model(settings.model)
    list(nlp.pipe(texts[:20]))  # warm-up

    t0 = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size,
                                                n_process=settings.nlp_n_process))
    a_secs = time.perf_counter() - t0

    @flow(name="bench-warmup")
    def warmup() -> None:
        return None

    t0 = time.perf_counter()
    warmup()  # starts Prefect's ephemeral server: the flow start we exclude from (b)
    start_secs = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary = nightly(inputs=[str(work / "corpus")], db_path=str(work / "bench.duckdb"),
                      batch_size=args.batch_size)
    b_secs = time.perf_counter() - t0

    result = {
        "n_articles": len(texts), "tokens": tokens, "model": settings.model,
        "batch_size": settings.batch_size,
        "a_nlp_pipe": {"seconds": round(a_secs, 2), "articles_per_s": round(len(texts) / a_secs, 1),
                       "tokens_per_s": round(tokens / a_secs)},
        "b_newsflow_run": {"seconds": round(b_secs, 2), "articles_per_s": round(len(texts) / b_secs, 1),
                           "tokens_per_s": round(tokens / b_secs),
                           "articles_loaded": summary["articles_new"], "status": summary["status"],
                           "stage_seconds": summary["stage_seconds"]},
        "ratio_b_over_a": round(a_secs / b_secs, 3),
        "flow_start_seconds": round(start_secs, 2),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
