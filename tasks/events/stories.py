"""Stories: articles about the same happening, across outlets and nights, and syndicated copies.

Incremental single pass (no re-clustering of history): each new article is compared with the
articles of recent stories (the warehouse's last `story_window_days`, plus the batch so far) by
TF-IDF cosine over its content words, names counted twice; it joins the story with the highest mean
similarity if that reaches `story_threshold_pct`, else it starts a story whose id derives from it.
Inside its story, an article whose 5-word shingles overlap an earlier one's by `duplicate_threshold_pct`
(Jaccard) is marked `duplicate_of` that article (a syndicated or lightly edited copy).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timedelta

import pyarrow as pa

from newsflow import ids
from newsflow.batches import TS, from_rows
from newsflow.config import Settings

_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_STOP = set("""a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your said says say told new one two three year years
first last after week weeks day days time also told according""".split())

STORY = pa.schema([
    ("story_id", pa.string()),
    ("label", pa.string()),
    ("first_seen", TS),
    ("last_seen", TS),
    ("num_articles", pa.int32()),
    ("num_sources", pa.int32()),
])


def terms(title: str | None, text: str) -> Counter:
    """Content words of an article; capitalised words (names) count twice, the title twice more."""
    bag: Counter = Counter()
    for part, weight in ((title or "", 2), (text, 1)):
        for w in _WORD.findall(part):
            low = w.lower().replace("’", "'")
            if low in _STOP or len(low) < 3 or low.isdigit():
                continue
            bag[low] += weight * (2 if w[0].isupper() else 1)
    return bag


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


def _same_instance(a, b) -> bool:
    if a is None or b is None:
        return True
    if "later" in (a, b):
        return a != 1 and b != 1
    return a == b


def shingles(text: str, k: int = 5) -> set[int]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {hash(tuple(words[i:i + k])) for i in range(max(len(words) - k + 1, 1))}


def _cosine(a: dict[str, float], b: dict[str, float], na: float, nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items()) / (na * nb)


class StoryIndex:
    """The articles of open stories and their term vectors; new articles are assigned one by one.

    The mean cosine of a new article to a story's articles equals its dot product with the sum of
    their unit vectors, divided by their number: each story keeps that sum (per claimed instance,
    see `instance`), so an article costs one sparse dot product per story, not one per article.
    Only stories sharing a term with the article are scored (the others' mean is 0).
    """

    def __init__(self, threshold: float, duplicate_threshold: float):
        self.threshold = threshold
        self.duplicate_threshold = duplicate_threshold
        self.docs: list[dict] = []  # {article_id, story_id, shingles}
        self.ids: set[str] = set()
        self.df: Counter = Counter()
        # story -> instance -> [summed unit vector, article count]
        self.stories: dict[str, dict[object, list]] = {}
        self.postings: dict[str, set[str]] = {}  # term -> stories whose articles use it

    def add(self, article_id: str, story_id: str, title: str | None, text: str) -> None:
        bag = terms(title, text)
        self.df.update(bag.keys())
        vec, norm = self._vector(bag)  # idf as of now: older vectors are not recomputed (cheap, stable)
        self._index(article_id, story_id, vec, norm, instance(title, text), shingles(text))

    def _index(self, article_id, story_id, vec, norm, inst, sh) -> None:
        group = self.stories.setdefault(story_id, {}).setdefault(inst, [Counter(), 0])
        if norm:
            group[0].update({t: v / norm for t, v in vec.items()})
        group[1] += 1
        for t in vec:
            self.postings.setdefault(t, set()).add(story_id)
        self.docs.append({"article_id": article_id, "story_id": story_id, "sh": sh})
        self.ids.add(article_id)

    def _vector(self, bag: Counter) -> tuple[dict[str, float], float]:
        n = len(self.docs) + 1
        # smoothed idf (+1): words every article shares still count a little when the index is small
        vec = {t: (1 + math.log(c)) * (math.log((n + 1) / (self.df.get(t, 0) + 1)) + 1) for t, c in bag.items()}
        return vec, math.sqrt(sum(v * v for v in vec.values()))

    def _mean_similarity(self, story_id: str, vec: dict[str, float], norm: float, mine) -> float:
        total, count = 0.0, 0
        for inst, (summed, n) in self.stories[story_id].items():
            count += n
            if not _same_instance(mine, inst):
                total -= n  # another round of a recurring happening: never the same story
            elif norm:
                total += sum(v * summed.get(t, 0.0) for t, v in vec.items()) / norm
        return total / count if count else 0.0

    def assign(self, article_id: str, title: str | None, text: str) -> tuple[str, str | None]:
        """(story_id, duplicate_of) for a new article; it is then indexed for the next ones."""
        bag = terms(title, text)
        self.df.update(bag.keys())
        vec, norm = self._vector(bag)
        mine = instance(title, text)
        candidates = set().union(*(self.postings.get(t, ()) for t in vec)) if vec else set()
        best, best_sim = None, 0.0
        for story_id in sorted(candidates):
            mean = self._mean_similarity(story_id, vec, norm, mine)
            if mean > best_sim:
                best, best_sim = story_id, mean
        story_id = best if best is not None and best_sim >= self.threshold else ids.digest("story", article_id)
        sh = shingles(text)
        duplicate_of = None
        for d in self.docs:
            if d["story_id"] == story_id and sh and d["sh"]:
                jac = len(sh & d["sh"]) / len(sh | d["sh"])
                if jac >= self.duplicate_threshold:
                    duplicate_of = d["article_id"]
                    break
        self._index(article_id, story_id, vec, norm, mine, sh)
        return story_id, duplicate_of


# One index per warehouse file and settings, kept across the batches of a process: each batch
# only adds the window's articles it does not hold yet (re-reading the window every batch was the
# slowest part of a large night). Held articles that the warehouse lacks (a batch that was rolled
# back or rejected) make the cached index stale: it is then rebuilt.
_CACHE: dict[tuple, StoryIndex] = {}


def recent_index(con, settings: Settings, now: datetime) -> StoryIndex:
    """The index of the warehouse's articles of stories seen in the last window."""
    index = StoryIndex(settings.story_threshold_pct / 100, settings.duplicate_threshold_pct / 100)
    if con is None:
        return index
    since = now - timedelta(days=settings.story_window_days)
    window = ("from articles a join stories s using (story_id) where s.last_seen >= ? ")
    stored = {r[0] for r in con.execute("select a.article_id " + window, [since]).fetchall()}
    path = con.execute("select file from pragma_database_list where name = current_database()").fetchall()
    key = (path[0][0] if path else None, settings.story_threshold_pct, settings.duplicate_threshold_pct,
           settings.story_window_days)
    cached = _CACHE.get(key)
    if key[0] and cached is not None and cached.ids <= stored:
        index = cached
    missing = stored - index.ids
    if missing:
        con.register("story_missing", pa.table({"article_id": pa.array(sorted(missing), pa.string())}))
        try:
            rows = con.execute(
                "select a.article_id, a.story_id, a.title, a.text " + window +
                "and a.article_id in (select article_id from story_missing) "
                "order by a.ingested_at, a.article_id", [since]).fetchall()
        finally:
            con.unregister("story_missing")
        for article_id, story_id, title, text in rows:
            index.add(article_id, story_id, title, text)
    if key[0]:
        _CACHE.clear()  # one warehouse at a time: don't hold old indexes in memory
        _CACHE[key] = index
    return index


def assign_stories(articles: pa.Table, settings: Settings, con=None,
                   now: datetime | None = None) -> tuple[pa.Table, pa.Table]:
    """Adds `story_id` and `duplicate_of` to the batch's articles; returns (articles, new stories)."""
    if articles.num_rows == 0:
        return (articles.append_column("story_id", pa.array([], pa.string()))
                        .append_column("duplicate_of", pa.array([], pa.string())), STORY.empty_table())
    now = now or datetime.now().astimezone()
    index = recent_index(con, settings, now)
    known = set(index.stories)
    story_ids, duplicates, new_stories = [], [], {}
    for row in articles.select(["article_id", "title", "text", "published_at", "source"]).to_pylist():
        story_id, dup = index.assign(row["article_id"], row["title"], row["text"])
        story_ids.append(story_id)
        duplicates.append(dup)
        if story_id not in known:
            seen = row["published_at"] or now
            s = new_stories.setdefault(story_id, {
                "story_id": story_id, "label": row["title"] or row["text"][:80], "first_seen": seen,
                "last_seen": seen, "num_articles": 0, "num_sources": 0})
            s["first_seen"], s["last_seen"] = min(s["first_seen"], seen), max(s["last_seen"], seen)
            s["num_articles"] += 1
            s["num_sources"] += 1
    out = articles.append_column("story_id", pa.array(story_ids, pa.string())) \
                  .append_column("duplicate_of", pa.array(duplicates, pa.string()))
    touched = sorted(set(story_ids) - set(new_stories))
    rows = list(new_stories.values())
    # Existing stories the batch joined are passed too, so the loader refreshes their aggregates.
    rows += [{"story_id": s, "label": None, "first_seen": now, "last_seen": now,
              "num_articles": 0, "num_sources": 0} for s in touched]
    return out, from_rows(rows, STORY)


def refresh_stories(con, batch: dict[str, pa.Table]) -> None:
    """Recomputes first/last seen and counts of the batch's stories from their stored articles."""
    rows = batch.get("stories")
    story_ids = rows.column("story_id").to_pylist() if rows is not None else []
    if not story_ids:
        return
    con.execute("""
        update stories as s set
            first_seen = agg.first_seen, last_seen = agg.last_seen,
            num_articles = agg.num_articles, num_sources = agg.num_sources
        from (
            select story_id,
                   min(coalesce(published_at, ingested_at)) as first_seen,
                   max(coalesce(published_at, ingested_at)) as last_seen,
                   count(*) as num_articles,
                   count(distinct coalesce(outlet, site_name, source)) as num_sources  -- outlets
            from articles
            where story_id in (select unnest(?::varchar[]))
            group by story_id
        ) as agg
        where s.story_id = agg.story_id
    """, [story_ids]).fetchall()
