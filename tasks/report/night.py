"""The night report: one self-contained HTML page per run (`data/reports/<run_id>.html`, and
`latest.html`), built from the warehouse at the end of every run or by `newsflow report`.

Everything is inline (CSS, SVG charts); a Content-Security-Policy forbids the page any fetch, so it
looks the same offline, from a file:// URL, as an e-mail attachment or years later.
"""

from __future__ import annotations

import logging
import os
from html import escape
from pathlib import Path

from tasks.report import facts, svg

log = logging.getLogger(__name__)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header,main,footer{max-width:980px;margin:0 auto;padding:0 20px}
header{padding-top:18px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#666}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:20px}.badge{display:inline-block;border-radius:4px;padding:1px 7px;
color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
.success{background:#2e7d32}.warning{background:#c77700}.failed,.critical{background:#c62828}
.running{background:#555}nav a{margin-right:12px}section{background:#fff;border:1px solid #e3e3e3;
border-radius:6px;padding:4px 16px 14px;margin:14px 0}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;background:#f3f3f3;padding:0 3px;border-radius:3px;word-break:break-all}
.empty{color:#777;font-style:italic}svg.chart{max-width:100%;height:auto;display:block}
footer{padding:18px 20px 30px;color:#777;font-size:12px}
"""
LABEL_COLOURS = {"PERSON": "#4e79a7", "ORG": "#f28e2b", "GPE": "#59a14f", "LOC": "#76b7b2",
                 "FAC": "#9c755f", "NORP": "#b07aa1", "EVENT": "#e15759"}


def _empty(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _section(anchor: str, title: str, body: str, note: str = "") -> str:
    note = f'<p class="muted">{note}</p>' if note else ""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{note}{body}</section>'


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(run: dict) -> str:
    status = str(run.get("status") or "running")
    loaded = run.get("rows_loaded") or {}
    cards = [("documents read", run.get("docs_seen")), ("new articles", run.get("articles_new")),
             ("duplicates", run.get("articles_duplicate")), ("quarantined", run.get("quarantined")),
             ("entities", loaded.get("entities", 0)), ("events", loaded.get("events", 0))]
    started = str(run.get("started_at") or "")[:19].replace("T", " ")
    error = f'<p><b>error</b> {escape(str(run["error"]))}</p>' if run.get("error") else ""
    return (f'<h1>newsflow night {escape(run["run_id"])} <span class="badge {escape(status)}">'
            f'{escape(status)}</span></h1><p class="muted">{escape(str(run.get("kind") or "nightly"))} run, '
            f'started {escape(started)} UTC · inputs: {escape(", ".join(map(str, run.get("inputs") or [])))}</p>'
            + '<div class="cards">' + "".join(f"<div class=card><b>{v or 0}</b>{escape(k)}</div>" for k, v in cards)
            + "</div>" + error)


def _outlets(f: dict) -> str:
    series = f["outlets"]
    if not series:
        return _empty("No articles were loaded in these nights.")
    colours = {k: svg.PALETTE[i % len(svg.PALETTE)] for i, k in enumerate(series)}
    chart = svg.stacked_columns("articles-per-outlet", f["days"], series, colours,
                                "Articles per outlet and night")
    rows = [[escape(o), str(sum(v)), str(v[-1])] for o, v in series.items()]
    return chart + _table(["outlet", f"articles, {len(f['days'])} nights", "tonight"], rows, {1, 2})


def _entities(f: dict) -> str:
    if not f["entities"]:
        return _empty("No named entities in these nights.")
    rows = [(f"{e['name']} ({e['label']})", e["articles"], LABEL_COLOURS.get(e["label"])) for e in f["entities"]]
    legend = " ".join(f'<span style="color:{c}">■</span> {k}' for k, c in LABEL_COLOURS.items())
    return svg.hbars("top-entities", rows, "Top entities by articles") + f'<p class="muted">{legend}</p>'


def _events(f: dict) -> str:
    if not any(sum(v) for v in f["events"].values()):
        return _empty("No events were coded in these days.")
    series = {k: v for k, v in f["events"].items() if sum(v)}
    colours = {k: svg.QUAD_COLOURS.get(k, "#999") for k in series}
    return svg.stacked_columns("events-per-day", f["event_days"], series, colours, "Events per day by quad class")


def _places(f: dict) -> str:
    points = f["places"]
    if not points:
        return _empty("No event with a known place in these days.")
    rows = [[escape(p["name"]), escape(p["geo_type"] or ""), f"{p['latitude']:.2f}, {p['longitude']:.2f}",
             str(p["events"])] for p in points[:15]]
    return (svg.world_map("event-places", points, "Map of event places")
            + _table(["place", "type", "lat, lon", "events"], rows, {3}))


def _stories(f: dict) -> str:
    if not f["stories"]:
        return _empty("No stories in these nights.")
    days = sorted({d for s in f["stories"] for d in s["days"]} | set(f["days"][-1:]))
    days = [d for d in f["days"] if d >= days[0]] if days[0] >= f["days"][0] else days
    chart = svg.timelines("story-timelines", f["stories"], days, "Story timelines")
    rows = [[escape(s["label"]), str(s["articles"]), str(s["sources"]), str(s["events"])] for s in f["stories"]]
    return chart + _table(["story", "articles", "outlets", "events"], rows, {1, 2, 3})


def _quarantine(f: dict) -> str:
    q = f["quarantine"]
    if not q:
        return _empty("Nothing was quarantined in this run.")
    rows = [[escape(r["stage"]), escape(r["reason"]), str(r["rows"]), f"<code>{escape(str(r['example']))}</code>"]
            for r in q]
    chart = svg.hbars("quarantine-reasons", [(f"{r['stage']}: {r['reason']}", r["rows"], "#c77700") for r in q[:12]],
                      "Quarantine reasons", label_chars=44)
    return chart + _table(["stage", "reason", "rows", "example source"], rows, {2})


def _validation(f: dict) -> str:
    suites = f["validation"]
    if not suites:
        return _empty("No validation results recorded for this run.")
    rows = []
    for s in suites:
        verdict = ('<span class="badge critical">critical failed</span>' if any(
            x["severity"] == "critical" for x in s["failures"]) else
            '<span class="badge warning">warnings</span>' if s["failures"] else
            '<span class="badge success">passed</span>')
        rows.append([f"<b>{escape(s['suite'])}</b>", verdict, "", str(s["rows"]), str(s["batches"]),
                     str(s["rejected"]), ""])
        for x in s["failures"]:
            ids = (f"{escape(str(x['id_column']))}: " + ", ".join(f"<code>{escape(str(i))}</code>" for i in x["ids"])
                   if x["ids"] else "values: " + ", ".join(f"<code>{escape(str(v))}</code>" for v in x["values"]))
            column = f"({escape(x['column'])})" if x["column"] else ""
            rows.append(["", f'<span class="badge {escape(x["severity"])}">{escape(x["severity"])}</span>',
                         f"{escape(x['expectation'])}{column}", str(x["rows"]), "", "", ids])
    return _table(["suite", "result", "expectation", "rows", "batches", "rejected", "failing rows"], rows, {3, 4, 5})


SECTIONS = [("outlets", "Articles per outlet and night", _outlets),
            ("entities", "Top entities", _entities),
            ("events", "Events per day by quad class", _events),
            ("places", "Where the events happened", _places),
            ("stories", "Story timelines", _stories),
            ("quarantine", "Quarantine reasons (this run)", _quarantine),
            ("validation", "Validation results (this run)", _validation)]
NOTES = {"outlets": "Outlet: the registered domain of the URL, else the site name, the source's name or the folder.",
         "events": "Distinct events on their own date where the text fixes the day, else the day first seen.",
         "places": "Circle area grows with the number of events. Country outlines: Natural Earth 1:110m "
                   "(public domain), shipped in the countryinfo package.",
         "validation": "Critical failures reject their rows (to the quarantine); warnings only report."}


def render(f: dict) -> str:
    run = f["run"]
    nav = "".join(f'<a href="#{a}">{escape(t.split(" (")[0])}</a>' for a, t, _ in SECTIONS)
    sections = "".join(_section(a, t, fn(f), NOTES.get(a, "")) for a, t, fn in SECTIONS)
    docs = run.get("docs_path")
    docs_link = (f' · <a href="{escape(Path(docs).as_uri())}">GX Data Docs</a> (their index needs internet)'
                 if docs and Path(docs).is_absolute() else "")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>newsflow night {escape(run["run_id"])}</title><style>{STYLE}</style></head><body>'
            f"<header>{_header(run)}<nav>{nav}</nav></header><main>{sections}</main>"
            f'<footer>Trends cover {len(f["days"])} nights up to {f["days"][-1]} (UTC); events and places '
            f'{facts.EVENT_DAYS} days. Built by newsflow from the warehouse{docs_link}.</footer></body></html>')


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a page


def build_report(con, run: dict, reports_dir: Path) -> Path:
    """Writes `<reports_dir>/<run_id>.html` and `latest.html`; returns the run's page."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    page = render(facts.gather(con, run))
    out = reports_dir / f"{run['run_id']}.html"
    _write(out, page)
    _write(reports_dir / "latest.html", page)
    return out


def report_for_run(con, settings, summary) -> str | None:
    """The end of every run: the page for this run (its summary, the warehouse as loaded); never
    fails the run: a report is a view of the data, not part of it."""
    if not settings.report:
        return None
    try:
        return str(build_report(con, summary.to_dict(), settings.reports_path).resolve())
    except Exception:
        log.exception("building the night report failed")
        return None
