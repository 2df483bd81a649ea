"""JSONL written by neighbouring tools loads as what it means: trafilatura (run here for real, as a
library and as its command line) and news-please (its real output, see fixtures/make_news_please.py)."""

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import trafilatura

from tasks.sources import ingest
from tasks.text.clean import clean_batch

FIXTURES = Path(__file__).with_name("fixtures")
PAGE = """<html lang="en"><head><title>Russia and Ukraine hold talks in Istanbul</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2025-05-16T10:30:00+02:00">
<link rel="canonical" href="https://www.example-news.co.uk/world/istanbul-talks">
<meta name="author" content="Jane Doe"></head><body><article>
<h1>Russia and Ukraine hold talks in Istanbul</h1>
<p>Delegations from Russia and Ukraine met in Istanbul on Friday for their first direct talks in more
than three years, with Turkish officials acting as hosts and mediators at the palace.</p>
<p>The head of the Ukrainian delegation said the priority was a full ceasefire and an exchange of all
prisoners of war held by both sides.</p></article></body></html>"""


def _load(path: Path, settings):
    raw, rejected = ingest.read_documents([path], settings)
    assert rejected == []
    articles, quarantined = clean_batch(raw, settings)
    assert quarantined == []
    return raw.to_pylist(), articles.to_pylist()


def _check_trafilatura(raw, article):
    assert raw["url"] == "https://www.example-news.co.uk/world/istanbul-talks"  # its "source", not a site name
    assert raw["site_name"] == "Example News"  # "source-hostname"
    assert (raw["author"], raw["published_raw"]) == ("Jane Doe", "2025-05-16")  # trafilatura gives the day
    assert article["title"] == "Russia and Ukraine hold talks in Istanbul"
    assert article["text"].startswith("Delegations from Russia")  # the title line is not kept twice
    assert article["outlet"] == "example-news.co.uk"
    assert (article["published_at"], article["published_precision"]) == (
        datetime(2025, 5, 16, tzinfo=timezone.utc), "day")
    assert article["language"] == "en"


def test_trafilatura_library_json(tmp_path, settings):
    line = trafilatura.extract(PAGE, output_format="json", with_metadata=True)
    path = tmp_path / "trafilatura.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    (raw,), (article,) = _load(path, settings)
    _check_trafilatura(raw, article)


def test_trafilatura_command_line_json(tmp_path, settings):
    cli = Path(sys.executable).with_name("trafilatura")
    out = subprocess.run([str(cli), "--json", "--with-metadata"], input=PAGE, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    path = tmp_path / "cli.jsonl"
    path.write_text(out, encoding="utf-8")
    (raw,), (article,) = _load(path, settings)
    _check_trafilatura(raw, article)
    # without --with-metadata trafilatura writes text only: it still loads
    bare = subprocess.run([str(cli), "--json"], input=PAGE, capture_output=True, text=True, check=True,
                          timeout=120).stdout
    (path := tmp_path / "bare.jsonl").write_text(bare, encoding="utf-8")
    (raw,), (article,) = _load(path, settings)
    assert raw["url"] is None and article["text"].startswith("Delegations")


def test_news_please_json(settings):
    raws, articles = _load(FIXTURES / "news_please.jsonl", settings)
    english, german = articles
    assert raws[0]["body"].startswith("Delegations from Russia")  # "maintext" ("text" is null there)
    assert (raws[0]["author"], raws[0]["site_name"]) == ("Jane Doe", "www.example-wire.co.uk")
    assert english["url"] == "https://www.example-wire.co.uk/world/2025/05/16/istanbul-talks"
    assert english["outlet"] == "example-wire.co.uk" and german["outlet"] == "beispiel-zeitung.de"
    assert english["title"] == "Russia and Ukraine hold first direct talks in Istanbul"
    # news-please writes "2025-05-16 10:30:00" without the page's zone: taken as UTC (docs/inputs.md)
    assert (english["published_at"], english["published_precision"]) == (
        datetime(2025, 5, 16, 10, 30, tzinfo=timezone.utc), "second")
    assert (german["language"], german["language_declared"], german["nlp_status"]) == ("de", "de", "no_model:de")
    assert json.loads((FIXTURES / "news_please.jsonl").read_text().splitlines()[0])["maintext"]
