"""What the night report shows, read from the warehouse: one query per section.

"A night" is a run; trends cover the `WINDOW_DAYS` days up to the run's start (UTC days). The run's
own facts (status, counts, validation, quarantine) come from its `runs` row, or from the run summary
while the run is still writing that row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

WINDOW_DAYS = 14
EVENT_DAYS = 31  # events are drawn on their own date, which may lie before the articles' window
TOP_OUTLETS = 8
NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")  # named things, not DATE/MONEY/...
MAX_IDS = 20  # failing row ids listed per expectation


def utc_day(column: str) -> str:
    return f"strftime(timezone('UTC', {column}), '%Y-%m-%d')"


def outlet_sql(con, alias: str = "a") -> str:
    """The outlet of an article: `articles.outlet` (migration 0007, tasks/text/outlet.py), else, for a
    row without one, the site name, else the URL's host, else the input path."""
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = 'articles'").fetchall()}
    fallback = (f"coalesce({alias}.site_name, nullif(regexp_extract({alias}.url, '^[a-z]+://([^/]+)', 1), ''), "
                f"{alias}.source)")
    return f"coalesce({alias}.outlet, {fallback})" if "outlet" in columns else fallback


def run_row(con, run_id: str | None) -> dict | None:
    """A `runs` row as the summary dict shape (JSON columns parsed); the latest run when no id."""
    where, params = ("where run_id = ?", [run_id]) if run_id else ("", [])
    rel = con.execute(f"select * from runs {where} order by started_at desc limit 1", params)
    row = rel.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in rel.description], row))
    for key in ("rows_loaded", "validation", "stage_seconds", "fetch_outcomes", "profile"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def _days(end: date, n: int) -> list[str]:
    return [(end - timedelta(days=n - 1 - i)).isoformat() for i in range(n)]


def _as_date(value) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).date() if value.tzinfo else value.date()
    return value


def articles_per_outlet(con, days: list[str]) -> dict[str, list[int]]:
    outlet = outlet_sql(con)
    rows = con.execute(
        f"select {outlet} as outlet, {utc_day('a.ingested_at')} as day, count(*) from articles a "
        f"where {utc_day('a.ingested_at')} between ? and ? group by all", [days[0], days[-1]]).fetchall()
    totals: dict[str, int] = defaultdict(int)
    for o, _, n in rows:
        totals[o] += n
    top = sorted(totals, key=lambda o: (-totals[o], o))[:TOP_OUTLETS]
    series = {o: [0] * len(days) for o in top}
    index = {d: i for i, d in enumerate(days)}
    for o, d, n in rows:
        key = o if o in series else "other outlets"
        series.setdefault(key, [0] * len(days))[index[d]] += n
    return series


def top_entities(con, days: list[str], limit: int = 15) -> list[dict]:
    rel = con.execute(
        f"""select e.name, e.label, count(distinct m.article_id) as articles, count(*) as mentions
        from mentions m join entities e using (entity_id) join articles a using (article_id)
        where e.label in (select unnest(?::varchar[])) and {utc_day('a.ingested_at')} between ? and ?
        group by all order by articles desc, mentions desc, e.name limit ?""",
        [list(NAMED_LABELS), days[0], days[-1], limit])
    return [dict(zip(["name", "label", "articles", "mentions"], r)) for r in rel.fetchall()]


def events_per_day(con, end: date) -> tuple[list[str], dict[str, list[int]]]:
    days = _days(end, EVENT_DAYS)
    rows = con.execute("select cast(day as varchar), quad_class, sum(events) from events_per_day "
                       "where cast(day as varchar) between ? and ? group by all", [days[0], days[-1]]).fetchall()
    first = min((d for d, _, _ in rows), default=days[-1])
    days = [d for d in days if d >= first]  # from the first day with events: no long empty run-in
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[int]] = {}
    for quad in ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict"):
        series[quad] = [0] * len(days)
    for d, quad, n in rows:
        series.setdefault(quad or "unknown", [0] * len(days))[index[d]] += int(n)
    return days, series


def event_places(con, days: list[str]) -> list[dict]:
    rel = con.execute(
        f"""select p.name, p.geo_type, p.latitude, p.longitude, count(*) as events
        from events ev join entities p on p.entity_id = ev.location_entity_id
        where p.latitude is not null and p.longitude is not null
          and {utc_day('ev.last_seen')} between ? and ?
        group by all order by events desc, p.name""", [days[0], days[-1]])
    return [dict(zip(["name", "geo_type", "latitude", "longitude", "events"], r)) for r in rel.fetchall()]


def story_timelines(con, days: list[str], limit: int = 12) -> list[dict]:
    rows = con.execute(
        """select story_id, label, cast(day as varchar), articles, story_articles, story_sources, story_events
        from story_timeline where story_id in (
            select story_id from stories where cast(last_seen as date) >= cast(? as date)
            order by num_articles desc, last_seen desc limit ?)
        order by story_articles desc, label, day""", [days[0], limit]).fetchall()
    stories: dict[str, dict] = {}
    for sid, label, day, n, total, sources, events in rows:
        s = stories.setdefault(sid, {"label": label or sid, "days": {}, "articles": total,
                                     "sources": sources, "events": events})
        s["days"][day] = n
    return list(stories.values())


def quarantine_reasons(con, run_id: str) -> list[dict]:
    rel = con.execute("""select stage, reason, count(*) as rows, min(source) as example
        from quarantine where run_id = ? group by all order by rows desc, stage, reason""", [run_id])
    return [dict(zip(["stage", "reason", "rows", "example"], r)) for r in rel.fetchall()]


def validation_results(outcomes: list[dict]) -> list[dict]:
    """Per suite over the run's batches: rows checked, and each failed expectation with its
    severity, failing rows, and their ids (the table's key column) or failing values."""
    suites: dict[str, dict] = {}
    for o in outcomes or []:
        s = suites.setdefault(o["suite"], {"suite": o["suite"], "rows": 0, "batches": 0, "rejected": 0,
                                           "failures": {}})
        s["rows"] += o.get("rows") or 0
        s["batches"] += 1
        s["rejected"] += o.get("rejected_rows") or 0
        for f in o.get("failures") or []:
            key = (f["expectation"], f.get("column"), f["severity"])
            agg = s["failures"].setdefault(key, {"expectation": f["expectation"], "column": f.get("column"),
                                                 "severity": f["severity"], "rows": 0, "ids": [], "values": [],
                                                 "id_column": f.get("id_column")})
            agg["rows"] += f.get("unexpected_count") or 0
            for target, values in (("ids", f.get("row_ids") or []), ("values", f.get("sample") or [])):
                agg[target] += [v for v in values if v not in agg[target]][: MAX_IDS - len(agg[target])]
    out = []
    for s in suites.values():
        failures = sorted(s["failures"].values(), key=lambda f: (f["severity"] != "critical", f["expectation"]))
        out.append({**s, "failures": failures})
    return sorted(out, key=lambda s: (not s["failures"], s["suite"]))


def gather(con, run: dict) -> dict:
    """Everything the page shows for `run` (a runs row or run summary)."""
    end = _as_date(run["started_at"])
    days = _days(end, WINDOW_DAYS)
    event_days, events = events_per_day(con, end)
    return {
        "run": run, "days": days,
        "outlets": articles_per_outlet(con, days),
        "entities": top_entities(con, days),
        "event_days": event_days, "events": events,
        "places": event_places(con, _days(end, EVENT_DAYS)),
        "stories": story_timelines(con, days),
        "quarantine": quarantine_reasons(con, run["run_id"]),
        "validation": validation_results(run.get("validation") or []),
    }
