"""One quarantine row per input and reason, however often runs meet it; retries that re-read a file
kept without its bytes, and never mark a row that failed again as retried (issue 14)."""

from datetime import datetime, timedelta, timezone

from newsflow.batches import Quarantined
from tasks.store import quarantine
from tasks.store.load import load_batch
from warehouse import db

NOW = datetime(2026, 5, 16, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=1)


def rows(con):
    return con.execute("select source, reason, run_id, first_run_id, times_seen, created_at, last_seen "
                       "from quarantine order by source").fetchall()


def test_the_same_reject_twice_in_one_load_is_one_row():
    con = db.connect(":memory:")
    twice = [Quarantined("fetch", "https://news.example.org/gone", "WARC response is HTTP 404", None)] * 2
    counts = load_batch(con, "r1", NOW, {}, twice + [Quarantined("fetch", "x", "other", b"1")])
    assert counts["quarantine"] == 2 and len(rows(con)) == 2


def test_a_rerun_updates_the_row_it_met_before():
    con = db.connect(":memory:")
    bad = Quarantined("ingest", "in/pipe.txt", "cannot read file: not a regular file (a FIFO)", None)
    changed = Quarantined("ingest", "in/bad.html", "binary content (NUL bytes), not text", b"v1")
    load_batch(con, "r1", NOW, {}, [bad, changed])
    counts = load_batch(con, "r2", LATER, {}, [bad, Quarantined(changed.stage, changed.source, changed.reason, b"v2")])
    assert counts["quarantine"] == 1  # only the changed file (new bytes) is a new row
    assert rows(con) == [
        ("in/bad.html", changed.reason, "r1", "r1", 1, NOW, NOW),
        ("in/bad.html", changed.reason, "r2", "r2", 1, LATER, LATER),
        ("in/pipe.txt", bad.reason, "r2", "r1", 2, NOW, LATER),
    ]


def test_a_retry_rereads_a_file_kept_without_its_bytes(tmp_path):
    con = db.connect(":memory:")
    big = tmp_path / "big.txt"
    big.write_text("Delegates met on Monday. " * 100)
    gone = tmp_path / "gone.txt"
    load_batch(con, "r1", NOW, {}, [Quarantined("ingest", str(big), "file too large (2500 bytes > limit 1000)", None),
                                    Quarantined("ingest", str(gone), "cannot read file: No such file", None)])
    plan = quarantine.plan_retry(con)
    assert plan.files == [str(big)] and plan.payloads == [] and plan.skipped == 1
    assert quarantine.skipped_summary(plan) == [{
        "reason": "quarantined rows without a document to retry (the file is gone, or a fetch failed: run the "
                  "source again)", "count": 1, "examples": [str(gone)]}]


def test_a_row_the_retry_meets_again_stays_open():
    con = db.connect(":memory:")
    still_bad = Quarantined("ingest", "in/x.jsonl#L2", "invalid JSON at line 2: Expecting value (column 1)", "{")
    fixed = Quarantined("ingest", "in/y.txt", "file too large", b"now fine")
    load_batch(con, "r1", NOW, {}, [still_bad, fixed])
    plan = quarantine.plan_retry(con)
    assert len(plan.quarantine_ids) == 2
    load_batch(con, "retry1", LATER, {}, [still_bad])  # the retry quarantines the same line again
    quarantine.mark_retried(con, plan.quarantine_ids, "retry1", LATER)
    assert con.execute("select source, retried_at is not null, run_id from quarantine order by source").fetchall() == [
        ("in/x.jsonl#L2", False, "retry1"), ("in/y.txt", True, "r1")]
    assert [q for q in quarantine.plan_retry(con).quarantine_ids] == [plan.quarantine_ids[0]]
