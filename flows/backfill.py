"""Re-processing without fetching again: stored raw documents (backfill) and quarantined rows (retry).

Both reuse the nightly frame (lock, runs row, validation, load, Data Docs, alert) with `replace`:
articles are re-derived from their raw document and their derived rows replaced, not duplicated.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path

from prefect import flow, get_run_logger

from flows.nightly import _chunks, _count_quarantine, new_run_name, run_batches, run_pipeline
from flows.pipeline import Job
from newsflow.config import load_settings
from tasks import steps
from tasks.store import quarantine
from tasks.store import raw
def _day(value: str | None) -> datetime | None:
    """`YYYY-MM-DD` (midnight UTC) or a full ISO timestamp."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if "T" in value else datetime.combine(date.fromisoformat(value), time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@flow(name="newsflow-backfill", flow_run_name=new_run_name)
def backfill(since: str, until: str | None = None, db_path: str | None = None, config_file: str | None = None,
             batch_size: int | None = None, model: str | None = None, task_runner: str | None = None,
             workers: int | None = None) -> dict:
    """Re-processes the raw documents first seen in [since, until) through clean → ... → load."""
    settings = load_settings(config_file, db_path=db_path, batch_size=batch_size, model=model,
                             task_runner=task_runner, workers=workers)
    start, end = _day(since), _day(until)

    def feed(con, summary, clock, now):
        with clock.stage("read-raw"):
            ids = raw.raw_ids_between(con, start, end)
        get_run_logger().info("backfill: %d raw documents first seen from %s to %s", len(ids), since, until or "now")

        def jobs():
            for chunk in _chunks(ids, settings.batch_size):
                with clock.stage("read-raw"):
                    batch = steps.read_raw(con, chunk)
                yield Job(inputs=[], source="stored", raw=batch, replace=True)

        run_batches(con, jobs(), settings, summary, clock, now)

    return run_pipeline(settings, "backfill", [f"raw_documents first_seen >= {since}"
                                              + (f" and < {until}" if until else "")], feed)


@flow(name="newsflow-retry-quarantine", flow_run_name=new_run_name)
def retry_quarantine(run_id: str | None = None, stage: str | None = None, db_path: str | None = None,
                     config_file: str | None = None, batch_size: int | None = None,
                     model: str | None = None, task_runner: str | None = None,
                     workers: int | None = None) -> dict:
    """Re-processes the quarantined rows not yet retried (optionally of one run/stage), marking them."""
    settings = load_settings(config_file, db_path=db_path, batch_size=batch_size, model=model,
                             task_runner=task_runner, workers=workers)

    def feed(con, summary, clock, now):
        plan = quarantine.plan_retry(con, run_id, stage)
        get_run_logger().info("retry: %d quarantined rows (%d stored documents, %d ingest payloads), "
                              "%d without a document", len(plan.quarantine_ids), len(plan.raw_ids),
                              len(plan.payloads), plan.skipped)

        def jobs():
            for chunk in _chunks(plan.raw_ids, settings.batch_size):
                yield Job(inputs=[], source="stored", raw=steps.read_raw(con, chunk), replace=True)
            for chunk in _chunks(plan.payloads, settings.batch_size):
                with clock.stage("ingest"):
                    batch, rejected = quarantine.read_payloads(chunk, settings)
                if rejected:
                    steps.load_batch(con, summary.run_id, now, {}, rejected)
                    _count_quarantine(summary, rejected)
                yield Job(inputs=[], source="stored", raw=batch, replace=True)
            for chunk in _chunks(plan.files, settings.batch_size):  # kept without bytes: read from the path
                yield Job(inputs=list(chunk), source="files", files=[Path(f) for f in chunk])

        run_batches(con, jobs(), settings, summary, clock, now)
        summary.skipped = quarantine.skipped_summary(plan)
        quarantine.mark_retried(con, plan.quarantine_ids, summary.run_id, now)

    return run_pipeline(settings, "retry", [f"quarantine retry run={run_id or '*'} stage={stage or '*'}"], feed)
