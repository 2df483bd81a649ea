"""Story clustering quality on ECB+ (../shared/data/ecbplus-dev by default).

    .venv/bin/python benchmarks/story_quality.py [DATA_DIR] [--threshold-pct N ...] [--batch-size 10]
        [--names-weight-pct 50] [--regroup N] [--cross]

Each ECB+ document is rebuilt from its tokens (the first sentence, usually a URL or a dateline, is
the title); the gold story of a document is its topic + subtopic (`36_1ecb.xml` and `36_1ecbplus.xml`
are two different happenings of topic 36). Documents go, in file-name order and in batches of
`--batch-size`, through the nightly flow's own `assign_stories` and loader into an in-memory DuckDB
warehouse: the same window reads, commit order, regrouping of recent members and moves as a night.
Scores: B-cubed precision/recall/F1 and the adjusted Rand index.

`--cross` chooses the threshold without looking at the documents it scores: for each ECB+ topic, the
threshold (6-38%) with the best B-cubed F1 on the other four topics is used for that topic's
documents; per-document B-cubed precision and recall are pooled over the five folds (clusters come
from one run over all documents, so merging across topics still costs precision). It also prints the
in-sample figure (the one threshold best on all five topics) and the gap.

`--names-weight-pct 0 --batch-size 1000` is the plain baseline: TF-IDF of content words, average
linkage over all documents at once.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "ecbplus-dev"
GRID = list(range(6, 40, 2))


def load(data_dir: Path) -> list[tuple[str, str, str, str]]:
    """(doc name, gold cluster, title, text) per document."""
    docs = []
    for path in sorted((data_dir / "ECB+").glob("*/*.xml"), key=lambda p: p.name):
        m = re.match(r"(\d+)_(\d+)(ecbplus|ecb)\.xml$", path.name)
        if not m:
            continue
        sentences: dict[int, list[str]] = {}
        for tok in ET.parse(path).getroot().iter("token"):
            sentences.setdefault(int(tok.get("sentence")), []).append(tok.text or "")
        lines = [" ".join(words) for _, words in sorted(sentences.items())]
        docs.append((path.name, f"{m.group(1)}_{m.group(3)}", lines[0] if lines else "", "\n".join(lines[1:])))
    return docs


def bcubed_items(gold: list[str], pred: list[str]) -> list[tuple[float, float]]:
    """Each document's B-cubed (precision, recall)."""
    n = len(gold)
    out = []
    for i in range(n):
        same_pred = [j for j in range(n) if pred[j] == pred[i]]
        same_gold = [j for j in range(n) if gold[j] == gold[i]]
        both = sum(1 for j in same_pred if gold[j] == gold[i])
        out.append((both / len(same_pred), both / len(same_gold)))
    return out


def _pooled(items: list[tuple[float, float]]) -> tuple[float, float, float]:
    p = sum(x[0] for x in items) / len(items)
    r = sum(x[1] for x in items) / len(items)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def bcubed(gold: list[str], pred: list[str]) -> tuple[float, float, float]:
    return _pooled(bcubed_items(gold, pred))


def ari(gold: list[str], pred: list[str]) -> float:
    pairs = Counter(zip(gold, pred))
    sum_ij = sum(comb(v, 2) for v in pairs.values())
    sum_a = sum(comb(v, 2) for v in Counter(gold).values())
    sum_b = sum(comb(v, 2) for v in Counter(pred).values())
    expected = sum_a * sum_b / comb(len(gold), 2)
    top = (sum_a + sum_b) / 2
    return (sum_ij - expected) / (top - expected) if top != expected else 1.0


def cluster(docs, settings, batch_size: int) -> list[str]:
    """The story of each document after feeding them all, batch by batch, through the real stages."""
    import pyarrow as pa

    from tasks.events.stories import assign_stories
    from tasks.store.load import load_batch
    from warehouse import db

    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    con = db.connect(":memory:")
    for i in range(0, len(docs), batch_size):
        chunk = docs[i:i + batch_size]
        n = len(chunk)
        articles = pa.table({
            "article_id": [d[0] for d in chunk], "source": [d[0] for d in chunk],
            "url": pa.array([None] * n, pa.string()), "title": [d[2] for d in chunk],
            "text": [d[3] for d in chunk], "published_at": pa.array([None] * n, pa.timestamp("us", tz="UTC")),
            "site_name": pa.array([None] * n, pa.string()), "content_hash": [f"h{d[0]}" for d in chunk],
        })
        articles, stories, moves = assign_stories(articles, settings, con, now)
        load_batch(con, "bench", now, {"articles": articles, "stories": stories, "story_moves": moves}, [])
    story = dict(con.execute("select article_id, story_id from articles").fetchall())
    con.close()
    return [story[d[0]] for d in docs]


def main() -> int:
    from newsflow.config import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--threshold-pct", type=int, nargs="*", default=[Settings().story_threshold_pct])
    ap.add_argument("--names-weight-pct", type=int, nargs="*", default=[Settings().story_names_weight_pct],
                    help="several: with --cross, the weight is chosen with the threshold on the other topics")
    ap.add_argument("--regroup", type=int, default=Settings().story_regroup_articles,
                    help="stored members that may move (story_regroup_articles)")
    ap.add_argument("--batch-size", type=int, default=10)
    ap.add_argument("--cross", action="store_true", help="leave-one-topic-out choice of the threshold")
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "ECB+").is_dir():
        print(f"ECB+ data not found at {data_dir} (expected an ECB+/ folder); nothing to score.")
        return 2
    docs = load(data_dir)
    gold = [d[1] for d in docs]
    base = replace(Settings(), story_regroup_articles=args.regroup)
    weights = args.names_weight_pct
    print(f"ECB+ dev: {len(docs)} documents, {len(set(gold))} gold stories (topic+subtopic); batches of "
          f"{args.batch_size}, names weight {'/'.join(map(str, weights))}%, last {args.regroup} stored members "
          "may move")
    if args.cross:
        return _cross(docs, gold, base, args.batch_size, weights)
    for weight in weights:
        for pct in args.threshold_pct:
            t0 = time.perf_counter()
            pred = cluster(docs, replace(base, story_threshold_pct=pct, story_names_weight_pct=weight), args.batch_size)
            p, r, f = bcubed(gold, pred)
            print(f"threshold {pct}%, names weight {weight}%: {len(set(pred))} stories, B-cubed P {p:.3f} R {r:.3f} "
                  f"F1 {f:.3f}, ARI {ari(gold, pred):.3f} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _cross(docs, gold: list[str], base, batch_size: int, weights: list[int]) -> int:
    grid = [(w, pct) for w in weights for pct in GRID]
    preds = {(w, pct): cluster(docs, replace(base, story_threshold_pct=pct, story_names_weight_pct=w), batch_size)
             for w, pct in grid}
    items = {g: bcubed_items(gold, preds[g]) for g in grid}
    topics = [g.split("_")[0] for g in gold]
    held_out, labels = [], [""] * len(docs)

    def best_on(docs_):  # ties: the threshold nearest 20%, then the smaller weight
        return max(grid, key=lambda g: (_pooled([items[g][i] for i in docs_])[2], -abs(g[1] - 20), -g[0]))

    for topic in sorted(set(topics)):
        train = [i for i, t in enumerate(topics) if t != topic]
        best = best_on(train)
        test = [i for i, t in enumerate(topics) if t == topic]
        held_out += [items[best][i] for i in test]
        for i in test:  # one labelling for ARI: each topic's documents as clustered at its setting
            labels[i] = f"{best}:{preds[best][i]}"
        p, r, f = _pooled([items[best][i] for i in test])
        print(f"topic {topic}: threshold {best[1]}% (names {best[0]}%) chosen on the other topics; its {len(test)} "
              f"documents: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
    p, r, f = _pooled(held_out)
    print(f"leave-one-topic-out, pooled over {len(held_out)} documents: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}, "
          f"ARI {ari(gold, labels):.3f}")
    best = best_on(range(len(docs)))
    pi, ri, fi = _pooled(items[best])
    print(f"in-sample (threshold {best[1]}%, names {best[0]}%: best on all five topics): B-cubed P {pi:.3f} "
          f"R {ri:.3f} F1 {fi:.3f}, ARI {ari(gold, preds[best]):.3f}, {len(set(preds[best]))} stories; "
          f"gap in-sample - held-out F1 {fi - f:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
