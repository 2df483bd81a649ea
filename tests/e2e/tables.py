"""Every base table of a warehouse, in full, without the columns a run's clock or id fills in, so
two runs (different runners, different days) can be compared row for row."""

import duckdb

RUNTIME = {"run_id", "ingested_at", "first_seen", "last_seen", "created_at", "fetched_at", "retried_at",
           "retry_run_id", "quarantine_id", "applied_at", "first_run_id"}
SKIP = ("runs", "schema_migrations")


def contents(db) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for (table,) in con.execute("select table_name from information_schema.tables "
                                    "where table_type = 'BASE TABLE' order by 1").fetchall():
            if table in SKIP:
                continue
            cols = [c for (c,) in con.execute("select column_name from information_schema.columns where "
                                              "table_name = ? order by ordinal_position", [table]).fetchall()
                    if c not in RUNTIME]
            out[table] = con.execute(f"select {', '.join(cols)} from {table} order by all").fetchall()
        return out


def differences(a: dict, b: dict) -> dict[str, tuple[int, int]]:
    """Tables whose contents differ -> (rows in a, rows in b); empty when equal."""
    return {t: (len(a.get(t, [])), len(b.get(t, []))) for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)}
