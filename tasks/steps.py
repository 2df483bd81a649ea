"""Thin Prefect task wrappers around the stage functions: one task run per batch, never per document.

Batches are large Arrow tables and a DuckDB connection is passed along, so Prefect's input-hash
caching is switched off (NO_CACHE); results stay in memory.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.entities import canonical, overrides
from tasks.entities import store as entity_store
from tasks.events import consolidate, stories
from tasks.events import mentions as event_mentions
from tasks.fetch import crawl
from tasks.nlp import amounts, dates, ner, parse
from tasks.nlp import quotes
from tasks.quality import data_docs, history, validate
from tasks.report import alert, night
from tasks.sources import ingest
from tasks.sources import plan as fetch_sources
from tasks.store import lake, load, raw
from tasks.text import clean, dedupe


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_batch(files, settings):
    return ingest.read_documents(files, settings)


@task(name="clean", cache_policy=NO_CACHE)
def clean_batch(raw, settings):
    return clean.clean_batch(raw, settings)


@task(name="read-raw", cache_policy=NO_CACHE)
def read_raw(con, raw_ids):
    return raw.read_raw(con, raw_ids)


@task(name="dedupe", cache_policy=NO_CACHE)
def dedupe_batch(articles, con):
    """`con=None` (backfill, retry): duplicates only within the batch, so stored articles re-run."""
    return dedupe.dedupe_batch(articles, dedupe.warehouse_lookup(con) if con is not None else None)


@task(name="parse", cache_policy=NO_CACHE)
def parse_batch(articles, settings):
    return parse.parse_articles(articles, settings)


@task(name="entities", cache_policy=NO_CACHE)
def extract_entities(articles, settings, docs=None):
    return ner.extract_entities(articles, settings, docs=docs)


@task(name="dates", cache_policy=NO_CACHE)
def extract_dates(articles, docs):
    return dates.extract_dates(articles, docs)


@task(name="events", cache_policy=NO_CACHE)
def extract_events(articles, docs, mentions, settings):
    return event_mentions.extract_events(articles, docs, mentions, settings), amounts.extract_amounts(articles, docs)


@task(name="stories", cache_policy=NO_CACHE)
def assign_stories(articles, settings, con, now):
    return stories.assign_stories(articles, settings, con, now)


@task(name="consolidate", cache_policy=NO_CACHE)
def consolidate_events(event_mentions, articles, settings, con, now):
    return consolidate.consolidate(event_mentions, articles, settings, con, now)


@task(name="entity-overrides", cache_policy=NO_CACHE)
def apply_entity_overrides(con, settings):
    return load.apply_entity_overrides(con, overrides.load(settings.entity_overrides))


@task(name="canonical-entities", cache_policy=NO_CACHE)
def canonicalise_entities(articles, entity_rows, mentions, con, settings):
    return canonical.canonicalise(articles, entity_rows, mentions, settings,
                                  known=entity_store.warehouse_lookup(con))


@task(name="quotes", cache_policy=NO_CACHE)
def extract_quotes(articles, mentions, settings):
    return quotes.extract_quotes(articles, mentions, settings)


@task(name="validate", cache_policy=NO_CACHE)
def validate_batch(tables, settings, con=None):
    known = validate.warehouse_keys(con) if con is not None else None
    return validate.validate_batch(tables, settings, known=known)


@task(name="load", cache_policy=NO_CACHE)
def load_batch(con, run_id, now, tables, quarantined, replace=False):
    return load.load_batch(con, run_id, now, tables, quarantined, replace=replace)


@task(name="check-night", cache_policy=NO_CACHE)
def check_night(con, summary, settings):
    """Tonight's per-source profile against recent nights (the `night` suite, warnings)."""
    params = history.parameters(history.recent_profiles(con, summary.run_id, settings.history_runs),
                                settings.entity_share_tolerance_pct)
    _, outcome = validate.get_validator().validate(history.SUITE, history.night_frame(summary.profile),
                                                   params)
    return outcome


@task(name="data-docs", cache_policy=NO_CACHE)
def build_docs(settings, run_id):
    return data_docs.build_docs(validate.get_validator(), settings.docs_path, run_id)


@task(name="report", cache_policy=NO_CACHE)
def build_report(con, settings, summary):
    return night.report_for_run(con, settings, summary)


@task(name="alert", cache_policy=NO_CACHE)
def send_alert(summary):
    return alert.send_alert(alert.build_alert(summary))


@task(name="export-parquet", cache_policy=NO_CACHE)
def export_lake(con, lake_dir, run_id):
    return lake.export_lake(con, lake_dir, run_id)


# --- fetching (issue 3) ---

@task(name="plan-sources", cache_policy=NO_CACHE)
def plan_sources(sources, settings):
    return fetch_sources.plan(sources, settings)


@task(name="fetch-listings", cache_policy=NO_CACHE)
def fetch_listings(fetcher, listings, state, settings):
    return crawl.expand_listings(fetcher, listings, state, settings)


# Per-URL failures are fetch_log rows, never exceptions: a raise here is the batch's infrastructure
# (threads, the client), so the whole batch is retried with backoff.
@task(name="fetch-pages", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def fetch_pages(fetcher, jobs):
    return crawl.fetch_pages(fetcher, jobs)
