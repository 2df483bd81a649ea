"""Publication times as the input states them: stored in UTC with their precision, never invented.

Every path (HTML metadata through trafilatura/htmldate, feeds, sitemaps, JSONL, news-please and
trafilatura JSON) goes through `parse`, so a date means the same whatever it came in:

- a full timestamp keeps its time and zone, converted to UTC (`precision` "second", or "minute" when
  the input gives no seconds); a time without a zone is taken as UTC;
- a date alone ("2025-05-16") is that day at 00:00 UTC with `precision` "day": the midnight is a
  placeholder that `published_precision` says not to read; "2025-05" is "month";
- a value that cannot be parsed is *rejected*: `at` is None, `raw` keeps it as given and `problem`
  says why. The article still loads (without a date): `articles.published_raw` keeps the value, the
  clean stage writes a quarantine note and the `articles` suite warns, so it is never silent;
- a date in the future is no parsing problem but wrong data: it is kept here, and the `articles`
  suite's critical `published_at <= now (+1 day)` check quarantines the article, whether the date came
  from a page's metadata, a feed, a sitemap or a JSONL line (tasks/quality/validate.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

PRECISIONS = ("second", "minute", "day", "month")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_HAS_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
# news-please's "2025-05-16 10:30:00" and ISO forms with a space, "Z", or "+0200" (htmldate's %z).
_ZONE_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


@dataclass(frozen=True)
class Published:
    at: datetime | None = None        # UTC
    precision: str | None = None      # second | minute | day | month
    raw: str | None = None            # the value as the input stated it
    problem: str | None = None        # why a stated value was rejected

    @property
    def rejected(self) -> bool:
        return self.problem is not None


NONE = Published()


def _from_string(value: str) -> tuple[datetime, str] | None:
    text = value.strip()
    if _DAY.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc), "day"
    month = _MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return datetime(int(month.group(1)), int(month.group(2)), 1, tzinfo=timezone.utc), "month"
    iso = _ZONE_NO_COLON.sub(r"\1:\2", text) if "T" in text or " " in text else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)  # RFC 2822: "Fri, 16 May 2025 10:30:00 +0200"
        except (TypeError, ValueError, IndexError):
            return None
    return parsed, "second" if _HAS_SECONDS.search(text) else "minute"


def parse(value: object) -> Published:
    """A stated publication time (string, datetime or date) -> Published (see the module doc)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NONE
    raw = value.isoformat() if isinstance(value, (date, datetime)) else str(value).strip()
    if isinstance(value, datetime):
        found = (value, "second")
    elif isinstance(value, date):
        found = (datetime(value.year, value.month, value.day, tzinfo=timezone.utc), "day")
    elif isinstance(value, str):
        found = _from_string(value)
    else:
        return Published(raw=raw, problem=f"unparseable published_at {raw!r} (not a date string)")
    if found is None:
        return Published(raw=raw, problem=f"unparseable published_at {raw!r}")
    at, precision = found
    try:
        at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return Published(raw=raw, problem=f"unparseable published_at {raw!r} (out of range)")
    return Published(at=at, precision=precision, raw=raw)


def from_htmldate(value: str | None) -> Published:
    """htmldate's "%Y-%m-%dT%H:%M:%S%z" output: with a zone it is a real time; without one and at
    midnight it stands for a date the page gave without a time (htmldate pads those with 00:00:00)."""
    if value and value.endswith("T00:00:00"):
        return parse(value[:10])
    return parse(value)
