"""Thin Prefect task wrappers around the stage functions: one task run per batch, never per document.

A batch is three task runs: `prepare-<n>` and `analyse-<n>` (tasks/analyse.py) run on the task
runner's workers; `commit-<n>` (tasks/commit.py) runs in the flow's process, the one writer.

Batches are large Arrow tables and a DuckDB connection is passed along, so Prefect's input-hash
caching is switched off (NO_CACHE); results stay in memory.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow import resources
from tasks import analyse, commit
from tasks.entities import overrides
from tasks.fetch import crawl
from tasks.quality import data_docs, history, validate
from tasks.report import alert, night
from tasks.sources import plan as fetch_sources
from tasks.store import lake, load, raw


# --- analyse: submitted to the task runner (a worker process, a Dask or Ray worker) ---

@task(name="prepare", task_run_name="prepare-{batch}", cache_policy=NO_CACHE)
def prepare_batch(batch: int, settings, files=None, raw=None):
    """Read (unless `raw` is given) and clean one batch. Returns the RAW rows only when read here."""
    prepared = analyse.prepare(settings, files=files, raw=raw)
    if raw is not None:
        prepared.raw = None  # the writer has them: do not send them back
    return prepared


@task(name="analyse", task_run_name="analyse-{batch}", cache_policy=NO_CACHE)
def analyse_batch(batch: int, articles, settings, shipped=None):
    """The NLP and row-level checks of one batch's new articles."""
    _test_kill(batch)
    return analyse.analyse(articles, resources.unpack(settings, shipped))


def _test_kill(batch: int) -> None:
    """Test-only hook for the lost-worker tests: NEWSFLOW_TEST_KILL_ANALYSE="<n>:<marker file>" makes
    the worker analysing batch n SIGKILL itself, once (the marker says it happened)."""
    hook = os.environ.get("NEWSFLOW_TEST_KILL_ANALYSE")
    if not hook:
        return
    n, marker = hook.split(":", 1)
    if int(n) == batch and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)


# --- commit: in the writer, in input order ---

@task(name="commit", task_run_name="commit-{batch}", cache_policy=NO_CACHE)
def commit_batch(batch: int, con, run_id, now, settings, raw, analysed, extra, quarantined, clock,
                 replace=False):
    return commit.commit(con, run_id, now, settings, raw, analysed, extra, quarantined, clock, replace=replace)


@task(name="read-raw", cache_policy=NO_CACHE)
def read_raw(con, raw_ids):
    return raw.read_raw(con, raw_ids)


@task(name="entity-overrides", cache_policy=NO_CACHE)
def apply_entity_overrides(con, settings):
    return load.apply_entity_overrides(con, overrides.load(settings.entity_overrides))


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
