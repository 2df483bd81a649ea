"""The commit half of a batch: everything that needs the warehouse, in the one writer process and in
input order. Dedupe against stored articles, canonical ids against stored entities, stories,
consolidation, the suites of the tables built here, the referential checks, the load.

Every step's cost grows with the batch, not with the warehouse (lookups join on the batch's keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from newsflow.batches import Quarantined
from newsflow.config import Settings
from newsflow.timing import Stopwatch
from tasks.analyse import TABLES as ANALYSED_TABLES
from tasks.analyse import Analysed
from tasks.entities import canonical
from tasks.entities import store as entity_store
from tasks.events import consolidate, stories
from tasks.quality import validate
from tasks.quality.validate import Checked, ValidationReport
from tasks.store import load
from tasks.store.raw import raw_documents
from tasks.text import dedupe

# Columns that hold a batch-local entity key (a mention_id) after analyse, per table.
ENTITY_REFS = {"quotes": ("speaker_entity_id",),
               "event_mentions": ("source_entity_id", "target_entity_id", "location_entity_id")}


class InFlight:
    """Dedupe keys of batches sent to analysis but not committed yet, so a later batch read ahead of
    them finds its copies of their articles exactly as if they were stored already."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.batches = 0

    def add(self, articles: pa.Table) -> None:
        self.batches += 1
        for row in articles.select(["article_id", "content_hash", "url"]).to_pylist():
            for key in (row["article_id"], row["content_hash"], row["url"]):
                if key:
                    self.keys.setdefault(key, row["article_id"])

    def remove(self, articles: pa.Table) -> None:
        self.batches -= 1
        for row in articles.select(["article_id", "content_hash", "url"]).to_pylist():
            for key in (row["article_id"], row["content_hash"], row["url"]):
                if key and self.keys.get(key) == row["article_id"]:
                    del self.keys[key]


def new_articles(cleaned: pa.Table, con, in_flight: InFlight | None = None):
    """(articles not seen before, duplicates): against the warehouse (`con`; None: within the batch
    only, for backfill and retry) and the articles of batches still in flight."""
    if con is None:
        return dedupe.dedupe_batch(cleaned, None)
    stored = dedupe.warehouse_lookup(con)
    if not in_flight or not in_flight.keys:
        return dedupe.dedupe_batch(cleaned, stored)

    def lookup(article_ids, hashes, urls):
        found = stored(article_ids, hashes, urls)
        for key in (*article_ids, *hashes, *urls):
            if key in in_flight.keys:
                found.setdefault(key, in_flight.keys[key])
        return found

    return dedupe.dedupe_batch(cleaned, lookup)


def warm_up() -> None:
    """What the first commit would load (GX and its suites, the gazetteer), loaded while the first
    batches are analysed; never on a night with nothing to analyse."""
    from tasks.entities import places

    validate.get_validator()
    places.geocode("London", set())


@dataclass
class Committed:
    counts: dict[str, int]
    quarantined: list[Quarantined]
    report: ValidationReport
    tables: dict[str, pa.Table] = field(default_factory=dict)


def _remap(table: pa.Table, columns: tuple[str, ...], mapping: dict[str, str]) -> pa.Table:
    for col in columns:
        values = [mapping.get(v) if v is not None else None for v in table.column(col).to_pylist()]
        table = table.set_column(table.column_names.index(col), col, pa.array(values, pa.string()))
    return table


def resolve_entities(analysed: dict[str, pa.Table], settings: Settings, con,
                     places: dict | None = None) -> dict[str, pa.Table]:
    """Canonical entity ids for the batch's mentions (against the stored entities), and the quotes'
    speakers and the events' actors moved from their batch-local keys to those ids. `places`: the
    gazetteer places analyse found (Analysed.places)."""
    articles, mentions = analysed["articles"], analysed["mentions"]
    known = entity_store.warehouse_lookup(con) if con is not None else canonical._no_warehouse
    entities, mentions, aliases = canonical.canonicalise(articles, None, mentions, settings, known=known,
                                                         prepared=places or {})
    mapping = dict(zip(mentions.column("mention_id").to_pylist(), mentions.column("entity_id").to_pylist()))
    out = {"articles": articles, "entities": entities, "mentions": mentions, "entity_aliases": aliases}
    for name in ("quotes", "dates", "event_mentions", "amounts"):
        if name in analysed:
            out[name] = _remap(analysed[name], ENTITY_REFS.get(name, ()), mapping)
    return out


def commit(con, run_id: str, now, settings: Settings, raw: pa.Table | None, analysed: Analysed | None,
           extra: dict[str, pa.Table], quarantined: list[Quarantined], clock: Stopwatch,
           replace: bool = False) -> Committed:
    """Completes and loads one analysed batch (`analysed` None: nothing new, only the raw rows and
    rejects load). `extra`: tables that came with the input (fetch_log)."""
    checked = Checked(outcomes=dict(analysed.outcomes) if analysed else {})
    if analysed is not None:
        validate.add_results(analysed.results)
    tables: dict[str, pa.Table] = {}
    if analysed is not None and analysed.tables.get("articles") is not None:
        with clock.stage("canonical"):
            resolved = resolve_entities(analysed.tables, settings, con, analysed.places)
        articles = resolved["articles"]
        if settings.events_enabled:
            with clock.stage("stories"):
                articles, story_rows, story_moves = stories.assign_stories(articles, settings, con, now)
            with clock.stage("consolidate"):
                event_rows, event_mentions = consolidate.consolidate(resolved["event_mentions"], articles,
                                                                     settings, con, now)
            tables = {"articles": articles, "stories": story_rows, "story_moves": story_moves,
                      **{k: resolved[k] for k in ("entities", "mentions", "entity_aliases", "quotes", "dates")},
                      "events": event_rows, "event_mentions": event_mentions, "amounts": resolved["amounts"]}
        else:
            tables = resolved
        quarantined = quarantined + analysed.quarantined
    tables.update(extra)
    if tables:
        with clock.stage("validate"):
            rows = {name for name in tables if name not in ANALYSED_TABLES}
            checked = validate.check_tables(tables, settings, known=validate.warehouse_keys(con), rows=rows,
                                            into=checked)
            tables = checked.tables
    with clock.stage("load"):
        batch = {"raw_documents": raw_documents(raw)} if raw is not None and raw.num_rows else {}
        counts = load.load_batch(con, run_id, now, {**batch, **tables}, quarantined + checked.quarantined,
                                 replace=replace)
    return Committed(counts, quarantined + checked.quarantined, checked.report, tables)
