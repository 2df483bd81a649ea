"""Amounts that matter (GKG Counts style): "1,000 prisoners", "41 strategic bombers", "$7 billion".

From the batch's spaCy Docs: a CARDINAL number that modifies a noun (the counted object, with its
adjectives and compounds), and every MONEY and QUANTITY entity. Years, ordinals, dates and bare
numbers with nothing counted are left out.
"""

from __future__ import annotations

import re

import pyarrow as pa

from newsflow import ids
from newsflow.batches import from_rows

AMOUNT = pa.schema([
    ("amount_id", pa.string()),
    ("article_id", pa.string()),
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("object", pa.string()),
    ("text", pa.string()),
    ("sentence", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
])

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mln": 1e6, "bn": 1e9}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
          "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "dozens": 24, "hundreds": 200,
          "thousands": 2000}
_CURRENCY = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "dollar": "USD", "euro": "EUR",
             "pound": "GBP", "rouble": "RUB", "ruble": "RUB", "hryvnia": "UAH", "lira": "TRY", "yuan": "CNY"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def parse_value(text: str) -> float | None:
    """The number a phrase states: "1,000" -> 1000, "$7 billion" -> 7e9, "41" -> 41, "two" -> 2."""
    low = text.lower()
    m = _NUMBER.search(low)
    if m:
        raw = m.group()
        value = float(raw.replace(",", "")) if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?", raw) \
            else float(raw.replace(".", "").replace(",", "."))
    else:
        words = [w for w in re.findall(r"[a-z]+", low) if w in _WORDS]
        if not words:
            return None
        value = float(_WORDS[words[0]])
    for word, scale in _SCALE.items():
        if re.search(rf"\b{word}\b", low):
            value *= scale
            break
    return value


def _unit(ent) -> str:
    low = ent.text.lower()
    for sym, code in _CURRENCY.items():
        if (not sym.isalpha() and sym in low) or re.search(rf"\b{re.escape(sym)}s?\b", low):
            return code
    if ent.label_ == "QUANTITY":
        words = [t.lemma_.lower() for t in ent if t.is_alpha and t.lower_ not in _SCALE and t.lower_ not in _WORDS]
        return words[-1] if words else "quantity"
    return "count"


def _object(ent) -> tuple[str | None, int]:
    """The counted noun phrase after a cardinal ("41 strategic bombers") and its end character."""
    root = ent.root
    head = root.head
    if root.dep_ == "nummod" and head.pos_ in ("NOUN", "PROPN") and head.i >= ent.end:
        start = ent.end
        return ent.doc[start:head.i + 1].text, ent.doc[head.i].idx + len(head)
    # "1,000 of them" or "a prisoner exchange involving 1,000 individuals" (the number is the object)
    return None, ent.end_char


def extract_amounts(articles: pa.Table, docs: list) -> pa.Table:
    rows = []
    for article_id, text, doc in zip(articles.column("article_id").to_pylist(),
                                     articles.column("text").to_pylist(), docs):
        if doc is None:  # no model for the article's language
            continue
        for ent in doc.ents:
            if ent.label_ not in ("CARDINAL", "MONEY", "QUANTITY"):
                continue
            value = parse_value(ent.text)
            if value is None:
                continue
            obj, end = _object(ent)
            if ent.label_ == "CARDINAL" and (obj is None or ent.text.lower() == "one"):
                continue  # a bare number with nothing counted, or the pronoun-like "one", is not an amount
            if ent.label_ == "MONEY":
                prep = next((c for c in ent.root.children if c.dep_ == "prep" and c.lower_ in ("in", "of", "for")), None)
                pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
                obj = pobj.text if pobj is not None else None
                end = ent.end_char
            start = ent.start_char
            sent = ent.sent
            rows.append({
                "amount_id": ids.digest("amount", article_id, str(start), str(end)),
                "article_id": article_id,
                "value": value,
                "unit": _unit(ent),
                "object": obj,
                "text": text[start:end],
                "sentence": sent.text.strip(),
                "start_char": start,
                "end_char": end,
            })
    return from_rows(rows, AMOUNT)
