"""Dates an article states, resolved to real dates: the `dates` table.

The model's DATE spans are values, not entities (TIME spans, clock times and durations, are dropped). Each is resolved with the event-dating
rules (tasks/events/dates.py: relative to the article's publication, else to the latest full date it
states; "two weeks later" counts from the last day named before it) and kept with what the words fix
(`precision` day | month | year). A span that names no date ("three years", "every day", "the age of
25") is dropped here; it has already served event dating, which reads the Docs.
"""

from __future__ import annotations

import pyarrow as pa

from newsflow import ids
from newsflow.batches import from_rows
from tasks.events import dates as resolver

DATE_LABELS = ("DATE",)  # TIME spans are clock times and durations ("90 minutes"): no dates
DATE_MENTION = pa.schema([
    ("date_id", pa.string()),
    ("article_id", pa.string()),
    ("text", pa.string()),            # exactly articles.text[start_char:end_char]
    ("label", pa.string()),           # DATE (the model's span type)
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
    ("sentence_index", pa.int32()),
    ("date", pa.date32()),            # the first day of the month/year for month/year precision
    ("precision", pa.string()),       # day | month | year
])


def extract_dates(articles: pa.Table, docs: list) -> pa.Table:
    rows = []
    published = articles.column("published_at").to_pylist()
    for article_id, text, pub, doc in zip(articles.column("article_id").to_pylist(),
                                          articles.column("text").to_pylist(), published, docs):
        if doc is None:
            continue
        spans = [e for e in doc.ents if e.label_ in DATE_LABELS]
        base = resolver.article_base(pub, [e.text for e in spans if e.label_ == "DATE"])
        sent_starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
        last_day, sent_i = None, 0
        for ent in spans:
            phrase = text[ent.start_char:ent.end_char]
            previous = last_day if resolver.is_anaphoric(phrase) else None
            day, precision = resolver.resolve(phrase, base, previous)
            if day is None or precision not in ("day", "month", "year"):
                continue
            if precision == "day":
                last_day = day
            while sent_i + 1 < len(sent_starts) and sent_starts[sent_i + 1] <= ent.start_char:
                sent_i += 1
            rows.append({
                "date_id": ids.digest("date", article_id, str(ent.start_char), str(ent.end_char)),
                "article_id": article_id, "text": phrase, "label": ent.label_,
                "start_char": ent.start_char, "end_char": ent.end_char, "sentence_index": sent_i,
                "date": day, "precision": precision,
            })
    return from_rows(rows, DATE_MENTION)
