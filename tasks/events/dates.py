"""When an event happened: dateparser over the sentence's DATE entities, relative to the article.

The base for relative expressions ("on Friday", "two weeks ago") is the article's publication time;
without one, the latest full date (with a year) the article itself states; without that, the latest
year it states ("In May 2025" lets "on May 16" be 2025-05-16, but says nothing about "Friday"). An anaphoric one ("two weeks
later", "a day earlier") counts from the last day the article named before it ("on May 16 ... two weeks
later" is May 30), not from the publication. Without any base, only a date that names its own year can
be resolved. `date_precision` says what the words really fix:
`day`, `month`, `year`, or `unknown` (no date, or a relative one with nothing to count from).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_RELATIVE = re.compile(r"\b(today|yesterday|tomorrow|tonight|ago|later|earlier|last|next|this|"
                       r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|weeks|days?)\b",
                       re.IGNORECASE)
_DURATION = re.compile(r"^(over |more than |about |nearly |almost |some |the )?(\d+|one|two|three|four|"
                       r"five|six|seven|eight|nine|ten|several|many|few)[- ](day|week|month|year)s?"
                       r"( long| old)?$", re.IGNORECASE)
_ANAPHORIC = re.compile(r"\b(later|earlier|after|afterwards|before|following|previous|prior)\b", re.IGNORECASE)
PRECISIONS = ("day", "month", "year", "unknown")
# A date after these words bounds another time, it does not date the event ("met since 2022").
_NOT_WHEN = {"since", "until", "till", "before", "by", "from", "through", "throughout", "during"}
_BOUNDS_TIME = _NOT_WHEN - {"by", "from"}  # "by" and "from" also name doers and origins


@lru_cache(maxsize=64)
def _parser(base: datetime | None):
    """One parser per reference time (building one costs more than parsing a phrase)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "past"}
    if base is not None:
        settings["RELATIVE_BASE"] = base.replace(tzinfo=None)
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=4096)
def _parse(text: str, base: datetime | None):
    parser = _parser(base)
    try:
        data = parser.get_date_data(text)
    except Exception:  # dateparser raises on a few odd inputs; an unparsable date is just unknown
        return None, "unknown"
    if data is None or data.date_obj is None:
        return None, "unknown"
    period = data.period or "day"
    precision = {"day": "day", "week": "day", "time": "day", "month": "month", "year": "year"}.get(period, "day")
    d = data.date_obj.date()
    # dateparser fills missing parts from today: keep only what the words fix.
    if precision == "month":
        d = d.replace(day=1)
    elif precision == "year":
        d = d.replace(month=1, day=1)
    return d, precision


def event_date_phrases(sent, trigger_i: int) -> list[str]:
    """The DATE phrases of a sentence that date its event: attached to the trigger's clause (the
    first verb above the date is the trigger, or the trigger's own head for a noun event), not after
    "since", "until", "before" ... ("the first meeting since 2022", "last met in March 2022" in a
    relative clause date other things)."""
    from tasks.events.parties import sentence_entities

    doc = sent.doc
    trig = doc[trigger_i]
    clause = {trig.i, trig.head.i}
    out = []
    for ent in sentence_entities(sent):
        if ent.label_ != "DATE" or any(t.lower_ in _NOT_WHEN for t in ent):
            continue
        tok, bounded = ent.root, False
        while tok.head.i != tok.i:  # up to the first verb: the clause the date belongs to
            if tok.dep_ == "pobj" and tok.head.lower_ in _NOT_WHEN:
                bounded = True  # "since the onset of the war in February 2022"
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                break
        if not bounded and tok.i in clause and not _after_bound(doc, ent.start, trig.i):
            out.append(ent.text)
    return out


def _after_bound(doc, start: int, trigger_i: int) -> bool:
    """"met ... since the onset of the war in February 2022": a date at the end of a since/until phrase
    (no verb or punctuation between them) belongs to that phrase, wherever the parser attached it."""
    for i in range(start - 1, max(trigger_i, doc[start].sent.start - 1), -1):
        t = doc[i]
        if t.lower_ in _BOUNDS_TIME:
            return True
        if t.is_punct or t.pos_ in ("VERB", "AUX"):
            return False
    return False


def is_anaphoric(text: str) -> bool:
    """"two weeks later": counted from a date told before, not from the day of writing."""
    return bool(_ANAPHORIC.search(text)) and not _YEAR.search(text)


def resolve(text: str, base: datetime | None, previous: date | None = None) -> tuple[date | None, str]:
    """(date, precision) for one DATE phrase; durations ("three years") are not dates. `previous`, the
    last day the article named before the phrase, is the base of an anaphoric phrase."""
    year_only = isinstance(base, YearBase)
    if year_only:
        base = datetime(base.year, 12, 31)  # a plain datetime: equal YearBase/datetime keys must not share a cache row
    return _resolve(text, base, previous, year_only)


@lru_cache(maxsize=4096)
def _resolve(text: str, base: datetime | None, previous: date | None, year_only: bool) -> tuple[date | None, str]:
    phrase = text.strip()
    if not phrase or _DURATION.match(phrase):
        return None, "unknown"
    if previous is not None and is_anaphoric(phrase):
        base, year_only = datetime.combine(previous, datetime.min.time()), False
    has_year = bool(_YEAR.search(phrase))
    if base is None and not has_year:
        return None, "unknown"  # "May 16" or "on Friday" with nothing to anchor the year or weekday
    if (base is None or year_only) and _RELATIVE.search(phrase):
        return None, "unknown"
    return _parse(phrase, base)


class YearBase(datetime):
    """An article base that fixes only the year (the article states "May 2025", no full date): it
    dates "May 16" but not "Friday" or "two days ago"."""


def article_base(published_at: datetime | None, date_phrases: list[str]) -> datetime | None:
    """The article's reference time: its publication, else the latest full date it states, else the
    last day of the latest year it states (a `YearBase`)."""
    if published_at is not None:
        return published_at
    stated, years = [], []
    for phrase in date_phrases:
        if _YEAR.search(phrase) and not _DURATION.match(phrase.strip()):
            d, precision = _parse(phrase, None)
            if d is not None and precision == "day":
                stated.append(d)
            elif d is not None and not is_anaphoric(phrase):
                years.append(d.year)
    if stated:
        return datetime.combine(max(stated), datetime.min.time())
    return YearBase(max(years), 12, 31) if years else None
