"""The nightly flow: it only wires the stage tasks together, batch by batch (flows/pipeline.py runs
them: analyse on the task runner, commit here, the one writer)."""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.context import get_run_context
from prefect.states import Failed, State

from flows import artifacts
from flows.pipeline import Batch, Job, Pipeline
from flows.progress import Progress
from newsflow import runners
from newsflow.batches import ARTICLE, Quarantined, guarded
from newsflow.config import Settings, load_settings
from newsflow.timing import Stopwatch
from tasks import commit, steps
from tasks.analyse import Failure, Prepared
from tasks.entities import overrides
from tasks.events.actors import load as load_actors
from tasks.fetch import crawl, warc
from tasks.fetch.client import Fetcher
from tasks.quality import history, validate
from tasks.report import alert
from tasks.sources import jsonl
from tasks.sources import plan as fetch_sources
from tasks.store import lake
from tasks.store.raw import raw_documents
from tasks.store.runs import UNFINISHED, RunSummary, close_unfinished, finish_run, new_run_id, start_run
from warehouse.db import WarehouseBusy
from warehouse.lock import connect_writer, writer_lock

RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _failed_batch(inputs: list[str], raw, stage: str, error: str) -> list[Quarantined]:
    """When a stage fails for a whole batch, every input of it is quarantined, not lost."""
    reason = f"{stage} failed for the batch: {error}"
    if raw is not None and raw.num_rows:
        return [Quarantined(stage, r["source"], reason, r["body"])
                for r in raw.select(["source", "body"]).to_pylist()]
    return [Quarantined(stage, str(f), reason, None) for f in inputs]


class BatchWriter:
    """The writer's half of the pipeline, in input order: dedupe a prepared batch against the
    warehouse and the batches in flight (`select`), then commit its analysis (`commit`)."""

    def __init__(self, con, settings: Settings, summary: RunSummary, clock: Stopwatch, now: datetime,
                 progress: Progress | None = None):
        self.con, self.settings, self.summary, self.clock, self.now = con, settings, summary, clock, now
        self.in_flight = commit.InFlight()
        self.progress = progress

    def select(self, batch: Batch) -> None:
        prepared = batch.prepared
        if prepared.failure is not None:
            return
        try:
            with self.clock.stage("dedupe"):
                batch.saw_in_flight = self.in_flight.batches > 0
                batch.articles, duplicates = commit.new_articles(
                    prepared.cleaned, None if batch.job.replace else self.con, self.in_flight)
        except Exception as exc:  # noqa: BLE001 - the batch fails (quarantined at its commit), not the night
            prepared.failure = Failure("dedupe", f"{type(exc).__name__}: {exc}")
            batch.articles = None
            return
        batch.duplicates = len(duplicates)
        if batch.articles.num_rows and not batch.job.replace:
            self.in_flight.add(batch.articles)

    def _recheck(self, batch: Batch) -> None:
        """Exactly today's dedupe: an earlier batch in flight may have lost an article (rejected, or
        the whole batch failed) that this one was told it duplicates. Then it is analysed again,
        here (rare: it needs a batch failure and a copy of one of its articles in the next batches)."""
        with self.clock.stage("dedupe"):
            exact, duplicates = commit.new_articles(batch.prepared.cleaned, self.con)
        if exact.column("article_id").to_pylist() == batch.articles.column("article_id").to_pylist():
            return
        get_run_logger().warning("batch %d: an earlier batch did not load an article this one copies; "
                                 "analysing its %d new articles again", batch.number, exact.num_rows)
        batch.duplicates = len(duplicates)
        batch.analysed = steps.analyse_batch(batch=batch.number, articles=exact, settings=self.settings) \
            if exact.num_rows else None

    def commit(self, batch: Batch) -> None:
        job, prepared, analysed = batch.job, batch.prepared, batch.analysed
        summary, clock = self.summary, self.clock
        clock.merge(prepared.seconds)
        if analysed is not None:
            clock.merge(analysed.seconds)
        raw = batch.raw
        summary.docs_seen += raw.num_rows if raw is not None else 0
        failure = prepared.failure or (analysed.failure if analysed is not None else None)
        try:
            if failure is not None:
                raise _BatchFailed(failure.stage, failure.error)
            if batch.saw_in_flight and batch.articles is not None:
                self._recheck(batch)
                analysed = batch.analysed
                if analysed is not None and analysed.failure is not None:
                    raise _BatchFailed(analysed.failure.stage, analysed.failure.error)
            with clock.stage("commit"):
                done = steps.commit_batch(batch.number, self.con, summary.run_id, self.now, self.settings, raw,
                                          analysed, job.extra, job.quarantined + prepared.quarantined, clock,
                                          replace=job.replace)
            summary.validation.extend(done.report.to_json())
            summary.validation_success &= done.report.success
            history.profile_batch(summary.profile, prepared.cleaned,
                                  done.tables.get("articles", ARTICLE.empty_table()), done.tables.get("mentions"))
            counts, quarantined = done.counts, done.quarantined
        except Exception as exc:  # one bad batch never stops the night
            stage, error = (exc.stage, exc.error) if isinstance(exc, _BatchFailed) else \
                (clock.current, f"{type(exc).__name__}: {exc}")
            if not isinstance(exc, _BatchFailed):
                get_run_logger().exception("batch %d of %d inputs failed in %s", batch.number, len(job.inputs), stage)
            else:
                get_run_logger().error("batch %d of %d inputs failed in %s: %s", batch.number, len(job.inputs),
                                       stage, error)
            summary.error = f"{stage}: {error}"
            quarantined = _failed_batch(job.inputs, raw, stage, error) + _unread(job, prepared, raw)
            kept = {"raw_documents": raw_documents(raw)} if raw is not None and raw.num_rows else {}
            counts = steps.load_batch(self.con, summary.run_id, self.now, {**kept, **job.extra}, quarantined)
        finally:
            if batch.articles is not None and batch.articles.num_rows and not job.replace:
                self.in_flight.remove(batch.articles)
        summary.articles_duplicate += batch.duplicates
        summary.count_loaded(counts)
        _count_quarantine(summary, quarantined)
        if self.progress is not None:
            self.progress.advance(raw.num_rows if raw is not None else len(job.inputs), summary)


def _unread(job: Job, prepared: Prepared, raw) -> list[Quarantined]:
    """Rejects of inputs that never became RAW rows (so a failed batch's rows do not cover them)."""
    read = set(raw.column("source").to_pylist()) if raw is not None and raw.num_rows else set()
    return [q for q in job.quarantined + prepared.quarantined if q.source not in read]


class _BatchFailed(Exception):
    def __init__(self, stage: str, error: str):
        super().__init__(f"{stage}: {error}")
        self.stage, self.error = stage, error


def run_batches(con, jobs, settings: Settings, summary: RunSummary, clock: Stopwatch, now: datetime,
                progress: Progress | None = None) -> None:
    """Every job through prepare -> dedupe -> analyse -> commit on the configured task runner."""
    writer = BatchWriter(con, settings, summary, clock, now, progress)
    with clock.stage("batches"):
        Pipeline(settings, writer.select, writer.commit).run(jobs)


def _count_quarantine(summary: RunSummary, records: list[Quarantined]) -> None:
    for q in records:
        summary.quarantined_by_stage[q.stage] = summary.quarantined_by_stage.get(q.stage, 0) + 1
    summary.quarantined += len(records)


def _status(summary: RunSummary) -> str:
    if summary.error or not summary.validation_success:
        return "failed"
    warned = any(f["severity"] != "critical" for o in summary.validation for f in o["failures"])
    return "warning" if warned or summary.quarantined else "success"


def _file_jobs(files: list[Path], settings: Settings):
    for batch in _chunks(files, settings.batch_size):
        yield Job(inputs=[str(f) for f in batch], source="files", files=batch)


def _chunk_jobs(path: Path, chunks, source: str, clock: Stopwatch):
    """A file streamed in batches (WARC, JSONL): each chunk of RAW rows and rejects is one batch.
    Chunks are read here, in the writer, as the pipeline asks for the next batch."""
    chunks = guarded(chunks, str(path), "ingest")
    while True:
        with clock.stage("read"):
            chunk = next(chunks, None)
        if chunk is None:
            return
        raw, quarantined = chunk
        yield Job(inputs=[str(path)], source=source, raw=raw, quarantined=quarantined)


def _log_fetches(con, summary: RunSummary, now: datetime, results, quarantined, settings: Settings) -> None:
    """Listing and robots.txt fetches: validated and loaded on their own (no articles with them)."""
    summary.count_fetches((r.kind, r.outcome) for r in results)
    tables, q, report = steps.validate_batch({"fetch_log": crawl.log_table(results)}, settings)
    summary.validation.extend(report.to_json())
    summary.validation_success &= report.success
    quarantined = quarantined + q
    summary.count_loaded(steps.load_batch(con, summary.run_id, now, tables, quarantined))
    _count_quarantine(summary, quarantined)


def _crawl_jobs(con, plan, settings: Settings, summary: RunSummary, clock: Stopwatch, now: datetime):
    """Listings first, then page batches: the next batch is fetched (a submitted task, threads
    inside) while the pipeline analyses and commits earlier ones; `fetch_wait` is the time it waited."""
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
            yield Job(inputs=fetched.urls, source="web", raw=fetched.raw, extra=fetched.tables,
                      quarantined=list(fetched.quarantined))


def _failure_message(summary: RunSummary) -> str:
    failed = alert.failed_expectations([{"failures": [f for f in o["failures"] if f["severity"] == "critical"]}
                                        for o in summary.validation])
    parts = [f"{f['suite']}.{f['expectation']}({f['column'] or ''}): {f['unexpected_count']} row(s)"
             for f in failed]
    if summary.error:
        parts.append(f"error: {summary.error}")
    return f"run {summary.run_id} failed: " + "; ".join(parts)


def _after_run(con, settings: Settings, summary: RunSummary, clock: Stopwatch) -> None:
    """Night checks, status, Parquet, Data Docs: the end of every completed run."""
    logger = get_run_logger()
    if summary.kind == "nightly" and summary.rows_loaded.get("articles", 0):
        with clock.stage("check-night"):
            summary.validation.append(asdict(steps.check_night(con, summary, settings)))
    elif summary.kind == "nightly":  # nothing new: no GX start-up for a profile of zeros
        logger.info("night checks skipped: no new articles tonight")
    summary.status = _status(summary)
    if settings.write_parquet:
        with clock.stage("parquet"):
            finish_run(con, summary)  # so the exported runs table has this run's row complete
            steps.export_lake(con, settings.lake_path, summary.run_id)
    index = Path(settings.docs_path) / "index.html"
    if settings.data_docs and not validate.has_results() and index.exists():
        summary.docs_path = str(index.resolve())  # nothing validated tonight: no GX start, the docs stand
    elif settings.data_docs:
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


def new_run_name() -> str:
    """The flow run's name is the newsflow run id (`flow_run_name=`), so the Prefect UI and the
    `runs` table name a night the same way."""
    return new_run_id(datetime.now(timezone.utc))


def run_pipeline(settings: Settings, kind: str, inputs: list[str], feed) -> dict | State:
    """The frame of every writing run: writer lock, `runs` row, `feed` (the batches), checks, docs,
    alert, artifacts. Returns the summary, or a Failed state carrying it when a critical expectation
    failed."""
    now = datetime.now(timezone.utc)
    ctx = get_run_context()
    name = ctx.flow_run.name if ctx.flow_run is not None else ""
    summary = RunSummary(run_id=name if RUN_ID.fullmatch(name or "") else new_run_id(now),
                         flow_run_id=str(ctx.flow_run.id) if ctx.flow_run else None,
                         started_at=now, inputs=inputs, db_path=str(settings.db_path), kind=kind)
    clock = Stopwatch(summary.stage_seconds)
    logger = get_run_logger()
    try:
        runners.check(settings)
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


def _run_locked(con, settings: Settings, summary: RunSummary, clock: Stopwatch, feed) -> None:
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
        artifacts.publish(con, settings, summary)
        con.close()


def run_flow(flow_fn, **kwargs) -> dict:
    """Calls a newsflow flow and returns its summary, also when the flow run is marked Failed."""
    state = flow_fn(return_state=True, **kwargs)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result


@flow(name="newsflow-nightly", flow_run_name=new_run_name)
def nightly(inputs: list[str] | None = None, db_path: str | None = None, config_file: str | None = None,
            batch_size: int | None = None, model: str | None = None, feeds: list[str] | None = None,
            sitemaps: list[str] | None = None, discover: list[str] | None = None,
            task_runner: str | None = None, workers: int | None = None) -> dict:
    """Reads `inputs` (files, folders, globs, URLs, URL lists, WARC files) and the `feeds`,
    `sitemaps` and sites to `discover`; without any, the `[[sources]]` of newsflow.toml (else
    `source_paths`). Batches are analysed on the `task_runner` (process, dask, ray, sequential) and
    committed by this process, the warehouse's one writer, in input order.

    The flow run ends Failed (its data: the run summary) when a critical expectation failed or a
    batch crashed; the good rows are loaded all the same."""
    settings = load_settings(config_file, db_path=db_path, batch_size=batch_size, model=model,
                             task_runner=task_runner, workers=workers)
    sources = (fetch_sources.cli_sources(inputs, feeds, sitemaps, discover) or list(settings.sources)
               or fetch_sources.cli_sources(settings.source_paths))

    def feed(con, summary: RunSummary, clock: Stopwatch, now: datetime) -> None:
        with clock.stage("overrides"):  # curated entity merges/renames/drops, also for stored rows
            steps.apply_entity_overrides(con, settings)
        with clock.stage("discover"):
            plan = steps.plan_sources(sources, settings)
        summary.skipped = plan.skipped_summary()  # hidden files, our own outputs: said, not quarantined
        if plan.quarantined:
            steps.load_batch(con, summary.run_id, now, {}, plan.quarantined)
            _count_quarantine(summary, plan.quarantined)
        jobs = itertools.chain(
            _file_jobs(plan.files, settings),
            *(_chunk_jobs(path, jsonl.read_jsonl_batches(path, settings, settings.batch_size), "jsonl", clock)
              for path in plan.jsonl),
            *(_chunk_jobs(path, warc.read_warc(path, settings, settings.batch_size, source.language), "warc", clock)
              for path, source in plan.warcs),
            _crawl_jobs(con, plan, settings, summary, clock, now) if plan.web else ())
        known = -(-len(plan.files) // settings.batch_size)
        with Progress(settings, batches=known if not (plan.jsonl or plan.warcs or plan.web) else None,
                      documents=len(plan.files)) as progress:
            run_batches(con, jobs, settings, summary, clock, now, progress)

    return run_pipeline(settings, "nightly", [fetch_sources.describe(s) for s in sources], feed)
