"""Event mentions: every sentence of a batch coded (CAMEO code, PLOVER category), its actors tied to
entity rows.

Works on the spaCy Docs the entities stage already parsed (one `nlp.pipe` per batch, see
`tasks.nlp.parse`), so the parser runs once. Produces one `event_mentions` row per coded sentence;
`tasks/events/consolidate.py` later gives each factual one its `event_id`. The article's date (its
publication, else the latest date it states) picks the office holders of dated roles ("Putin" is RUSGOV).
"""

from __future__ import annotations

from bisect import bisect_right
import pyarrow as pa

from newsflow import ids
from newsflow.batches import from_rows
from newsflow.config import Settings
from tasks.events import dates
from tasks.events.actors import load as load_actors
from tasks.events.coding import CodedEvent, Context, code_sentence, discarded
from tasks.events.parties import Actor, entities, sentence_entities
from tasks.events.weapons import assault_mode

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
    ("cameo_code", pa.string()),          # CAMEO event code ("046"); PLOVER type/mode/context follow from it
    ("goldstein", pa.float64()),          # GDELT's Goldstein score of cameo_code
    ("plover_context", pa.string()),      # PLOVER context of cameo_code ("diplomatic", "military", ...)
    ("is_root_event", pa.bool_()),        # in the article's lead (its title or first paragraph), as GDELT
    ("source_entity_id", pa.string()),
    ("source_text", pa.string()),
    ("source_country", pa.string()),
    ("source_sector", pa.string()),
    ("source_code", pa.string()),         # CAMEO actor code: "RUSGOV", "IGOUNO", "UKRMIL"
    ("target_entity_id", pa.string()),
    ("target_text", pa.string()),
    ("target_country", pa.string()),
    ("target_sector", pa.string()),
    ("target_code", pa.string()),
    ("location_entity_id", pa.string()),
    ("location_text", pa.string()),
    ("location_inferred", pa.bool_()),    # true: the sentence names no place; the story's place is used
    ("event_date", pa.date32()),
    ("date_precision", pa.string()),
    ("is_negated", pa.bool_()),
    ("is_future", pa.bool_()),
    ("is_hypothetical", pa.bool_()),
    ("confidence", pa.float32()),
])


def _entity_at(spans: list[tuple[int, int, str, str]], starts: list[int], actor: Actor | None,
               labels: set[str]) -> str | None:
    """The entity mention that names the actor (a pronoun's antecedent for a pronoun): the one holding
    its head word, else the first inside its phrase."""
    if actor is None:
        return None
    lo_char = actor.ref_start if actor.ref_start is not None else actor.start_char
    hi_char = actor.ref_end if actor.ref_end is not None else actor.end_char
    head_char = actor.head_char if actor.ref_start is None else None
    lo = bisect_right(starts, lo_char - 1) - 1
    inside = []
    for s, e, eid, label in spans[max(lo, 0):]:
        if s >= hi_char:
            break
        if e <= lo_char or label not in labels:
            continue
        if head_char is not None and s <= head_char < e:
            return eid
        inside.append(eid)
    return inside[0] if inside else None


def lead_end(text: str, min_words: int = 20) -> int:
    """Where the article's lead ends: after its first paragraph of at least `min_words` words (the
    title and short standfirst lines before it belong to the lead too)."""
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if len(line.split()) >= min_words:
            return pos
    return len(text)


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
        base = dates.article_base(pub, [e.text for e in entities(doc) if e.label_ == "DATE"])
        ctx = Context.of(doc, actors, base.date() if base else None)
        lead = lead_end(text)
        told: list[str] = []  # the article's DATE phrases so far, for "two weeks later"
        story_discard = discarded(text, story=True)  # a sports or entertainment story codes no event
        for sent_i, sent in enumerate(doc.sents):
            ev = None if story_discard else code_sentence(sent, ctx)
            if ev is None:
                told += [e.text for e in sentence_entities(sent) if e.label_ == "DATE"]
                continue
            start, end = sent.start_char, sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            event_date, precision = None, "unknown"
            phrases = dates.event_date_phrases(sent, ev.trigger_i)
            for k, phrase in enumerate(phrases):
                previous = _last_day(told + phrases[:k], base) if dates.is_anaphoric(phrase) else None
                event_date, precision = dates.resolve(phrase, base, previous)
                if event_date is not None:
                    break
            told += [e.text for e in sentence_entities(sent) if e.label_ == "DATE"]
            place_id = place_text = None
            for i in ev.place_i:
                tok = doc[i]
                eid = _entity_at(spans, starts, Actor(tok.idx, tok.idx + len(tok), tok.text, i, head_char=tok.idx),
                                 place_labels)
                if eid:
                    ent = next((e for e in sentence_entities(sent) if e.start <= i < e.end), None)
                    place_id, place_text = eid, ent.text if ent is not None else tok.text
                    break
            src, tgt = ev.source, ev.target
            mode = ev.mode
            if ev.event_type == "ASSAULT" and mode is None:
                mode = assault_mode(sent)  # "drone attack", "air strike": the weapon the sentence names
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
                "mode": mode,
                "quad_class": ev.quad_class,
                "cameo_code": ev.cameo_code,
                "goldstein": ev.goldstein,
                "plover_context": ev.context,
                "is_root_event": start < lead,
                "source_entity_id": _entity_at(spans, starts, src, actor_labels),
                "source_text": src.text if src else None,
                "source_country": src.country if src else None,
                "source_sector": src.sector if src else None,
                "source_code": src.code if src else None,
                "target_entity_id": _entity_at(spans, starts, tgt, actor_labels),
                "target_text": tgt.text if tgt else None,
                "target_country": tgt.country if tgt else None,
                "target_sector": tgt.sector if tgt else None,
                "target_code": tgt.code if tgt else None,
                "location_entity_id": place_id,
                "location_text": place_text,
                "location_inferred": False,
                "event_date": event_date,
                "date_precision": precision,
                "is_negated": ev.is_negated,
                "is_future": ev.is_future,
                "is_hypothetical": ev.is_hypothetical,
                "confidence": confidence(ev),
            })
    return from_rows(rows, EVENT_MENTION)
