"""The `runs` table: one row per run, opened at the start and completed at the end."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from newsflow.config import Settings


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


@dataclass
class RunSummary:
    run_id: str
    flow_run_id: str | None
    started_at: datetime
    inputs: list[str]
    finished_at: datetime | None = None
    status: str = "running"
    docs_seen: int = 0
    articles_new: int = 0
    articles_duplicate: int = 0
    quarantined: int = 0
    quarantined_by_stage: dict[str, int] = field(default_factory=dict)
    rows_loaded: dict[str, int] = field(default_factory=dict)
    validation_success: bool = True
    validation: list[dict] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    db_path: str = ""
    fetch_outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> outcome -> count
    kind: str = "nightly"  # nightly | backfill | retry
    profile: dict = field(default_factory=dict)
    docs_path: str | None = None
    report_path: str | None = None  # the night report (data/reports/<run_id>.html)
    alert_status: str | None = None
    unfinished: list[str] = field(default_factory=list)  # earlier runs found never finished (killed)
    skipped: list[dict] = field(default_factory=list)  # inputs not read on purpose: [{reason, count, examples}]

    def count_fetches(self, outcomes) -> None:
        for kind, outcome in outcomes:
            by_kind = self.fetch_outcomes.setdefault(kind, {})
            by_kind[outcome] = by_kind.get(outcome, 0) + 1

    def count_loaded(self, counts: dict[str, int]) -> None:
        for table, n in counts.items():
            if table != "quarantine":
                self.rows_loaded[table] = self.rows_loaded.get(table, 0) + n
        self.articles_new = self.rows_loaded.get("articles", 0)

    @property
    def nlp_status(self) -> dict[str, int]:
        """New articles per nlp_status ("ok", "no_model:de"), from the run's profile."""
        return dict(self.profile.get("nlp_status", {}))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["nlp_status"] = self.nlp_status
        for key in ("started_at", "finished_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


STARTED: list[str] = []  # run ids whose row this process opened (the CLI tells a crash from a failed start)


def start_run(con, summary: RunSummary, settings: Settings) -> None:
    STARTED.append(summary.run_id)
    con.execute(
        "insert into runs (run_id, flow_run_id, started_at, status, inputs, settings) values (?, ?, ?, ?, ?, ?)",
        [summary.run_id, summary.flow_run_id, summary.started_at, summary.status, summary.inputs,
         json.dumps(asdict(settings), default=str)],
    )


def finish_run(con, summary: RunSummary) -> None:
    summary.finished_at = datetime.now(timezone.utc)
    con.execute(
        """
        update runs set finished_at = ?, status = ?, docs_seen = ?, articles_new = ?,
            articles_duplicate = ?, quarantined = ?, rows_loaded = ?,
            validation_success = ?, validation = ?, stage_seconds = ?, error = ?, fetch_outcomes = ?,
            kind = ?, profile = ?, docs_path = ?, alert_status = ?, report_path = ?, skipped = ?
        where run_id = ?
        """,
        [summary.finished_at, summary.status, summary.docs_seen, summary.articles_new,
         summary.articles_duplicate, summary.quarantined, json.dumps(summary.rows_loaded),
         summary.validation_success, json.dumps(summary.validation),
         json.dumps({k: round(v, 3) for k, v in summary.stage_seconds.items()}), summary.error,
         json.dumps(summary.fetch_outcomes), summary.kind, json.dumps(summary.profile),
         summary.docs_path, summary.alert_status, summary.report_path, json.dumps(summary.skipped),
         summary.run_id],
    )


UNFINISHED = "did not finish: its process ended without closing the run (killed, crashed or cancelled)"


def close_unfinished(con, summary: RunSummary) -> list[str]:
    """Runs still `running` while we hold the writer lock died mid-way: mark them failed."""
    rows = con.execute("select run_id from runs where status = 'running' and run_id <> ? order by started_at",
                       [summary.run_id]).fetchall()
    summary.unfinished = [r[0] for r in rows]
    if summary.unfinished:
        con.execute("update runs set status = 'failed', error = coalesce(error || '; ', '') || ? "
                    "where status = 'running' and run_id <> ?", [UNFINISHED, summary.run_id]).fetchall()
    return summary.unfinished


def record_failed_start(con, settings: Settings, kind: str, inputs: list[str], error: str,
                        since: datetime) -> RunSummary:
    """The `runs` row of a run that failed before its flow could open one (Prefect's API or
    ephemeral server did not come up, an import failed): status failed, the error."""
    summary = RunSummary(run_id=new_run_id(since), flow_run_id=None, started_at=since, inputs=inputs,
                         db_path=str(settings.db_path), kind=kind, status="failed", error=error)
    start_run(con, summary, settings)
    finish_run(con, summary)
    return summary
