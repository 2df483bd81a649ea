"""Tiny batches for unit tests, built with the real schemas."""

from datetime import datetime, timezone

from newsflow import ids
from newsflow.batches import ARTICLE, ENTITY, MENTION, from_rows


def article(text="Delegations from Russia and Ukraine met in Istanbul on Friday for talks. " * 3,
            url=None, source="a.txt", **over):
    h = ids.content_hash(text)
    row = dict(article_id=ids.article_id(url, h), source=source, url=url, title="Talks", text=text,
               published_at=datetime(2025, 5, 16, tzinfo=timezone.utc), language="en",
               site_name=None, author=None, content_hash=h, body_format="text", encoding="utf-8",
               outlet="example.org", language_detected="en", nlp_status="ok")
    row.update(over)
    return row


def articles(*rows):
    return from_rows(list(rows), ARTICLE)


def entity(name="Istanbul", label="GPE"):
    return {"entity_id": ids.entity_id(name, label), "name": name, "label": label}


def mention(art, name="Istanbul", label="GPE", start=None, end=None, text=None):
    start = art["text"].index(name) if start is None else start
    end = start + len(name) if end is None else end
    return {"mention_id": ids.mention_id(art["article_id"], start, end, label),
            "article_id": art["article_id"], "entity_id": ids.entity_id(name, label),
            "text": text or art["text"][start:end], "label": label, "start_char": start,
            "end_char": end, "sentence_index": 0}


def entities(*rows):
    return from_rows(list(rows), ENTITY)


def mentions(*rows):
    return from_rows(list(rows), MENTION)
