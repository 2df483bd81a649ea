"""Named entities from the batch's spaCy Docs (tasks/nlp/parse.py: one model per language).

Produces `entities` (one row per canonical name and label) and `mentions` (surface form and exact
character offsets into `articles.text`). Entities are named things (NAMED_LABELS); the model's value
spans (dates, times, money, quantities, percentages, numbers) are not: dates go to `dates`
(tasks/nlp/dates.py), amounts to `amounts` (tasks/nlp/amounts.py), and events read DATE spans from
the Docs directly. Models trained on WikiNER (French and others: PER, LOC, ORG, MISC) are mapped to
the OntoNotes labels; MISC (nationalities, events, works, products in one bag) is left out.
"""

from __future__ import annotations

import re

import pyarrow as pa

from newsflow import ids
from newsflow.batches import ENTITY, MENTION, from_rows
from newsflow.config import VALUE_LABELS, Settings  # noqa: F401 (VALUE_LABELS: re-exported)
from tasks.nlp.parse import parse_articles

# OntoNotes labels that name a thing; the default `entity_labels` keep the first seven. WORK_OF_ART,
# PRODUCT, LAW and LANGUAGE may be switched on: on news the small English model's ones are mostly
# noise ("Peace Talks" as WORK_OF_ART, "Readers" as PRODUCT on the seeds).
NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW",
                "LANGUAGE")
# WikiNER-trained pipelines (fr_core_news_sm, ...) -> OntoNotes; a place's exact type comes later
# from the gazetteer (tasks/entities/canonical.py), so LOC is enough here.
WIKINER = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}

_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_EDGE_JUNK = "\"'“”‘’«»()[]{},;:!?-–— \t\n"
# A final "." belongs to abbreviations ("U.S.", "Jr."); only a sentence period after a word goes.
_SENTENCE_PERIOD = re.compile(r"[^\W\d_]{3,}\.$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w’'.-]*", re.UNICODE)
# Words a title-case headline capitalises that are not names on their own.
_HEADLINE_MINOR = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of",
                   "on", "or", "over", "the", "to", "up", "vs", "with"}


def _is_headline(line: str) -> bool:
    """A short line without sentence punctuation whose words are mostly capitalised (title case)."""
    stripped = line.strip()
    words = _WORD.findall(stripped)
    if not words or len(words) > 14 or stripped.endswith((".", "!", "?", "\"", "”")):
        return False
    major = [w for w in words if w.lower() not in _HEADLINE_MINOR]
    if len(major) < 2:
        return False
    capitalised = sum(1 for w in major if w[0].isupper())
    return capitalised / len(major) >= 0.75


def headline_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of title-case lines (subheadings) inside a cleaned text."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if _is_headline(line):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drops quotes, punctuation, a leading 'the' and a possessive from a span, keeping offsets exact."""
    while start < end and (text[start] in _EDGE_JUNK or text[start] == "."):
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    if _SENTENCE_PERIOD.search(text[start:end]) and "." not in text[start:end - 1]:
        end -= 1
    lead = _LEADING_THE.match(text[start:end])
    if lead and end - start > lead.end():
        start += lead.end()
    poss = _POSSESSIVE.search(text[start:end])
    if poss and end - start > len(poss.group()) + 1:
        end -= 2 if poss.group()[-1] in "s" else 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    return start, end


def canonical_name(surface: str) -> str:
    """The name an entity row is keyed by: straight apostrophes, single spaces."""
    name = surface.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", name).strip()


def _in_body(name: str, text: str, headlines: list[tuple[int, int]]) -> bool:
    """True when `name` also occurs outside the headline lines (so the body corroborates it)."""
    for match in re.finditer(re.escape(name), text):
        if not any(s <= match.start() < e for s, e in headlines):
            return True
    return False


def extract_entities(articles: pa.Table, settings: Settings, nlp=None,
                     docs: list | None = None) -> tuple[pa.Table, pa.Table]:
    """Runs NER over the batch; returns (entities, mentions) tables.

    `docs`: the batch already parsed by `nlp.pipe` (events reuse the same Docs), so it is not parsed twice.
    """
    if articles.num_rows == 0:
        return ENTITY.empty_table(), MENTION.empty_table()
    if docs is None:
        docs = parse_articles(articles, settings, nlp=nlp)
    labels = set(settings.entity_labels) & set(NAMED_LABELS)
    article_ids = articles.column("article_id").to_pylist()
    texts = articles.column("text").to_pylist()
    entities: dict[str, dict] = {}
    mentions: list[dict] = []
    for article, text, doc in zip(article_ids, texts, docs):
        if doc is None:  # no model for the article's language (nlp_status says so)
            continue
        headlines = headline_spans(text)
        sent_starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
        seen: set[tuple[int, int, str]] = set()
        sent_i = 0
        for ent in doc.ents:
            label = WIKINER.get(ent.label_, ent.label_)
            if label not in labels:
                continue
            start, end = _trim(text, ent.start_char, ent.end_char)
            if end - start < 2 or not any(ch.isalnum() for ch in text[start:end]):
                continue
            surface = text[start:end]
            # Title-case subheadings make the tagger see names everywhere ("Key Negotiations" as ORG):
            # an entity found only in a headline must also appear in the body to count.
            if any(s <= start < e for s, e in headlines) and not _in_body(surface, text, headlines):
                continue
            key = (start, end, label)
            if key in seen:
                continue
            seen.add(key)
            while sent_i + 1 < len(sent_starts) and sent_starts[sent_i + 1] <= start:
                sent_i += 1
            name = canonical_name(surface)
            eid = ids.entity_id(name, label)
            entities.setdefault(eid, {"entity_id": eid, "name": name, "label": label})
            mentions.append({
                "mention_id": ids.mention_id(article, start, end, label),
                "article_id": article,
                "entity_id": eid,
                "text": surface,
                "label": label,
                "start_char": start,
                "end_char": end,
                "sentence_index": sent_i,
            })
    return from_rows(list(entities.values()), ENTITY), from_rows(mentions, MENTION)
