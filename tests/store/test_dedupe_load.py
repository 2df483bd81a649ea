from datetime import datetime, timezone

import pytest

from newsflow.batches import Quarantined
from tasks.text.dedupe import dedupe_batch, warehouse_lookup
from tasks.store.load import load_batch
from tests import factories as f
from warehouse import db

NOW = datetime(2025, 5, 17, tzinfo=timezone.utc)


@pytest.fixture
def con():
    c = db.connect(":memory:")
    yield c
    c.close()


def test_in_batch_duplicates_by_text_and_url():
    a = f.article(source="one.txt")
    same_text = f.article(source="copy/one.txt")
    b = f.article(text="Another article entirely, long enough to stand on its own here.",
                  url="https://example.org/x")
    same_url = f.article(text="A later edit of the same page with other words in it.",
                         url="https://example.org/x")
    kept, dups = dedupe_batch(f.articles(a, same_text, b, same_url))
    assert kept.column("source").to_pylist() == ["one.txt", b["source"]]
    assert [(d.source, d.reason) for d in dups] == [("copy/one.txt", "same article"),
                                                    (same_url["source"], "same url")]


def test_duplicates_across_runs_via_the_warehouse(con):
    a = f.article()
    load_batch(con, "r1", NOW, {"articles": f.articles(a)}, [])
    moved = f.article(source="elsewhere/a.txt")  # same content, other path
    kept, dups = dedupe_batch(f.articles(moved), warehouse_lookup(con))
    assert kept.num_rows == 0 and dups[0].duplicate_of == a["article_id"]


def test_load_is_an_idempotent_merge(con):
    a = f.article()
    tables = {"articles": f.articles(a), "entities": f.entities(f.entity()),
              "mentions": f.mentions(f.mention(a))}
    bad = [Quarantined("ingest", "bad.bin", "binary content", b"\x00\x01")]
    first = load_batch(con, "r1", NOW, tables, bad)
    second = load_batch(con, "r1", NOW, tables, bad)
    assert first == {"articles": 1, "entities": 1, "mentions": 1, "quarantine": 1}
    assert second == {"articles": 0, "entities": 0, "mentions": 0, "quarantine": 0}
    assert con.execute("select payload from quarantine").fetchone()[0] == b"\x00\x01"
    assert con.execute("select run_id, ingested_at from articles").fetchone() == ("r1", NOW)


def test_failed_load_rolls_back_the_whole_batch(con):
    a = f.article()
    bad_mention = f.mention(a)
    bad_mention["end_char"] = None  # not null constraint fails mid-batch
    with pytest.raises(Exception):
        load_batch(con, "r1", NOW, {"articles": f.articles(a), "entities": f.entities(f.entity()),
                                    "mentions": f.mentions(bad_mention)}, [])
    assert con.execute("select count(*) from articles").fetchone()[0] == 0
    assert con.execute("select count(*) from entities").fetchone()[0] == 0


def test_unknown_table_is_refused(con):
    with pytest.raises(ValueError, match="no loader"):
        load_batch(con, "r1", NOW, {"nonsense": f.articles()}, [])


def test_migrations_are_recorded_once(con):
    assert db.migrate(con) == []
    versions = [r[0] for r in con.execute("select version from schema_migrations").fetchall()]
    assert versions == sorted(versions) and versions[0] == "0001"
