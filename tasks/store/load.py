"""The only writer of the warehouse: bulk MERGE from Arrow, one transaction per batch."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from newsflow import ids
from newsflow.batches import Quarantined
from tasks.entities import store as entity_store
from tasks.events import consolidate, stories

# Each loadable table: its key column and the load-time columns the loader adds to every row.
# A new table is one line here plus its migration (and, if it should be validated, a suite).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "raw_documents": ("raw_id", ("first_seen", "run_id")),
    "articles": ("article_id", ("ingested_at", "run_id")),
    "entities": ("entity_id", ("first_seen", "run_id")),
    "mentions": ("mention_id", ("run_id",)),
    "fetch_log": ("fetch_id", ("run_id",)),
    "entity_aliases": ("alias_id", ("first_seen", "run_id")),
    "quotes": ("quote_id", ("run_id",)),
    "stories": ("story_id", ("run_id",)),
    "story_moves": ("move_id", ("run_id",)),
    "events": ("event_id", ("run_id",)),
    "event_mentions": ("mention_id", ("run_id",)),
    "amounts": ("amount_id", ("run_id",)),
    "dates": ("date_id", ("run_id",)),
    "quarantine": ("quarantine_id", ()),
}
# Aggregates recomputed after the merge, in the same transaction, for the batch's keys only.
REFRESH = {"entities": entity_store.refresh, "stories": stories.refresh_stories,
           "events": consolidate.refresh_events}


def quarantine_id(q: Quarantined) -> str:
    """One id per input and reason, whichever run meets it: re-runs update the row, never add one."""
    payload = q.payload_bytes()
    return ids.digest("quarantine", q.stage, q.source, q.reason,
                      hashlib.sha256(payload).hexdigest() if payload is not None else "")


def quarantine_table(records: list[Quarantined], run_id: str, now: datetime) -> pa.Table:
    """The batch's quarantine rows, one per id: the same input rejected twice for one reason in one
    load (a WARC with a URI twice, a sitemap index listing a child twice) is one row, not a
    primary-key clash that would abort the batch's transaction."""
    unique: dict[str, Quarantined] = {}
    for q in records:
        unique.setdefault(quarantine_id(q), q)
    rows = list(unique.values())
    return pa.table({
        "quarantine_id": pa.array(list(unique), pa.string()),
        "run_id": pa.array([run_id] * len(rows), pa.string()),
        "stage": pa.array([q.stage for q in rows], pa.string()),
        "source": pa.array([q.source for q in rows], pa.string()),
        "reason": pa.array([q.reason for q in rows], pa.string()),
        "payload": pa.array([q.payload_bytes() for q in rows], pa.binary()),
        "created_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
        "last_seen": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
        "first_run_id": pa.array([run_id] * len(rows), pa.string()),
        "times_seen": pa.array([1] * len(rows), pa.int32()),
    })


def _merge_quarantine(con, rows: pa.Table) -> int:
    """New rejects are inserted; one seen before gets this run as its run_id, last_seen, one more
    times_seen, and is open for retry again (it failed again). Returns the number of new rows."""
    if rows.num_rows == 0:
        return 0
    con.register("load_src", rows)
    try:
        new = con.execute("select count(*) from load_src where quarantine_id not in "
                          "(select quarantine_id from quarantine)").fetchall()[0][0]
        cols = ", ".join(rows.column_names)
        con.execute(
            "merge into quarantine as t using load_src as s on t.quarantine_id = s.quarantine_id "
            "when matched then update set run_id = s.run_id, last_seen = s.last_seen, "
            "times_seen = coalesce(t.times_seen, 1) + 1, retried_at = null, retry_run_id = null "
            f"when not matched then insert ({cols}) values ({', '.join('s.' + c for c in rows.column_names)})"
        ).fetchall()
    finally:
        con.unregister("load_src")
    return int(new)  # new rows, as for every table; the updated ones were counted when first seen


def _merge(con, table: str, rows: pa.Table, load_values: dict[str, object]) -> int:
    """Inserts the rows whose key is not in `table` yet; existing rows are left as they are."""
    if rows.num_rows == 0:
        return 0
    key, extra = TABLES[table]
    for name in extra:
        rows = rows.append_column(name, pa.array([load_values[name]] * rows.num_rows))
    con.register("load_src", rows)
    try:
        cols = ", ".join(rows.column_names)
        vals = ", ".join(f"s.{c}" for c in rows.column_names)
        result = con.execute(
            f"merge into {table} as t using load_src as s on t.{key} = s.{key} "
            f"when not matched then insert ({cols}) values ({vals})"
        ).fetchall()  # fetch to the end: DuckDB 2 refuses new work while a result is open
    finally:
        con.unregister("load_src")
    return int(result[0][0]) if result else 0


def _replace_derived(con, articles: pa.Table) -> None:
    """Deletes the rows derived from these articles (every table with an article_id but articles)."""
    derived = [r[0] for r in con.execute(
        "select table_name from information_schema.columns where column_name = 'article_id' "
        "and table_name not in ('articles', 'raw_documents')").fetchall() if r[0] in TABLES]
    con.register("replaced_articles", articles.select(["article_id"]))
    try:
        for table in derived:
            con.execute(f"delete from {table} where article_id in "
                        "(select article_id from replaced_articles)").fetchall()
    finally:
        con.unregister("replaced_articles")


def load_batch(con, run_id: str, now: datetime, tables: dict[str, pa.Table],
               quarantined: list[Quarantined], replace: bool = False) -> dict[str, int]:
    """Writes one validated batch atomically: a crash leaves the warehouse as before the batch.

    `tables` maps table names (keys of TABLES) to Arrow rows; parents come before children in
    TABLES order. Returns the number of new rows per table. `replace` (backfill, retry): the batch's
    articles get their derived rows (mentions, ...) replaced by the batch's, not merged with them.
    """
    load_values = {"ingested_at": now, "first_seen": now, "run_id": run_id}
    batch = {**tables, "quarantine": quarantine_table(quarantined, run_id, now)}
    unknown = set(batch) - set(TABLES)
    if unknown:
        raise ValueError(f"no loader for table(s) {sorted(unknown)}")
    counts = {}
    con.execute("begin transaction")
    try:
        if replace and "articles" in batch and batch["articles"].num_rows:
            _replace_derived(con, batch["articles"])
        for table in TABLES:
            if table == "quarantine":
                counts[table] = _merge_quarantine(con, batch[table])
            elif table in batch:
                counts[table] = _merge(con, table, batch[table], load_values)
        for table, refresh in REFRESH.items():
            if table in batch:
                refresh(con, batch)
        _test_hold(batch)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts


def apply_entity_overrides(con, rules) -> dict[str, int]:
    """Curated entity merges/renames/drops applied to the stored rows, in one transaction."""
    con.execute("begin transaction")
    try:
        changed = entity_store.apply_overrides(con, rules)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return changed


_loads_with_articles = 0


def _test_hold(batch: dict[str, pa.Table]) -> None:
    """Test-only hook for the crash tests: NEWSFLOW_TEST_HOLD_LOAD="<n>:<marker file>" makes the nth
    batch with articles stop inside its open transaction (after touching the marker) until killed."""
    global _loads_with_articles
    hook = os.environ.get("NEWSFLOW_TEST_HOLD_LOAD")
    if not hook or batch.get("articles") is None or not batch["articles"].num_rows:
        return
    _loads_with_articles += 1
    n, marker = hook.split(":", 1)
    if _loads_with_articles == int(n):
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)
