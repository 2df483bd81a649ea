"""Parquet copies of every warehouse table under data/lake/<table>/, for tools that read files.

The lake mirrors the warehouse: every base table is exported (a table a migration adds is exported
without a change here). The two tables that grow with every night are Hive-partitioned by day
(`lake/articles/ingest_date=2025-05-16/part-0.parquet`, `lake/raw_documents/first_seen_date=.../`);
a run rewrites the partitions it loaded into, and also every partition whose row count differs from
the warehouse's (missing after a kill, a deleted folder, rows removed by hand), and removes the
partitions the warehouse no longer has. The other tables are rewritten whole, atomically.
`export_runs` rewrites the `runs` file once the run's row is final (docs, report, alert filled).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

ROW_GROUP = 128_000
# table -> (timestamp column, partition key): one folder per UTC day of that column.
PARTITIONED = {"articles": ("ingested_at", "ingest_date"), "raw_documents": ("first_seen", "first_seen_date")}


def lake_tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and table_type = 'BASE TABLE' order by table_name").fetchall()]


def _day(column: str) -> str:
    # UTC days, whatever the machine's time zone (DuckDB casts timestamptz in the session's zone).
    return f"strftime(timezone('UTC', {column}), '%Y-%m-%d')"


def export_lake(con, lake_dir: Path, run_id: str) -> dict[str, int]:
    """Brings every table's lake copy up to the warehouse; returns rows written per table."""
    lake_dir = Path(lake_dir)
    written: dict[str, int] = {}
    for table in lake_tables(con):
        if table in PARTITIONED:
            n = _export_partitioned(con, lake_dir / table, table, *PARTITIONED[table], run_id)
        else:
            n = _export_whole(con, lake_dir / table, table)
        if n is not None:
            written[table] = n
    return written


def export_runs(con, lake_dir: Path) -> int:
    """Rewrites the lake's `runs` after the run's row is complete (its last update comes after
    the data tables are exported)."""
    return _export_whole(con, Path(lake_dir) / "runs", "runs")


def export_final_runs(con, settings) -> None:
    """The end of every run, after its row is final; never fails the run (the warehouse is complete)."""
    if not settings.write_parquet:
        return
    try:
        export_runs(con, settings.lake_path)
    except Exception:
        logging.getLogger(__name__).exception("exporting the runs table to the lake failed")


def _export_whole(con, out: Path, table: str) -> int:
    data = con.sql(f'select * from "{table}"').to_arrow_table()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{table}.parquet.tmp"
    pq.write_table(data, tmp, row_group_size=ROW_GROUP)
    tmp.replace(out / f"{table}.parquet")  # readers never see a half-written file
    return data.num_rows


def lake_partition_rows(folder: Path, key: str) -> dict[str, int]:
    """Rows per partition of a Hive-partitioned table in the lake, from the Parquet footers only."""
    out: dict[str, int] = {}
    for part in folder.glob(f"{key}=*"):
        if part.is_dir():
            out[part.name.split("=", 1)[1]] = sum(pq.read_metadata(f).num_rows for f in part.glob("*.parquet"))
    return out


def _export_partitioned(con, out: Path, table: str, column: str, key: str, run_id: str) -> int | None:
    day = _day(column)
    held = dict(con.execute(f'select {day}, count(*) from "{table}" group by all').fetchall())
    touched = {r[0] for r in con.execute(f'select distinct {day} from "{table}" where run_id = ?',
                                         [run_id]).fetchall()}
    have = lake_partition_rows(out, key)
    stale = sorted(d for d, n in held.items() if d in touched or have.get(d) != n)
    for gone in set(have) - set(held):
        shutil.rmtree(out / f"{key}={gone}")
    if not stale:
        return None
    data = con.sql(f'select *, {day} as {key} from "{table}" where {day} in (select unnest(?::varchar[])) '
                   f"order by {key}", params=[stale]).to_arrow_table()
    ds.write_dataset(
        data, out, format="parquet", partitioning=[key], partitioning_flavor="hive",
        existing_data_behavior="delete_matching", basename_template="part-{i}.parquet",
        max_rows_per_group=ROW_GROUP, min_rows_per_group=min(ROW_GROUP, data.num_rows) or 1,
    )
    return data.num_rows
