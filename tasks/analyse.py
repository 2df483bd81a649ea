"""The analyse half of a batch: everything that needs only the batch, the settings and the static
resources (model, gazetteers, actor dictionary), never the warehouse.

It runs wherever the task runner puts it (a process pool, a Dask or Ray worker) and returns small
picklable Arrow tables, never spaCy Docs. Two steps, because the writer's dedupe sits between them
(a duplicate is never parsed):

- `prepare`: RAW rows (read here from the batch's files, or given) -> cleaned ARTICLE rows;
- `analyse`: the new articles -> parse -> entities -> type repair -> quotes -> events -> amounts ->
  dates -> the row-level expectations. Mentions carry their own `mention_id` as `entity_id`, and quotes and
  events point at those; the commit (tasks/commit.py) maps them to canonical entity ids.

A stage that raises does not raise out of here: the result carries a `Failure` naming the stage, and
the writer quarantines the batch's inputs (one bad batch never stops the night).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from newsflow.batches import ARTICLE, Quarantined
from newsflow.config import Settings
from newsflow.timing import Stopwatch
from tasks.entities import canonical
from tasks.events import mentions as event_mentions
from tasks.nlp import amounts, dates, ner, parse, quotes
from tasks.quality import validate
from tasks.quality.validate import SuiteOutcome
from tasks.sources import ingest
from tasks.text import clean

# The tables analyse produces (row-level checked here); every other table of a batch is the commit's.
TABLES = ("articles", "mentions", "quotes", "dates", "event_mentions", "amounts")


@dataclass
class Failure:
    stage: str
    error: str  # "<exception type>: <message>"


@dataclass
class Prepared:
    raw: pa.Table | None  # the RAW rows read (None when nothing could be read)
    cleaned: pa.Table  # every document that cleaned, duplicates included
    quarantined: list[Quarantined]
    seconds: dict[str, float]
    failure: Failure | None = None


@dataclass
class Analysed:
    tables: dict[str, pa.Table]
    quarantined: list[Quarantined]
    outcomes: dict[str, SuiteOutcome]
    seconds: dict[str, float]
    failure: Failure | None = None
    results: list = field(default_factory=list)  # GX results (JSON) for the run's Data Docs
    places: dict = field(default_factory=dict)  # the gazetteer places of the mentions (canonical.prepare_mentions)


def _give_back_memory() -> None:
    """Returns the parse's freed memory to the system (glibc keeps it otherwise): a worker's RSS
    between batches is its resources, not its largest batch so far."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _failure(clock: Stopwatch, exc: Exception) -> Failure:
    return Failure(clock.current, f"{type(exc).__name__}: {exc}")


def prepare(settings: Settings, files: list[Path] | None = None, raw: pa.Table | None = None) -> Prepared:
    """Reads the batch's files (unless `raw` is given) and cleans every document."""
    clock = Stopwatch()
    quarantined: list[Quarantined] = []
    try:
        if raw is None:
            with clock.stage("ingest"):
                raw, quarantined = ingest.read_documents(files or [], settings)
        with clock.stage("clean"):
            cleaned, q = clean.clean_batch(raw, settings)
        return Prepared(raw, cleaned, quarantined + q, clock.totals)
    except Exception as exc:  # noqa: BLE001 - reported as the batch's failure, never raised
        return Prepared(raw, ARTICLE.empty_table(), quarantined, clock.totals, _failure(clock, exc))


def analyse(articles: pa.Table, settings: Settings) -> Analysed:
    """The NLP of a batch of new articles and their row-level expectations."""
    clock = Stopwatch()
    try:
        with clock.stage("parse"):
            docs = parse.parse_articles(articles, settings)
        with clock.stage("entities"):
            _, mentions = ner.extract_entities(articles, settings, docs=docs)
        with clock.stage("type-repair"):
            mentions, places = canonical.prepare_mentions(articles, mentions, settings)
        with clock.stage("quotes"):
            tables = {"articles": articles, "mentions": mentions,
                      "quotes": quotes.extract_quotes(articles, mentions, settings)}
        with clock.stage("dates"):
            tables["dates"] = dates.extract_dates(articles, docs)
        if settings.events_enabled:
            with clock.stage("events"):
                tables["event_mentions"] = event_mentions.extract_events(articles, docs, mentions, settings)
                tables["amounts"] = amounts.extract_amounts(articles, docs)
        del docs  # the batch's Docs are the largest objects of a run; they never leave this process
        _give_back_memory()
        with clock.stage("validate"):
            checked = validate.check_tables(tables, settings)
    except Exception as exc:  # noqa: BLE001 - reported as the batch's failure, never raised
        return Analysed({}, [], {}, clock.totals, _failure(clock, exc))
    return Analysed(checked.tables, checked.quarantined, checked.outcomes, clock.totals,
                    results=validate.take_results(), places=places)
