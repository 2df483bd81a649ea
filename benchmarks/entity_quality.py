"""Entity quality: canonical people on the seeds, the person-match threshold, NER F1 on ECB+, speed.

    .venv/bin/python benchmarks/entity_quality.py [--ecbplus ../shared/data/ecbplus-dev] [--mentions 100000]

1. seeds: precision/recall of PERSON entities after canonicalisation against benchmarks/gold/seed_people.json
   (an entity is correct when its mentions are one gold person's forms; a person split over k entities
   costs k-1 false entities), the share of gold people whose variants all land on one id, junk
   entities; once as one batch and once as two nights (seeds 0-2, then 3-4 against the warehouse).
2. threshold: pairwise precision/recall of `person_similarity >= t` on the gold name pairs.
3. NER F1 on ECB+ (proper-name PERSON and place mentions in its annotated sentences), raw spaCy vs
   after type repair. Skipped, with a message, when the data folder is absent.
4. time to resolve N synthetic mentions (blocking, no warehouse).
5. named things: the share of entities that are values (DATE, MONEY, ...; target 0) and the places
   with more than one entity (one GeoNames id or ISO country, several entity ids; target 0), on the
   seeds as one batch and as two nights, with the place names that split when there are any.
6. language detection (py3langid through tasks/text/language.py) on a multilingual sample built at
   run time from public text the installed packages ship: spaCy's example sentences
   (`spacy.lang.<xx>.examples`, MIT) for every language both spaCy and py3langid know (short texts,
   one sentence each; long texts, a language's sentences joined), plus the five seeds (long, English).
   Accuracy overall and per language, and how often the `language_min_confidence` rule keeps a
   wrong declaration.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsflow.batches import ARTICLE, MENTION, from_rows  # noqa: E402
from newsflow.config import Settings  # noqa: E402
from tasks.entities import canonical, overrides, type_repair  # noqa: E402
from tasks.nlp import ner  # noqa: E402
from tasks.nlp.parse import load_model  # noqa: E402
from tasks.sources import ingest  # noqa: E402
from tasks.text import clean  # noqa: E402
from tasks.entities.store import warehouse_lookup  # noqa: E402
from tasks.store.load import load_batch  # noqa: E402
from tasks.entities.names import block_key, person_similarity  # noqa: E402
from tasks.nlp.parse import parse_articles  # noqa: E402
from tasks.text import language  # noqa: E402
from newsflow.config import VALUE_LABELS  # noqa: E402
from warehouse import db  # noqa: E402

GOLD = ROOT / "benchmarks" / "gold" / "seed_people.json"


def _seed_batches(settings, files):
    raw, _ = ingest.read_documents(files, settings)
    arts, _ = clean.clean_batch(raw, settings)
    ents, ments = ner.extract_entities(arts, settings, docs=parse_articles(arts, settings))
    return arts, ents, ments


def _named_things(entities: list[dict]) -> dict:
    """Values among the entities, and gazetteer places that are more than one entity."""
    by_place: dict[str, set] = defaultdict(set)
    for e in entities:
        if e["label"] in ("GPE", "LOC", "FAC") and (e.get("geonames_id") or e.get("geo_type") == "country"):
            by_place[e.get("geonames_id") or e["country_code"]].add(e["entity_id"])
    names = {e["entity_id"]: e["name"] for e in entities}
    split = {str(k): sorted(names[i] for i in v) for k, v in by_place.items() if len(v) > 1}
    values = [e for e in entities if e["label"] in VALUE_LABELS]
    return {"entities": len(entities), "value_share": round(len(values) / len(entities), 3) if entities else 0.0,
            "places": len(by_place), "places_with_more_than_one_entity": len(split), "split_places": split}


def _score_people(mentions: list[dict], gold: list[dict]) -> dict:
    person_of = {form: g["name"] for g in gold for form in g["forms"]}
    by_entity: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        if m["label"] == "PERSON":
            by_entity[m["entity_id"]][person_of.get(m["text"])] += 1
    entity_person = {e: c.most_common(1)[0][0] for e, c in by_entity.items()}
    ids_of: dict[str, set] = defaultdict(set)
    for e, p in entity_person.items():
        if p:
            ids_of[p].add(e)
    found = [g for g in gold if g["name"] in ids_of]
    correct = len(ids_of)  # one entity per gold person counts; the rest of a split is a false entity
    junk = [e for e, p in entity_person.items() if p is None]
    return {
        "person_entities": len(by_entity),
        "precision": round(correct / len(by_entity), 3) if by_entity else 0.0,
        "recall": round(len(found) / len(gold), 3),
        "variants_on_one_id": round(sum(len(ids_of[g["name"]]) == 1 for g in found) / len(gold), 3),
        "junk_person_entities": len(junk),
        "junk": sorted({m["text"] for m in mentions if m["entity_id"] in junk}),
        "split": sorted(p for p, ids_ in ids_of.items() if len(ids_) > 1),
    }


def seeds(settings) -> dict:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["people"]
    files, _ = ingest.discover([str(ROOT / "seeds")])
    arts, ents, ments = _seed_batches(settings, files)
    raw = ments.to_pylist()
    out = {"raw_ner": _score_people(raw, gold)}
    rules = overrides.Overrides()
    canon_ents, canon, _ = canonical.canonicalise(arts, ents, ments, settings, rules=rules)
    out["one_batch"] = _score_people(canon.to_pylist(), gold)
    out["named_things_one_batch"] = _named_things(canon_ents.to_pylist())
    con = db.connect(":memory:")
    nights = []
    for i, part in enumerate((files[:3], files[3:])):
        arts, ents, ments = _seed_batches(settings, part)
        e, m, a = canonical.canonicalise(arts, ents, ments, settings, known=warehouse_lookup(con), rules=rules)
        load_batch(con, f"night{i}", datetime(2025, 5, 16 + i, tzinfo=timezone.utc),
                   {"articles": arts, "entities": e, "mentions": m, "entity_aliases": a}, [])
        nights += m.to_pylist()
    out["two_nights"] = _score_people(nights, gold)
    stored = con.sql("select entity_id, name, label, geonames_id, geo_type, country_code from entities")
    out["named_things_two_nights"] = _named_things(stored.to_arrow_table().to_pylist())
    return out


def _language_sample() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(short, long) (language, text) pairs from spaCy's example sentences and the seeds."""
    import importlib
    import pkgutil

    import spacy.lang
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    known = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes)
    short, long_ = [], []
    for mod in pkgutil.iter_modules(spacy.lang.__path__):
        if len(mod.name) != 2 or mod.name not in known:
            continue
        try:
            sentences = importlib.import_module(f"spacy.lang.{mod.name}.examples").sentences
        except (ImportError, AttributeError):
            continue
        short += [(mod.name, s) for s in sentences]
        long_.append((mod.name, " ".join(sentences)))
    long_ += [("en", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return short, long_


def language_detection(settings) -> dict:
    short, long_ = _language_sample()
    out = {"languages": len({lang for lang, _ in short}), "short_texts": len(short), "long_texts": len(long_)}
    for kind, sample in (("short", short), ("long", long_)):
        t0 = time.perf_counter()
        found = [(lang, *language.detect(text)) for lang, text in sample]
        secs = time.perf_counter() - t0
        sure = [(lang, got) for lang, got, p in found if p >= settings.language_min_confidence]
        wrong = Counter(lang for lang, got, _ in found if got != lang)
        out[kind] = {
            "accuracy": round(sum(got == lang for lang, got, _ in found) / len(found), 3),
            "ms_per_text": round(1000 * secs / len(found), 3),
            "mean_chars": int(sum(len(t) for _, t in sample) / len(sample)),
            # detection overrules a declaration only this sure: how often, and how often rightly
            "share_above_min_confidence": round(len(sure) / len(found), 3),
            "accuracy_above_min_confidence": round(sum(a == b for a, b in sure) / len(sure), 3) if sure else None,
            "misdetected_languages": dict(wrong.most_common(8)),
        }
    news = ("en", "de", "fr", "ru", "es", "it", "pt", "nl", "pl", "uk", "tr", "ar")
    picked = [(lang, t) for lang, t in short if lang in news]
    out["short_news_languages"] = {
        "languages": sorted({lang for lang, _ in picked}),
        "accuracy": round(sum(language.detect(t)[0] == lang for lang, t in picked) / len(picked), 3)}
    return out


def threshold_sweep() -> list[dict]:
    pairs = json.loads(GOLD.read_text(encoding="utf-8"))["name_pairs"]
    rows = []
    for t in (0.80, 0.85, 0.88, 0.90, 0.92, 0.95, 0.98):
        def match(a, b):
            return block_key(a, "PERSON") == block_key(b, "PERSON") and person_similarity(a, b) >= t
        tp = sum(match(a, b) for a, b in pairs["same"])
        fp = sum(match(a, b) for a, b in pairs["different"])
        rows.append({"threshold": t, "pair_recall": round(tp / len(pairs["same"]), 3),
                     "pair_precision": round(tp / (tp + fp), 3) if tp + fp else 0.0, "false_merges": fp})
    return rows


ECB_TYPES = {"HUMAN_PART_PER": "PER", "LOC_GEO": "LOC", "LOC_FAC": "LOC", "LOC_OTHER": "LOC",
             "HUMAN_PART_ORG": "ORG"}
SPACY_TYPES = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}


def _ecb_doc(path: Path, selected: set[int]):
    """Text (sentences as lines, tokens space-joined), token char spans, gold proper-name spans."""
    root = ET.parse(path).getroot()
    tokens = root.findall("token")
    lines, spans, sent_of, pos, current = [], {}, {}, 0, None
    for tok in tokens:
        s = int(tok.get("sentence"))
        if current is not None and s != current:
            lines.append("\n")
            pos += 1
        elif current is not None:
            lines.append(" ")
            pos += 1
        current = s
        text = tok.text or ""
        spans[tok.get("t_id")] = (pos, pos + len(text))
        sent_of[tok.get("t_id")] = s
        lines.append(text)
        pos += len(text)
    text = "".join(lines)
    gold = set()
    for mark in root.find("Markables") or []:
        kind = ECB_TYPES.get(mark.tag)
        anchors = [a.get("t_id") for a in mark.findall("token_anchor")]
        if not kind or not anchors or sent_of[anchors[0]] not in selected:
            continue
        words = [text[slice(*spans[a])] for a in anchors]
        if all(w[:1].isupper() for w in words if w.isalpha()) and any(w.isalpha() for w in words):
            gold.add((spans[anchors[0]][0], spans[anchors[-1]][1], kind))
    selected_chars = [(spans[t][0], spans[t][1]) for t, s in sent_of.items() if s in selected]
    return text, gold, selected_chars


def ecb_ner(settings, folder: Path) -> dict | None:
    csv = folder / "ECBplus_coreference_sentences_dev.csv"
    if not csv.exists():
        csv = next(folder.glob("*sentences*.csv"), None)
    if not folder.exists() or csv is None:
        return None
    selected: dict[str, set[int]] = defaultdict(set)
    for line in csv.read_text(encoding="utf-8").splitlines()[1:]:
        topic, file, sent = line.split(",")
        selected[f"{topic}_{file}"].add(int(sent))
    docs = []
    for path in sorted(folder.glob("ECB+/*/*.xml")):
        sel = selected.get(path.stem)
        if sel:
            docs.append((path.stem, *_ecb_doc(path, sel)))
    nlp = load_model(settings.model)
    arts = from_rows([{"article_id": d[0], "text": d[1], "source": d[0], "content_hash": d[0]} for d in docs], ARTICLE)
    all_labels = Settings(entity_labels=("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"))
    _, ments = ner.extract_entities(arts, all_labels, nlp=nlp)
    raw = ments.to_pylist()
    texts = {d[0]: d[1] for d in docs}
    repaired = type_repair.repair(raw, texts)
    out = {"documents": len(docs)}
    for name, rows in (("raw_model", raw), ("after_type_repair", repaired)):
        pred = defaultdict(set)
        for m in rows:
            kind = SPACY_TYPES.get(m["label"])
            if kind:
                pred[m["article_id"]].add((m["start_char"], m["end_char"], kind))
        scores = {}
        for kind in ("PER", "LOC", "ORG", "ALL"):
            tp = fp = fn = 0
            for doc_id, _, gold, sel in docs:
                g = {x for x in gold if kind in ("ALL", x[2])}
                p = {x for x in pred[doc_id] if kind in ("ALL", x[2])
                     and any(s <= x[0] < e for s, e in sel)}  # only the annotated sentences
                tp += len(g & p)
                fp += len(p - g)
                fn += len(g - p)
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / (tp + fn) if tp + fn else 0.0
            scores[kind] = {"precision": round(prec, 3), "recall": round(rec, 3),
                            "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0,
                            "gold": tp + fn}
        out[name] = scores
    return out


def synthetic_speed(settings, n: int) -> dict:
    """n PERSON/ORG/GPE mentions over n/20 articles, names drawn with spelling variants."""
    rng = random.Random(7)
    given = ["Vladimir", "Volodymyr", "Sergey", "Sergei", "Hakan", "Marco", "Donald", "Olena", "Maria", "Anna",
             "Dmitry", "Dmitri", "Yuri", "Yury", "Ali", "Fatima", "Chen", "Wei", "Kofi", "Amara"]
    roots = [f"{a}{b}" for a in ("Med", "Zel", "Lav", "Kar", "Pet", "Nov", "Sok", "Bel", "Kuz", "Mor", "Fed",
                                 "Ivan", "Orl", "Vol", "Pop", "Tar", "Gor", "Dan", "Lis", "Ros")
             for b in ("insky", "enko", "ov", "ev", "ich", "ski", "ova", "yan", "idze", "escu")]
    variants = lambda s: [s, s.replace("y", "iy"), s.replace("sky", "ski"), s + "y" if s.endswith("y") else s]
    texts, rows = {}, []
    for a in range(max(1, n // 20)):
        aid = f"a{a}"
        parts, pos = [], 0
        for _ in range(20):
            if rng.random() < 0.7:
                name = f"{rng.choice(given)} {rng.choice(variants(rng.choice(roots)))}"
                if rng.random() < 0.3:
                    name = name.split()[-1]
                label = "PERSON"
            else:
                name, label = rng.choice([("Istanbul", "GPE"), ("Kyiv", "GPE"), ("NATO", "ORG"),
                                          ("European Union", "ORG"), ("Moscow", "GPE")]), None
                name, label = name
            sentence = f"On Friday {name} spoke to reporters. "
            start = pos + len("On Friday ")
            rows.append({"mention_id": f"{aid}-{start}", "article_id": aid, "entity_id": None, "text": name,
                         "label": label, "start_char": start, "end_char": start + len(name),
                         "sentence_index": len(parts)})
            parts.append(sentence)
            pos += len(sentence)
        texts[aid] = "".join(parts)
    arts = from_rows([{"article_id": k, "text": v, "source": k, "content_hash": k} for k, v in texts.items()], ARTICLE)
    ments = from_rows(rows, MENTION)
    t0 = time.perf_counter()
    type_repair._given_names()
    from tasks.entities import places
    places.cities(), places.countries()
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    ents, out, aliases = canonical.canonicalise(arts, None, ments, settings, rules=overrides.Overrides())
    secs = time.perf_counter() - t0
    return {"mentions": ments.num_rows, "articles": arts.num_rows, "entities": ents.num_rows,
            "seconds": round(secs, 2), "mentions_per_second": int(ments.num_rows / secs),
            "gazetteer_load_seconds": round(warm, 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ecbplus", default=str(ROOT.parent / "shared" / "data" / "ecbplus-dev"))
    ap.add_argument("--mentions", type=int, default=100_000)
    ap.add_argument("--skip", nargs="*", default=[], choices=["seeds", "threshold", "ner", "speed", "language"])
    args = ap.parse_args(argv)
    settings = Settings()
    report = {}
    if "seeds" not in args.skip:
        report["seeds"] = seeds(settings)
    if "threshold" not in args.skip:
        report["threshold"] = threshold_sweep()
    if "ner" not in args.skip:
        ner = ecb_ner(settings, Path(args.ecbplus))
        report["ner_ecbplus"] = ner if ner else f"skipped: no ECB+ data at {args.ecbplus}"
    if "speed" not in args.skip:
        report["speed"] = synthetic_speed(settings, args.mentions)
    if "language" not in args.skip:
        report["language_detection"] = language_detection(settings)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
