"""Event-coding quality on PLOVER gold sentences (../shared/data/plover-gsr-dev by default).

    .venv/bin/python benchmarks/event_quality.py [DATA_DIR] [--half dev|test|all] [--errors]

The gold file uses PLOVER's older 18 names; they are mapped to the current 16 (DEMAND->REQUEST,
DISAPPROVE->ACCUSE, INVESTIGATE->ACCUSE, FIGHT->ASSAULT) before scoring. Records alternate between the
halves: even positions (0, 2, ...) are the `dev` half the lexicon was checked against, odd positions
the held-out `test` half the README reports. Scores: event-type accuracy and macro-F1 over the
categories present in the gold; source-actor country accuracy (the predicted code is one of the gold
source codes; a missing prediction counts as wrong) over records with a gold source code.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared" / "data" / "plover-gsr-dev"


def load(data_dir: Path, half: str) -> list[dict]:
    from tasks.events.plover import LEGACY_NAMES

    records = [r for r in json.loads((data_dir / "plover_gsr_dev.json").read_text(encoding="utf-8"))
               if r.get("text") and r.get("event") != "DOCUMENT"]
    if half != "all":
        records = records[(0 if half == "dev" else 1)::2]
    for r in records:
        r["gold"] = LEGACY_NAMES.get(r["event"], (r["event"], None))[0]
        r["gold_codes"] = {a.get("code") for a in r.get("source") or [] if isinstance(a, dict) and a.get("code")}
    return records


def macro_f1(pairs: list[tuple[str, str | None]]) -> tuple[float, dict[str, tuple[float, float, float, int]]]:
    labels = sorted({g for g, _ in pairs})
    table = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        table[label] = (prec, rec, f1, tp + fn)
    return sum(v[2] for v in table.values()) / len(table), table


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--half", choices=["dev", "test", "all"], default="test")
    ap.add_argument("--errors", action="store_true", help="print the misclassified sentences")
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "plover_gsr_dev.json").exists():
        print(f"PLOVER gold data not found at {data_dir} (expected plover_gsr_dev.json); nothing to score.")
        return 2
    from newsflow.config import Settings
    from tasks.nlp.parse import load_model
    from tasks.events.coding import code_sentence, person_countries

    records = load(data_dir, args.half)
    nlp = load_model(args.model or Settings().model)
    t0 = time.perf_counter()
    pairs, country_hits, country_n, coded = [], 0, 0, 0
    for r, doc in zip(records, nlp.pipe(r["text"].strip("{} ") for r in records)):
        known = person_countries(doc)
        best = None
        for sent in doc.sents:  # a record is one report; code its first sentence that has an event
            best = code_sentence(sent, known)
            if best:
                break
        pred = best.event_type if best else None
        coded += best is not None
        pairs.append((r["gold"], pred))
        if r["gold_codes"]:
            country_n += 1
            got = best.source.country if best and best.source else None
            country_hits += got in r["gold_codes"]
            if args.errors and got not in r["gold_codes"]:
                src = best.source.text if best and best.source else None
                print(f"  country {sorted(r['gold_codes'])} -> {got} src={src!r} | {r['text'][:120]}")
        if args.errors and pred != r["gold"]:
            src = best.source.text if best and best.source else None
            print(f"{r['gold']:>10} -> {pred or '-':<10} [{best.trigger if best else ''}] src={src!r} | {r['text'][:150]}")
    seconds = time.perf_counter() - t0
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    f1, table = macro_f1(pairs)
    print(f"PLOVER GSR {args.half} half: {len(pairs)} sentences, {coded} coded, {seconds:.1f} s")
    print(f"event-type accuracy {accuracy:.3f}   macro-F1 {f1:.3f}   "
          f"source country accuracy {country_hits / max(country_n, 1):.3f} (n={country_n})")
    print(f"{'category':<10} {'n':>3} {'prec':>6} {'rec':>6} {'F1':>6}")
    for label, (p, r_, f, n) in table.items():
        print(f"{label:<10} {n:>3} {p:>6.2f} {r_:>6.2f} {f:>6.2f}")
    print("confusions:", Counter((g, p) for g, p in pairs if g != p).most_common(8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
