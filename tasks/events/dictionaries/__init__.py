"""The field's event-coding dictionaries, as newsflow ships them (derived by `build.py`, never hand-edited).

PETRARCH2's CAMEO verb dictionary and the Phoenix actor, agent and discard dictionaries (MIT, Open Event
Data Alliance: LICENSE-petrarch2), the official CAMEO → PLOVER table (CC BY-SA 4.0: NOTICE-plover.md) and
GDELT's Goldstein scale. Each file is read once per process.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _json(name: str):
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def verbs() -> dict:
    """{"verbs": {form: {"block", "code"}}, "blocks": {name: {"code", "patterns"}}}."""
    return _json("verbs.json")


@lru_cache(maxsize=1)
def agents() -> dict[str, str]:
    """Role noun phrase -> agent code ("~GOV", "~GOVFRM", "NGO~")."""
    return _json("agents.json")


@lru_cache(maxsize=1)
def actor_records() -> dict[str, list]:
    """{"country"|"international"|"nonstate": [[phrases], [[code, start, end], ...]]}."""
    return _json("actors.json")


@lru_cache(maxsize=1)
def discards() -> tuple[frozenset[str], frozenset[str]]:
    """(sentence-level, story-level) discard phrases."""
    rows = _json("discards.json")
    return (frozenset(d["phrase"] for d in rows if not d["story"]),
            frozenset(d["phrase"] for d in rows if d["story"]))


@lru_cache(maxsize=1)
def cameo_plover() -> dict[str, tuple[str, str | None, str | None, str]]:
    """CAMEO code -> (PLOVER category, mode or None, context or None, CAMEO description)."""
    with (HERE / "cameo_plover.csv").open(encoding="utf-8", newline="") as f:
        return {r["cameo"]: (r["plover"], r["mode"] or None, r["context"] or None, r["description"])
                for r in csv.DictReader(f)}


@lru_cache(maxsize=1)
def goldstein() -> dict[str, float]:
    with (HERE / "goldstein.csv").open(encoding="utf-8", newline="") as f:
        return {r["cameo"]: float(r["goldstein"]) for r in csv.DictReader(f)}
