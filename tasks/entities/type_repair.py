"""Type repair of NER mentions before they are resolved to entities.

The small spaCy model tags "Bosphorus" and "Kyiv" as PERSON, "Vasiliy Nebenzya" as ORG, the "State"
of "Secretary of State" as ORG, and misses "Defense Minister Rustem Umerov" entirely. Each rule uses
evidence beyond the model: a gazetteer of places (GeoNames, ISO countries), a gazetteer of given names
(gender-guesser's international first-name dictionary), the words around the span, and the type the
same name has in the rest of the batch. Offsets stay exact: a span is only ever shortened.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from newsflow import ids
from newsflow.countries import DEMONYMS
from tasks.entities.names import TITLES, ascii_fold, name_key, type_class
from tasks.events.actors import ActorDictionary, load as load_actors
from tasks.entities.places import is_known_place, regions

PERSONISH = {"PERSON", "ORG"}
# Words that make a capitalised phrase an organisation even when it starts with a given name.
ORG_WORDS = {
    "agency", "airlines", "association", "bank", "board", "college", "commission", "committee",
    "company", "corp", "corporation", "council", "court", "department", "foundation", "fund", "group",
    "inc", "institute", "ltd", "ministry", "office", "organization", "organisation", "party", "press",
    "school", "service", "tech", "times", "union", "university", "news", "post", "media",
}
_POSSESSIVE_INSIDE = re.compile(r"['’]s\b")
# A role word right before a capitalised name: "Defense Minister Rustem Umerov", "advisor Vladimir X".
_ROLE_NAME = re.compile(
    r"\b(?:Minister|[Aa]dvis[eo]r|President|Secretary|Chancellor|Ambassador|[Ee]nvoy|Spokes(?:man|woman|person)"
    r"|[Ss]pokes(?:man|woman|person)|General|Chairman|Chairwoman|Representative|Governor|Mayor|Senator)"
    r"\s+((?:[A-ZÀ-ÞĀ-ſİ][\w’'-]+)(?:\s+[A-ZÀ-ÞĀ-ſİ][\w’'-]+){1,2})")


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    """Folded given names from gender-guesser's dictionary (~45,000 names of many countries)."""
    from gender_guesser.detector import Detector

    return frozenset(ascii_fold(n) for n in Detector(case_sensitive=False).names)


def is_given_name(token: str) -> bool:
    return ascii_fold(token) in _given_names()


def _demonym(token: str) -> bool:
    t = ascii_fold(token)
    return t in DEMONYMS or (t.endswith("s") and t[:-1] in DEMONYMS)


def _bare_org_word(text: str) -> bool:
    """"Council", "the Ministry": one generic organisation or title word is no name on its own."""
    words = ascii_fold(text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return len(words) == 1 and (words[0] in ORG_WORDS or words[0] in TITLES)


def _shorten_person(text: str, start: int, end: int) -> tuple[int, int]:
    """'Trump’s Ukraine' -> 'Trump'; 'Putin Russian' -> 'Putin' (a name never ends in a demonym)."""
    span = text[start:end]
    poss = _POSSESSIVE_INSIDE.search(span)
    if poss and poss.end() < len(span):
        end = start + poss.start()
    words = text[start:end].split()
    while len(words) > 1 and _demonym(words[-1]):
        words.pop()
    if len(words) < len(text[start:end].split()):
        end = start + text[start:end].index(words[-1]) + len(words[-1])
    return start, end


def _common_word(surface: str, text: str) -> bool:
    """A one-word name the same article also writes in lower case is a common word, not a name."""
    if " " in surface or not surface[:1].isupper() or surface.isupper() or surface.lower() not in text:
        return False  # (the last test: no lower-case form at all, so no need for the two scans below)
    # standalone words only: "apple" inside a URL or a slug says nothing about "Apple"
    word = r"(?<![\w./@-]){}(?![\w/@-]|\.\w)"
    lower = len(re.findall(word.format(re.escape(surface.lower())), text))
    upper = len(re.findall(word.format(re.escape(surface)), text))
    return lower > upper


def _preceded_by_the(text: str, start: int) -> bool:
    return text[max(0, start - 4):start].casefold() == "the "


def relabel(m: dict, label: str, start: int | None = None, end: int | None = None, text: str = "") -> dict:
    if start is not None:
        m = {**m, "start_char": start, "end_char": end, "text": text[start:end]}
    m = {**m, "label": label}
    m["mention_id"] = ids.mention_id(m["article_id"], m["start_char"], m["end_char"], label)
    return m


def repair(mentions: list[dict], texts: dict[str, str], drop_names: set[str] = frozenset(),
           actors: ActorDictionary | None = None) -> list[dict]:
    """Returns the mentions with types fixed, bad spans shortened, junk dropped and missed
    role-introduced names ("Defense Minister Rustem Umerov") added. `actors` is the actor dictionary
    (the packaged one unless the run has the user's)."""
    actors = actors if actors is not None else load_actors()
    out = []
    for m in mentions:
        text = texts[m["article_id"]]
        label, start, end = m["label"], m["start_char"], m["end_char"]
        key = name_key(m["text"])
        if label in PERSONISH and (all(w in TITLES for w in ascii_fold(m["text"]).split()) or key in drop_names):
            continue  # "State" of "Secretary of State", "Defense" of "Defense Minister"
        if label in PERSONISH | {"GPE", "LOC"} and _common_word(m["text"], text):
            continue  # "Russia's Demands:" -> GPE "Demands": the article also writes "demands"
        if label == "ORG" and _bare_org_word(m["text"]):
            continue  # "the Council" said: which council is for coreference, not an entity row
        if label in ("GPE", "LOC") and _demonym(m["text"]):
            label = "NORP"  # "Ukrainian" tagged GPE: a nationality word, linked to its country as NORP
        if label == "PERSON":
            start, end = _shorten_person(text, start, end)
        words = text[start:end].split()
        if label in PERSONISH and len(words) == 1 and is_known_place(words[0]):
            label = "GPE"  # "Kyiv" as PERSON
        elif label == "ORG" and ascii_fold(" ".join(words)) in regions():
            label = "GPE"  # "Crimea" as ORG: a region the Phoenix country dictionary lists
        elif (label == "ORG" and 2 <= len(words) <= 3 and is_given_name(words[0])
              and not any(ascii_fold(w) in ORG_WORDS or is_known_place(w) for w in words)):
            label = "PERSON"  # "Vasiliy Nebenzya" as ORG
        elif label in ("ORG", "GPE", "NORP") and 2 <= len(words) <= 4 and actors.lookup(" ".join(words)):
            label = "PERSON"  # an office holder the actor dictionary knows by full name ("Moody Awori")
        if (label, start, end) != (m["label"], m["start_char"], m["end_char"]):
            m = relabel(m, label, start, end, text)
        out.append(m)
    out += _role_introduced(out, texts)
    return _majority_types(out, texts)


def _role_introduced(mentions: list[dict], texts: dict[str, str]) -> list[dict]:
    """Names right after a role word that the model missed, when the first word is a given name."""
    taken: dict[str, list[tuple[int, int]]] = {}
    for m in mentions:
        taken.setdefault(m["article_id"], []).append((m["start_char"], m["end_char"]))
    added = []
    for article, text in texts.items():
        spans = taken.get(article, [])
        for match in _ROLE_NAME.finditer(text):
            start, end = match.span(1)
            words = match.group(1).split()
            while words and (ascii_fold(words[-1]) in TITLES or is_known_place(words[-1])):
                words.pop()
            if len(words) < 2 or not is_given_name(words[0]):
                continue
            end = start + len(" ".join(words))
            if text[start:end] != " ".join(words) or any(s < end and start < e for s, e in spans):
                continue
            spans.append((start, end))
            added.append({
                "mention_id": ids.mention_id(article, start, end, "PERSON"), "article_id": article,
                "entity_id": None, "text": text[start:end], "label": "PERSON",
                "start_char": start, "end_char": end,
                "sentence_index": _sentence_of(mentions, article, start),
            })
    return added


def _sentence_of(mentions: list[dict], article: str, start: int) -> int | None:
    before = [m for m in mentions if m["article_id"] == article and m["start_char"] <= start]
    return max(before, key=lambda m: m["start_char"])["sentence_index"] if before else 0


def _majority_types(mentions: list[dict], texts: dict[str, str]) -> list[dict]:
    """A name tagged PERSON, ORG or place in different mentions takes its majority type; a lone
    one-word PERSON after "the" that is nobody's name elsewhere in the batch is a place ("the Bosphorus")."""
    votes: dict[str, Counter] = {}
    for m in mentions:
        if m["label"] in PERSONISH or type_class(m["label"]) == "PLACE":
            votes.setdefault(name_key(m["text"]), Counter())[m["label"]] += 1
    # a surname also counts the full names it is part of ("Putin" in "Vladimir Putin")
    person_words = {name_key(m["text"]).split()[-1] for m in mentions if m["label"] == "PERSON"
                    and len(m["text"].split()) > 1 and is_given_name(m["text"].split()[0])}
    out = []
    for m in mentions:
        key = name_key(m["text"])
        counts = votes.get(key)
        if key in person_words and " " not in m["text"] and not m["text"].isupper():
            # the surname of a full name in the batch ("Blackmore" of "Winston Blackmore") is that person
            if m["label"] in PERSONISH | {"GPE", "LOC"} and (m["label"] == "PERSON" or not is_known_place(m["text"])):
                if m["label"] != "PERSON":
                    m = relabel(m, "PERSON")
                out.append(m)
                continue
        if counts and m["label"] in counts:
            by_class = Counter()
            for label, n in counts.items():
                by_class[type_class(label)] += n
            best_class, best = by_class.most_common(1)[0]
            mine = by_class[type_class(m["label"])]
            if best_class != type_class(m["label"]) and best >= 2 * mine:  # a clear majority only
                label = max((lb for lb in counts if type_class(lb) == best_class), key=lambda lb: counts[lb])
                m = relabel(m, label)
        if (m["label"] == "PERSON" and " " not in m["text"] and key not in person_words
                and counts and counts["PERSON"] == 1 and _preceded_by_the(texts[m["article_id"]], m["start_char"])):
            m = relabel(m, "LOC")
        out.append(m)
    return out
