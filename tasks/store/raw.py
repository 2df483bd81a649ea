"""Raw documents: every input kept as read (text or HTML, decoded) so that it can be re-processed.

`raw_documents` rows are written in the same transaction as the batch they came in with; a backfill
or a quarantine retry reads them back as a RAW batch and sends them through clean → ... → load again.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from newsflow import ids
from newsflow.batches import RAW

RAW_COLUMNS = RAW.names


def raw_documents(raw: pa.Table) -> pa.Table:
    """RAW batch -> `raw_documents` rows (the loader adds first_seen and run_id)."""
    keys = zip(raw.column("url").to_pylist(), raw.column("source").to_pylist(), raw.column("body").to_pylist())
    raw_ids = [ids.digest("raw", url or source, body) for url, source, body in keys]
    seen: set[str] = set()
    first = [not (r in seen or seen.add(r)) for r in raw_ids]  # one row per id: MERGE needs unique keys
    return raw.add_column(0, "raw_id", pa.array(raw_ids, pa.string())).filter(pa.array(first, pa.bool_()))


def raw_ids_between(con, since: datetime, until: datetime | None) -> list[str]:
    """Ids of the raw documents first seen in [since, until), oldest first."""
    sql = "select raw_id from raw_documents where first_seen >= ?"
    params: list = [since]
    if until is not None:
        sql += " and first_seen < ?"
        params.append(until)
    return [r[0] for r in con.execute(sql + " order by first_seen, raw_id", params).fetchall()]


def raw_ids_for_sources(con, sources: list[str]) -> dict[str, str]:
    """source -> the id of its latest raw document, for the given sources."""
    if not sources:
        return {}
    con.register("wanted_sources", pa.table({"source": pa.array(sources, pa.string())}))
    try:
        rows = con.execute(
            "select source, arg_max(raw_id, first_seen) from raw_documents "
            "where source in (select source from wanted_sources) group by source").fetchall()
    finally:
        con.unregister("wanted_sources")
    return dict(rows)


def read_raw(con, raw_ids: list[str]) -> pa.Table:
    """The RAW batch for these ids, in the order given."""
    con.register("wanted_raw", pa.table({"raw_id": pa.array(raw_ids, pa.string()),
                                         "pos": pa.array(range(len(raw_ids)), pa.int64())}))
    try:
        table = con.sql(f"select {', '.join('r.' + c for c in RAW_COLUMNS)} from raw_documents r "
                        "join wanted_raw w using (raw_id) order by w.pos").to_arrow_table()
    finally:
        con.unregister("wanted_raw")
    return table.cast(RAW)
