"""Streamed JSONL ingest: docs/s and peak RSS of reading a big JSONL through `read_jsonl_batches`.

    .venv/bin/python benchmarks/jsonl_ingest.py [--lines 50000 200000] [--batch-size 300] [--gz]
                                                [--whole] [--keep-dir DIR]

For each line count, writes a JSONL of small articles (~2 KB each: 200,000 lines ~ 400 MB) into a temp
dir, line by line, then reads it in a fresh child process (so each figure is that process's own peak
RSS from `resource.getrusage`) through `tasks.sources.jsonl.read_jsonl_batches`, dropping each batch once
counted, as the nightly flow does after loading it. Prints seconds, docs/s, MB/s and peak RSS; the
RSS should not grow with the file (it is bounded by one batch), only the time should. `--whole`
reads each file into one table instead (`read_documents`), for contrast: there RSS grows with the file.
Nothing else of the pipeline (clean, NLP, load) runs here: that is benchmarks/throughput.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("delegations met in Istanbul for talks about a ceasefire prisoner exchange the ministry said "
         "on Friday negotiators from both sides agreed to meet again next week officials reported").split()


def write_corpus(path: Path, lines: int, gz: bool, seed: int = 7) -> int:
    """`lines` articles of ~2 KB, written one by one (the writer holds one line at a time)."""
    rng = random.Random(seed)
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for i in range(lines):
            text = " ".join(rng.choice(WORDS) for _ in range(300))
            fh.write(json.dumps({"url": f"https://news.example.org/{i}", "title": f"Report {i}",
                                 "text": text.capitalize() + ".", "published_at": "2025-05-16T08:00:00Z",
                                 "source": "Example News", "language": "en"}) + "\n")
    return path.stat().st_size


def measure(path: Path, batch_size: int, whole: bool) -> dict:
    """Runs in the child: reads the file through the generator, keeping nothing but counts (`whole`:
    into one table with `read_documents`, the way a JSONL was one batch before it was streamed)."""
    from newsflow.config import Settings
    from tasks.sources.ingest import read_documents
    from tasks.sources.jsonl import read_jsonl_batches

    settings = Settings()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    docs = rejected = batches = 0
    t0 = time.perf_counter()
    chunks = [read_documents([path], settings)] if whole else read_jsonl_batches(path, settings, batch_size)
    for raw, q in chunks:
        docs, rejected, batches = docs + raw.num_rows, rejected + len(q), batches + 1
    seconds = time.perf_counter() - t0
    return {"docs": docs, "rejected": rejected, "batches": batches, "seconds": round(seconds, 2),
            "rss_before_mb": round(rss_before), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, nargs="+", default=[50_000, 200_000])
    ap.add_argument("--batch-size", type=int, default=300)
    ap.add_argument("--gz", action="store_true", help="write and read .jsonl.gz")
    ap.add_argument("--whole", action="store_true", help="for contrast: read each file into one table")
    ap.add_argument("--keep-dir", type=Path, default=None, help="write the files here (default: a temp dir)")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.batch_size, args.whole)))
        return
    with tempfile.TemporaryDirectory(prefix="newsflow-jsonl-bench-") as tmp:
        folder = args.keep_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'lines':>8} {'file MB':>8} {'batches':>8} {'seconds':>8} {'docs/s':>8} {'MB/s':>6} "
              f"{'RSS at start':>12} {'peak RSS':>9}")
        for n in args.lines:
            path = folder / f"bench_{n}.jsonl{'.gz' if args.gz else ''}"
            size = write_corpus(path, n, args.gz)
            child = [sys.executable, __file__, "--child", str(path), "--batch-size", str(args.batch_size)]
            out = subprocess.run(child + (["--whole"] if args.whole else []),
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            assert r["docs"] == n and r["rejected"] == 0, r
            mb = size / 1e6
            print(f"{n:>8} {mb:>8.0f} {r['batches']:>8} {r['seconds']:>8.1f} {n / r['seconds']:>8,.0f} "
                  f"{mb / r['seconds']:>6.1f} {r['rss_before_mb']:>9} MB {r['peak_rss_mb']:>6} MB")
            if args.keep_dir is None:
                path.unlink()


if __name__ == "__main__":
    main()
