"""Referential checks: a child row loads only when its parent is in the batch or in the warehouse.

These are the checks that need the warehouse, so they run in the writer (commit), after the
row-level suites ran where the batch was analysed. The suites still declare them (`<column>_exists`
expectations in expectations/*.json); they are evaluated here with Arrow, not by GX, because the
flag columns exist only once the warehouse was asked.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import pyarrow as pa

SAMPLE_SIZE = 5
EXISTS = "_exists"

# A child row whose parent row was rejected cannot load: (child column, parent table, parent column).
REFERENCES: dict[str, list[tuple[str, str, str]]] = {
    "mentions": [("article_id", "articles", "article_id"), ("entity_id", "entities", "entity_id")],
    "entity_aliases": [("entity_id", "mentions", "entity_id")],  # an alias needs a mention that loads
    "quotes": [("article_id", "articles", "article_id")],
    "event_mentions": [("article_id", "articles", "article_id")],
    "amounts": [("article_id", "articles", "article_id")],
    "dates": [("article_id", "articles", "article_id")],
}
# Rows kept only while some child row in the batch still points at them.
NEEDS_CHILD: dict[str, tuple[str, str]] = {"entities": ("entity_id", "mentions"),
                                           "events": ("event_id", "event_mentions"),
                                           "stories": ("story_id", "articles")}

# (parent table, parent column, values) -> the values the warehouse already holds
KnownKeys = Callable[[str, str, list], set]


def warehouse_keys(con) -> KnownKeys:
    """A KnownKeys backed by the DuckDB warehouse (one join per reference and batch)."""

    def known(table: str, column: str, values: list) -> set:
        if not values:
            return set()
        con.register("ref_keys", pa.table({"k": pa.array(list(set(values)), pa.string())}))
        try:
            rows = con.execute(f"select distinct t.{column} from {table} as t "
                               f"join ref_keys as r on t.{column} = r.k").fetchall()
        finally:
            con.unregister("ref_keys")
        return {r[0] for r in rows}

    return known


@lru_cache(maxsize=1)
def declared() -> dict[tuple[str, str], str]:
    """(suite, `<column>_exists`) -> the expectation type its suite declares for it."""
    from tasks.quality.validate import load_suite_configs

    out = {}
    for name, cfg in load_suite_configs().items():
        for e in cfg["expectations"]:
            column = e["kwargs"].get("column") or ""
            if column.endswith(EXISTS):
                out[(name, column)] = e["type"]
    return out


def is_reference_expectation(expectation: dict) -> bool:
    return (expectation["kwargs"].get("column") or "").endswith(EXISTS)


def reference_checks(rows: pa.Table, name: str, batch: dict[str, pa.Table],
                     known: KnownKeys | None) -> pa.Table:
    """Adds `<column>_exists` per REFERENCES entry: the parent is in the batch or the warehouse."""
    for col, parent, parent_col in REFERENCES.get(name, []):
        values = rows.column(col).to_pylist()
        found = set(batch[parent].column(parent_col).to_pylist()) if parent in batch else set()
        missing = [v for v in values if v is not None and v not in found]
        if known is not None and missing:
            found |= known(parent, parent_col, missing)
        rows = rows.append_column(f"{col}{EXISTS}", pa.array([v in found for v in values], pa.bool_()))
    return rows


def orphans(checked: pa.Table, name: str, outcome) -> dict[int, list[str]]:
    """Rows whose parent is nowhere -> the check each failed (named as its suite declares it, else
    `referential_integrity(<parent>)`); the failures go into `outcome` with the ids as samples."""
    from tasks.quality.validate import ExpectationFailure, label

    bad: dict[int, list[str]] = {}
    for col, parent, _ in REFERENCES.get(name, []):
        flag = f"{col}{EXISTS}"
        missing = [i for i, ok in enumerate(checked.column(flag).to_pylist()) if not ok]
        if not missing:
            continue
        values, ids = checked.column(col).to_pylist(), checked.column(0).to_pylist()
        failure = ExpectationFailure(
            suite=name, expectation=declared().get((name, flag), f"referential_integrity({parent})"),
            column=flag, severity="critical", unexpected_count=len(missing),
            sample=[values[i] for i in missing[:SAMPLE_SIZE]],  # the ids that point nowhere
            row_ids=[ids[i] for i in missing[:SAMPLE_SIZE]], id_column=checked.column_names[0])
        outcome.failures.append(failure)
        for i in missing:
            bad.setdefault(i, []).append(label(failure))
    return bad
