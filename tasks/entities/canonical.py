"""Canonical entities: one `entity_id` per real-world person, organisation or place, stable across nights.

After NER (`tasks/nlp/ner.py`) and type repair (`tasks/entities/type_repair.py`), mentions are resolved:

1. within an article, a short form ("Fidan", "President Putin", "Mr. Rubio") links to the full name
   introduced in the same article when exactly one full name there has a compatible surname;
2. across the batch, full person names in one block (type + phonetic key of the folded surname) merge
   when `person_similarity` reaches `settings.person_match_threshold`; other types merge on the folded
   name (Dolmabahce / Dolmabahçe). A lone surname with no full name in its article joins the one
   full name in its block, when there is exactly one (in the batch or the warehouse);
3. each cluster looks up the warehouse's existing entities of its block (`known`, only for the batch's
   block keys) and takes the existing id when one matches, so a new night's variant attaches to it;
   otherwise its id is derived from its canonical name and label.

A place's identity is its gazetteer entry (tasks/entities/places.py: a GeoNames id, or an ISO code for
a country without one): every mention that geocodes to it ("U.S.", "United States", "USA"; "Moscow",
"Moskau", "Moscou"), whatever label the model gave it (GPE, LOC, FAC, or ORG for a known place), is
one GPE entity named as the gazetteer names it, with the other spellings as aliases. Places the
gazetteer does not know merge on their folded name, as other types do.

`warehouse/entity_overrides.csv` (tasks/entities/overrides.py) pins merges, splits, renames and drops.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable

import pyarrow as pa

from newsflow import ids
from newsflow.batches import ENTITY, MENTION, from_rows
from newsflow.config import Settings
from tasks.entities import overrides as overrides_mod
from tasks.entities import places
from tasks.entities import type_repair
from tasks.events.actors import load as load_actors
from tasks.nlp.ner import canonical_name
from tasks.entities.names import block_key, name_key, person_parts, person_similarity, phonetic, strip_titles, type_class

CANONICAL_ENTITY = ENTITY  # with its place columns filled
# How "which entity is this string" becomes a join: one row per (surface form, entity).
ENTITY_ALIAS = pa.schema([
    ("alias_id", pa.string()),
    ("alias", pa.string()),
    ("alias_key", pa.string()),
    ("block_key", pa.string()),
    ("entity_id", pa.string()),
    ("label", pa.string()),
])
# Labels resolved to canonical entities; numbers and dates keep one entity per surface form.
RESOLVED = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE"}
LABEL_ORDER = ("PERSON", "GPE", "ORG", "LOC", "FAC", "NORP", "EVENT")

# known(block keys) -> warehouse candidates: dicts with entity_id, name, label, alias_key, block_key.
Lookup = Callable[[list[str]], list[dict]]


def _no_warehouse(_keys: list[str]) -> list[dict]:
    return []


class _Cluster:
    __slots__ = ("key", "cls", "mentions", "target")

    def __init__(self, key: str, cls: str):
        self.key, self.cls, self.mentions, self.target = key, cls, [], None

    def root(self) -> "_Cluster":
        c = self
        while c.target is not None:
            c = c.target
        return c

    def is_full_person(self) -> bool:
        return self.cls == "PERSON" and bool(person_parts(self.key)[0])


def _surname_compatible(short: str, full: str, threshold: float) -> bool:
    from rapidfuzz.distance import JaroWinkler

    _, s1 = person_parts(short)
    _, s2 = person_parts(full)
    return bool(s1 and s2) and phonetic(s1) == phonetic(s2) and JaroWinkler.similarity(s1, s2) >= threshold


def _link_within_articles(rows: list[dict], keys: list[str], threshold: float, pinned: set[str]) -> None:
    """Short person forms take the key of the one compatible full name in their article."""
    full_by_article: dict[str, set[str]] = defaultdict(set)
    for r, k in zip(rows, keys):
        if r["label"] == "PERSON" and person_parts(k)[0]:
            full_by_article[r["article_id"]].add(k)
    for i, (r, k) in enumerate(zip(rows, keys)):
        if r["label"] != "PERSON" or person_parts(k)[0] or k in pinned:
            continue
        candidates = {f for f in full_by_article[r["article_id"]] if _surname_compatible(k, f, threshold)}
        if len(candidates) == 1:
            keys[i] = candidates.pop()


def _best_name(mentions: list[dict], person: bool) -> str:
    """The most frequent (title-free) surface form; ties go to the longest, then the native spelling."""
    forms = Counter(strip_titles(canonical_name(m["text"])) if person else canonical_name(m["text"])
                    for m in mentions)
    # a person's canonical name is a full name when one was seen ("Vladimir Putin", not "Putin")
    return max(forms, key=lambda f: (person and len(f.split()) > 1, forms[f], len(f.split()), not f.isascii(), f))


def _majority_label(mentions: list[dict]) -> str:
    counts = Counter(m["label"] for m in mentions)
    return max(counts, key=lambda lb: (counts[lb], -LABEL_ORDER.index(lb) if lb in LABEL_ORDER else -99))


def _keys(rows: list[dict], rules: overrides_mod.Overrides, threshold: float) -> list[str]:
    """Each mention's cluster key: its folded name (merges applied), a short person form the full
    name of its article."""
    keys = [name_key(r["text"], r["label"]) if r["label"] in RESOLVED else r["text"] for r in rows]
    keys = [rules.merge.get(k, k) for k in keys]
    _link_within_articles(rows, keys, threshold, rules.split)
    return keys


def prepare_mentions(articles: pa.Table, mentions: pa.Table, settings: Settings,
                     rules: overrides_mod.Overrides | None = None) -> tuple[pa.Table, dict]:
    """The half of canonicalisation a batch needs alone (analyse): type repair, the run's labels,
    places found in the gazetteer (relabelled GPE). Each row's `entity_id` is its own `mention_id`
    until `canonicalise(..., prepared=True)`. Returns (mentions, places): places = {"mentions":
    mention_id -> gazetteer key, "entries": key -> gazetteer entry}, for that second half."""
    if mentions.num_rows == 0:
        return mentions, {}
    rules = rules or overrides_mod.load(settings.entity_overrides)
    texts = dict(zip(articles.column("article_id").to_pylist(), articles.column("text").to_pylist()))
    rows = type_repair.repair(mentions.to_pylist(), texts, drop_names=rules.drop,
                              actors=load_actors(settings.actor_dictionary))
    allowed = set(settings.entity_labels)
    rows = [r for r in rows if r["label"] in allowed]  # a repaired type the run does not keep
    keys = _keys(rows, rules, settings.person_match_threshold)
    entries = _locate(rows, keys, rules.split)
    located = {r["mention_id"]: k for r, k in zip(rows, keys) if k in entries}
    rows = [{**r, "entity_id": r["mention_id"]} for r in rows]
    return from_rows(rows, MENTION), {"mentions": located, "entries": entries}


def canonicalise(articles: pa.Table, entities: pa.Table, mentions: pa.Table, settings: Settings,
                 known: Lookup = _no_warehouse, rules: overrides_mod.Overrides | None = None,
                 prepared: dict | None = None) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Resolves the batch's mentions to canonical entities.

    Returns (entities with place columns, mentions pointing at canonical ids, entity_aliases rows).
    `entities` (the raw NER rows) is accepted for the pipeline's shape; every row is rebuilt.
    `prepared`: the places `prepare_mentions` returned with `mentions` (the analyse step), so only
    the part that needs `known` (the warehouse) runs here.
    """
    if mentions.num_rows == 0:
        return CANONICAL_ENTITY.empty_table(), mentions, ENTITY_ALIAS.empty_table()
    rules = rules or overrides_mod.load(settings.entity_overrides)
    if prepared is None:
        mentions, prepared = prepare_mentions(articles, mentions, settings, rules)
    rows = mentions.to_pylist()
    threshold = settings.person_match_threshold

    keys = _keys(rows, rules, threshold)
    located: dict[str, dict] = {}
    for i, r in enumerate(rows):  # the gazetteer places prepare_mentions found, in row order
        key = prepared.get("mentions", {}).get(r["mention_id"])
        if key is not None:
            keys[i] = key
            located.setdefault(key, prepared["entries"][key])

    clusters: dict[tuple[str, str], _Cluster] = {}
    for r, k in zip(rows, keys):
        cls = type_class(r["label"]) if r["label"] in RESOLVED else r["label"]
        clusters.setdefault((cls, k), _Cluster(k, cls)).mentions.append(r)

    warehouse = _candidates(clusters.values(), known)
    _merge_people(clusters.values(), warehouse, threshold, rules.split)

    groups: dict[int, list[_Cluster]] = defaultdict(list)
    for cluster in sorted(clusters.values(), key=lambda c: (c.cls, c.key)):
        groups[id(cluster.root())].append(cluster)
    entity_rows: dict[str, dict] = {}
    located_ids: dict[str, dict] = {}
    mention_rows, alias_rows = [], {}
    for members in groups.values():
        root = members[0].root()
        all_mentions = [m for c in members for m in c.mentions]
        label = _majority_label(all_mentions)
        name = _best_name(all_mentions, root.cls == "PERSON")
        place = located.get(root.key) if root.cls == "PLACE" else None
        if place is not None:
            name = place["name"] or name
        existing = _existing(members, warehouse, threshold)
        if existing:
            # keep the stored id; a stored bare surname gives way to the full name now known
            upgrade = root.cls == "PERSON" and person_parts(name)[0] and not person_parts(existing["name"])[0]
            eid, label = existing["entity_id"], existing["label"]
            name = name if upgrade else existing["name"]
        elif place is not None:
            eid = ids.digest("entity", "place", root.key)  # the gazetteer id, whatever the spelling
        else:
            eid = ids.entity_id(name, label)
        name = rules.rename.get(name_key(name, label), name)
        entity_rows.setdefault(eid, {"entity_id": eid, "name": name, "label": label})
        if place is not None:
            located_ids[eid] = place
        for m in all_mentions:
            mention_rows.append({**m, "entity_id": eid})
            alias = canonical_name(m["text"])
            aid = ids.digest("alias", eid, alias)
            alias_rows.setdefault(aid, {
                "alias_id": aid, "alias": alias, "alias_key": name_key(alias, m["label"]),
                "block_key": (f"PLACE:{root.key}" if place is not None else block_key(alias, m["label"])
                              if m["label"] in RESOLVED else f"{m['label']}:{alias}"),
                "entity_id": eid, "label": m["label"]})
    ents = places.add_places(list(entity_rows.values()), mention_rows, located_ids)
    mention_rows.sort(key=lambda m: (m["article_id"], m["start_char"], m["end_char"], m["label"]))
    return (from_rows(ents, CANONICAL_ENTITY), from_rows(mention_rows, MENTION),
            from_rows(sorted(alias_rows.values(), key=lambda a: a["alias_id"]), ENTITY_ALIAS))


def _locate(rows: list[dict], keys: list[str], pinned: set[str]) -> dict[str, dict]:
    """Gives every mention of a gazetteer place the place's key ("gn:524901") and the label GPE; an
    ORG that names a known place ("Crimea", "United States") is that place. Returns key -> entry.

    The countries the same article names pick among namesakes (Paris, France vs Paris, Texas)."""
    context = places.article_countries(rows)
    found: dict[str, dict] = {}
    for i, r in enumerate(rows):
        if keys[i] in pinned:  # a `split` override keeps the name to itself
            continue
        cls = type_class(r["label"])
        if cls != "PLACE" and not (r["label"] == "ORG" and places.is_known_place(r["text"])):
            continue
        entry = places.geocode(canonical_name(r["text"]), context.get(r["article_id"], set()))
        key = places.gazetteer_key(entry) if entry and entry.get("name") else None
        if key is None:
            continue
        found.setdefault(key, entry)
        keys[i] = key
        if r["label"] != "GPE":
            rows[i] = type_repair.relabel(r, "GPE")
    return found


def _block_of(cluster: _Cluster) -> str:
    if cluster.cls == "PERSON":
        return block_key(cluster.key, "PERSON")
    if cluster.cls in RESOLVED or cluster.cls == "PLACE":
        return f"{cluster.cls}:{cluster.key}"
    return f"{cluster.cls}:{cluster.mentions[0]['text']}"


def _candidates(clusters, known: Lookup) -> dict[str, list[dict]]:
    """Warehouse entities sharing a block with the batch, looked up for the batch's keys only."""
    blocks = sorted({_block_of(c) for c in clusters})
    found: dict[str, list[dict]] = defaultdict(list)
    for row in known(blocks):
        found[row["block_key"]].append(row)
    return found


def _merge_people(clusters, warehouse: dict[str, list[dict]], threshold: float, pinned: set[str]) -> None:
    """Union of person clusters inside each block: full names by similarity, lone surnames when
    exactly one full name (batch or warehouse) is compatible. Never compares across blocks."""
    blocks: dict[str, list[_Cluster]] = defaultdict(list)
    for c in clusters:
        if c.cls == "PERSON":
            blocks[_block_of(c)].append(c)
    for block, members in blocks.items():
        members.sort(key=lambda c: (-len(c.mentions), c.key))
        full = [c for c in members if c.is_full_person()]
        for i, a in enumerate(full):
            for b in full[:i]:
                if a.key in pinned or b.key in pinned:
                    continue
                if b.root() is not a.root() and person_similarity(a.key, b.key) >= threshold:
                    a.root().target = b.root()
                    break
        for c in members:
            if c.is_full_person() or c.key in pinned:
                continue
            roots = {f.root().key for f in full if _surname_compatible(c.key, f.key, threshold)}
            stored = {w["entity_id"] for w in warehouse.get(block, [])
                      if person_parts(w["name"])[0] and _surname_compatible(c.key, w["name"], threshold)}
            if len(roots) == 1 and len(stored) <= 1:
                c.target = next(f for f in full if f.root().key in roots).root()
            elif not roots and len(stored) == 1:
                c.key = name_key(next(w["name"] for w in warehouse[block] if w["entity_id"] in stored), "PERSON")


def _existing(members: list[_Cluster], warehouse: dict[str, list[dict]], threshold: float) -> dict | None:
    """The warehouse entity these clusters are: the same folded alias, else (people) a similar name."""
    root = members[0].root()
    cands = [w for c in members for w in warehouse.get(_block_of(c), [])
             if type_class(w["label"]) == root.cls or w["label"] == root.cls]
    keys = {c.key for c in members}
    if root.cls == "PLACE" and root.key.startswith(("gn:", "iso:")):  # the block is the place itself
        keys |= {w["alias_key"] for w in cands}
    exact = sorted((w for w in cands if w["alias_key"] in keys), key=lambda w: w["entity_id"])
    if exact:
        return exact[0]
    if root.cls == "PERSON" and root.is_full_person():
        scored = [(person_similarity(root.key, w["name"]), w["entity_id"], w) for w in cands]
        scored = [s for s in scored if s[0] >= threshold]
        if scored:
            return max(scored, key=lambda s: (s[0], s[1]))[2]
        # a bare surname stored on an earlier night ("Putin"), when it is the only compatible entity
        compatible = {w["entity_id"]: w for w in cands if _surname_compatible(w["name"], root.key, threshold)}
        if len(compatible) == 1:
            only = next(iter(compatible.values()))
            if not person_parts(only["name"])[0]:
                return only
    return None
