"""Event-coding quality on PLOVER gold sentences (../shared/data/plover-gsr-dev by default).

    .venv/bin/python benchmarks/event_quality.py [DATA_DIR] [--half dev|test|all|both] [--errors]
                                                 [--ablate] [--no-phoenix-actors]

The gold file uses PLOVER's older 18 names; they are mapped to the current 16 (DEMAND->REQUEST,
DISAPPROVE->ACCUSE, INVESTIGATE->ACCUSE, FIGHT->ASSAULT) before scoring. Records alternate between the
halves: even positions (0, 2, ...) are the `dev` half, odd positions the `test` half. `--half both`
scores each half and prints the gap. Every rule newsflow adds to the dictionaries was written looking
at one half (docs/events.md says which); `--ablate` scores each half with each rule switched off, so a
rule is kept only if it helps the half it was not written on. `--no-phoenix-actors` codes actors without
the Phoenix actor dictionaries (countries from newsflow's own tables and the actor CSV only).

Scores: event-type accuracy and macro-F1 over the categories present in the gold; source-actor country
accuracy (the predicted code is one of the gold source codes; a missing prediction counts as wrong) over
records with a gold source code.
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


def score(records: list[dict], docs: list, rules, errors: bool = False) -> dict:
    from tasks.events.coding import Context, code_sentence

    pairs, country_hits, country_n, coded = [], 0, 0, 0
    for r, doc in zip(records, docs):
        ctx = Context.of(doc, rules=rules)
        best = None
        for sent in doc.sents:  # a record is one report; code its first sentence that has an event
            best = code_sentence(sent, ctx)
            if best:
                break
        pred = best.event_type if best else None
        coded += best is not None
        pairs.append((r["gold"], pred))
        src = best.source if best else None
        if r["gold_codes"]:
            country_n += 1
            got = src.country if src else None
            country_hits += got in r["gold_codes"]
            if errors and got not in r["gold_codes"]:
                print(f"  country {sorted(r['gold_codes'])} -> {got} src={src.text if src else None!r} "
                      f"| {r['text'][:120]}")
        if errors and pred != r["gold"]:
            print(f"{r['gold']:>10} -> {pred or '-':<10} [{best.trigger if best else ''} "
                  f"{best.cameo_code if best else ''}] src={src.text if src else None!r} | {r['text'][:150]}")
    f1, table = macro_f1(pairs)
    return {"n": len(pairs), "coded": coded, "accuracy": sum(g == p for g, p in pairs) / len(pairs),
            "macro_f1": f1, "country": country_hits / max(country_n, 1), "country_n": country_n,
            "table": table, "confusions": Counter((g, p) for g, p in pairs if g != p).most_common(8)}


def report(name: str, s: dict, per_category: bool = True) -> None:
    print(f"PLOVER GSR {name}: {s['n']} sentences, {s['coded']} coded")
    print(f"event-type accuracy {s['accuracy']:.3f}   macro-F1 {s['macro_f1']:.3f}   "
          f"source country accuracy {s['country']:.3f} (n={s['country_n']})")
    if per_category:
        print(f"{'category':<10} {'n':>3} {'prec':>6} {'rec':>6} {'F1':>6}")
        for label, (p, r_, f, n) in s["table"].items():
            print(f"{label:<10} {n:>3} {p:>6.2f} {r_:>6.2f} {f:>6.2f}")
        print("confusions:", s["confusions"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--half", choices=["dev", "test", "all", "both"], default="both")
    ap.add_argument("--errors", action="store_true", help="print the misclassified sentences")
    ap.add_argument("--ablate", action="store_true", help="score each half with each rule switched off")
    ap.add_argument("--no-phoenix-actors", action="store_true", help="actors without the Phoenix dictionaries")
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (data_dir / "plover_gsr_dev.json").exists():
        print(f"PLOVER gold data not found at {data_dir} (expected plover_gsr_dev.json); nothing to score.")
        return 2
    from newsflow.config import Settings
    from tasks.events import coding, phoenix
    from tasks.nlp.parse import load_model

    if args.no_phoenix_actors:
        phoenix.actor = lambda phrase, day=None: None
    nlp = load_model(args.model or Settings().model)
    halves = ["dev", "test"] if args.half == "both" else [args.half]
    t0 = time.perf_counter()
    results = {}
    for half in halves:
        records = load(data_dir, half)
        docs = list(nlp.pipe(r["text"].strip("{} ") for r in records))
        results[half] = s = score(records, docs, coding.RULES, args.errors)
        report(f"{half} half", s)
        if args.ablate:
            for rule in sorted(coding.RULES):
                a = score(records, docs, coding.RULES - {rule})
                print(f"  without {rule:<15} accuracy {a['accuracy']:.3f} ({a['accuracy'] - s['accuracy']:+.3f})"
                      f"  macro-F1 {a['macro_f1']:.3f} ({a['macro_f1'] - s['macro_f1']:+.3f})"
                      f"  country {a['country']:.3f} ({a['country'] - s['country']:+.3f})")
        print()
    if len(results) == 2:
        d, t = results["dev"], results["test"]
        print("gap dev - test: " + "  ".join(f"{k} {d[k] - t[k]:+.3f}" for k in ("accuracy", "macro_f1", "country")))
    print(f"{time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
