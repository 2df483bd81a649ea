"""Arrow schemas of the batches that flow between stages, and the quarantine record.

Stages exchange `pyarrow.Table`s with these schemas; a stage that rejects an input returns a
`Quarantined` record for it instead of dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

# One input document as read from a file, a JSONL line or (later) the web, before cleaning.
RAW = pa.schema([
    ("source", pa.string()),        # file path (plus "#L<n>" for a JSONL line) or URL
    ("url", pa.string()),           # the article's URL when the input gives one
    ("title", pa.string()),         # a title given by the input (JSONL), else null
    ("body", pa.string()),          # decoded text or HTML
    ("body_format", pa.string()),   # "text" | "html"
    ("encoding", pa.string()),      # the detected or declared encoding of the bytes
    ("published_at", TS),
    ("site_name", pa.string()),
    ("author", pa.string()),
    ("language", pa.string()),      # as the input declares it (HTML lang, feed, JSONL, [[sources]])
    ("published_precision", pa.string()),  # second | minute | day | month (newsflow/published.py)
    ("published_raw", pa.string()),  # the publication time as the input stated it
    ("decode_note", pa.string()),   # what decoding repaired, guessed or found truncated, else null
])

# A cleaned article: what `articles` stores, minus the load-time columns (ingested_at, run_id).
ARTICLE = pa.schema([
    ("article_id", pa.string()),
    ("source", pa.string()),
    ("url", pa.string()),
    ("title", pa.string()),
    ("text", pa.string()),
    ("published_at", TS),
    ("language", pa.string()),
    ("site_name", pa.string()),
    ("author", pa.string()),
    ("content_hash", pa.string()),
    ("body_format", pa.string()),
    ("encoding", pa.string()),
    ("outlet", pa.string()),               # tasks/text/outlet.py
    ("published_precision", pa.string()),  # second | minute | day | month; null with published_at
    ("published_raw", pa.string()),        # the stated value (kept also when it was rejected)
    ("language_declared", pa.string()),    # ISO 639-1 of the input's declaration (tasks/text/language.py)
    ("language_detected", pa.string()),    # py3langid's answer on the text
    ("nlp_status", pa.string()),           # ok | no_model:<lang> (tasks/nlp/parse.py)
    ("decode_note", pa.string()),          # carried from the RAW row (tasks/sources/decoding.py)
])

ENTITY = pa.schema([
    ("entity_id", pa.string()),
    ("name", pa.string()),
    ("label", pa.string()),
    # places (tasks/entities/places.py): null until the canonical step geocodes GPE/LOC/FAC and NORP
    ("latitude", pa.float64()),
    ("longitude", pa.float64()),
    ("country_code", pa.string()),
    ("geonames_id", pa.int64()),
    ("geo_type", pa.string()),  # country | city: what the coordinates are (a centroid or the city)
])

MENTION = pa.schema([
    ("mention_id", pa.string()),
    ("article_id", pa.string()),
    ("entity_id", pa.string()),
    ("text", pa.string()),
    ("label", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
    ("sentence_index", pa.int32()),
])


@dataclass(frozen=True)
class Quarantined:
    """An input a stage could not accept: kept whole, with the reason, for `quarantine`."""

    stage: str
    source: str
    reason: str
    payload: bytes | str | None

    def payload_bytes(self) -> bytes | None:
        if self.payload is None or isinstance(self.payload, bytes):
            return self.payload
        return self.payload.encode("utf-8", "surrogatepass")


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def from_rows(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def guarded(chunks, source: str, stage: str):
    """A stream of (RAW batch, rejects) chunks (JSONL, WARC) that never raises: whatever escapes the
    reader's own handling ends that file with one quarantine row; the chunks before it stand."""
    try:
        yield from chunks
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the night
        yield RAW.empty_table(), [Quarantined(stage, source, f"reading stopped by an unexpected error: "
                                                             f"{type(exc).__name__}: {exc} (the rows before it "
                                                             "are read, the rest is not)", None)]
