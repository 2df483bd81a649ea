"""Tonight against recent nights: a run's per-source profile and the checks that compare it.

Each run stores a small profile in `runs.profile`: per source (the outlet, tasks/text/outlet.py),
documents, new articles, new articles NLP ran on (`parsed`) and those of them without any entity; and
per `nlp_status` ("ok", "no_model:de", ...) and language, the night's new articles. The `night` suite (expectations/night.json) then checks tonight's profile
with parameters taken from the last `history_runs` nightly runs: every source present in all of them
is present tonight, and no source's share of articles with entities drops far below the recent low.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa

SUITE = "night"
_EMPTY = {"documents": 0, "articles": 0, "parsed": 0, "without_entities": 0}


def source_key(outlet: str | None, url: str | None, source: str | None) -> str:
    """What "a source" means for volume checks: the outlet, else the URL's host, else the folder."""
    if outlet:
        return outlet
    if url and (host := urlsplit(url).hostname):
        return host
    return str(Path((source or "").split("#L")[0]).parent)


def profile_batch(profile: dict, cleaned: pa.Table, articles: pa.Table, mentions: pa.Table | None) -> None:
    """Adds one batch: `cleaned` = every document that cleaned (duplicates too), `articles` = new ones."""
    sources = profile.setdefault("sources", {})
    for row in cleaned.select(["outlet", "url", "source"]).to_pylist():
        sources.setdefault(source_key(**row), dict(_EMPTY))["documents"] += 1
    with_entities = set(mentions.column("article_id").to_pylist()) if mentions is not None else set()
    statuses, languages = profile.setdefault("nlp_status", {}), profile.setdefault("languages", {})
    for row in articles.select(["article_id", "outlet", "url", "source", "nlp_status", "language"]).to_pylist():
        entry = sources.setdefault(source_key(row["outlet"], row["url"], row["source"]), dict(_EMPTY))
        entry.setdefault("parsed", 0)
        entry["articles"] += 1
        status = row["nlp_status"] or "ok"
        statuses[status] = statuses.get(status, 0) + 1
        languages[row["language"]] = languages.get(row["language"], 0) + 1
        if status == "ok":  # an article without a model for its language has no entities by design
            entry["parsed"] += 1
            entry["without_entities"] += row["article_id"] not in with_entities


def recent_profiles(con, run_id: str, n: int) -> list[dict]:
    rows = con.execute(
        "select profile from runs where run_id <> ? and coalesce(kind, 'nightly') = 'nightly' "
        "and finished_at is not null and profile is not null order by started_at desc limit ?",
        [run_id, n]).fetchall()
    return [json.loads(r[0]) for r in rows]


def _share_with_entities(entry: dict) -> float | None:
    parsed = entry.get("parsed", entry["articles"])  # profiles stored before `parsed` counted all
    return 1 - entry["without_entities"] / parsed if parsed else None


def parameters(history: list[dict], tolerance_pct: int) -> dict:
    """$PARAMETER values of the night suite, from recent nights' profiles (none: nothing to compare)."""
    per_night = [set(p.get("sources", {})) for p in history]
    recent = set.intersection(*per_night) if per_night else set()
    shares = [s for p in history for e in p.get("sources", {}).values()
              if (s := _share_with_entities(e)) is not None]
    low = min(shares) - tolerance_pct / 100 if shares else 0.0
    return {"recent_sources": sorted(recent), "min_entity_share": max(0.0, round(low, 4))}


def night_frame(profile: dict) -> pa.Table:
    """One row per source seen tonight (a single null row when nothing was read at all)."""
    sources = profile.get("sources", {}) or {None: dict(_EMPTY)}
    return pa.table({
        "source_key": pa.array(list(sources), pa.string()),
        "documents": pa.array([e["documents"] for e in sources.values()], pa.int64()),
        "articles": pa.array([e["articles"] for e in sources.values()], pa.int64()),
        "share_with_entities": pa.array([_share_with_entities(e) for e in sources.values()], pa.float64()),
    })
