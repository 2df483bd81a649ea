"""Scheduling: `newsflow serve` runs the nightly flow on a cron schedule from this process.

For a work pool instead, `prefect deploy --all` reads prefect.yaml at the repository root.
"""

from __future__ import annotations

from prefect.schedules import Cron

from flows.nightly import nightly
from newsflow.config import Settings

DEPLOYMENT = "nightly"


def build_deployment(settings: Settings, inputs: list[str] | None = None,
                     config_file: str | None = None):
    """The nightly deployment: cron + time zone from the settings, inputs default source_paths."""
    parameters = {"inputs": list(inputs or settings.source_paths), "db_path": str(settings.db_path),
                  "task_runner": settings.task_runner, "workers": settings.workers}
    if config_file:
        parameters["config_file"] = str(config_file)
    return nightly.to_deployment(
        name=DEPLOYMENT,
        schedules=[Cron(settings.schedule_cron, timezone=settings.schedule_timezone)],
        parameters=parameters,
        description="newsflow nightly: per batch prepare → dedupe → analyse (task runner) → commit (one writer)",
        tags=["newsflow"],
    )


def serve(settings: Settings, inputs: list[str] | None = None, config_file: str | None = None) -> None:
    """Blocks: registers the deployment with the Prefect API and runs it on schedule."""
    from prefect import serve as prefect_serve

    prefect_serve(build_deployment(settings, inputs, config_file))
