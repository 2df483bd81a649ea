"""The report's charts as inline SVG strings: no script, no library, nothing to fetch.

Every chart is an `<svg class="chart" data-chart="<name>">` with a `<title>` per mark (the browser
shows it on hover), so the page works offline and tests can count marks in the DOM.
"""

from __future__ import annotations

import math
from html import escape

from tasks.report import world

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
QUAD_COLOURS = {"verbal cooperation": "#8cc5f0", "material cooperation": "#2166ac",
                "verbal conflict": "#f4a582", "material conflict": "#b2182b"}


def _svg(name: str, width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg class="chart" data-chart="{name}" role="img" aria-label="{escape(label)}" '
            f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
            f'xmlns="http://www.w3.org/2000/svg" {FONT}>' + "".join(body) + "</svg>")


def _short(text: str, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2, 5 x 10^k) up to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(step, 1) if top >= 1 else step
    ticks, t = [0.0], 0.0
    while t < top:
        t += step
        ticks.append(t)
    return ticks


def hbars(name: str, rows: list[tuple[str, float, str | None]], label: str, width: int = 640,
          label_chars: int = 30) -> str:
    """Horizontal bars: (label, value, colour or None), top to bottom."""
    bar_h, gap, left, right = 16, 5, 8 + label_chars * 6.8, 48
    top = max((v for _, v, _ in rows), default=0) or 1
    scale = (width - left - right) / top
    body = []
    for i, (text, value, colour) in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        w = max(value * scale, 1)
        body.append(f'<text x="{left - 6:g}" y="{y + 12}" text-anchor="end">{escape(_short(text, label_chars))}</text>'
                    f'<rect class="mark" x="{left:g}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{colour or PALETTE[0]}"><title>{escape(str(text))}: {value:g}</title></rect>'
                    f'<text x="{left + w + 4:.1f}" y="{y + 12}">{value:g}</text>')
    return _svg(name, width, 8 + len(rows) * (bar_h + gap), body, label)


def stacked_columns(name: str, categories: list[str], series: dict[str, list[float]], colours: dict[str, str],
                    label: str, width: int = 720, height: int = 240) -> str:
    """Columns per category (e.g. a day), stacked by series (e.g. outlet or quad class), with a legend."""
    left, bottom, top_pad = 40, 46, 10
    per_row = 3
    legend_rows = math.ceil(len(series) / per_row)
    plot_h = height - bottom - top_pad
    totals = [sum(s[i] for s in series.values()) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_h / ticks[-1]
    slot = (width - left - 10) / max(len(categories), 1)
    col_w = max(min(slot * 0.7, 48), 2)
    body = []
    for t in ticks:
        y = top_pad + plot_h - t * scale
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                    f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    every = max(1, math.ceil(len(categories) / 12))  # at most ~12 axis labels
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - col_w) / 2
        base = top_pad + plot_h
        for key, values in series.items():
            v = values[i]
            if not v:
                continue
            h = v * scale
            base -= h
            body.append(f'<rect class="mark" x="{x:.1f}" y="{base:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                        f'fill="{colours[key]}"><title>{escape(cat)} · {escape(key)}: {v:g}</title></rect>')
        if (len(categories) - 1 - i) % every == 0:  # counted from the last: tonight is always labelled
            body.append(f'<text x="{x + col_w / 2:.1f}" y="{top_pad + plot_h + 14}" text-anchor="middle">'
                        f'{escape(cat[5:] if len(cat) == 10 else _short(cat, 10))}</text>')
    for j, key in enumerate(series):
        lx = left + (j % per_row) * ((width - left) / per_row)
        ly = height - bottom + 26 + (j // per_row) * 14
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{colours[key]}"/>'
                    f'<text x="{lx + 14:.1f}" y="{ly}">{escape(_short(key, 34))}<title>{escape(key)}</title></text>')
    return _svg(name, width, height + (legend_rows - 1) * 14, body, label)


def world_map(name: str, points: list[dict], label: str, width: int = 720) -> str:
    """Event places as circles (area ~ events) on the country outlines, with a 30-degree graticule."""
    h = world.height(width)
    body = [f'<rect x="0" y="0" width="{width}" height="{h:.1f}" fill="#f4f8fb"/>']
    for lon in range(-180, 181, 30):
        x, _ = world.project(lon, 0, width)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{h:.1f}" stroke="#dde5ec"/>')
    for lat in range(-30, 81, 30):
        _, y = world.project(0, lat, width)
        body.append(f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde5ec"/>'
                    f'<text x="3" y="{y - 2:.1f}" fill="#9aa">{lat}°</text>')
    body.append(f'<path d="{world.outline_path(float(width))}" fill="#e3e3de" stroke="#b9b9b0" '
                f'stroke-width="0.5"/>')
    top = max((p["events"] for p in points), default=1)
    for p in sorted(points, key=lambda p: -p["events"]):  # big circles first, small ones stay clickable
        x, y = world.project(p["longitude"], p["latitude"], width)
        r = 3 + 12 * math.sqrt(p["events"] / top)
        body.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#b2182b" '
                    f'fill-opacity="0.55" stroke="#7f0000" stroke-width="0.7"><title>{escape(p["name"])}'
                    f' ({escape(p.get("geo_type") or "")}): {p["events"]} event(s)</title></circle>')
    return _svg(name, width, round(h, 1), body, label)


def timelines(name: str, stories: list[dict], days: list[str], label: str, width: int = 720) -> str:
    """One row per story: a line from its first to its last day, a dot per day sized by articles."""
    left, row_h, top_pad = 250, 22, 18
    slot = (width - left - 16) / max(len(days), 1)
    index = {d: i for i, d in enumerate(days)}
    top = max((n for s in stories for n in s["days"].values()), default=1)
    body = []
    every = max(1, math.ceil(len(days) / 10))
    for i, d in enumerate(days):
        if (len(days) - 1 - i) % every == 0:
            x = left + (i + 0.5) * slot
            body.append(f'<text x="{x:.1f}" y="11" text-anchor="middle">{escape(d[5:])}</text>'
                        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad - 4}" '
                        f'y2="{top_pad + len(stories) * row_h}" stroke="#eee"/>')
    for r, story in enumerate(stories):
        y = top_pad + r * row_h + row_h / 2
        shown = [d for d in story["days"] if d in index]
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{escape(_short(story["label"], 40))}<title>{escape(story["label"])}</title></text>')
        if not shown:
            continue
        xs = [left + (index[d] + 0.5) * slot for d in shown]
        body.append(f'<line x1="{min(xs):.1f}" x2="{max(xs):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="#4e79a7" stroke-width="2"/>')
        for d, x in zip(shown, xs):
            n = story["days"][d]
            body.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="{3 + 5 * math.sqrt(n / top):.1f}" '
                        f'fill="#4e79a7"><title>{escape(story["label"])} · {d}: {n} article(s)</title></circle>')
    return _svg(name, width, top_pad + len(stories) * row_h + 6, body, label)
