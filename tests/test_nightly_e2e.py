"""The real nightly flow on seeds/: Prefect (test harness), spaCy, Great Expectations, DuckDB."""

import json
import shutil

import duckdb
import pyarrow.dataset as ds
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.e2e

TITLES = {
    "Russia and Ukraine Engage in First Direct Peace Talks in Istanbul",
    "Russian and Ukrainian negotiators hold first direct Peace Talks in over three years",
    "Talks about End of Conflicts? Another Round between Ukraine and Russia in Istanbul Wrap Up",
    "Russia Ukraine Peace Talks: Istanbul’s Key Negotiations",
    "BREAKING: Putin and Zelensky delegations meet face to face,Talks.",
}
BOILERPLATE_LINES = {
    "Leave a Reply", "No comments", "Ad", "Share", "0", "45", "1. Home page", "2. Breaking News",
    "Discuss, Share, Chat, Mail, Print, Copy Link", "Related Sources:",
    "Your email address will not be published. Required fields are marked *",
    "Thanks for viewing, your comments are appreciated.",
    "Need to contact us for gossips, news reports, adverts or anything?",
    "Email us on; olomoinfo@gmail.com",
}


@pytest.fixture(scope="module")
def seeded(prefect_harness, tmp_path_factory):
    """Runs the flow twice on the seeds; returns (db path, first summary, second summary, snapshot)."""
    from flows.nightly import nightly

    db = tmp_path_factory.mktemp("wh") / "newsflow.duckdb"
    first = nightly(inputs=[str(SEEDS)], db_path=str(db))
    snapshot = _snapshot(db)
    second = nightly(inputs=[str(SEEDS)], db_path=str(db))
    return db, first, second, snapshot


def _snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("articles", "entities", "mentions")}


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_five_articles_with_their_titles(seeded):
    db, first, *_ = seeded
    assert first["status"] == "success", first
    assert first["articles_new"] == 5 and first["docs_seen"] == 5 and first["quarantined"] == 0
    assert {r[0] for r in _query(db, "select title from articles")} == TITLES


def test_no_boilerplate_and_title_not_repeated(seeded):
    db, *_ = seeded
    for title, text in _query(db, "select title, text from articles"):
        lines = {line.strip() for line in text.split("\n")}
        assert not lines & BOILERPLATE_LINES, title
        assert text.split("\n")[0].strip() != title
        assert "**" not in text
    texts = " ".join(r[0] for r in _query(db, "select text from articles"))
    for sentence in ("We must move towards peace. Every day we lose means losing lives.",
                     "I hope I’m wrong—completely wrong.",
                     "a mutual prisoner exchange involving 1,000 individuals"):
        assert sentence in texts


def test_entity_offsets_are_exact(seeded):
    db, first, *_ = seeded
    rows = _query(db, "select a.text, m.text, m.start_char, m.end_char from mentions m "
                      "join articles a using (article_id)")
    assert len(rows) == first["rows_loaded"]["mentions"] > 100
    assert all(text[s:e] == surface for text, surface, s, e in rows)
    # every mention points at an entity row, and the headline junk did not become an entity
    assert _query(db, "select count(*) from mentions left join entities using (entity_id) "
                      "where entities.name is null") == [(0,)]
    names = {r[0] for r in _query(db, "select name from entities")}
    assert not any("Key Negotiations" in n for n in names)
    people = {r[0] for r in _query(db, "select name from entities where label = 'PERSON'")}
    assert {"Hakan Fidan", "Marco Rubio", "Vladimir Putin"} <= people


def test_second_run_changes_nothing(seeded):
    db, first, second, snapshot = seeded
    assert second["articles_new"] == 0 and second["articles_duplicate"] == 5
    assert set(second["rows_loaded"].values()) == {0}
    assert _snapshot(db) == snapshot


def test_runs_are_recorded(seeded):
    db, first, second, _ = seeded
    rows = _query(db, "select run_id, status, docs_seen, articles_new, validation_success, "
                      "flow_run_id, stage_seconds, finished_at from runs order by started_at")
    assert [r[0] for r in rows] == [first["run_id"], second["run_id"]]
    run = rows[0]
    assert run[1:5] == ("success", 5, 5, True)
    assert run[5] and run[7] is not None
    assert {"ingest", "clean", "entities", "validate", "load"} <= set(json.loads(run[6]))


def test_views_and_parquet_lake(seeded):
    db, *_ = seeded
    assert _query(db, "select count(*) from entity_counts_per_day")[0][0] > 0
    assert _query(db, "select count(*) from entity_counts_per_source")[0][0] > 0
    top = _query(db, "select entity_a, entity_b, articles from entity_cooccurrence "
                     "order by articles desc limit 1")[0]
    assert top[2] >= 4
    lake = db.parent / "lake"
    articles = ds.dataset(lake / "articles", format="parquet", partitioning="hive").to_table()
    assert articles.num_rows == 5 and "ingest_date" in articles.column_names
    assert (lake / "mentions" / "mentions.parquet").exists()


def test_bad_inputs_are_quarantined_and_the_night_goes_on(prefect_harness, tmp_path):
    from flows.nightly import nightly

    inputs = tmp_path / "in"
    shutil.copytree(SEEDS, inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (inputs / "feed.jsonl").write_text(
        json.dumps({"url": "https://example.org/future", "title": "From the future",
                    "text": "Delegations met again in Istanbul to talk about a ceasefire. " * 4,
                    "published_at": "2099-01-01T00:00:00Z"}) + "\n{not json\n", encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    state = nightly(inputs=[str(inputs), str(tmp_path / "missing.txt")], db_path=str(db), return_state=True)
    assert state.is_failed()  # a critical expectation failed: the Prefect flow run is Failed...
    summary = state.result(raise_on_failure=False)  # ...and carries the run summary
    assert summary["articles_new"] == 5
    assert summary["status"] == "failed" and not summary["validation_success"]
    reasons = dict(_query(db, "select source, reason from quarantine"))
    assert reasons[str(inputs / "empty.txt")] == "empty file"
    assert reasons[str(inputs / "image.html")].startswith("binary content")
    assert reasons[str(tmp_path / "missing.txt")].startswith("path not found")
    assert reasons[f"{inputs / 'feed.jsonl'}#L2"].startswith("invalid JSON")
    assert "published_at" in reasons[f"{inputs / 'feed.jsonl'}#L1"]
    assert _query(db, "select count(*) from quarantine where payload is not null")[0][0] >= 3
