"""Cost of the events stages, and what sharing the spaCy parse with the entities stage saves.

    .venv/bin/python benchmarks/event_throughput.py [--n 300]

On N articles mixed from the seeds' paragraphs (benchmarks/throughput.py's corpus), in one process:
  shared   one nlp.pipe, then entities, events, amounts, stories, consolidation on the same Docs
           (what the nightly flow does);
  separate entities with their own nlp.pipe, then a second nlp.pipe for events and amounts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from throughput import build_corpus
    from newsflow.config import load_settings
    from tasks.events import consolidate, stories
    from tasks.events import mentions as event_mentions
    from tasks.nlp import amounts, ner, parse
    from tasks.text.clean import clean_batch
    from tasks.sources.ingest import read_documents

    settings = load_settings(env={})
    files = build_corpus(Path(tempfile.mkdtemp(prefix="newsflow-events-")), args.n)
    raw, _ = read_documents(files, settings)
    articles, _ = clean_batch(raw, settings)
    nlp = parse.load_model(settings.model)
    list(nlp.pipe(articles.column("text").to_pylist()[:10]))  # warm-up

    t = {}
    t0 = time.perf_counter()
    docs = parse.parse_articles(articles, settings, nlp)
    t["parse"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, mentions = ner.extract_entities(articles, settings, docs=docs)
    t["entities_on_docs"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    em = event_mentions.extract_events(articles, docs, mentions, settings)
    t["events"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    am = amounts.extract_amounts(articles, docs)
    t["amounts"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with_stories, _, _ = stories.assign_stories(articles, settings)
    t["stories"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ev, _ = consolidate.consolidate(em, with_stories, settings)
    t["consolidate"] = time.perf_counter() - t0
    shared = sum(t.values())

    t0 = time.perf_counter()
    _, mentions2 = ner.extract_entities(articles, settings, nlp)
    docs2 = parse.parse_articles(articles, settings, nlp)
    event_mentions.extract_events(articles, docs2, mentions2, settings)
    amounts.extract_amounts(articles, docs2)
    separate = time.perf_counter() - t0 + t["stories"] + t["consolidate"]

    print(json.dumps({
        "articles": articles.num_rows, "event_mentions": em.num_rows, "events": ev.num_rows,
        "amounts": am.num_rows, "stage_seconds_shared": {k: round(v, 2) for k, v in t.items()},
        "total_shared_s": round(shared, 2), "total_separate_parse_s": round(separate, 2),
        "saved_by_sharing": f"{100 * (1 - shared / separate):.0f}%",
    }, indent=2))


if __name__ == "__main__":
    main()
