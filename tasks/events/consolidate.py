"""One row per real-world event: the batch's factual event mentions joined to existing events.

Two reports are the same event when the type and the actors agree (as country + sector where the
text gives a country, else as entities; CONSULT and COOPERATE are symmetric), the places do not contradict each other, and the dates agree
within `event_window_days` — or, when a date is unknown, when both reports belong to the same story.
A mention joins the first compatible event (existing events first, then the batch's, in a fixed
order); otherwise it founds one whose id is derived from its own key. Negated and hypothetical
reports keep `event_id` null: they are recorded, not counted as facts; so do reports that name no
actor at all (neither an entity nor a country). History is never re-clustered:
only events with the batch's signatures are read back, and only the batch's events are refreshed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa

from newsflow import ids
from newsflow.batches import TS, from_rows
from newsflow.config import Settings

SYMMETRIC = {"CONSULT", "COOPERATE"}

EVENT = pa.schema([
    ("event_id", pa.string()),
    ("event_type", pa.string()),
    ("mode", pa.string()),
    ("quad_class", pa.string()),
    ("source_entity_id", pa.string()),
    ("source_country", pa.string()),
    ("source_sector", pa.string()),
    ("target_entity_id", pa.string()),
    ("target_country", pa.string()),
    ("target_sector", pa.string()),
    ("location_entity_id", pa.string()),
    ("event_date", pa.date32()),
    ("date_precision", pa.string()),
    ("story_id", pa.string()),
    ("num_mentions", pa.int32()),
    ("num_articles", pa.int32()),
    ("num_sources", pa.int32()),
    ("first_seen", TS),
    ("last_seen", TS),
    ("confidence", pa.float32()),
])


def _actor(entity_id: str | None, country: str | None, sector: str | None) -> str:
    """An actor's identity for matching: its country and sector where known ("Russia", "Moscow",
    "the Kremlin" and "Russian negotiators" are one actor, as in GDELT's dyads), else its entity."""
    if country:
        return f"{country}:{sector or ''}"
    return entity_id or ""


def signature(row: dict) -> tuple[str, str, str]:
    a = _actor(row["source_entity_id"], row["source_country"], row["source_sector"])
    b = _actor(row["target_entity_id"], row["target_country"], row["target_sector"])
    if row["event_type"] in SYMMETRIC:
        a, b = sorted((a, b))
    return row["event_type"], a, b


def _dates_agree(a: date | None, pa_: str, b: date | None, pb: str, window: int) -> bool | None:
    """True/False when both dates are known; None when either is unknown."""
    if a is None or b is None or "unknown" in (pa_, pb):
        return None
    if "year" in (pa_, pb):
        return a.year == b.year
    if "month" in (pa_, pb):
        return (a.year, a.month) == (b.year, b.month)
    return abs((a - b).days) <= window


def compatible(event: dict, mention: dict, window: int) -> bool:
    loc_a, loc_b = event.get("location_entity_id"), mention.get("location_entity_id")
    if loc_a and loc_b and loc_a != loc_b:
        return False
    agree = _dates_agree(event.get("event_date"), event.get("date_precision") or "unknown",
                         mention.get("event_date"), mention.get("date_precision") or "unknown", window)
    if agree is None:  # an undated report is only the same event as one from the same story
        return event.get("story_id") is not None and event.get("story_id") == mention.get("story_id")
    return agree


def existing_events(con, facts: list[dict], window: int) -> list[dict]:
    """The stored events a batch's reports could join: same types, one of the batch's actors, and a
    date within the window of the batch's dates, or undated in one of the batch's stories. Only
    those rows are read, so a night's cost does not grow with the warehouse's history."""
    if con is None or not facts:
        return []
    types = sorted({m["event_type"] for m in facts})
    countries = sorted({c for m in facts for c in (m["source_country"], m["target_country"]) if c})
    entities = sorted({e for m in facts for e in (m["source_entity_id"], m["target_entity_id"]) if e})
    dates = [m["event_date"] for m in facts if m["event_date"] is not None]
    stories = sorted({m["story_id"] for m in facts if m["story_id"]})
    lo = min(dates) - timedelta(days=window) if dates else date(1, 1, 1)
    hi = max(dates) + timedelta(days=window) if dates else date(1, 1, 1)
    rows = con.sql(
        """select * from events
           where event_type in (select unnest(?::varchar[]))
             and (source_country in (select unnest(?::varchar[])) or target_country in (select unnest(?::varchar[]))
                  or source_entity_id in (select unnest(?::varchar[]))
                  or target_entity_id in (select unnest(?::varchar[])))
             and (event_date between ? and ? or date_precision in ('month', 'year')
                  or story_id in (select unnest(?::varchar[])))
           order by event_id""",
        params=[types, countries, countries, entities, entities, lo, hi, stories]).to_arrow_table().to_pylist()
    signatures = {signature(m) for m in facts}
    rows = [r for r in rows if signature(r) in signatures]
    # Oldest first by commit order (the first story_seq among an event's reports), not by
    # first_seen: that falls back to the ingest time, which a run restarted after a crash changes.
    first = dict(con.execute(
        "select m.event_id, min(a.story_seq) from event_mentions m join articles a using (article_id) "
        "where m.event_id in (select unnest(?::varchar[])) group by m.event_id",
        [[r["event_id"] for r in rows]]).fetchall()) if rows else {}
    return sorted(rows, key=lambda r: (first.get(r["event_id"]) is not None, first.get(r["event_id"]) or 0))


def consolidate(event_mentions: pa.Table, articles: pa.Table, settings: Settings, con=None,
                now: datetime | None = None) -> tuple[pa.Table, pa.Table]:
    """Gives every factual mention an event_id; returns (events of the batch, event_mentions)."""
    if event_mentions.num_rows == 0:
        return EVENT.empty_table(), event_mentions
    window = settings.event_window_days
    story = dict(zip(articles.column("article_id").to_pylist(),
                     articles.column("story_id").to_pylist() if "story_id" in articles.column_names
                     else [None] * articles.num_rows))
    seen = dict(zip(articles.column("article_id").to_pylist(), articles.column("published_at").to_pylist()))
    mentions = event_mentions.to_pylist()
    for m in mentions:
        m["story_id"] = story.get(m["article_id"])
    # An event needs a fact and at least one identified actor: "the meetings began" names nobody and
    # would otherwise merge every actorless report of its type in a story into one event.
    facts = [m for m in mentions if not (m["is_negated"] or m["is_hypothetical"]) and any(signature(m)[1:])]
    candidates: dict[tuple, list[dict]] = {}
    for e in existing_events(con, facts, window):
        candidates.setdefault(signature(e), []).append(e)
    events: dict[str, dict] = {}
    for m in sorted(facts, key=lambda m: (m["article_id"], m["start_char"])):
        sig = signature(m)
        match = next((e for e in candidates.get(sig, []) if compatible(e, m, window)), None)
        if match is None:
            anchor = m["event_date"].isoformat() if m["event_date"] else f"story:{m['story_id']}"
            match = {
                "event_id": ids.digest("event", *sig, m["location_entity_id"] or "", anchor),
                **{k: m[k] for k in ("event_type", "mode", "quad_class", "source_entity_id", "source_country",
                                     "source_sector", "target_entity_id", "target_country", "target_sector",
                                     "location_entity_id", "event_date", "date_precision", "story_id")},
                "num_mentions": 0, "num_articles": 0, "num_sources": 0,
                "first_seen": None, "last_seen": None, "confidence": 0.0, "_articles": set(),
            }
            candidates.setdefault(sig, []).append(match)
        m["event_id"] = match["event_id"]
        if "_articles" in match:  # a new event of this batch: provisional aggregates, refreshed on load
            t = seen.get(m["article_id"]) or now
            match["num_mentions"] += 1
            match["_articles"].add(m["article_id"])
            match["num_articles"] = match["num_sources"] = len(match["_articles"])
            match["first_seen"] = min(filter(None, (match["first_seen"], t)), default=None)
            match["last_seen"] = max(filter(None, (match["last_seen"], t)), default=None)
            match["confidence"] = max(match["confidence"], m["confidence"])
            events[match["event_id"]] = match
    for e in events.values():
        e.pop("_articles")
    by_id = {m["mention_id"]: m["event_id"] for m in facts}
    ids_col = pa.array([by_id.get(i) for i in event_mentions.column("mention_id").to_pylist()], pa.string())
    out = event_mentions.set_column(event_mentions.column_names.index("event_id"), "event_id", ids_col)
    return from_rows(list(events.values()), EVENT), out


def refresh_events(con, batch: dict[str, pa.Table]) -> None:
    """Recomputes the aggregate columns of the events the batch's mentions point at.

    Runs inside the load transaction (it sees the new mentions) and touches only those event ids:
    the batch's new events and the existing ones its reports joined.
    """
    rows = batch.get("event_mentions")
    event_ids = sorted({e for e in rows.column("event_id").to_pylist() if e}) if rows is not None else []
    if not event_ids:
        return
    con.execute("""
        update events as e set
            num_mentions = agg.num_mentions, num_articles = agg.num_articles,
            num_sources = agg.num_sources, first_seen = agg.first_seen, last_seen = agg.last_seen,
            confidence = agg.confidence
        from (
            select m.event_id,
                   count(*) as num_mentions,
                   count(distinct m.article_id) as num_articles,
                   count(distinct coalesce(a.outlet, a.site_name, a.source)) as num_sources,  -- outlets
                   min(coalesce(a.published_at, a.ingested_at)) as first_seen,
                   max(coalesce(a.published_at, a.ingested_at)) as last_seen,
                   -- more independent sources make an event surer: +0.05 per extra source, capped at 1
                   least(1.0, max(m.confidence)
                         + 0.05 * (count(distinct coalesce(a.outlet, a.site_name, a.source)) - 1)) as confidence
            from event_mentions m join articles a using (article_id)
            where m.event_id in (select unnest(?::varchar[]))
            group by m.event_id
        ) as agg
        where e.event_id = agg.event_id
    """, [event_ids]).fetchall()
