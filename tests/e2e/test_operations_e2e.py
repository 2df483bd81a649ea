"""The operations side on the real flow (in-process, Prefect test harness): the validation gate
fails the flow run, one alert goes to a local webhook and a local SMTP server, Data Docs are built,
quarantined rows are retried after a fix, stored raw documents are backfilled."""

import json
import shutil

import duckdb
import pytest

from tests.conftest import SEEDS
from tests.report.test_alert import smtp_env, smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e

BOILERPLATE_ONLY = "Share\nLeave a Reply\nNo comments\n0\n"


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def gate_inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("ops")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(sorted(SEEDS.iterdir())[0], inputs / "seed.txt")
    (inputs / "blank.txt").write_text(BOILERPLATE_ONLY, encoding="utf-8")  # empty after cleaning
    (inputs / "feed.jsonl").write_text(json.dumps({
        "url": "https://example.org/future", "title": "From the future", "source": "Example News",
        "text": "Delegations met again in Istanbul to talk about a ceasefire. " * 4,
        "published_at": "2099-01-01T00:00:00Z"}) + "\n", encoding="utf-8")
    return root, inputs


def test_critical_failure_fails_the_flow_run_and_sends_one_alert(prefect_harness, gate_inputs, httpserver,
                                                                  smtp_server, monkeypatch):  # noqa: F811
    from flows.nightly import nightly

    root, inputs = gate_inputs
    controller, sink = smtp_server
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    for key, value in {"NEWSFLOW_ALERT_WEBHOOK": httpserver.url_for("/hook"), **smtp_env(controller)}.items():
        monkeypatch.setenv(key, value)
    db = root / "wh.duckdb"
    state = nightly(inputs=[str(inputs)], db_path=str(db), return_state=True)

    assert state.is_failed() and "published_at" in state.message
    summary = state.result(raise_on_failure=False)
    assert summary["status"] == "failed" and summary["articles_new"] == 1
    assert summary["quarantined_by_stage"] == {"clean": 1, "validate": 1}

    (request, _), = httpserver.log  # one alert per run
    alert = json.loads(json.loads(request.get_data())["message"])
    assert alert["run_id"] == summary["run_id"] and alert["status"] == "failed"
    assert alert["failed_suites"] == ["articles"]
    failure = alert["failed_expectations"][0]
    assert (failure["column"], failure["severity"], failure["unexpected_count"]) == ("published_at", "critical", 1)
    assert "2099" in str(failure["sample"])
    assert alert["counts"]["quarantined"] == 2 and alert["data_docs"] == summary["docs_path"]
    (mail,) = sink.messages
    assert summary["run_id"] in mail.content.decode("utf-8", "replace")

    (docs_path, alert_status, status), = _query(db, "select docs_path, alert_status, status from runs")
    assert alert_status == "sent: webhook, email" and status == "failed"
    assert docs_path == str((db.parent / "docs" / "index.html").resolve())
    index = (db.parent / "docs" / "index.html").read_text(encoding="utf-8")
    assert "articles" in index and summary["run_id"] in index
    reasons = dict(_query(db, "select source, reason from quarantine"))
    assert reasons[str(inputs / "blank.txt")].startswith("no article text after cleaning")
    assert "published_at" in reasons[f"{inputs / 'feed.jsonl'}#L1"]
    assert _query(db, "select count(*) from raw_documents")[0][0] == 3  # every document read is kept


def test_retry_after_a_fix_backfill_and_validate(prefect_harness, tmp_path, capsys):
    from flows.backfill import backfill, retry_quarantine
    from flows.nightly import nightly, run_flow

    db = tmp_path / "wh.duckdb"
    strict = tmp_path / "strict.toml"  # a "bug": every article is too short
    strict.write_text("[newsflow]\nmin_text_chars = 100000\ndata_docs = false\n")
    seeds = [str(p) for p in sorted(SEEDS.iterdir())[:2]]
    first = run_flow(nightly, inputs=seeds, db_path=str(db), config_file=str(strict))
    assert first["status"] == "warning" and first["quarantined_by_stage"] == {"clean": 2}

    retried = run_flow(retry_quarantine, db_path=str(db))  # the fix: default settings
    assert retried["articles_new"] == 2 and retried["quarantined"] == 0
    assert _query(db, "select count(*), count(retried_at), min(retry_run_id) from quarantine") == \
        [(2, 2, retried["run_id"])]
    snapshot = {t: _query(db, f"select * exclude (run_id) from {t} order by all")
                for t in ("articles", "entities", "mentions")}

    again = run_flow(backfill, since="2000-01-01", db_path=str(db))
    assert again["docs_seen"] == 2 and again["status"] == "success"
    for table, rows in snapshot.items():
        assert _query(db, f"select * exclude (run_id) from {table} order by all") == rows, table
    kinds = [r[0] for r in _query(db, "select kind from runs order by started_at")]
    assert kinds == ["nightly", "retry", "backfill"]

    # `newsflow validate` re-runs the suites on the warehouse in pages; `quarantine` lists by reason.
    from flows.cli import main

    assert main(["validate", "--db", str(db), "--page-size", "50"]) == 0
    assert main(["quarantine", "--db", str(db), "--stage", "clean"]) == 0
    with duckdb.connect(str(db)) as con:  # an orphan mention and an offset past the text
        con.execute("insert into mentions select 'ffffffffffffffff', '0000000000000000', entity_id, text, "
                    "label, start_char, end_char, sentence_index, run_id from mentions limit 1")
    assert main(["validate", "--db", str(db), "--table", "mentions", "--json"]) == 1
    out = capsys.readouterr().out
    assert "no article text after cleaning" in out and "mentions" in out
    report = json.loads(out[out.index("[\n"):])
    failed = {f["column"] for f in report[0]["failures"]}
    assert {"article_id_exists", "article_text_length"} <= failed and report[0]["critical_failed"]


@pytest.mark.parametrize("setting", ["actor_dictionary", "entity_overrides"])
def test_a_missing_curated_file_fails_the_run_before_reading_any_input(prefect_harness, tmp_path, monkeypatch,
                                                                       setting):
    from flows.nightly import nightly, run_flow

    monkeypatch.setenv(f"NEWSFLOW_{setting.upper()}", str(tmp_path / "typo.csv"))
    summary = run_flow(nightly, inputs=[str(SEEDS)], db_path=str(tmp_path / "wh.duckdb"))
    assert summary["status"] == "failed" and "typo.csv" in summary["error"]
    assert summary["quarantined"] == 0 and summary["articles_new"] == 0
