"""The Parquet lake mirrors the warehouse: every table, every partition, also after a kill."""

import shutil

import duckdb
import pytest

from tasks.store import lake
from warehouse import db


def _articles(con, run_id, days, per_day=3):
    for day in days:
        con.execute(
            "insert into articles (article_id, source, text, content_hash, ingested_at, run_id) "
            "select ? || i, 'f.txt', 'text', ? || i, cast(? as timestamptz), ? from range(?) t(i)",
            [f"{run_id}-{day}-", f"{run_id}-{day}-", f"{day} 02:00:00+00", run_id, per_day])
        con.execute(
            "insert into raw_documents (raw_id, source, body, body_format, first_seen, run_id) "
            "select ? || i, 'f.txt', 'body', 'text', cast(? as timestamptz), ? from range(?) t(i)",
            [f"{run_id}-{day}-", f"{day} 02:00:00+00", run_id, per_day])


@pytest.fixture
def warehouse(tmp_path):
    con = db.connect(tmp_path / "newsflow.duckdb")
    con.execute("insert into runs (run_id, started_at, status) values ('r1', now(), 'success')")
    con.execute("insert into fetch_log (fetch_id, url, kind, outcome, fetched_at, run_id) "
                "values ('f1', 'https://example.org/', 'page', 'ok', now(), 'r1')")
    _articles(con, "r1", ["2025-05-15", "2025-05-16"])
    yield con, tmp_path / "lake"
    con.close()


def assert_lake_equals_warehouse(con, lake_dir):
    for table in lake.lake_tables(con):
        folder = lake_dir / table
        if table in lake.PARTITIONED:
            key = lake.PARTITIONED[table][1]
            got = con.execute(f"select * exclude ({key}) from read_parquet('{folder}/*/*.parquet', "
                              "hive_partitioning = true) order by all").fetchall()
        else:
            got = con.execute(f"select * from read_parquet('{folder}/{table}.parquet') order by all").fetchall()
        assert got == con.execute(f"select * from {table} order by all").fetchall(), table


def test_every_table_is_exported(warehouse):
    con, lake_dir = warehouse
    written = lake.export_lake(con, lake_dir, "r1")
    assert {"fetch_log", "raw_documents", "runs", "articles", "mentions", "quarantine"} <= set(written)
    assert sorted(p.name for p in (lake_dir / "articles").iterdir()) == ["ingest_date=2025-05-15",
                                                                         "ingest_date=2025-05-16"]
    assert (lake_dir / "raw_documents" / "first_seen_date=2025-05-16").is_dir()
    assert_lake_equals_warehouse(con, lake_dir)


def test_partitions_the_lake_lacks_are_rebuilt_by_a_run_that_loads_nothing(warehouse):
    con, lake_dir = warehouse
    lake.export_lake(con, lake_dir, "r1")
    shutil.rmtree(lake_dir / "articles")  # killed before the export: no articles/ at all
    shutil.rmtree(lake_dir / "raw_documents" / "first_seen_date=2025-05-15")
    written = lake.export_lake(con, lake_dir, "r2")  # a re-run that loaded nothing new
    assert written["articles"] == 6 and written["raw_documents"] == 3
    assert_lake_equals_warehouse(con, lake_dir)


def test_partitions_out_of_step_are_rewritten_and_vanished_ones_removed(warehouse):
    con, lake_dir = warehouse
    lake.export_lake(con, lake_dir, "r1")
    _articles(con, "r0", ["2025-05-16"], per_day=5)  # rows of a day the lake has, by another run
    con.execute("delete from articles where cast(ingested_at as date) = '2025-05-15'")
    written = lake.export_lake(con, lake_dir, "r2")
    assert written["articles"] == 8  # only the day whose count differs
    assert not (lake_dir / "articles" / "ingest_date=2025-05-15").exists()
    assert_lake_equals_warehouse(con, lake_dir)
    assert "articles" not in lake.export_lake(con, lake_dir, "r3")  # in step: nothing rewritten


def test_the_final_runs_row_replaces_the_snapshot(warehouse):
    con, lake_dir = warehouse
    lake.export_lake(con, lake_dir, "r1")
    con.execute("update runs set docs_path = 'docs/index.html', alert_status = 'not needed'")
    lake.export_runs(con, lake_dir)
    assert duckdb.sql(f"select docs_path, alert_status from '{lake_dir}/runs/runs.parquet'").fetchall() == [
        ("docs/index.html", "not needed")]
