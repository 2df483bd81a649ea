"""What a run leaves in Prefect (UI, API): a Markdown summary, a table of quarantine reasons and a
link to the run's HTML report. Published at the end of every run, from any entry point (CLI,
`serve`, a deployment); a failure to publish is logged, never raised."""

from __future__ import annotations

import logging
from pathlib import Path

from newsflow.config import Settings

log = logging.getLogger(__name__)

KEYS = {"summary": "newsflow-run-summary", "quarantine": "newsflow-quarantine", "report": "newsflow-report"}


def report_path(settings: Settings, summary) -> Path:
    """The run's HTML night report (tasks/report/night.py; `reports_dir`, default reports/ beside
    the DuckDB file)."""
    if getattr(summary, "report_path", None):
        return Path(summary.report_path)
    return (settings.reports_path / f"{summary.run_id}.html").resolve()


def summary_markdown(summary) -> str:
    s = summary.to_dict() if hasattr(summary, "to_dict") else summary
    secs = s.get("stage_seconds") or {}
    loaded = ", ".join(f"{k} {v}" for k, v in sorted(s["rows_loaded"].items()) if k != "articles") or "none"
    lines = [
        f"# newsflow run `{s['run_id']}`: {s['status'].upper()}",
        "",
        "| | |", "|---|---|",
        f"| kind | {s.get('kind')} |",
        f"| warehouse | `{s['db_path']}` |",
        f"| documents | {s['docs_seen']} read, {s['articles_new']} new articles, {s['articles_duplicate']} duplicates |",
        f"| rows loaded | {loaded} |",
        f"| quarantined | {s['quarantined']} |",
        f"| validation | {'passed' if s['validation_success'] else 'FAILED (critical)'} |",
    ]
    if secs:
        lines.append("| stage seconds | " + ", ".join(f"{k} {v:.1f}" for k, v in secs.items()) + " |")
    if s.get("error"):
        lines.append(f"| error | {s['error']} |")
    failed = [f for o in s["validation"] for f in o["failures"]]
    if failed:
        lines += ["", "## Expectation failures", "", "| severity | suite | expectation | column | rows |",
                  "|---|---|---|---|---|"]
        lines += [f"| {f['severity']} | {f['suite']} | {f['expectation']} | {f['column'] or ''} | "
                  f"{f['unexpected_count']} |" for f in failed[:50]]
    return "\n".join(lines) + "\n"


def quarantine_rows(con, run_id: str) -> list[dict]:
    rows = con.execute("select stage, reason, count(*) from quarantine where run_id = ? "
                       "group by all order by 3 desc, 1, 2", [run_id]).fetchall()
    return [{"stage": stage, "reason": reason, "rows": n} for stage, reason, n in rows]


def publish(con, settings: Settings, summary) -> None:
    from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

    try:
        create_markdown_artifact(summary_markdown(summary), key=KEYS["summary"],
                                 description=f"newsflow run {summary.run_id}")
        create_table_artifact(quarantine_rows(con, summary.run_id) or [{"stage": "", "reason": "none", "rows": 0}],
                              key=KEYS["quarantine"], description=f"quarantine reasons of run {summary.run_id}")
        path = report_path(settings, summary)
        create_link_artifact(path.as_uri(), link_text=f"report of run {summary.run_id}", key=KEYS["report"],
                             description="the run's HTML report (opens offline)")
    except Exception:  # noqa: BLE001 - artifacts are a view of the run, never a reason to fail it
        log.warning("publishing the run's Prefect artifacts failed", exc_info=True)
