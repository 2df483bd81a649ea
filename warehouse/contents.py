"""The contents of a warehouse, minus what depends on when and by which run rows were written.

A run restarted after a crash must leave exactly the tables an uninterrupted run leaves: the crash
test and `benchmarks/reliability.py` compare every base table with `differences`. Left out are the
`runs` table (the killed run is a row of its own) and the columns that record a run or a clock
rather than the data (`RUN_TIME`).
"""

from __future__ import annotations

from collections import Counter

RUN_TIME = frozenset({
    "run_id", "retry_run_id",                    # which run wrote the row
    "ingested_at", "first_seen", "last_seen",    # load times (stories' and events' fall back to them)
    "created_at", "retried_at", "fetched_at", "applied_at",
    "quarantine_id",                             # derived from the run_id
})
SKIPPED_TABLES = frozenset({"runs"})


def contents(con) -> dict[str, list[tuple]]:
    """Every base table's rows (all columns but RUN_TIME), sorted."""
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
        "and table_schema = 'main' order by table_name").fetchall()]
    out = {}
    for table in tables:
        if table in SKIPPED_TABLES:
            continue
        cols = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_name = ? and table_schema = 'main' "
            "order by ordinal_position", [table]).fetchall() if r[0] not in RUN_TIME]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = [tuple(_frozen(v) for v in row)
                      for row in con.execute(f'select {quoted} from "{table}" order by all').fetchall()]
    return out


def _frozen(value):
    """Lists and structs as tuples, so rows can be counted."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    return value


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]], sample: int = 2) -> dict[str, str]:
    """Per table that differs: how many rows only one side has, with a few of them."""
    out = {}
    for table in sorted(set(a) | set(b)):
        left, right = Counter(a.get(table, [])), Counter(b.get(table, []))
        only_a, only_b = left - right, right - left
        if only_a or only_b:
            out[table] = (f"{sum(only_a.values())} row(s) only in the first, {sum(only_b.values())} only in the "
                          f"second; e.g. {list(only_a)[:sample]} / {list(only_b)[:sample]}")
    return out
