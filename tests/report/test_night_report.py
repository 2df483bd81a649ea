"""The night report: a self-contained page per run, checked in a real headless Chromium offline."""

import os
import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from lxml import html as lxml_html

from tasks.report import facts, night, svg, world
from warehouse import db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"),
                                    reason="Chromium not installed (.ci/run installs it)")
NOW = datetime(2025, 5, 16, 2, tzinfo=timezone.utc)


def chromium(*args, tmp_path):
    """Headless Chromium with no network at all (a proxy that does not exist, no DNS); returns
    (stdout, the page's console lines)."""
    assert CHROMIUM, "Chromium is missing: apt-get install chromium (.ci/run does it)"
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--proxy-server=127.0.0.1:9",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout, [line for line in out.stderr.splitlines() if ":CONSOLE" in line]


def charts(page_html: str) -> dict[str, int]:
    """Chart name -> number of marks (bars, circles) drawn in it."""
    tree = lxml_html.fromstring(page_html)
    return {svg_el.get("data-chart"): len(svg_el.xpath('.//*[@class="mark"]'))
            for svg_el in tree.xpath('//svg[@class="chart"]')}


def assert_self_contained(page: str):
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page refers to the network"


@pytest.fixture
def busy_night(tmp_path):
    """A warehouse with quarantine rows and a failing validation, two outlets over two nights."""
    con = db.connect(tmp_path / "newsflow.duckdb")
    con.execute("insert into runs (run_id, started_at, status) values ('r2', ?, 'failed')", [NOW])
    for i, (site, day) in enumerate([("Reuters", "2025-05-15"), ("Reuters", "2025-05-16"), ("AP", "2025-05-16")]):
        con.execute("insert into articles (article_id, source, text, content_hash, ingested_at, run_id, site_name) "
                    "values (?, 'x', 'text', ?, cast(? as timestamptz), 'r2', ?)", [f"a{i}", f"h{i}", day, site])
    con.execute("insert into entities (entity_id, name, label, first_seen, run_id, latitude, longitude, geo_type) "
                "values ('e1', 'Istanbul', 'GPE', ?, 'r2', 41.01, 28.95, 'city'), "
                "('e2', 'Recep Tayyip Erdoğan <b>', 'PERSON', ?, 'r2', null, null, null)", [NOW, NOW])
    con.execute("insert into mentions (mention_id, article_id, entity_id, text, label, start_char, end_char, run_id) "
                "values ('m1', 'a1', 'e1', 'Istanbul', 'GPE', 0, 8, 'r2'), ('m2', 'a2', 'e2', 'Erdoğan', 'PERSON', 0, 7, 'r2')")
    con.execute("insert into events (event_id, event_type, quad_class, location_entity_id, event_date, "
                "date_precision, first_seen, last_seen, run_id) values "
                "('v1', 'CONSULT', 'verbal cooperation', 'e1', '2025-05-16', 'day', ?, ?, 'r2'), "
                "('v2', 'ASSAULT', 'material conflict', 'e1', null, 'unknown', ?, ?, 'r2')", [NOW] * 4)
    con.execute("insert into quarantine (quarantine_id, run_id, stage, source, reason, created_at) values "
                "('q1', 'r2', 'ingest', 'in/empty.txt', 'empty file', ?), "
                "('q2', 'r2', 'validate', 'in/future.jsonl#L3', 'articles: failed critical expectation(s) "
                "expect_column_values_to_be_between(published_at)', ?)", [NOW, NOW])
    run = {"run_id": "r2", "status": "failed", "started_at": NOW.isoformat(), "docs_seen": 5, "articles_new": 3,
           "quarantined": 2, "inputs": ["in/"], "validation": [
               {"suite": "articles", "rows": 4, "rejected_rows": 1, "failures": [
                   {"expectation": "expect_column_values_to_be_between", "column": "published_at",
                    "severity": "critical", "unexpected_count": 1, "sample": ["2099-01-01"],
                    "row_ids": ["a9f3c2"], "id_column": "article_id"}]},
               {"suite": "mentions", "rows": 2, "rejected_rows": 0, "failures": [
                   {"expectation": "expect_column_value_lengths_to_be_between", "column": "text",
                    "severity": "warning", "unexpected_count": 2, "sample": ["x", "y"], "row_ids": ["m1", "m2"],
                    "id_column": "mention_id"}]},
               {"suite": "mentions", "rows": 3, "rejected_rows": 0, "failures": []}]}
    yield con, run, tmp_path / "reports"
    con.close()


def test_the_page_shows_every_section_and_escapes_what_it_prints(busy_night):
    con, run, out = busy_night
    path = night.build_report(con, run, out)
    page = path.read_text()
    assert path.name == "r2.html" and (out / "latest.html").read_text() == page
    assert_self_contained(page)
    drawn = charts(page)
    assert drawn["articles-per-outlet"] == 3  # Reuters on two nights, AP on one
    assert drawn["top-entities"] == 2 and drawn["events-per-day"] == 2 and drawn["event-places"] == 1
    assert drawn["quarantine-reasons"] == 2
    assert "Recep Tayyip Erdoğan &lt;b&gt;" in page
    tree = lxml_html.fromstring(page)
    validation = tree.get_element_by_id("validation").text_content()
    assert "critical" in validation and "article_id: a9f3c2" in validation
    assert "warning" in validation and "mention_id: m1, m2" in validation
    assert "in/future.jsonl#L3" in tree.get_element_by_id("quarantine").text_content()


def test_validation_results_are_summed_over_batches():
    suites = facts.validation_results([
        {"suite": "articles", "rows": 3, "rejected_rows": 1, "failures": [
            {"expectation": "e", "column": "c", "severity": "critical", "unexpected_count": 1, "sample": [1],
             "row_ids": ["a"], "id_column": "article_id"}]},
        {"suite": "articles", "rows": 2, "rejected_rows": 1, "failures": [
            {"expectation": "e", "column": "c", "severity": "critical", "unexpected_count": 1, "sample": [1],
             "row_ids": ["b"], "id_column": "article_id"}]}])
    assert suites == [{"suite": "articles", "rows": 5, "batches": 2, "rejected": 2, "failures": [
        {"expectation": "e", "column": "c", "severity": "critical", "rows": 2, "ids": ["a", "b"], "values": [1],
         "id_column": "article_id"}]}]


def test_an_empty_warehouse_gives_a_page_that_says_so(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    page = night.render(facts.gather(con, {"run_id": "r0", "started_at": NOW, "status": "success"}))
    assert charts(page) == {} and page.count('class="empty"') == 7


def test_map_projection_and_outline():
    assert world.project(-180, world.NORTH, 720) == (0, 0)
    x, y = world.project(28.95, 41.01, 720)
    assert (round(x), round(y)) == (418, 86)
    assert world.outline_path(720.0).count("M") > 170  # every country with a shape, islands as rings
    assert svg.nice_ticks(7) == [0, 2, 4, 6, 8] and svg.nice_ticks(0) == [0, 1]


@needs_chromium
def test_the_page_loads_offline_in_chromium_without_console_errors(busy_night, tmp_path):
    con, run, out = busy_night
    path = night.build_report(con, run, out)
    dom, console = chromium("--dump-dom", path.as_uri(), tmp_path=tmp_path)
    assert console == []
    assert set(charts(dom)) == {"articles-per-outlet", "top-entities", "events-per-day", "event-places",
                                "quarantine-reasons"}  # no stories in this warehouse: a sentence instead


@pytest.mark.e2e
@needs_chromium
def test_every_run_writes_its_report_and_chromium_draws_it(seeds_warehouse, tmp_path):
    db_path, summary = seeds_warehouse
    page = db_path.parent / "reports" / f"{summary['run_id']}.html"
    assert summary["report_path"] == str(page.resolve())
    assert (db_path.parent / "reports" / "latest.html").read_text() == page.read_text()
    dom, console = chromium("--dump-dom", page.as_uri(), tmp_path=tmp_path)
    assert console == []
    drawn = charts(dom)
    # the five seed files are one outlet (their folder, articles.outlet): one column segment
    assert drawn["articles-per-outlet"] == 1 and drawn["top-entities"] == 15, drawn
    assert drawn["events-per-day"] >= 2 and drawn["event-places"] >= 3 and drawn["story-timelines"] == 2
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1000,3600", page.as_uri(), tmp_path=tmp_path)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("select report_path from runs where run_id = ?", [summary["run_id"]]).fetchone() == (
            str(page.resolve()),)
