"""Event mentions: every sentence of a batch coded with PLOVER, its actors tied to entity rows.

Works on the spaCy Docs the entities stage already parsed (one `nlp.pipe` per batch, see
`tasks.nlp.parse`), so the parser runs once. Produces one `event_mentions` row per coded sentence;
`tasks/events/consolidate.py` later gives each factual one its `event_id`.
"""

from __future__ import annotations

from bisect import bisect_right
import pyarrow as pa

from newsflow import ids
from newsflow.batches import from_rows
from newsflow.config import Settings
from tasks.events import dates
from tasks.events.coding import Actor, CodedEvent, code_sentence, person_countries
from tasks.events.actors import load as load_actors

EVENT_MENTION = pa.schema([
    ("mention_id", pa.string()),
    ("event_id", pa.string()),            # set by consolidation; null for negated/hypothetical reports
    ("article_id", pa.string()),
    ("sentence", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
    ("sentence_index", pa.int32()),
    ("trigger", pa.string()),
    ("event_type", pa.string()),
    ("mode", pa.string()),
    ("quad_class", pa.string()),
    ("source_entity_id", pa.string()),
    ("source_text", pa.string()),
    ("source_country", pa.string()),
    ("source_sector", pa.string()),
    ("target_entity_id", pa.string()),
    ("target_text", pa.string()),
    ("target_country", pa.string()),
    ("target_sector", pa.string()),
    ("location_entity_id", pa.string()),
    ("location_text", pa.string()),
    ("event_date", pa.date32()),
    ("date_precision", pa.string()),
    ("is_negated", pa.bool_()),
    ("is_future", pa.bool_()),
    ("is_hypothetical", pa.bool_()),
    ("confidence", pa.float32()),
])


def _entity_at(spans: list[tuple[int, int, str, str]], starts: list[int], actor: Actor | None,
               head_char: int | None, labels: set[str]) -> str | None:
    """The entity mention that names the actor: the one holding its head word, else the first inside."""
    if actor is None:
        return None
    lo = bisect_right(starts, actor.start_char - 1) - 1
    inside = []
    for s, e, eid, label in spans[max(lo, 0):]:
        if s >= actor.end_char:
            break
        if e <= actor.start_char or label not in labels:
            continue
        if head_char is not None and s <= head_char < e:
            return eid
        inside.append(eid)
    return inside[0] if inside else None


def _last_day(told: list[str], base) -> object:
    """The last day-precise date among the phrases told so far (resolved lazily: most articles never
    say "later")."""
    for phrase in reversed(told):
        if not dates.is_anaphoric(phrase):
            day, precision = dates.resolve(phrase, base)
            if day is not None and precision == "day":
                return day
    return None


def confidence(ev: CodedEvent) -> float:
    """A transparent score: a verb trigger with a country-coded source and a target is the best case."""
    score = 0.4
    score += 0.2 if ev.source is not None and ev.source.country else 0.1 if ev.source is not None else 0.0
    score += 0.15 if ev.target is not None else 0.0
    score += 0.15 if " " not in ev.trigger else 0.1  # a bare verb is less ambiguous than a noun phrase
    score += 0.1 if ev.mode else 0.0
    return round(min(score, 1.0), 2)


def extract_events(articles: pa.Table, docs: list, mentions: pa.Table, settings: Settings) -> pa.Table:
    """Codes every sentence of every article; returns `event_mentions` rows (event_id still null)."""
    if articles.num_rows == 0:
        return EVENT_MENTION.empty_table()
    by_article: dict[str, list[tuple[int, int, str, str]]] = {}
    for m in mentions.select(["article_id", "start_char", "end_char", "entity_id", "label"]).to_pylist():
        by_article.setdefault(m["article_id"], []).append(
            (m["start_char"], m["end_char"], m["entity_id"], m["label"]))
    actor_labels = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
    place_labels = {"GPE", "LOC", "FAC"}
    published = articles.column("published_at").to_pylist()
    rows = []
    actors = load_actors(settings.actor_dictionary)
    for article_id, text, pub, doc in zip(articles.column("article_id").to_pylist(),
                                          articles.column("text").to_pylist(), published, docs):
        if doc is None or doc.lang_ not in settings.event_languages:  # no model, or not the dictionaries' language
            continue
        spans = sorted(by_article.get(article_id, []))
        starts = [s[0] for s in spans]
        known = person_countries(doc, actors, pub.year if pub else None)
        base = dates.article_base(pub, [e.text for e in doc.ents if e.label_ == "DATE"])
        told: list[str] = []  # the article's DATE phrases so far, for "two weeks later"
        for sent_i, sent in enumerate(doc.sents):
            ev = code_sentence(sent, known)
            if ev is None:
                told += [e.text for e in sent.ents if e.label_ == "DATE"]
                continue
            start, end = sent.start_char, sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            event_date, precision = None, "unknown"
            phrases = [e.text for e in sent.ents if e.label_ == "DATE"]
            for k, phrase in enumerate(phrases):
                previous = _last_day(told + phrases[:k], base) if dates.is_anaphoric(phrase) else None
                event_date, precision = dates.resolve(phrase, base, previous)
                if event_date is not None:
                    break
            told += phrases
            place_id = place_text = None
            for i in ev.place_i:
                tok = doc[i]
                eid = _entity_at(spans, starts, Actor(tok.idx, tok.idx + len(tok), tok.text, i),
                                 tok.idx, place_labels)
                if eid:
                    place_id, place_text = eid, tok.text
                    ent = next((e for e in sent.ents if e.start <= i < e.end), None)
                    place_text = ent.text if ent is not None else tok.text
                    break
            src, tgt = ev.source, ev.target
            rows.append({
                "mention_id": ids.digest("event_mention", article_id, str(start), str(end)),
                "event_id": None,
                "article_id": article_id,
                "sentence": text[start:end],
                "start_char": start,
                "end_char": end,
                "sentence_index": sent_i,
                "trigger": ev.trigger,
                "event_type": ev.event_type,
                "mode": ev.mode,
                "quad_class": ev.quad_class,
                "source_entity_id": _entity_at(spans, starts, src, doc[src.head_i].idx if src else None,
                                               actor_labels),
                "source_text": src.text if src else None,
                "source_country": src.country if src else None,
                "source_sector": src.sector if src else None,
                "target_entity_id": _entity_at(spans, starts, tgt, doc[tgt.head_i].idx if tgt else None,
                                               actor_labels),
                "target_text": tgt.text if tgt else None,
                "target_country": tgt.country if tgt else None,
                "target_sector": tgt.sector if tgt else None,
                "location_entity_id": place_id,
                "location_text": place_text,
                "event_date": event_date,
                "date_precision": precision,
                "is_negated": ev.is_negated,
                "is_future": ev.is_future,
                "is_hypothetical": ev.is_hypothetical,
                "confidence": confidence(ev),
            })
    return from_rows(rows, EVENT_MENTION)

