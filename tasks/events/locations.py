"""Where a coded event happened: place entities in a locative phrase of its sentence."""

from __future__ import annotations

from newsflow.countries import country_code
from tasks.entities.places import place_country
from tasks.events.parties import sentence_entities

PLACE_LABELS = {"GPE", "LOC", "FAC"}
_PLACE_PREPS = {"in", "at", "near", "inside", "outside", "across", "throughout"}
# "the town of Samarra", "the province of Sindh": the place is the object of "of" under these nouns.
_PLACE_NOUNS = {"town", "city", "village", "province", "region", "district", "capital", "state",
                "county", "area", "island", "port", "enclave", "republic", "territory", "border"}


def places_in(sent, exclude: set[int]) -> list[int]:
    """Token indexes of place entities in a locative phrase ("in Istanbul", "at Dolmabahce Palace"),
    the most specific first (a building before a region before a city or country)."""
    out = []
    for ent in sentence_entities(sent):
        if ent.root.i in exclude:
            continue
        if ent.label_ not in PLACE_LABELS and not (
                ent.label_ == "NORP" and country_code(ent.text) is None and place_country(ent.text)):
            continue  # a NORP that is no nationality but a known place is the tagger's slip ("Samarra")
        head = ent.root.head
        if ent.root.dep_ == "pobj" and head.lower_ in _PLACE_PREPS:
            out.append(ent.root.i)
        elif ent.root.dep_ in ("compound", "pobj", "appos") and ent.root.head.ent_type_ in PLACE_LABELS:
            out.append(ent.root.i)  # "Dolmabahce Palace in Istanbul"
        elif ent.root.dep_ == "poss" and head.ent_type_ in PLACE_LABELS and head.dep_ == "pobj" \
                and head.head.lower_ in _PLACE_PREPS:
            out.append(ent.root.i)  # "at Istanbul's Dolmabahce Palace"
        elif ent.root.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _PLACE_NOUNS \
                and head.head.dep_ == "pobj" and head.head.head.lower_ in _PLACE_PREPS:
            out.append(ent.root.i)  # "near the town of Samarra"
    rank = {"FAC": 0, "LOC": 1, "GPE": 2}
    return sorted(out, key=lambda i: rank.get(sent.doc[i].ent_type_, 3))
