"""Exact-duplicate detection: same canonical URL or same normalised text is loaded once.

Within a batch the first occurrence wins; across runs the warehouse is asked only about the
batch's own ids, hashes and URLs, so the cost grows with the batch, not with the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import pyarrow as pa

# (article_ids, content_hashes, urls) -> the article_id already stored for each key it knows
Lookup = Callable[[list[str], list[str], list[str]], dict[str, str]]


@dataclass(frozen=True)
class Duplicate:
    source: str
    article_id: str
    duplicate_of: str
    reason: str  # "same text" | "same url" | "same article"


def warehouse_lookup(con) -> Lookup:
    """A Lookup backed by the DuckDB `articles` table."""

    def lookup(article_ids: list[str], hashes: list[str], urls: list[str]) -> dict[str, str]:
        keys = pa.table({"k": pa.array(list({*article_ids, *hashes, *urls}), pa.string())})
        con.register("dedupe_keys", keys)
        try:
            # Three equi-joins, not one OR-join: each can use a hash join over the history.
            rows = con.execute(
                " union all ".join(
                    f"select k.k, a.article_id from dedupe_keys as k join articles as a on k.k = a.{col}"
                    for col in ("article_id", "content_hash", "url")
                )
            ).fetchall()
        finally:
            con.unregister("dedupe_keys")
        return dict(rows)

    return lookup


def _keys(row: dict) -> Iterable[tuple[str, str]]:
    yield "same article", row["article_id"]
    yield "same text", row["content_hash"]
    if row.get("url"):
        yield "same url", row["url"]


def dedupe_batch(articles: pa.Table, lookup: Lookup | None = None) -> tuple[pa.Table, list[Duplicate]]:
    """Returns the articles not seen before (in this batch or the warehouse) and the duplicates."""
    if articles.num_rows == 0:
        return articles, []
    rows = articles.select(["article_id", "content_hash", "url", "source"]).to_pylist()
    known: dict[str, str] = {}
    if lookup is not None:
        known = lookup([r["article_id"] for r in rows], [r["content_hash"] for r in rows],
                       [r["url"] for r in rows if r["url"]])
    keep, duplicates = [], []
    for row in rows:
        hit = next(((why, known[key]) for why, key in _keys(row) if key in known), None)
        if hit:
            duplicates.append(Duplicate(row["source"], row["article_id"], hit[1], hit[0]))
            keep.append(False)
            continue
        for _, key in _keys(row):
            known[key] = row["article_id"]
        keep.append(True)
    return articles.filter(pa.array(keep)), duplicates
