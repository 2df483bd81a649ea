"""Unit tests of the operations pieces: writer lock, night profile checks, raw documents, quarantine."""

import time
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from newsflow.batches import RAW, Quarantined, from_rows
from tasks.quality import history
from tasks.store import load
from tasks.store import quarantine
from tasks.store import raw
from tests import factories as f
from warehouse import db
from warehouse.db import WarehouseBusy
from warehouse.lock import connect_writer, lock_path, writer_lock

NOW = datetime(2025, 5, 16, 2, tzinfo=timezone.utc)


def test_second_writer_waits_then_gives_up_with_a_clear_message(tmp_path):
    path = tmp_path / "wh.duckdb"
    with writer_lock(path, timeout=5):
        t0 = time.monotonic()
        with pytest.raises(WarehouseBusy, match="still being written by another newsflow run after waiting 1s"):
            with writer_lock(path, timeout=1):
                pass
        assert time.monotonic() - t0 >= 0.9
    with writer_lock(path, timeout=0):  # released: the next run goes straight in
        assert lock_path(path).exists()


def test_a_writer_waits_for_a_reader_then_gives_up(tmp_path):
    path = tmp_path / "wh.duckdb"
    db.connect(path).close()
    import subprocess
    import sys
    # A reader in another process holds DuckDB's shared lock for 3 s.
    reader = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, time, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print('open', flush=True); time.sleep(3)"), str(path)], stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "open"
    with pytest.raises(WarehouseBusy, match="in use by another process"):
        connect_writer(path, timeout=0.5)
    con = connect_writer(path, timeout=30)  # waits for the reader to finish
    con.close()
    reader.wait()


def test_night_checks_compare_with_recent_nights():
    cleaned = f.articles(f.article(outlet="kyivpost.com"), f.article(text="Another text about talks. " * 5,
                                                                    outlet="Reuters"),
                         f.article(text="Die Delegationen trafen sich am Freitag in Istanbul. " * 3,
                                   outlet="kyivpost.com", language="de", nlp_status="no_model:de"))
    loaded = cleaned.filter(pa.array([True, False, True]))
    profile = {}
    history.profile_batch(profile, cleaned, loaded, f.mentions())
    # sources are outlets; an article without a model for its language does not count against the
    # share of articles with entities
    assert profile["sources"]["kyivpost.com"] == {"documents": 2, "articles": 2, "parsed": 1, "without_entities": 1}
    assert profile["sources"]["Reuters"] == {"documents": 1, "articles": 0, "parsed": 0, "without_entities": 0}
    assert profile["nlp_status"] == {"ok": 1, "no_model:de": 1} and profile["languages"] == {"en": 1, "de": 1}
    nights = [{"sources": {"Reuters": {"documents": 3, "articles": 3, "without_entities": 0},
                           "AP": {"documents": 2, "articles": 2, "without_entities": 1}}},
              {"sources": {"Reuters": {"documents": 1, "articles": 1, "without_entities": 0},
                           "AP": {"documents": 1, "articles": 1, "without_entities": 0}}}]
    params = history.parameters(nights, tolerance_pct=25)
    assert params == {"recent_sources": ["AP", "Reuters"], "min_entity_share": 0.25}
    assert history.parameters([], 25) == {"recent_sources": [], "min_entity_share": 0.0}
    frame = history.night_frame(profile).to_pylist()
    assert {r["source_key"]: r["share_with_entities"] for r in frame} == {"kyivpost.com": 0.0, "Reuters": None}
    assert history.night_frame({})["documents"].to_pylist() == [0]  # an empty night still gets checked
    assert history.source_key(None, "https://www.bbc.co.uk/news/1", "x") == "www.bbc.co.uk"
    assert history.source_key(None, None, "feeds/day1/a.jsonl#L3") == "feeds/day1"


@pytest.fixture(scope="module")
def validator():
    from tasks.quality.validate import get_validator

    return get_validator()


def test_night_suite_flags_a_source_gone_quiet_and_a_drop_in_entities(validator):
    profile = {"sources": {"Reuters": {"documents": 4, "articles": 4, "without_entities": 4}}}
    params = {"recent_sources": ["AP", "Reuters"], "min_entity_share": 0.5}
    _, outcome = validator.validate(history.SUITE, history.night_frame(profile), params)
    failed = {x.expectation: x for x in outcome.failures}
    assert failed["expect_column_distinct_values_to_contain_set"].sample == ["AP"]
    assert failed["expect_column_values_to_be_between"].column == "share_with_entities"
    assert {x.severity for x in outcome.failures} == {"warning"}


def test_referential_integrity_against_the_warehouse(settings, validator, tmp_path):
    from tasks.quality.validate import validate_batch, warehouse_keys

    con = db.connect(tmp_path / "wh.duckdb")
    stored = f.article()
    load.load_batch(con, "r1", NOW, {"articles": f.articles(stored), "entities": f.entities(f.entity()),
                                     "mentions": f.mentions(f.mention(stored))}, [])
    orphan = f.mention(f.article(text="An article that was never loaded, about Istanbul talks. " * 2))
    known_parent = f.mention(stored, name="Russia", label="GPE")
    batch = {"articles": f.articles(), "entities": f.entities(f.entity("Russia", "GPE")),
             "mentions": f.mentions(known_parent, orphan)}
    # offsets are checked against the batch's texts only, so this checks references alone
    out, quarantined, report = validate_batch(batch, settings, validator, known=warehouse_keys(con))
    failures = {(x.expectation, x.column): x for o in report.outcomes for x in o.failures}
    orphan_failure = failures[("expect_column_values_to_be_in_set", "article_id_exists")]
    assert orphan_failure.sample == [orphan["article_id"]] and orphan_failure.severity == "critical"
    # both rows fail the offset checks (no text in the batch); only the orphan fails the reference check
    assert orphan_failure.unexpected_count == 1 and out["mentions"].num_rows == 0
    # each row names the checks it failed itself: only the orphan is blamed for the reference
    blamed = {q.payload.split('"mention_id": "')[1].split('"')[0]: q.reason for q in quarantined}
    assert "article_id_exists" in blamed[orphan["mention_id"]]
    assert "article_id_exists" not in blamed[known_parent["mention_id"]]
    con.close()


def test_orphans_are_rejected_even_without_a_suite_expectation(settings, validator, monkeypatch):
    from tasks.quality import validate  # "notes": a table with a reference but no suite of its own
    monkeypatch.setitem(validate.REFERENCES, "notes", [("article_id", "articles", "article_id")])
    notes = pa.table({"note_id": ["q1", "q2"], "article_id": [f.article()["article_id"], "nowhere"]})
    out, quarantined, report = validate.validate_batch(
        {"articles": f.articles(f.article()), "notes": notes}, settings, validator, known=lambda *a: set())
    assert out["notes"].column("note_id").to_pylist() == ["q1"]
    (failure,) = [x for o in report.outcomes for x in o.failures]
    assert (failure.expectation, failure.sample) == ("referential_integrity(articles)", ["nowhere"])
    assert not report.success and len(quarantined) == 1


def test_raw_documents_round_trip_and_replace_derived_rows(tmp_path):
    con = db.connect(tmp_path / "wh.duckdb")
    rows = [dict(source="a.txt", url=None, title=None, body="Talks in Istanbul. " * 6, body_format="text",
                 encoding="utf-8", published_at=None, site_name=None, author=None, language=None,
                 published_precision=None, published_raw="16 May 2025?")]
    batch = from_rows(rows * 2, RAW)  # the same document twice in one batch is one raw row
    a = f.article()
    counts = load.load_batch(con, "r1", NOW, {"raw_documents": raw.raw_documents(batch),
                                              "articles": f.articles(a), "entities": f.entities(f.entity()),
                                              "mentions": f.mentions(f.mention(a))}, [])
    assert counts["raw_documents"] == 1
    ids_ = raw.raw_ids_between(con, datetime(2025, 1, 1, tzinfo=timezone.utc), None)
    assert raw.read_raw(con, ids_).to_pylist() == [{**r, "decode_note": None} for r in rows]
    assert raw.raw_ids_between(con, datetime(2025, 6, 1, tzinfo=timezone.utc), None) == []
    # a backfill re-derives: the article's old mentions are replaced, not added to
    again = f.mention(a, name="Russia", label="GPE")
    load.load_batch(con, "r2", NOW, {"articles": f.articles(a), "entities": f.entities(f.entity("Russia", "GPE")),
                                     "mentions": f.mentions(again)}, [], replace=True)
    assert con.execute("select mention_id from mentions").fetchall() == [(again["mention_id"],)]
    con.close()


def test_quarantine_listing_and_retry_plan(tmp_path, settings):
    con = db.connect(tmp_path / "wh.duckdb")
    line = '{"url": "https://example.org/a", "text": "' + "Talks in Istanbul went on. " * 5 + '"}'
    q = [Quarantined("ingest", "feed.jsonl#L2", "invalid JSON at line 2", line),
         Quarantined("ingest", "gone.txt", "path not found: gone.txt", None),
         Quarantined("clean", "a.txt", "no article text after cleaning", "short")]
    stored = from_rows([dict(source="a.txt", url=None, title=None, body="short", body_format="text",
                             encoding="utf-8", published_at=None, site_name=None, author=None,
                             language=None)], RAW)
    load.load_batch(con, "r1", NOW, {"raw_documents": raw.raw_documents(stored)}, q)
    columns, rows = quarantine.list_quarantine(con, stage="ingest")
    assert columns[:4] == ["run_id", "stage", "reason", "rows"] and len(rows) == 2
    plan = quarantine.plan_retry(con)
    assert plan.skipped == 1 and len(plan.quarantine_ids) == 2
    assert plan.raw_ids == raw.raw_documents(stored).column("raw_id").to_pylist()
    batch, rejected = quarantine.read_payloads(plan.payloads, settings)
    assert batch.column("source").to_pylist() == ["feed.jsonl#L2"] and not rejected
    assert batch.column("url").to_pylist() == ["https://example.org/a"]
    quarantine.mark_retried(con, plan.quarantine_ids, "r2", NOW)
    assert quarantine.plan_retry(con).quarantine_ids == []
    con.close()


def test_serve_builds_the_nightly_deployment_with_its_schedule(settings):
    from flows.serve import build_deployment

    s = settings.with_overrides(schedule_cron="30 1 * * *", schedule_timezone="Europe/Berlin")
    deployment = build_deployment(s, ["feeds/"])
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "30 1 * * *" and schedule.schedule.timezone == "Europe/Berlin"
    assert deployment.parameters["inputs"] == ["feeds/"] and deployment.name == "nightly"
    assert build_deployment(settings).schedules[0].schedule.cron == "0 2 * * *"


def test_prefect_yaml_deploys_the_same_flow_and_schedule(settings):
    import yaml

    from tests.conftest import ROOT

    (deployment,) = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert (ROOT / path).exists() and name == "nightly"
    assert deployment["schedules"][0]["cron"] == settings.schedule_cron
    assert deployment["schedules"][0]["timezone"] == settings.schedule_timezone
