"""The nightly flow: it only wires the stage tasks together, batch by batch."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.context import get_run_context

from newsflow.batches import Quarantined
from newsflow.config import Settings, load_settings
from tasks import steps
from tasks.runs import RunSummary, finish_run, new_run_id, start_run
from warehouse import db


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
                  clock: _Stopwatch, now: datetime) -> None:
    raw = None
    try:
        with clock.stage("ingest"):
            raw, quarantined = steps.ingest_batch(files, settings)
        summary.docs_seen += raw.num_rows
        with clock.stage("clean"):
            articles, q = steps.clean_batch(raw, settings)
        quarantined += q
        with clock.stage("dedupe"):
            articles, duplicates = steps.dedupe_batch(articles, con)
        summary.articles_duplicate += len(duplicates)
        with clock.stage("parse"):
            docs = steps.parse_batch(articles, settings)
        with clock.stage("entities"):
            entity_rows, mentions = steps.extract_entities(articles, settings, docs)
        tables = {"articles": articles, "entities": entity_rows, "mentions": mentions}
        if settings.events_enabled:
            with clock.stage("events"):
                event_mentions, amounts = steps.extract_events(articles, docs, mentions, settings)
            with clock.stage("stories"):
                articles, story_rows = steps.assign_stories(articles, settings, con, now)
            with clock.stage("consolidate"):
                event_rows, event_mentions = steps.consolidate_events(event_mentions, articles, settings, con, now)
            tables = {"articles": articles, "stories": story_rows, "entities": entity_rows, "mentions": mentions,
                      "events": event_rows, "event_mentions": event_mentions, "amounts": amounts}
        del docs  # the batch's Docs are the largest objects of a run
        with clock.stage("validate"):
            tables, q, report = steps.validate_batch(tables, settings)
        quarantined += q
        summary.validation.extend(report.to_json())
        summary.validation_success &= report.success
        with clock.stage("load"):
            counts = steps.load_batch(con, summary.run_id, now, tables, quarantined)
    except Exception as exc:  # one bad batch never stops the night
        get_run_logger().exception("batch of %d inputs failed in %s", len(files), clock.current)
        summary.error = f"{clock.current}: {type(exc).__name__}: {exc}"
        quarantined = _failed_batch(files, raw, clock.current, exc)
        counts = steps.load_batch(con, summary.run_id, now, {}, quarantined)
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


@flow(name="newsflow-nightly")
def nightly(inputs: list[str], db_path: str | None = None, config_file: str | None = None,
            batch_size: int | None = None, model: str | None = None) -> dict:
    """Ingests `inputs` (files, folders, globs), runs every stage per batch, loads the warehouse."""
    settings = load_settings(config_file, db_path=db_path, batch_size=batch_size, model=model)
    now = datetime.now(timezone.utc)
    ctx = get_run_context()
    summary = RunSummary(run_id=new_run_id(now), flow_run_id=str(ctx.flow_run.id) if ctx.flow_run else None,
                         started_at=now, inputs=[str(i) for i in inputs], db_path=str(settings.db_path))
    clock = _Stopwatch(summary.stage_seconds)
    con = db.connect(settings.db_path)
    try:
        start_run(con, summary, settings)
        with clock.stage("discover"):
            files, quarantined = steps.discover(inputs)
        if quarantined:
            steps.load_batch(con, summary.run_id, now, {}, quarantined)
            _count_quarantine(summary, quarantined)
        for batch in _chunks(files, settings.batch_size):
            process_batch(con, batch, settings, summary, clock, now)
        summary.status = _status(summary)
        if settings.write_parquet:
            with clock.stage("parquet"):
                finish_run(con, summary)  # so the exported runs table has this run's row complete
                steps.export_lake(con, settings.lake_path, summary.run_id)
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run(con, summary)
        con.close()
    logging.getLogger(__name__).info("run %s finished: %s", summary.run_id, summary.status)
    return summary.to_dict()
