"""Who a phrase names, by the Phoenix actor dictionaries, and what role a noun is, by the agents dictionary.

Actor records map phrases (country names, demonyms, cities, office holders, IGOs, NGOs, armed groups)
to CAMEO actor codes, with dated roles: "Vladimir Putin" is RUSELI until 1999 and RUSGOV after, so the
article's date picks the office. Agent nouns map to sectors ("minister" -> GOV, "troops" -> MIL). Both are
matched on lower-case words without full stops ("U.N." = "un"), longest phrase first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from tasks.entities.names import ascii_fold
from tasks.events import dictionaries

# CAMEO actor-type codes that are no country: an IGO, NGO, multinational company, armed group...
GROUP_TYPES = {"IGO", "NGO", "MNC", "IMG", "INT", "MEA", "AFR", "ASA", "EUR", "NMR", "SAM", "CAU", "SCN",
               "WST", "CRB", "CAS", "BLK", "ELI", "MED", "HIN", "UIS", "UAF"}
_MAX_WORDS = 8


@lru_cache(maxsize=200_000)
def norm(text: str) -> str:
    """Lower-case ASCII words, no full stops, possessive or leading article: the key of a phrase."""
    text = ascii_fold(text).lower().replace(".", "").replace("’", "'")
    text = re.sub(r"'s\b|'", " ", text)
    words = text.replace("_", " ").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Code:
    code: str                    # the full CAMEO actor code, e.g. "RUSGOV", "IGOUNO", "IMGMUSALQ"
    country: str | None          # the country part ("RUS"), or None for a group/IGO/NGO
    group: str | None            # "IGO", "NGO", "IMG", "MNC" ... when the actor is no state
    sector: str | None           # the first role code after the country ("GOV"), if any
    kind: str                    # "country", "international", "nonstate", "agent", "user"


def split(code: str) -> tuple[str | None, str | None, str | None]:
    """(country, group, sector) of a CAMEO actor code: "RUSGOV" -> ("RUS", None, "GOV"),
    "IGOUNO" -> (None, "IGO", None), "NGO" -> (None, "NGO", None), "IMGMUSALQ" -> (None, "IMG", None)."""
    head, rest = code[:3], code[3:]
    if head in GROUP_TYPES:
        return None, head, None
    return head, None, (rest[:3] or None)


def _valid(restrictions: list, day: date | None) -> str | None:
    """The code a record gives on `day`: the dated role covering it, else the undated default; without
    a day, the open-ended or latest role."""
    default = next((c for c, s, e in restrictions if s is None and e is None), None)
    if day is None:
        dated = [(e or "9999", s or "", c) for c, s, e in restrictions if s or e]
        return max(dated)[2] if dated else default
    iso = day.isoformat()
    for c, s, e in restrictions:
        if (s or e) and (s is None or s <= iso) and (e is None or iso <= e):
            return c
    return default


@lru_cache(maxsize=1)
def _actors() -> dict[str, list[tuple[str, list]]]:
    index: dict[str, list[tuple[str, list]]] = {}
    for kind, records in dictionaries.actor_records().items():
        for phrases, restrictions in records:
            for key in phrases:  # stored normalised by build.py
                index.setdefault(key, []).append((kind, restrictions))
    return index


@lru_cache(maxsize=1)
def _agents() -> dict[str, str]:
    return {norm(k): v for k, v in dictionaries.agents().items()}


def actor(phrase: str, day: date | None = None) -> Code | None:
    """The actor code of a whole phrase ("Kremlin" -> RUSGOV, "Hamas" -> its group, "Kabul" -> AFG)."""
    hits = _actors().get(norm(phrase))
    if not hits:
        return None
    for kind, restrictions in hits:
        code = _valid(restrictions, day)
        if code and code != "---":
            country, group, sector = split(code)
            return Code(code, country, group, sector, kind)
    return None


def agent(phrase: str) -> str | None:
    """The agent code of a role noun phrase ("foreign minister" -> "~GOVFRM"), or None."""
    return _agents().get(norm(phrase))


def agent_sector(code: str | None) -> str | None:
    """The sector of an agent code: "~GOVFRM" -> "GOV", "NGO~" -> "NGO"."""
    if not code:
        return None
    return code.strip("~")[:3] or None


def longest(words: list, lookup):
    """The longest run of `words` (at most 8) that `lookup` knows, scanning from the right (the head
    of an English noun phrase is its last word): (start, end, hit) or None. A None word is a gap no
    phrase spans ("nice" in lower case is no name)."""
    best = None
    start = 0
    n = len(words)
    while start < n:  # maximal runs of words without a gap
        if words[start] is None:
            start += 1
            continue
        end = start
        while end < n and words[end] is not None:
            end += 1
        for size in range(min(end - start, _MAX_WORDS), 0, -1):
            if best is not None and size <= best[1] - best[0]:
                break
            for a in range(end - size, start - 1, -1):
                hit = lookup(" ".join(words[a:a + size]))
                if hit:
                    if best is None or size > best[1] - best[0] or a > best[0]:
                        best = (a, a + size, hit)
                    break
            else:
                continue
            break
        start = end
    return best
