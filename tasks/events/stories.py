"""Stories: articles about the same happening, across outlets and nights, and syndicated copies.

Each batch is grouped with the members of open stories (stories seen within `story_window_days`)
by average linkage over TF-IDF of content words and names (`story_grouping`): an article joins the
story whose articles it is, on average, most similar to, or starts one; the last
`story_regroup_articles` stored members may move to a better story as new articles arrive, older
ones stay where they are (history is not re-clustered). Inside its story, an article whose 5-word
shingles overlap an earlier member's by `duplicate_threshold_pct` (Jaccard) is `duplicate_of` it.

What a batch gets is a function of what is committed, never of what this process happened to hold:
the window is read from the warehouse in commit order (`articles.story_seq`, given here, in batch
order), and term weights come from that window and the batch. A run restarted after a crash sees the
same committed rows, so it assigns exactly what the uninterrupted run did. The process keeps only a
cache of each article's terms, a pure function of its stored text.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from newsflow import ids
from newsflow.batches import TS, from_rows
from newsflow.config import Settings
from tasks.events import story_terms
from tasks.events.story_grouping import Doc, Params, group

STORY = pa.schema([
    ("story_id", pa.string()),
    ("label", pa.string()),
    ("first_seen", TS),
    ("last_seen", TS),
    ("num_articles", pa.int32()),
    ("num_sources", pa.int32()),
])
STORY_MOVE = pa.schema([
    ("move_id", pa.string()),
    ("article_id", pa.string()),
    ("from_story_id", pa.string()),
    ("to_story_id", pa.string()),
    ("story_seq", pa.int64()),
])

_LATER = re.compile(r"\b(second|third|fourth|fifth|another|new|next|latest|fresh) (round|session)\b|"
                    r"\bresum(e|es|ed|ing)\b|\breconven\w*|\bhiatus\b|\bagain\b|\brenewed\b", re.IGNORECASE)
_FIRST = re.compile(r"\b(first|initial|inaugural|opening) ([\w-]+ ){0,2}(talks|meeting|negotiations|round|"
                    r"discussions|summit|session)\b", re.IGNORECASE)
_ORDINAL = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}


def instance(title: str | None, text: str, lead_chars: int = 600) -> int | str | None:
    """Which occurrence of a recurring happening the article's lead reports: 1 ("first direct
    talks"), 2, 3... ("second round"), "later" ("talks resume", "another round"), or None.

    Rounds of talks, repeated strikes or protests share nearly all their words; the lead's own
    claim that this is the first or a later instance is what tells their stories apart.
    """
    lead = f"{title or ''}\n{text[:lead_chars]}"
    later = _LATER.search(lead)
    if later:
        return _ORDINAL.get(later.group(1).lower() if later.group(1) else "", "later")
    return 1 if _FIRST.search(lead) else None


def params_for(settings: Settings) -> Params:
    return Params(threshold=settings.story_threshold_pct / 100,
                  names_weight=settings.story_names_weight_pct / 100,
                  regroup=settings.story_regroup_articles, stickiness=settings.story_stickiness_pct / 100)


# Terms per (article_id, content_hash): a pure function of the stored article, so holding them
# changes no result; a later batch only computes the window's articles it has not seen.
_TERMS: dict[tuple[str, str], tuple] = {}


def _doc(article_id: str, content_hash: str, story_id: str | None, title: str | None, text: str | None) -> Doc:
    cached = _TERMS.get((article_id, content_hash))
    if cached is None:
        sh = story_terms.shingles(text)
        cached = (story_terms.keyed(story_terms.words(title, text)), story_terms.keyed(story_terms.names(title, text)),
                  instance(title, text), (len(sh), story_terms.minhash(sh)))
        _TERMS[(article_id, content_hash)] = cached
    return Doc(article_id, story_id, *cached)


def _window(con, settings: Settings, now: datetime) -> list[Doc]:
    """The members of open stories, in commit order (rows older than `story_seq` first)."""
    if con is None:
        return []
    since = now - timedelta(days=settings.story_window_days)
    rows = con.execute(
        "select a.article_id, a.content_hash, a.story_id from articles a join stories s using (story_id) "
        "where s.last_seen >= ? order by a.story_seq nulls first, a.article_id", [since]).fetchall()
    missing = sorted({(r[0], r[1]) for r in rows} - set(_TERMS))
    if missing:
        con.register("story_missing", pa.table({"article_id": pa.array([m[0] for m in missing], pa.string())}))
        try:
            texts = con.execute("select article_id, content_hash, title, text from articles "
                                "where article_id in (select article_id from story_missing)").fetchall()
        finally:
            con.unregister("story_missing")
        for article_id, content_hash, title, text in texts:
            _doc(article_id, content_hash, None, title, text)
    docs = [_doc(a, h, s, None, None) for a, h, s in rows]
    if len(_TERMS) > 2 * len(rows) + 10_000:  # forget articles that left the window
        keep = {(a, h) for a, h, _ in rows}
        for k in [k for k in _TERMS if k not in keep]:
            del _TERMS[k]
    return docs


def _texts(con, article_ids: list[str]) -> dict[str, str]:
    if not article_ids or con is None:
        return {}
    con.register("story_members", pa.table({"article_id": pa.array(sorted(article_ids), pa.string())}))
    try:
        return dict(con.execute("select article_id, text from articles "
                                "where article_id in (select article_id from story_members)").fetchall())
    finally:
        con.unregister("story_members")


# A copy's min-hash estimate falls this far below its true Jaccard about once in 10^6 (64 hashes).
_ESTIMATE_MARGIN = 0.25


def _duplicates(con, stored: list[Doc], batch: list[Doc], texts: dict[str, str], threshold: float) -> list:
    """For each batch doc, the earlier member of its story it nearly copies (5-word-shingle Jaccard
    >= threshold): the most similar one, the first in commit order on a tie. Only members whose
    shingle count and min-hash estimate allow the threshold are compared exactly."""
    members: dict[str, list[Doc]] = {}
    joined = {d.story_id for d in batch}
    for d in stored:
        if d.story_id in joined:
            members.setdefault(d.story_id, []).append(d)
    candidates = []
    for d in batch:
        earlier = members.setdefault(d.story_id, [])
        n, sig = d.copy
        found = []
        if earlier and n:
            counts = np.array([e.copy[0] for e in earlier])
            estimate = (np.stack([e.copy[1] for e in earlier]) == sig).mean(axis=1)
            ok = (counts >= threshold * n) & (counts * threshold <= n) & (estimate >= threshold - _ESTIMATE_MARGIN)
            found = [earlier[i] for i in np.flatnonzero(ok)]
        candidates.append(found)
        earlier.append(d)
    texts = {**_texts(con, [c.article_id for cs in candidates for c in cs if c.article_id not in texts]), **texts}
    shingles: dict[str, np.ndarray] = {}

    def sh(article_id: str) -> np.ndarray:
        if article_id not in shingles:
            shingles[article_id] = story_terms.shingles(texts.get(article_id) or "")
        return shingles[article_id]

    out = []
    for d, cs in zip(batch, candidates):
        best, best_j = None, threshold
        for c in cs:
            j = story_terms.jaccard(sh(d.article_id), sh(c.article_id))
            if j >= best_j and (best is None or j > best_j):
                best, best_j = c.article_id, j
        out.append(best)
    return out


def _next_seq(con) -> int:
    if con is None:
        return 1
    return (con.execute("select max(story_seq) from articles").fetchall()[0][0] or 0) + 1


def assign_stories(articles: pa.Table, settings: Settings, con=None,
                   now: datetime | None = None) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Adds `story_id`, `duplicate_of` and `story_seq` to the batch's articles.

    Returns (articles, stories, story_moves): the batch's new stories and the existing ones it
    changed (placeholders whose aggregates the loader refreshes), and the stored articles that moved.
    """
    now = now or datetime.now().astimezone()
    if articles.num_rows == 0:
        return (articles.append_column("story_id", pa.array([], pa.string()))
                        .append_column("duplicate_of", pa.array([], pa.string()))
                        .append_column("story_seq", pa.array([], pa.int64())),
                STORY.empty_table(), STORY_MOVE.empty_table())
    rows = articles.select(["article_id", "content_hash", "title", "text", "published_at"]).to_pylist()
    stored = _window(con, settings, now)
    batch = [_doc(r["article_id"], r["content_hash"], None, r["title"], r["text"]) for r in rows]
    story_ids, moves = group(stored, batch, params_for(settings))
    first_seq = _next_seq(con)
    before = {d.article_id: d.story_id for d in stored}
    for d, s in zip(batch, story_ids):
        d.story_id = s
    for d in stored:
        d.story_id = moves.get(d.article_id, d.story_id)

    duplicates = _duplicates(con, stored, batch, {r["article_id"]: r["text"] for r in rows},
                             settings.duplicate_threshold_pct / 100)

    out = (articles.append_column("story_id", pa.array(story_ids, pa.string()))
                   .append_column("duplicate_of", pa.array(duplicates, pa.string()))
                   .append_column("story_seq", pa.array(range(first_seq, first_seq + len(rows)), pa.int64())))
    return out, _story_rows(rows, story_ids, moves, before, now), _move_rows(moves, before, first_seq)


def _story_rows(rows: list[dict], story_ids: list[str], moves: dict[str, str], before: dict[str, str],
                now: datetime) -> pa.Table:
    """New stories (provisional aggregates) and placeholders for the stored stories the batch
    changed: the loader recomputes both from the stored articles."""
    known = set(before.values())
    new: dict[str, dict] = {}
    for r, s in zip(rows, story_ids):
        if s in known:
            continue
        seen = r["published_at"] or now
        st = new.setdefault(s, {"story_id": s, "label": r["title"] or r["text"][:80], "first_seen": seen,
                                "last_seen": seen, "num_articles": 0, "num_sources": 0})
        st["first_seen"], st["last_seen"] = min(st["first_seen"], seen), max(st["last_seen"], seen)
        st["num_articles"] += 1
        st["num_sources"] += 1
    touched = sorted((set(story_ids) | set(moves.values()) | {before[a] for a in moves}) - set(new))
    placeholders = [{"story_id": s, "label": None, "first_seen": now, "last_seen": now,
                     "num_articles": 0, "num_sources": 0} for s in touched]
    return from_rows(list(new.values()) + placeholders, STORY)


def _move_rows(moves: dict[str, str], before: dict[str, str], seq: int) -> pa.Table:
    return from_rows([{"move_id": ids.digest("story_move", a, to, str(seq)), "article_id": a,
                       "from_story_id": before[a], "to_story_id": to, "story_seq": seq}
                      for a, to in sorted(moves.items())], STORY_MOVE)


def refresh_stories(con, batch: dict[str, pa.Table]) -> None:
    """Applies the batch's moves, then recomputes label, first/last seen and counts of the stories
    it touched from their stored articles; a story left without articles is deleted. Runs inside
    the load transaction, after the merges."""
    moves = batch.get("story_moves")
    story_ids = set(batch["stories"].column("story_id").to_pylist()) if batch.get("stories") is not None else set()
    if moves is not None and moves.num_rows:
        story_ids |= set(moves.column("from_story_id").to_pylist()) | set(moves.column("to_story_id").to_pylist())
        _apply_moves(con, moves.column("move_id").to_pylist())
    story_ids.discard(None)
    if not story_ids:
        return
    touched = sorted(story_ids)
    con.execute("""
        insert into stories (story_id, run_id)
        select a.story_id, first(a.run_id order by a.story_seq desc nulls last) from articles a
        where a.story_id in (select unnest(?::varchar[]))
          and a.story_id not in (select story_id from stories)
        group by a.story_id
    """, [touched]).fetchall()  # a story only stored articles moved into (its batch row was not loaded)
    con.execute("""
        update stories as s set
            label = agg.label, first_seen = agg.first_seen, last_seen = agg.last_seen,
            num_articles = agg.num_articles, num_sources = agg.num_sources
        from (
            select story_id,
                   first(coalesce(title, left(text, 80)) order by story_seq nulls first,
                         coalesce(published_at, ingested_at), article_id) as label,  -- its first article's
                   min(coalesce(published_at, ingested_at)) as first_seen,
                   max(coalesce(published_at, ingested_at)) as last_seen,
                   count(*) as num_articles,
                   count(distinct coalesce(outlet, site_name, source)) as num_sources  -- outlets
            from articles
            where story_id in (select unnest(?::varchar[]))
            group by story_id
        ) as agg
        where s.story_id = agg.story_id
    """, [touched]).fetchall()
    con.execute("""
        delete from stories where story_id in (select unnest(?::varchar[]))
          and story_id not in (select story_id from articles where story_id is not null)
    """, [touched]).fetchall()


def _apply_moves(con, move_ids: list[str]) -> None:
    """Moves the stored articles (their row now last written by this run), and gives the events
    whose story was one an article left the story of their first report (by commit order)."""
    con.execute("""
        update articles as a set story_id = m.to_story_id, run_id = m.run_id
        from story_moves m where m.move_id in (select unnest(?::varchar[])) and a.article_id = m.article_id
    """, [move_ids]).fetchall()
    con.execute("""
        update events as e set story_id = first.story_id
        from (
            select em.event_id,
                   first(a.story_id order by a.story_seq nulls first, a.article_id, em.start_char) as story_id
            from event_mentions em join articles a using (article_id)
            where em.event_id in (
                select e2.event_id from events e2
                where e2.story_id in (select from_story_id from story_moves
                                      where move_id in (select unnest(?::varchar[]))))
            group by em.event_id
        ) as first
        where e.event_id = first.event_id and e.story_id is distinct from first.story_id
    """, [move_ids]).fetchall()
