"""Curated entity overrides (`warehouse/entity_overrides.csv`), honoured by every run.

One row per decision, columns `action,name,label,target,note` (lines starting with `#` are comments):

- `merge`  mentions named `name` resolve as if they said `target` ("Zelenskiy" -> "Volodymyr Zelensky")
- `split`  `name` is never linked to another name by short-form or fuzzy matching (keeps its own entity)
- `rename` the entity whose canonical name is `name` is shown as `target` (its id does not change)
- `drop`   mentions named `name` are not entities (junk the model keeps finding)

Names are compared folded (case, accents and transliteration endings ignored, see tasks/entities/names.py);
`label` is optional and only matters for people, whose titles are ignored ("President X" == "X").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tasks.entities.names import name_key

ACTIONS = ("merge", "split", "rename", "drop")


@dataclass(frozen=True)
class Overrides:
    merge: dict[str, str] = field(default_factory=dict)   # folded name -> folded target
    split: set[str] = field(default_factory=set)          # folded names never linked
    rename: dict[str, str] = field(default_factory=dict)  # folded canonical name -> display name
    drop: set[str] = field(default_factory=set)           # folded names that are not entities


def default_path() -> Path:
    return Path(str(resources.files("warehouse") / "entity_overrides.csv"))


def parse(lines) -> Overrides:
    rules = Overrides()
    rows = csv.DictReader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    for n, row in enumerate(rows, start=2):
        action = (row.get("action") or "").strip().lower()
        name, label = (row.get("name") or "").strip(), (row.get("label") or "").strip().upper()
        target = (row.get("target") or "").strip()
        if action not in ACTIONS or not name or (action in ("merge", "rename") and not target):
            raise ValueError(f"entity overrides row {n}: need action in {ACTIONS}, a name "
                             f"and (for merge/rename) a target; got {dict(row)}")
        key = name_key(name, label)
        if action == "merge":
            rules.merge[key] = name_key(target, label)
        elif action == "split":
            rules.split.add(key)
        elif action == "rename":
            rules.rename[key] = target
        else:
            rules.drop.add(name_key(name))
    return rules


def load(path: str | Path | None) -> Overrides:
    if path and not Path(path).is_file():  # the user's own file: a typo must not silently do nothing
        raise ValueError(f"entity overrides file {path} not found")
    path = Path(path) if path else default_path()
    if not path.exists():
        return Overrides()
    with path.open(encoding="utf-8", newline="") as fh:
        return parse(list(fh))
