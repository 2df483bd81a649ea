"""Parquet copies of the warehouse tables under data/lake/<table>/, for tools that read files.

Articles are Hive-partitioned by ingest date (lake/articles/ingest_date=2025-05-16/...); a run
rewrites only the partitions it touched, so the export stays proportional to the night's work.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

ROW_GROUP = 128_000
WHOLE_TABLES = ("entities", "mentions", "entity_aliases", "quotes", "quarantine", "runs", "stories",
                "events", "event_mentions", "amounts")


def export_lake(con, lake_dir: Path, run_id: str) -> dict[str, int]:
    """Writes the articles partitions this run loaded into, and the smaller tables whole."""
    lake_dir = Path(lake_dir)
    written: dict[str, int] = {}
    days = [r[0] for r in con.execute(
        "select distinct cast(ingested_at as date) from articles where run_id = ?", [run_id]).fetchall()]
    if days:
        articles = con.sql(
            "select *, cast(cast(ingested_at as date) as varchar) as ingest_date from articles "
            "where cast(ingested_at as date) in (select unnest(?::date[]))", params=[days]
        ).to_arrow_table()
        ds.write_dataset(
            articles, lake_dir / "articles", format="parquet", partitioning=["ingest_date"],
            partitioning_flavor="hive", existing_data_behavior="delete_matching",
            basename_template="part-{i}.parquet", max_rows_per_group=ROW_GROUP,
            min_rows_per_group=min(ROW_GROUP, articles.num_rows) or 1,
        )
        written["articles"] = articles.num_rows
    for table in WHOLE_TABLES:
        data = con.sql(f"select * from {table}").to_arrow_table()
        out = lake_dir / table
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".{table}.parquet.tmp"
        pq.write_table(data, tmp, row_group_size=ROW_GROUP)
        tmp.replace(out / f"{table}.parquet")  # readers never see a half-written file
        written[table] = data.num_rows
    return written
