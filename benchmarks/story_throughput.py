"""Time of the stories stage as the window of open stories grows.

    .venv/bin/python benchmarks/story_throughput.py [--n 3000] [--batch-size 300]

Feeds N seed-mix articles (`throughput.build_corpus`: all about the same talks, the hardest case for
grouping and copy detection) batch by batch to `assign_stories` and the loader, into an in-memory
DuckDB warehouse, and prints per batch the window size, the stage time, the stories and the moves;
then how many articles moved, and how often.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import build_corpus  # noqa: E402


def main() -> int:
    import pyarrow as pa

    from newsflow import ids
    from newsflow.config import Settings
    from tasks.events.stories import assign_stories
    from tasks.store.load import load_batch
    from warehouse import db

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=300)
    args = ap.parse_args()
    docs = []
    for f in build_corpus(Path(tempfile.mkdtemp(prefix="newsflow-stories-")) / "corpus", args.n):
        title, _, text = f.read_text(encoding="utf-8").partition("\n")
        docs.append((f.name, title, text))
    con = db.connect(":memory:")
    now = datetime(2025, 5, 17, tzinfo=timezone.utc)
    settings = Settings()
    total = 0.0
    for i in range(0, len(docs), args.batch_size):
        chunk = docs[i:i + args.batch_size]
        k = len(chunk)
        articles = pa.table({
            "article_id": [d[0] for d in chunk], "source": [d[0] for d in chunk],
            "url": pa.array([None] * k, pa.string()), "title": [d[1] for d in chunk], "text": [d[2] for d in chunk],
            "published_at": pa.array([None] * k, pa.timestamp("us", tz="UTC")),
            "site_name": pa.array([None] * k, pa.string()), "content_hash": [ids.digest("c", d[2]) for d in chunk]})
        t0 = time.perf_counter()
        articles, stories, moves = assign_stories(articles, settings, con, now)
        secs = time.perf_counter() - t0
        total += secs
        load_batch(con, "bench", now, {"articles": articles, "stories": stories, "story_moves": moves}, [])
        print(f"batch {i // args.batch_size + 1}: {i} stored articles, stories {secs:.2f} s, "
              f"{con.execute('select count(*) from stories').fetchall()[0][0]} stories, {moves.num_rows} moves",
              flush=True)
    moved = con.execute("select count(*), count(distinct article_id) from story_moves").fetchall()[0]
    again = con.execute("select count(*) from (select article_id from story_moves group by 1 "
                        "having count(*) > 1)").fetchall()[0][0]
    print(f"{len(docs)} articles: stories stage {total:.1f} s in all ({1000 * total / len(docs):.1f} ms/article); "
          f"{moved[0]} moves of {moved[1]} articles, {again} of them moved more than once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
