"""The nightly flow: it only wires the stage tasks together, batch by batch."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.context import get_run_context
from prefect.states import Failed, State

from newsflow.batches import Quarantined, guarded
from newsflow.config import Settings, load_settings
from tasks import steps
from tasks.report import alert
from tasks.quality import history
from tasks.sources import jsonl
from tasks.entities import overrides
from tasks.events.actors import load as load_actors
from tasks.fetch import crawl, warc
from tasks.sources import plan as fetch_sources
from tasks.fetch.client import Fetcher
from tasks.fetch.crawl import Fetched
from tasks.store import lake
from tasks.store.raw import raw_documents
from tasks.store.runs import UNFINISHED, RunSummary, close_unfinished, finish_run, new_run_id, start_run
from warehouse.db import WarehouseBusy
from warehouse.lock import connect_writer, writer_lock


class _Stopwatch:
    """Sums wall time per stage over all batches, for `runs.stage_seconds`."""

    def __init__(self, totals: dict[str, float]):
        self.totals = totals
        self.current = "start"

    @contextmanager
    def stage(self, name: str):
        self.current = name
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - t0


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _failed_batch(files: list[Path], raw, stage: str, exc: Exception) -> list[Quarantined]:
    """When a stage fails for a whole batch, every input of it is quarantined, not lost."""
    reason = f"{stage} failed for the batch: {type(exc).__name__}: {exc}"
    if raw is not None and raw.num_rows:
        return [Quarantined(stage, r["source"], reason, r["body"])
                for r in raw.select(["source", "body"]).to_pylist()]
    return [Quarantined(stage, str(f), reason, None) for f in files]


def process_batch(con, files: list[Path], settings: Settings, summary: RunSummary,
                  clock: _Stopwatch, now: datetime, fetched: Fetched | None = None, raw=None,
                  replace: bool = False) -> None:
    """One batch through every stage. `files` are ingested; or `fetched` (web pages, a WARC chunk)
    brings its RAW rows, fetch_log rows and rejects; or `raw` given (backfill, retry) are stored
    documents. `replace`: their articles are re-derived (no warehouse dedupe, derived rows replaced)."""
    quarantined: list[Quarantined] = []
    extra = fetched.tables if fetched is not None else {}
    try:
        if fetched is not None:
            raw, quarantined = fetched.raw, list(fetched.quarantined)
        elif raw is None:
            with clock.stage("ingest"):
                raw, quarantined = steps.ingest_batch(files, settings)
        summary.docs_seen += raw.num_rows
        with clock.stage("clean"):
            cleaned, q = steps.clean_batch(raw, settings)
        quarantined += q
        with clock.stage("dedupe"):
            articles, duplicates = steps.dedupe_batch(cleaned, None if replace else con)
        summary.articles_duplicate += len(duplicates)
        with clock.stage("parse"):
            docs = steps.parse_batch(articles, settings)
        with clock.stage("entities"):
            entity_rows, mentions = steps.extract_entities(articles, settings, docs)
        with clock.stage("canonical"):
            entity_rows, mentions, aliases = steps.canonicalise_entities(
                articles, entity_rows, mentions, con, settings)
        with clock.stage("quotes"):
            quotes = steps.extract_quotes(articles, mentions, settings)
        tables = {"articles": articles, "entities": entity_rows, "mentions": mentions,
                  "entity_aliases": aliases, "quotes": quotes, "dates": steps.extract_dates(articles, docs)}
        if settings.events_enabled:  # events see the canonical entity ids of their actors
            with clock.stage("events"):
                event_mentions, amounts = steps.extract_events(articles, docs, mentions, settings)
            with clock.stage("stories"):
                articles, story_rows = steps.assign_stories(articles, settings, con, now)
            with clock.stage("consolidate"):
                event_rows, event_mentions = steps.consolidate_events(event_mentions, articles, settings, con, now)
            tables = {"articles": articles, "stories": story_rows, **{k: v for k, v in tables.items() if k != "articles"},
                      "events": event_rows, "event_mentions": event_mentions, "amounts": amounts}
        tables.update(extra)
        del docs  # the batch's Docs are the largest objects of a run
        with clock.stage("validate"):
            tables, q, report = steps.validate_batch(tables, settings, con)
        quarantined += q
        summary.validation.extend(report.to_json())
        summary.validation_success &= report.success
        history.profile_batch(summary.profile, cleaned, tables["articles"], tables.get("mentions"))
        with clock.stage("load"):
            counts = steps.load_batch(con, summary.run_id, now,
                                      {"raw_documents": raw_documents(raw), **tables}, quarantined,
                                      replace=replace)
    except Exception as exc:  # one bad batch never stops the night
        get_run_logger().exception("batch of %d inputs failed in %s", len(files), clock.current)
        summary.error = f"{clock.current}: {type(exc).__name__}: {exc}"
        quarantined = _failed_batch(files, raw, clock.current, exc) + (list(fetched.quarantined) if fetched else [])
        kept = {"raw_documents": raw_documents(raw)} if raw is not None and raw.num_rows else {}
        counts = steps.load_batch(con, summary.run_id, now, {**kept, **extra}, quarantined)
    summary.count_loaded(counts)
    _count_quarantine(summary, quarantined)


def _count_quarantine(summary: RunSummary, records: list[Quarantined]) -> None:
    for q in records:
        summary.quarantined_by_stage[q.stage] = summary.quarantined_by_stage.get(q.stage, 0) + 1
    summary.quarantined += len(records)


def _status(summary: RunSummary) -> str:
    if summary.error or not summary.validation_success:
        return "failed"
    warned = any(f["severity"] != "critical" for o in summary.validation for f in o["failures"])
    return "warning" if warned or summary.quarantined else "success"


def _process_warc(con, path: Path, source, settings: Settings, summary: RunSummary,
                  clock: _Stopwatch, now: datetime) -> None:
    _process_chunks(con, path, warc.read_warc(path, settings, settings.batch_size, source.language),
                    settings, summary, clock, now)


def _process_jsonl(con, path: Path, settings: Settings, summary: RunSummary, clock: _Stopwatch,
                   now: datetime) -> None:
    _process_chunks(con, path, jsonl.read_jsonl_batches(path, settings, settings.batch_size),
                    settings, summary, clock, now)


def _process_chunks(con, path: Path, chunks, settings: Settings, summary: RunSummary,
                    clock: _Stopwatch, now: datetime) -> None:
    """A file streamed in batches (WARC, JSONL): each chunk of RAW rows and rejects is one batch."""
    chunks = guarded(chunks, str(path), "ingest")
    while True:
        with clock.stage("ingest"):  # reading the next chunk of records is the ingest of that batch
            chunk = next(chunks, None)
        if chunk is None:
            return
        raw, quarantined = chunk
        process_batch(con, [path], settings, summary, clock, now,
                      fetched=Fetched(raw=raw, tables={}, quarantined=quarantined, urls=[str(path)]))


def _log_fetches(con, summary: RunSummary, now: datetime, results, quarantined, settings: Settings) -> None:
    """Listing and robots.txt fetches: validated and loaded on their own (no articles with them)."""
    summary.count_fetches((r.kind, r.outcome) for r in results)
    tables, q, report = steps.validate_batch({"fetch_log": crawl.log_table(results)}, settings)
    summary.validation.extend(report.to_json())
    summary.validation_success &= report.success
    quarantined = quarantined + q
    summary.count_loaded(steps.load_batch(con, summary.run_id, now, tables, quarantined))
    _count_quarantine(summary, quarantined)


def _crawl(con, plan, settings: Settings, summary: RunSummary, clock: _Stopwatch, now: datetime) -> None:
    """Listings first, then page batches: batch i+1 is fetched (a submitted task, threads inside)
    while batch i goes through clean -> NLP -> load here; `fetch_wait` is the time NLP waited."""
    state = crawl.CrawlState(con)
    with Fetcher(settings) as fetcher:
        with clock.stage("fetch"):
            jobs, results, quarantined = steps.fetch_listings(fetcher, plan.listings, state, settings)
            jobs, skipped = crawl.plan_pages(plan.pages + jobs, state)
        if skipped:
            summary.count_fetches([("page", "seen_before")] * skipped)
        if results or quarantined:
            _log_fetches(con, summary, now, results + fetcher.robots.drain(), quarantined, settings)
        batches = list(_chunks(jobs, settings.fetch_batch_size))
        future = steps.fetch_pages.submit(fetcher, batches[0]) if batches else None
        for i, batch in enumerate(batches):
            with clock.stage("fetch_wait"):
                try:
                    fetched = future.result()
                except Exception as exc:  # the task's own retries are spent: quarantine, go on
                    get_run_logger().exception("fetching a batch of %d URLs failed", len(batch))
                    fetched = crawl.failed_fetch(batch, exc)
            if i + 1 < len(batches):
                future = steps.fetch_pages.submit(fetcher, batches[i + 1])
            summary.count_fetches(fetched.outcomes)
            process_batch(con, fetched.urls, settings, summary, clock, now, fetched=fetched)


def _failure_message(summary: RunSummary) -> str:
    failed = alert.failed_expectations([{"failures": [f for f in o["failures"] if f["severity"] == "critical"]}
                                        for o in summary.validation])
    parts = [f"{f['suite']}.{f['expectation']}({f['column'] or ''}): {f['unexpected_count']} row(s)"
             for f in failed]
    if summary.error:
        parts.append(f"error: {summary.error}")
    return f"run {summary.run_id} failed: " + "; ".join(parts)


def _after_run(con, settings: Settings, summary: RunSummary, clock: _Stopwatch) -> None:
    """Night checks, status, Parquet, Data Docs: the end of every completed run."""
    logger = get_run_logger()
    if summary.kind == "nightly":
        with clock.stage("check-night"):
            summary.validation.append(asdict(steps.check_night(con, summary, settings)))
    summary.status = _status(summary)
    if settings.write_parquet:
        with clock.stage("parquet"):
            finish_run(con, summary)  # so the exported runs table has this run's row complete
            steps.export_lake(con, settings.lake_path, summary.run_id)
    if settings.data_docs:
        try:
            with clock.stage("data-docs"):
                summary.docs_path = steps.build_docs(settings, summary.run_id)
        except Exception:  # the docs are a report; never a reason to fail the load
            logger.exception("building Data Docs failed")
    summary.report_path = steps.build_report(con, settings, summary)  # data/reports/<run_id>.html


def _alert(settings: Settings, summary: RunSummary) -> None:
    try:
        if not alert.should_alert(summary.to_dict(), settings.alert_on):
            summary.alert_status = summary.alert_status or "not needed"
            return
        summary.alert_status = steps.send_alert(summary.to_dict())
    except Exception as exc:  # alerting must never fail the load
        get_run_logger().exception("sending the alert failed")
        summary.alert_status = f"failed: {type(exc).__name__}"


def run_pipeline(settings: Settings, kind: str, inputs: list[str], feed) -> dict | State:
    """The frame of every writing run: writer lock, `runs` row, `feed` (the batches), checks, docs,
    alert. Returns the summary, or a Failed state carrying it when a critical expectation failed."""
    now = datetime.now(timezone.utc)
    ctx = get_run_context()
    summary = RunSummary(run_id=new_run_id(now), flow_run_id=str(ctx.flow_run.id) if ctx.flow_run else None,
                         started_at=now, inputs=inputs, db_path=str(settings.db_path), kind=kind)
    clock = _Stopwatch(summary.stage_seconds)
    logger = get_run_logger()
    try:
        with writer_lock(settings.db_path, settings.lock_timeout, logger):
            con = connect_writer(settings.db_path, settings.lock_timeout, logger)
            _run_locked(con, settings, summary, clock, feed)
    except WarehouseBusy as exc:  # refused, not crashed: a message, no traceback in the log
        logger.error("%s", exc)
        return Failed(message=str(exc), data=exc)
    logging.getLogger(__name__).info("run %s finished: %s", summary.run_id, summary.status)
    if summary.status == "failed":
        return Failed(message=_failure_message(summary), data=summary.to_dict())
    return summary.to_dict()


def _run_locked(con, settings: Settings, summary: RunSummary, clock: _Stopwatch, feed) -> None:
    now = summary.started_at
    try:
        start_run(con, summary, settings)
        try:  # a broken curated file stops the run before any input is read (nothing to quarantine)
            overrides.load(settings.entity_overrides)
            load_actors(settings.actor_dictionary)
        except ValueError as exc:
            summary.status, summary.error = "failed", f"configuration: {exc}"
            return
        if close_unfinished(con, summary):
            get_run_logger().warning("earlier run(s) %s %s", ", ".join(summary.unfinished), UNFINISHED)
        feed(con, summary, clock, now)
        _after_run(con, settings, summary, clock)
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _alert(settings, summary)
        finish_run(con, summary)
        lake.export_final_runs(con, settings)  # the lake's runs row as final as the warehouse's
        con.close()


def run_flow(flow_fn, **kwargs) -> dict:
    """Calls a newsflow flow and returns its summary, also when the flow run is marked Failed."""
    state = flow_fn(return_state=True, **kwargs)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result


@flow(name="newsflow-nightly")
def nightly(inputs: list[str] | None = None, db_path: str | None = None, config_file: str | None = None,
            batch_size: int | None = None, model: str | None = None, feeds: list[str] | None = None,
            sitemaps: list[str] | None = None, discover: list[str] | None = None) -> dict:
    """Reads `inputs` (files, folders, globs, URLs, URL lists, WARC files) and the `feeds`,
    `sitemaps` and sites to `discover`; without any, the `[[sources]]` of newsflow.toml (else
    `source_paths`). Runs every stage per batch and loads the warehouse.

    The flow run ends Failed (its data: the run summary) when a critical expectation failed or a
    batch crashed; the good rows are loaded all the same."""
    settings = load_settings(config_file, db_path=db_path, batch_size=batch_size, model=model)
    sources = (fetch_sources.cli_sources(inputs, feeds, sitemaps, discover) or list(settings.sources)
               or fetch_sources.cli_sources(settings.source_paths))

    def feed(con, summary: RunSummary, clock: _Stopwatch, now: datetime) -> None:
        with clock.stage("overrides"):  # curated entity merges/renames/drops, also for stored rows
            steps.apply_entity_overrides(con, settings)
        with clock.stage("discover"):
            plan = steps.plan_sources(sources, settings)
        summary.skipped = plan.skipped_summary()  # hidden files, our own outputs: said, not quarantined
        if plan.quarantined:
            steps.load_batch(con, summary.run_id, now, {}, plan.quarantined)
            _count_quarantine(summary, plan.quarantined)
        for batch in _chunks(plan.files, settings.batch_size):
            process_batch(con, batch, settings, summary, clock, now)
        for path in plan.jsonl:
            _process_jsonl(con, path, settings, summary, clock, now)
        for path, source in plan.warcs:
            _process_warc(con, path, source, settings, summary, clock, now)
        if plan.web:
            _crawl(con, plan, settings, summary, clock, now)

    return run_pipeline(settings, "nightly", [fetch_sources.describe(s) for s in sources], feed)
