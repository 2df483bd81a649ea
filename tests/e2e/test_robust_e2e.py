"""One real `newsflow run` (python -m flows.cli, as a user runs it) over a folder where every input
that used to stop a night sits beside good articles, with the warehouse inside the folder; then
`newsflow quarantine --retry` with a larger max_doc_bytes; then a run whose Prefect API is down.
The subprocesses report to the test harness's Prefect server (PREFECT_API_URL): none starts its own."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import duckdb
import pytest

from tasks.sources import discover
from tests.conftest import ROOT, SEEDS
from tests.fetch.test_fetch_robust import ARTICLE, warc_bytes
from tests.sources.test_robust_inputs import GENEVA
from tests.text.test_languages_and_depth import AR, ZH, deep_page

pytestmark = pytest.mark.e2e

SMALL = 25_000  # max_doc_bytes of the first run: big.txt is over it
# Distinct stories (the dedupe stage would fold near-copies into one article)
TEXTS = [
    "Ministers from the river states met in Basel on Monday to agree new rules for barge traffic on the Rhine, "
    "where low water cut cargo volumes by a third last summer.",
    "A court in Lyon fined a chemical company two million euros on Wednesday after a spill killed fish along "
    "forty kilometres of the Saone river in the spring.",
    "The city council of Porto approved a plan to close the old fish market and build a public library on the "
    "site, with work due to start in the autumn.",
    "Farmers in the Po valley began the rice harvest two weeks early after a dry and hot August, the regional "
    "agriculture office reported on Thursday.",
    "Rail workers in Antwerp ended a three-day strike on Friday after the operator agreed to hire two hundred "
    "more drivers before the end of next year.",
    "A new ferry between Tallinn and Helsinki made its first crossing on Saturday, running on batteries that "
    "are charged in port during the forty-minute stop.",
    "Archaeologists in Seville found the walls of a Roman bathhouse under a car park, the university said, "
    "and asked the city to delay the planned construction.",
    "The central bank of Iceland raised its main interest rate by half a point on Tuesday to slow prices that "
    "rose faster than expected in the first quarter.",
]


def seed_html(path) -> str:
    title, *paragraphs = [ln for ln in path.read_text().split("\n") if ln.strip()]
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")


@pytest.fixture(scope="module")
def api_url(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _env(api_url, **extra) -> dict:
    env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(ROOT), "NEWSFLOW_DATA_DOCS": "false"}
    env.pop("NEWSFLOW_TEST_HOLD_LOAD", None)
    return {**env, **extra}


def _newsflow(*args, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *map(str, args)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def _folder(root):
    """Two seeds and the crashers, the decoding cases, and a warehouse of an earlier night inside."""
    folder = root / "in"
    folder.mkdir()
    seeds = sorted(SEEDS.iterdir())
    for seed in seeds[:2]:
        shutil.copy(seed, folder / seed.name)
    (folder / "big.txt").write_text(seeds[2].read_text() * 12)  # over SMALL: quarantined, then retried
    # crashers
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(TEXTS[0])
    os.symlink("b.txt", folder / "a.txt")
    os.symlink("a.txt", folder / "b.txt")
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    lines = [json.dumps({"url": "https://news.example.org/j/1", "text": TEXTS[1]}),
             json.dumps({"url": "https://news.example.org/j/2", "text": "An emoji cut \\ud83d in two. " + TEXTS[2]
                         }).replace("\\\\ud83d", "\\ud83d"),  # the JSON escape of a lone surrogate
             json.dumps({"url": "https://news.example.org/j/3", "text": TEXTS[3]})]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n")
    whole = warc_bytes([("https://news.example.org/w/1", "200 OK", seed_html(seeds[3])),
                        ("https://news.example.org/w/2", "200 OK", seed_html(seeds[4]))])
    (folder / "cut-headers.warc").write_bytes(whole[:whole.find(b"WARC/1.0", 10) + 60])
    whole = warc_bytes([("https://news.example.org/w/3", "200 OK", ARTICLE.format(n=3)),
                        ("https://news.example.org/w/4", "200 OK", seed_html(seeds[4]))])
    (folder / "cut-body.warc").write_bytes(whole[:whole.rfind(b"</p>", 0, len(whole) - 200)])
    (folder / "twice.warc").write_bytes(warc_bytes(
        [("https://news.example.org/gone", "404 Not Found", "<html>gone</html>")] * 2
        + [("https://news.example.org/w/5", "200 OK", f"<html><body><article><p>{TEXTS[4]}</p></article></body></html>")]))
    # text damaged without a word, and languages / nesting the cleaner used to lose
    (folder / "geneva.html").write_bytes(GENEVA.replace("</p>", " Both sides called the talks constructive "
                                                                "and agreed to meet again next month.</p>").encode("latin-1"))
    (folder / "mixed.txt").write_bytes(
        "Zürich hosts the summit\nDelegates arrived in Zürich on Monday for the summit on river shipping.\n".encode()
        + "The mayor of Genève welcomed the delegates and said the talks would go on until Friday.\n".encode("latin-1"))
    (folder / "wide.txt").write_bytes(("Ferry crossing\n" + TEXTS[5] + "\n").encode("utf-16-le"))
    (folder / "zh.txt").write_text(ZH)
    (folder / "ar.txt").write_text(AR)
    (folder / "deep.html").write_text(deep_page(600))
    (folder / ".hidden.txt").write_text(TEXTS[6])
    # an earlier night's outputs beside the warehouse (the warehouse itself appears with the run)
    data = folder / "data"
    (data / "docs").mkdir(parents=True)
    (data / "docs" / "index.html").write_text("<html><body><p>" + "Data Docs page. " * 20 + "</p></body></html>")
    (data / "lake" / "articles").mkdir(parents=True)
    (data / "lake" / "articles" / "part-0.parquet").write_bytes(b"PAR1" * 100)
    return folder


@pytest.fixture(scope="module")
def night(api_url, tmp_path_factory):
    folder = _folder(tmp_path_factory.mktemp("robust"))
    db = folder / "data" / "newsflow.duckdb"
    started = time.monotonic()
    first = _newsflow("run", folder, "--db", db, "--json", env=_env(api_url, NEWSFLOW_MAX_DOC_BYTES=str(SMALL)))
    took = time.monotonic() - started
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout[first.stdout.index("{"):])
    with duckdb.connect(str(db), read_only=True) as con:
        quarantine = {r[0]: r[1:] for r in con.execute(
            "select source, stage, reason, payload is not null, times_seen from quarantine").fetchall()}
        articles = {r[0]: r[1:] for r in con.execute("select source, title, encoding, decode_note from articles").fetchall()}
    # the retry in-process (the harness's Prefect, this process's model): what `quarantine --retry` runs
    from flows.backfill import retry_quarantine
    from flows.nightly import run_flow

    retry = run_flow(retry_quarantine, db_path=str(db))
    return folder, db, summary, quarantine, articles, retry, took


def test_the_run_finishes_and_loads_every_good_input(night):
    folder, _db, summary, _q, articles, _retry, took = night
    assert summary["status"] == "warning" and took < 240  # a FIFO or /dev/zero would hang it
    expected = {str(folder / s.name) for s in sorted(SEEDS.iterdir())[:2]} | {
        f"{folder}/feed.jsonl#L1", f"{folder}/feed.jsonl#L2", f"{folder}/feed.jsonl#L3",
        "https://news.example.org/w/1", "https://news.example.org/w/3", "https://news.example.org/w/4",
        "https://news.example.org/w/5", f"{folder}/geneva.html", f"{folder}/mixed.txt", f"{folder}/wide.txt",
        f"{folder}/zh.txt", f"{folder}/ar.txt", f"{folder}/deep.html"}
    assert set(articles) == expected


def test_each_bad_input_has_its_own_clear_quarantine_row(night):
    folder, _db, _s, quarantine, _a, _retry, _t = night
    reasons = {source: reason for source, (_stage, reason, _payload, _n) in quarantine.items()}
    assert reasons == {
        f"{folder}/caf\\xe9.txt": reasons[f"{folder}/caf\\xe9.txt"],
        f"{folder}/a.txt": "cannot read file: symlink loop (too many levels of symbolic links)",
        f"{folder}/b.txt": "cannot read file: symlink loop (too many levels of symbolic links)",
        f"{folder}/pipe.txt": "cannot read file: not a regular file (a FIFO)",
        f"{folder}/zero.txt": "cannot read file: not a regular file (a character device)",
        f"{folder}/big.txt": reasons[f"{folder}/big.txt"],
        f"{folder}/feed.jsonl#L2": "lone surrogate escape(s) in body replaced by U+FFFD (kept the article)",
        f"{folder}/cut-headers.warc": reasons[f"{folder}/cut-headers.warc"],
        "https://news.example.org/gone": "WARC response is HTTP 404, not 200 (twice.warc)",
    }
    assert reasons[f"{folder}/caf\\xe9.txt"].startswith("file name is not valid UTF-8")
    assert quarantine[f"{folder}/caf\\xe9.txt"][2]  # its bytes are kept
    assert reasons[f"{folder}/big.txt"].startswith("file too large (") and f"limit {SMALL})" in reasons[f"{folder}/big.txt"]
    assert reasons[f"{folder}/cut-headers.warc"].startswith("unreadable WARC file after 1 record(s) (cut short")


def test_the_warehouse_and_its_outputs_are_skipped_and_said_so(night):
    folder, _db, summary, quarantine, articles, _retry, _t = night
    data = folder / "data"
    assert not [s for s in {**quarantine, **articles} if s.startswith(str(data))]
    skipped = {s["reason"]: s for s in summary["skipped"]}
    assert skipped[discover.OUTPUT]["count"] == 5  # docs, lake, the .duckdb file, its .lock and .wal
    assert skipped[discover.OUTPUT]["examples"] == [f"{data}/docs", f"{data}/lake", f"{data}/newsflow.duckdb"]
    assert skipped[discover.HIDDEN]["examples"] == [f"{folder}/.hidden.txt"]
    assert skipped[discover.SEEN_DIR]["examples"] == [f"{folder}/sub/loop"]


def test_damaged_text_is_repaired_or_marked(night):
    folder, _db, _s, _q, articles, _retry, _t = night
    assert articles[f"{folder}/geneva.html"][:3] == (
        "Talks in Genève", "cp1252", "declared utf-8 but the bytes are not: decoded as cp1252")
    assert articles[f"{folder}/mixed.txt"][1:] == (
        "utf-8+cp1252", "mixed encodings: 1 of 3 non-ASCII lines are not UTF-8, decoded as cp1252")
    assert articles[f"{folder}/wide.txt"][:2] == ("Ferry crossing", "utf-16-le")
    assert articles["https://news.example.org/w/4"][2].startswith("truncated: the WARC record ends ")
    assert articles["https://news.example.org/w/3"][2] is None
    assert articles[f"{folder}/feed.jsonl#L2"][2] == "lone surrogate escape(s) in body replaced by U+FFFD"
    assert articles[f"{folder}/zh.txt"][0] == ZH.split("\n")[0] and articles[f"{folder}/ar.txt"][0] == AR.split("\n")[0]
    assert articles[f"{folder}/deep.html"][0] == "Deep page"


def test_retry_reads_the_too_large_file_again_and_names_what_it_cannot(night):
    folder, db, _s, _q, _a, summary, _t = night
    assert summary["status"] == "warning" and summary["kind"] == "retry"
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {r[0] for r in con.execute("select source from articles where run_id = ?",
                                            [summary["run_id"]]).fetchall()}
        rows = dict(con.execute("select source, retried_at is not null from quarantine").fetchall())
    assert {f"{folder}/big.txt", f"{folder}/caf\\xe9.txt"} <= loaded  # max_doc_bytes is back to its default
    assert rows[f"{folder}/big.txt"] and rows[f"{folder}/caf\\xe9.txt"] and not rows[f"{folder}/pipe.txt"]
    (skip,) = summary["skipped"]  # the FIFO, the device, two symlink loops, the cut WARC, the 404 URI
    assert skip["count"] == 6 and skip["reason"].startswith("quarantined rows without a document to retry")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_prefect_start_up_failure_leaves_a_failed_run_and_an_alert(api_url, tmp_path, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    db = tmp_path / "wh.duckdb"
    env = _env(f"http://127.0.0.1:{_closed_port()}/api", NEWSFLOW_ALERT_WEBHOOK=httpserver.url_for("/hook"),
               PREFECT_HOME=str(tmp_path / "prefect"))
    out = _newsflow("run", sorted(SEEDS.iterdir())[0], "--db", db, env=env, timeout=120)
    assert out.returncode == 1
    assert "newsflow: the run could not start: RuntimeError: Failed to reach API at" in out.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        ((status, error, kind, alert),) = con.execute(
            "select status, error, kind, alert_status from runs").fetchall()
    assert status == "failed" and error.startswith("RuntimeError: Failed to reach API at http://127.0.0.1:")
    assert kind == "nightly" and alert.startswith("sent")
    (request, _response), = httpserver.log
    assert "FAILED" in request.get_data(as_text=True)
