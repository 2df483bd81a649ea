"""The lake equals the warehouse after a real run: every table, the final runs row, and the
partitions a killed run never exported, rebuilt by a re-run that loads nothing new."""

import shutil

import duckdb
import pytest

from tasks.store import lake
from tests.conftest import SEEDS
from tests.store.test_lake import assert_lake_equals_warehouse

pytestmark = pytest.mark.e2e


def test_a_rerun_rebuilds_what_the_lake_lacks_and_its_runs_rows_are_final(seeds_warehouse, tmp_path):
    from flows.nightly import nightly, run_flow

    src, _ = seeds_warehouse
    shutil.copytree(src.parent, tmp_path / "data", ignore=shutil.ignore_patterns("*.lock", "reports", "docs"))
    db = tmp_path / "data" / src.name
    shutil.rmtree(db.parent / "lake" / "articles")  # as a kill right after the last load left it
    shutil.rmtree(db.parent / "lake" / "raw_documents")
    (db.parent / "lake" / "fetch_log" / "fetch_log.parquet").unlink()
    again = run_flow(nightly, inputs=[str(SEEDS)], db_path=str(db))
    assert again["articles_new"] == 0 and again["articles_duplicate"] == 5
    with duckdb.connect(str(db), read_only=True) as con:
        assert_lake_equals_warehouse(con, db.parent / "lake")  # every table, the runs rows as final
        assert set(lake.lake_tables(con)) >= {"fetch_log", "raw_documents", "articles", "runs", "events"}
        final = con.execute(f"select docs_path, alert_status, report_path, status from "
                            f"read_parquet('{db.parent}/lake/runs/runs.parquet') where run_id = ?",
                            [again["run_id"]]).fetchone()
    assert final[0] and final[1] == "not needed" and final[2] and final[3] == "success"
