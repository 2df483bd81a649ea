"""Story clustering quality on ECB+ (../shared/data/ecbplus-dev by default).

    .venv/bin/python benchmarks/story_quality.py [DATA_DIR] [--threshold-pct N ...]

Each ECB+ document is rebuilt from its tokens (the first sentence, usually a URL or a dateline, is
the title); the gold story of a document is its topic + subtopic (`36_1ecb.xml` and `36_1ecbplus.xml`
are two different happenings of topic 36). Documents are fed one by one, in file-name order, to the
same incremental `StoryIndex` the nightly flow uses. Scores: B-cubed precision/recall/F1 and the
adjusted Rand index.

    .venv/bin/python benchmarks/story_quality.py --cross

chooses the threshold without looking at the documents it scores: for each ECB+ topic, the threshold
(10-40%) with the best B-cubed F1 on the other four topics is used for that topic's documents, and the
per-document B-cubed precision and recall are pooled over the five folds (clusters come from one run
over all documents, so merging across topics still costs precision).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "ecbplus-dev"


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


def main() -> int:
    from newsflow.config import Settings
    from tasks.events.stories import StoryIndex

    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--threshold-pct", type=int, nargs="*", default=[Settings().story_threshold_pct])
    ap.add_argument("--cross", action="store_true", help="leave-one-topic-out choice of the threshold")
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "ECB+").is_dir():
        print(f"ECB+ data not found at {data_dir} (expected an ECB+/ folder); nothing to score.")
        return 2
    docs = load(data_dir)
    gold = [d[1] for d in docs]
    print(f"ECB+ dev: {len(docs)} documents, {len(set(gold))} gold stories (topic+subtopic)")
    if args.cross:
        return _cross(docs, gold)
    for pct in args.threshold_pct:
        t0 = time.perf_counter()
        index = StoryIndex(pct / 100, Settings().duplicate_threshold_pct / 100)
        pred = [index.assign(name, title, text)[0] for name, _, title, text in docs]
        p, r, f = bcubed(gold, pred)
        print(f"threshold {pct}%: {len(set(pred))} stories, B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}, "
              f"ARI {ari(gold, pred):.3f} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _cross(docs, gold: list[str]) -> int:
    from newsflow.config import Settings
    from tasks.events.stories import StoryIndex

    grid = list(range(10, 41, 5))
    items = {}
    for pct in grid:
        index = StoryIndex(pct / 100, Settings().duplicate_threshold_pct / 100)
        items[pct] = bcubed_items(gold, [index.assign(name, title, text)[0] for name, _, title, text in docs])
    topics = [g.split("_")[0] for g in gold]
    held_out = []
    for topic in sorted(set(topics)):
        train = [i for i, t in enumerate(topics) if t != topic]
        best = max(grid, key=lambda pct: (_pooled([items[pct][i] for i in train])[2], -abs(pct - 20)))
        test = [i for i, t in enumerate(topics) if t == topic]
        held_out += [items[best][i] for i in test]
        p, r, f = _pooled([items[best][i] for i in test])
        print(f"topic {topic}: threshold {best}% chosen on the other topics; its {len(test)} documents: "
              f"B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
    p, r, f = _pooled(held_out)
    print(f"leave-one-topic-out, pooled over {len(held_out)} documents: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
