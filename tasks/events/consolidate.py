"""One row per real-world event: the batch's factual event mentions joined to existing events.

Two reports are the same event when the type agrees, their actors do not contradict each other and at
least one is shared (an actor is its country where the text gives one, else its entity; a report that
names only one party joins the one event that fits it, if only one does, and two one-party reports
are one event only in one article; CONSULT and COOPERATE are
symmetric: "Russia met Ukraine" = "Ukraine met Russia"), the places do not contradict each other, and
the dates agree within `event_window_days` — or, when a date is unknown, both reports belong to the same
story. Negated and hypothetical reports keep `event_id` null (recorded, not counted as facts); so do
reports that name no actor at all.

Deterministic, a function of what is committed: a mention is compared with the stored events that
could match (read back from the warehouse, as after a crash) and then with the batch's own events, in a
fixed order (story, fullest reports first, article id, offset); an event's id is derived from the report
that founded it. A report whose sentence names no place takes its story's place (the place the story's
located reports name most often, ties by entity id; `location_inferred` = true); an inferred place never
keeps two reports apart. `refresh_events` recomputes every aggregate of the batch's events from their
committed mentions, and fills an actor the founding report lacked from the reports that name it.
"""

from __future__ import annotations

from collections import Counter
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
    ("cameo_code", pa.string()),
    ("goldstein", pa.float64()),
    ("plover_context", pa.string()),
    ("is_root_event", pa.bool_()),
    ("source_entity_id", pa.string()),
    ("source_country", pa.string()),
    ("source_sector", pa.string()),
    ("source_code", pa.string()),
    ("target_entity_id", pa.string()),
    ("target_country", pa.string()),
    ("target_sector", pa.string()),
    ("target_code", pa.string()),
    ("location_entity_id", pa.string()),
    ("location_inferred", pa.bool_()),
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
_COPIED = ("event_type", "mode", "quad_class", "cameo_code", "goldstein", "plover_context", "is_root_event",
           "source_entity_id", "source_country", "source_sector", "source_code", "target_entity_id",
           "target_country", "target_sector", "target_code", "location_entity_id", "location_inferred",
           "event_date", "date_precision", "story_id")


def _actor(entity_id: str | None, country: str | None, sector: str | None) -> str:
    """An actor's identity for matching: its country and sector where known ("Russia", "Moscow",
    "the Kremlin" and "Russian negotiators" are one actor, as in GDELT's dyads), else its entity."""
    if country:
        return f"{country}:{sector or ''}"
    return entity_id or ""


def actors(row: dict) -> tuple[str, str]:
    return (_actor(row["source_entity_id"], row["source_country"], row["source_sector"]),
            _actor(row["target_entity_id"], row["target_country"], row["target_sector"]))


def signature(row: dict) -> tuple[str, str, str]:
    a, b = actors(row)
    if row["event_type"] in SYMMETRIC:
        a, b = sorted((a, b))
    return row["event_type"], a, b


def _same(x: str, y: str) -> bool:
    """Two actor identities agree: equal, or the same country whatever the sector ("Russia", "the
    Kremlin", "Russian representatives" and "Russian negotiators" are one party to one event; the
    sector is the dictionaries' reading of one phrase, not a different actor)."""
    if x == y:
        return True
    cx, _, _ = x.partition(":")
    cy, _, _ = y.partition(":")
    return bool(":" in x and ":" in y and cx == cy)


def actors_agree(event: dict, mention: dict) -> int:
    """How many actors the two share (0: not the same event). An unknown side agrees with anything,
    but one actor at least must be shared."""
    (ea, eb), (ma, mb) = actors(event), actors(mention)
    options = [((ea, eb), (ma, mb))]
    if event["event_type"] in SYMMETRIC:
        options.append(((ea, eb), (mb, ma)))
    best = 0
    for (x1, x2), (y1, y2) in options:
        shared = 0
        ok = True
        for x, y in ((x1, y1), (x2, y2)):
            if x and y:
                if not _same(x, y):
                    ok = False
                    break
                shared += 1
        if ok:
            best = max(best, shared)
    return best


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
    if loc_a and loc_b and loc_a != loc_b and not (event.get("location_inferred") or mention.get("location_inferred")):
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
    # Oldest first by commit order (the first story_seq among an event's reports), not by
    # first_seen: that falls back to the ingest time, which a run restarted after a crash changes.
    first = dict(con.execute(
        "select m.event_id, min(a.story_seq) from event_mentions m join articles a using (article_id) "
        "where m.event_id in (select unnest(?::varchar[])) group by m.event_id",
        [[r["event_id"] for r in rows]]).fetchall()) if rows else {}
    return sorted(rows, key=lambda r: (first.get(r["event_id"]) is not None, first.get(r["event_id"]) or 0))



def story_places(con, facts: list[dict]) -> dict[str, str]:
    """Each story's place: the place its located (not inferred) reports name most often, counting the
    stored reports of the story and the batch's; ties go to the smaller entity id."""
    votes: dict[str, Counter] = {}
    stories = sorted({m["story_id"] for m in facts if m["story_id"]})
    if con is not None and stories:
        rows = con.execute(
            """select a.story_id, m.location_entity_id, count(*) from event_mentions m join articles a using (article_id)
               where a.story_id in (select unnest(?::varchar[])) and m.location_entity_id is not null
                 and not coalesce(m.location_inferred, false)
                 and m.article_id not in (select unnest(?::varchar[]))
               group by all""", [stories, sorted({m["article_id"] for m in facts})]).fetchall()
        for story, place, n in rows:
            votes.setdefault(story, Counter())[place] += n
    for m in facts:
        if m["story_id"] and m["location_entity_id"] and not m.get("location_inferred"):
            votes.setdefault(m["story_id"], Counter())[m["location_entity_id"]] += 1
    return {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for s, c in votes.items()}


_PARTY = ("entity_id", "country", "sector", "code")


def _full(row: dict) -> bool:
    """Both parties known. Two one-party reports are never matched to each other (unless in one
    article): nothing shows they are one happening; a one-party report and a full one can be."""
    return all(actors(row))


def fill_party(event: dict, m: dict) -> None:
    """A later, fuller report names the party the founding report lacked (for a symmetric event,
    whichever of its parties is not the one the event already has)."""
    for side, other in (("source", "target"), ("target", "source")):
        if event[f"{side}_country"] or event[f"{side}_entity_id"]:
            continue
        known = _actor(event[f"{other}_entity_id"], event[f"{other}_country"], event[f"{other}_sector"])
        for s in (side, other) if event["event_type"] in SYMMETRIC else (side,):
            ident = _actor(m[f"{s}_entity_id"], m[f"{s}_country"], m[f"{s}_sector"])
            if ident and not (known and _same(ident, known)):
                for k in _PARTY:
                    event[f"{side}_{k}"] = m[f"{s}_{k}"]
                break


def _order(m: dict) -> tuple:
    """Fixed processing order: reports naming both parties found events before partial ones."""
    known = sum(1 for a in actors(m) if a)
    return (m["story_id"] or "", -known, m["event_date"] is None, m["article_id"], m["start_char"])


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
    for m in mentions:
        m["location_inferred"] = bool(m.get("location_inferred"))
    facts = [m for m in mentions if not (m["is_negated"] or m["is_hypothetical"]) and any(actors(m))]
    places = story_places(con, facts)
    for m in facts:
        if not m["location_entity_id"] and m["story_id"] in places:
            m["location_entity_id"], m["location_inferred"] = places[m["story_id"]], True
    candidates: dict[str, list[dict]] = {}
    for e in existing_events(con, facts, window):
        candidates.setdefault(e["event_type"], []).append(e)
    events: dict[str, dict] = {}
    for m in sorted(facts, key=_order):
        scored = [(actors_agree(e, m), -k, e) for k, e in enumerate(candidates.get(m["event_type"], []))
                  if compatible(e, m, window)]
        scored = [s for s in scored if s[0] > 0 and (_full(s[2]) or _full(m) or s[2].get("_article") == m["article_id"])]
        if not _full(m) and len(scored) > 1:
            scored = []  # a report naming one party joins an event only when just one fits it
        match = max(scored, key=lambda s: s[:2])[2] if scored else None
        if match is None:
            # The founding report's id names the event: two one-party reports of one story with the
            # same actor stay two events (a signature-derived id would merge them).
            match = {"event_id": ids.digest("event", m["mention_id"]), **{k: m.get(k) for k in _COPIED},
                     "_article": m["article_id"],
                     "num_mentions": 0, "num_articles": 0, "num_sources": 0,
                     "first_seen": None, "last_seen": None, "confidence": 0.0, "_articles": set()}
            candidates.setdefault(m["event_type"], []).append(match)
        m["event_id"] = match["event_id"]
        if "_articles" in match:  # a new event of this batch: provisional aggregates, refreshed on load
            t = seen.get(m["article_id"]) or now
            match["num_mentions"] += 1
            match["_articles"].add(m["article_id"])
            match["num_articles"] = match["num_sources"] = len(match["_articles"])
            match["first_seen"] = min(filter(None, (match["first_seen"], t)), default=None)
            match["last_seen"] = max(filter(None, (match["last_seen"], t)), default=None)
            match["confidence"] = max(match["confidence"], m["confidence"])
            match["is_root_event"] = bool(match["is_root_event"] or m.get("is_root_event"))
            fill_party(match, m)
            events[match["event_id"]] = match
    for e in events.values():
        e.pop("_articles")
        e.pop("_article")
    by_id = {m["mention_id"]: m for m in facts}
    out = event_mentions
    by_all = {m["mention_id"]: m for m in mentions}
    for col in ("event_id", "location_entity_id", "location_inferred"):
        values = [by_all[i].get(col) if col != "event_id" or i in by_id else None
                  for i in out.column("mention_id").to_pylist()]
        out = out.set_column(out.column_names.index(col), col, pa.array(values, out.schema.field(col).type))
    return from_rows(list(events.values()), EVENT), out


def refresh_events(con, batch: dict[str, pa.Table]) -> None:
    """Recomputes the aggregate columns of the events the batch's mentions point at, from their
    committed mentions (so a stored event that a later report joined reads the same as one built in
    one run), and fills a party the founding report lacked from the reports that name it.

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
            confidence = agg.confidence, is_root_event = agg.is_root_event,
            mode = coalesce(e.mode, agg.mode)
        from (
            select m.event_id,
                   count(*) as num_mentions,
                   count(distinct m.article_id) as num_articles,
                   count(distinct coalesce(a.outlet, a.site_name, a.source)) as num_sources,  -- outlets
                   min(coalesce(a.published_at, a.ingested_at)) as first_seen,
                   max(coalesce(a.published_at, a.ingested_at)) as last_seen,
                   bool_or(coalesce(m.is_root_event, false)) as is_root_event,
                   min(m.mode) as mode,
                   -- more independent sources make an event surer: +0.05 per extra source, capped at 1
                   least(1.0, max(m.confidence)
                         + 0.05 * (count(distinct coalesce(a.outlet, a.site_name, a.source)) - 1)) as confidence
            from event_mentions m join articles a using (article_id)
            where m.event_id in (select unnest(?::varchar[]))
            group by m.event_id
        ) as agg
        where e.event_id = agg.event_id
    """, [event_ids]).fetchall()
    # A party the founding report lacked: from the first report (by article id, offset) that names
    # one that is not the event's other party; for a symmetric event either side of a report counts.
    for side, other in (("source", "target"), ("target", "source")):
        con.execute(f"""
            update events as e set
                {side}_entity_id = f.entity_id, {side}_country = f.country, {side}_sector = f.sector,
                {side}_code = f.code
            from (
                select c.event_id, arg_min(c.entity_id, c.k) as entity_id, arg_min(c.country, c.k) as country,
                       arg_min(c.sector, c.k) as sector, arg_min(c.code, c.k) as code
                from (
                    select m.event_id, m.{side}_entity_id as entity_id, m.{side}_country as country,
                           m.{side}_sector as sector, m.{side}_code as code,
                           m.article_id || lpad(m.start_char::varchar, 10, '0') || '0' as k
                    from event_mentions m where m.event_id in (select unnest(?::varchar[]))
                    union all
                    select m.event_id, m.{other}_entity_id, m.{other}_country, m.{other}_sector, m.{other}_code,
                           m.article_id || lpad(m.start_char::varchar, 10, '0') || '1'
                    from event_mentions m where m.event_id in (select unnest(?::varchar[]))
                      and m.event_type in ('CONSULT', 'COOPERATE')
                ) as c
                join events as ev on ev.event_id = c.event_id
                where coalesce(c.country, c.entity_id) is not null
                  and coalesce(c.country, c.entity_id) is distinct from coalesce(ev.{other}_country, ev.{other}_entity_id)
                group by c.event_id
            ) as f
            where e.event_id = f.event_id and coalesce(e.{side}_country, e.{side}_entity_id) is null
        """, [event_ids, event_ids]).fetchall()
