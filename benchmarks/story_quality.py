"""Story clustering quality on ECB+ (../shared/data/ecbplus-dev by default).

    .venv/bin/python benchmarks/story_quality.py [DATA_DIR] [--threshold-pct N ...]

Each ECB+ document is rebuilt from its tokens (the first sentence, usually a URL or a dateline, is
the title); the gold story of a document is its topic + subtopic (`36_1ecb.xml` and `36_1ecbplus.xml`
are two different happenings of topic 36). Documents are fed one by one, in file-name order, to the
same incremental `StoryIndex` the nightly flow uses. Scores: B-cubed precision/recall/F1 and the
adjusted Rand index.
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


def bcubed(gold: list[str], pred: list[str]) -> tuple[float, float, float]:
    n = len(gold)
    p = r = 0.0
    for i in range(n):
        same_pred = [j for j in range(n) if pred[j] == pred[i]]
        same_gold = [j for j in range(n) if gold[j] == gold[i]]
        both = sum(1 for j in same_pred if gold[j] == gold[i])
        p += both / len(same_pred)
        r += both / len(same_gold)
    p, r = p / n, r / n
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


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
    from tasks.stories import StoryIndex

    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--threshold-pct", type=int, nargs="*", default=[Settings().story_threshold_pct])
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "ECB+").is_dir():
        print(f"ECB+ data not found at {data_dir} (expected an ECB+/ folder); nothing to score.")
        return 2
    docs = load(data_dir)
    gold = [d[1] for d in docs]
    print(f"ECB+ dev: {len(docs)} documents, {len(set(gold))} gold stories (topic+subtopic)")
    for pct in args.threshold_pct:
        t0 = time.perf_counter()
        index = StoryIndex(pct / 100, Settings().duplicate_threshold_pct / 100)
        pred = [index.assign(name, title, text)[0] for name, _, title, text in docs]
        p, r, f = bcubed(gold, pred)
        print(f"threshold {pct}%: {len(set(pred))} stories, B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}, "
              f"ARI {ari(gold, pred):.3f} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
