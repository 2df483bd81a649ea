"""The only writer of the warehouse: bulk MERGE from Arrow, one transaction per batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from newsflow import ids
from newsflow.batches import Quarantined


@dataclass
class LoadCounts:
    articles: int = 0
    entities: int = 0
    mentions: int = 0
    quarantined: int = 0

    def add(self, other: "LoadCounts") -> None:
        for name in ("articles", "entities", "mentions", "quarantined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def quarantine_table(records: list[Quarantined], run_id: str, now: datetime) -> pa.Table:
    return pa.table({
        "quarantine_id": [ids.digest("quarantine", run_id, q.stage, q.source, q.reason) for q in records],
        "run_id": [run_id] * len(records),
        "stage": [q.stage for q in records],
        "source": [q.source for q in records],
        "reason": [q.reason for q in records],
        "payload": pa.array([q.payload_bytes() for q in records], pa.binary()),
        "created_at": pa.array([now] * len(records), pa.timestamp("us", tz="UTC")),
    })


def _merge(con, table: str, key: str, rows: pa.Table, extra: dict[str, object]) -> int:
    """Inserts the rows whose key is not in `table` yet; existing rows are left as they are."""
    if rows.num_rows == 0:
        return 0
    for name, value in extra.items():
        rows = rows.append_column(name, pa.array([value] * rows.num_rows))
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


def load_batch(con, run_id: str, now: datetime, articles: pa.Table, entities: pa.Table,
               mentions: pa.Table, quarantined: list[Quarantined]) -> LoadCounts:
    """Writes one validated batch atomically: a crash leaves the warehouse as before the batch."""
    counts = LoadCounts()
    con.execute("begin transaction")
    try:
        counts.articles = _merge(con, "articles", "article_id", articles,
                                 {"ingested_at": now, "run_id": run_id})
        counts.entities = _merge(con, "entities", "entity_id", entities,
                                 {"first_seen": now, "run_id": run_id})
        counts.mentions = _merge(con, "mentions", "mention_id", mentions, {"run_id": run_id})
        counts.quarantined = _merge(con, "quarantine", "quarantine_id",
                                    quarantine_table(quarantined, run_id, now), {})
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts
