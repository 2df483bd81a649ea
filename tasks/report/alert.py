"""One alert per run, through Apprise, to the destinations configured in the environment.

Destinations carry secrets, so they come only from environment variables (never newsflow.toml,
never `runs.settings`, never logged):

    NEWSFLOW_ALERT_WEBHOOK   a URL that receives the alert as JSON (POST; Apprise's json:// plugin)
    NEWSFLOW_ALERT_SLACK     a Slack incoming-webhook URL (https://hooks.slack.com/services/...)
    NEWSFLOW_ALERT_EMAIL_TO  recipient(s), comma-separated, sent through
        NEWSFLOW_SMTP_HOST, NEWSFLOW_SMTP_PORT (587), NEWSFLOW_SMTP_USER, NEWSFLOW_SMTP_PASSWORD,
        NEWSFLOW_SMTP_SECURE (starttls | ssl | none), NEWSFLOW_ALERT_EMAIL_FROM
    NEWSFLOW_ALERT_URLS      any other Apprise URLs, whitespace-separated

A destination that fails is logged by its name and recorded in `runs.alert_status`; it never fails
the run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from urllib.parse import quote, urlencode, urlsplit

log = logging.getLogger(__name__)
SAMPLE_SIZE = 5


def should_alert(summary: dict, alert_on: str) -> bool:
    """alert_on: failed (critical expectation, crashed batch or run) | warning (also warnings) | never."""
    if alert_on == "never":
        return False
    levels = {"failed": {"failed", "running"}, "warning": {"failed", "running", "warning"}}
    if alert_on not in levels:
        raise ValueError(f"alert_on must be failed, warning or never, not {alert_on!r}")
    return summary["status"] in levels[alert_on] or bool(summary.get("unfinished"))


def failed_expectations(validation: list[dict]) -> list[dict]:
    """Failures summed over batches per (suite, expectation, column, severity), critical first."""
    merged: dict[tuple, dict] = {}
    for outcome in validation:
        for f in outcome["failures"]:
            key = (f["suite"], f["expectation"], f["column"], f["severity"])
            entry = merged.setdefault(key, {"suite": key[0], "expectation": key[1], "column": key[2],
                                            "severity": key[3], "unexpected_count": 0, "sample": []})
            entry["unexpected_count"] += f["unexpected_count"]
            entry["sample"] += [v for v in f["sample"] if v not in entry["sample"]]
            del entry["sample"][SAMPLE_SIZE:]
    return sorted(merged.values(), key=lambda e: (e["severity"] != "critical", e["suite"]))


def build_alert(summary: dict) -> dict:
    failures = failed_expectations(summary.get("validation") or [])
    return {
        "title": f"newsflow run {summary['run_id']}: {summary['status'].upper()}",
        "run_id": summary["run_id"],
        "flow_run_id": summary.get("flow_run_id"),
        "status": summary["status"],
        "warehouse": summary.get("db_path"),
        "data_docs": summary.get("docs_path"),
        "report": summary.get("report_path"),
        "error": summary.get("error"),
        "unfinished_runs": summary.get("unfinished", []),  # earlier runs killed before they finished
        "failed_suites": sorted({f["suite"] for f in failures}),
        "failed_expectations": failures,
        "counts": {
            "documents": summary.get("docs_seen", 0),
            "articles_new": summary.get("articles_new", 0),
            "duplicates": summary.get("articles_duplicate", 0),
            "quarantined": summary.get("quarantined", 0),
            "quarantined_by_stage": summary.get("quarantined_by_stage", {}),
            "rows_loaded": summary.get("rows_loaded", {}),
        },
    }


def render_text(alert: dict) -> str:
    c = alert["counts"]
    lines = [alert["title"], "",
             f"documents {c['documents']}, new articles {c['articles_new']}, duplicates {c['duplicates']}, "
             f"quarantined {c['quarantined']} {c['quarantined_by_stage'] or ''}".rstrip()]
    for f in alert["failed_expectations"]:
        column = f"({f['column']})" if f["column"] else ""
        lines.append(f"- [{f['severity']}] {f['suite']}.{f['expectation']}{column}: "
                     f"{f['unexpected_count']} row(s), e.g. {f['sample']}")
    if alert["error"]:
        lines.append(f"error: {alert['error']}")
    if alert["unfinished_runs"]:
        lines.append(f"earlier runs that did not finish: {', '.join(alert['unfinished_runs'])}")
    if alert.get("report"):
        lines.append(f"report: {alert['report']}")
    if alert["data_docs"]:
        lines.append(f"Data Docs: {alert['data_docs']}")
    lines.append(f"warehouse: {alert['warehouse']}")
    return "\n".join(lines)


def destinations(env: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """name -> (Apprise URL, body format 'json' | 'text'), from the environment only."""
    env = os.environ if env is None else env
    out: dict[str, tuple[str, str]] = {}
    if hook := env.get("NEWSFLOW_ALERT_WEBHOOK", "").strip():
        scheme, rest = hook.split("://", 1) if "://" in hook else ("http", hook)
        out["webhook"] = ({"http": "json", "https": "jsons"}.get(scheme, scheme) + "://" + rest, "json")
    if slack := env.get("NEWSFLOW_ALERT_SLACK", "").strip():
        out["slack"] = (slack, "text")
    if to := env.get("NEWSFLOW_ALERT_EMAIL_TO", "").strip():
        out["email"] = (_email_url(to, env), "text")
    for i, url in enumerate(env.get("NEWSFLOW_ALERT_URLS", "").split(), start=1):
        out[f"{urlsplit(url).scheme or 'apprise'}-{i}"] = (url, "text")
    return out


def _email_url(to: str, env: Mapping[str, str]) -> str:
    host = env.get("NEWSFLOW_SMTP_HOST", "localhost")
    port = env.get("NEWSFLOW_SMTP_PORT", "587")
    secure = env.get("NEWSFLOW_SMTP_SECURE", "starttls").lower()
    user, password = env.get("NEWSFLOW_SMTP_USER", ""), env.get("NEWSFLOW_SMTP_PASSWORD", "")
    auth = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    params = {"smtp": host, "to": to, "from": env.get("NEWSFLOW_ALERT_EMAIL_FROM", f"newsflow@{host}")}
    if secure != "none":
        params["mode"] = secure
    return f"{'mailto' if secure == 'none' else 'mailtos'}://{auth}{host}:{port}?{urlencode(params)}"


def send_alert(alert: dict, env: Mapping[str, str] | None = None) -> str:
    """Sends `alert` to every configured destination; returns what happened, for runs.alert_status."""
    import apprise

    targets = destinations(env)
    if not targets:
        return "not sent: no destination configured"
    sent, failed = [], []
    for name, (url, body_format) in targets.items():
        body = json.dumps(alert, default=str, ensure_ascii=False) if body_format == "json" \
            else render_text(alert)
        try:
            notifier = apprise.Apprise()
            if not notifier.add(url):
                raise ValueError("not a valid destination URL")
            ok = notifier.notify(title=alert["title"], body=body,
                                 notify_type=apprise.NotifyType.FAILURE
                                 if alert["status"] != "warning" else apprise.NotifyType.WARNING)
            (sent if ok else failed).append(name)
        except Exception as exc:  # a broken destination must never fail the run
            log.warning("alert to %s failed: %s", name, type(exc).__name__)
            failed.append(name)
            continue
        if not ok:
            log.warning("alert to %s failed (see Apprise's log above)", name)
    parts = [f"sent: {', '.join(sent)}"] if sent else []
    parts += [f"failed: {', '.join(failed)}"] if failed else []
    return "; ".join(parts)
