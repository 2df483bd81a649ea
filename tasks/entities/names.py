"""Name keys for entity resolution: transliteration-folded forms, phonetic blocking keys, similarity.

Spelling variants of one name (Medinski / Medinskiy / Medinsky, Sergei / Sergey, Dolmabahce /
Dolmabahçe) share a folded form or at least a phonetic key; candidates are only ever compared inside
one block (type class + phonetic key of the surname), never all against all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

# Types that name one kind of thing: GPE/LOC/FAC variance of one place must not split it.
CLASS_OF = {"GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
# Words that precede a name but are not part of it ("President Putin", "Mr. Rubio").
TITLES = {
    "president", "vice", "prime", "minister", "foreign", "defense", "defence", "secretary", "state",
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "general", "gen", "col",
    "colonel", "major", "captain", "adm", "admiral", "chancellor", "chairman", "chairwoman", "chair",
    "senator", "sen", "rep", "representative", "gov", "governor", "mayor", "king", "queen", "prince",
    "princess", "pope", "sheikh", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
    "deputy", "chief", "advisor", "adviser", "kremlin", "premier", "judge", "justice", "pres",
    "of", "the", "u.s", "us",
}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
# Transliteration endings that vary between outlets: -skiy / -skyy / -sky / -ski, Sergey / Sergei.
_ENDING = re.compile(r"(?:iy|yy|ij|yi|ii|y)$")
_DOUBLE = re.compile(r"(.)\1+")
# y and i after the first letter (Volodymyr / Volodimir, Nebenzya / Nebenzia), ks and x (Aleksei / Alexei).
_Y_INSIDE = re.compile(r"(?<=[a-z])y")


@lru_cache(maxsize=200_000)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII transliteration: 'Dolmabahçe' -> 'dolmabahce', 'Gürak' -> 'gurak'."""
    return fold_uncached(text)


def fold_uncached(text: str) -> str:
    """ascii_fold without the cache, for one-off bulk work (indexing the gazetteer)."""
    if not text.isascii():
        text = anyascii(unicodedata.normalize("NFC", text))
    text = text.casefold().replace("'", "").replace("’", "")
    return " ".join(_NON_ALNUM.sub(" ", text).split())


@lru_cache(maxsize=200_000)
def strip_titles(name: str) -> str:
    """Drops leading titles ('President', 'Mr.', 'Foreign Minister') but never the whole name."""
    words = name.split()
    i = 0
    while i < len(words) - 1 and words[i].casefold().rstrip(".") in TITLES:
        i += 1
    return " ".join(words[i:])


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """A token's spelling-insensitive form: ASCII, no doubled letters, one -y/-iy/-i ending."""
    t = ascii_fold(token).replace(" ", "")
    t = _DOUBLE.sub(r"\1", _Y_INSIDE.sub("i", t).replace("ks", "x"))
    if len(t) > 3:
        t = _ENDING.sub("i", t)
    return t


@lru_cache(maxsize=200_000)
def name_key(name: str, label: str = "") -> str:
    """Exact-match key of a name: folded tokens ('Vladimir Medinskiy' == 'Vladimir Medinski');
    a person's name also loses its titles ('President Putin' == 'Putin')."""
    if label == "PERSON":
        name = strip_titles(name)
    return " ".join(fold_token(t) for t in ascii_fold(name).split())


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    return jellyfish.metaphone(fold_token(token)) or fold_token(token)


@lru_cache(maxsize=200_000)
def person_parts(name: str) -> tuple[str, str]:
    """(given names, surname) as folded strings; a one-word name is a surname with no given name."""
    tokens = [fold_token(t) for t in ascii_fold(strip_titles(name)).split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return "", ""
    if tokens[-1] in SUFFIXES and len(tokens) > 1:
        tokens = tokens[:-1]
    return " ".join(tokens[:-1]), tokens[-1]


@lru_cache(maxsize=200_000)
def _suffix(name: str) -> str:
    words = ascii_fold(name).split()
    return words[-1] if len(words) > 1 and words[-1] in SUFFIXES else ""


def type_class(label: str) -> str:
    return CLASS_OF.get(label, label)


def block_key(name: str, label: str) -> str:
    """The blocking key: type class plus, for people, the phonetic key of the surname; for every
    other type the exact folded name (organisations and places are only merged on spelling)."""
    cls = type_class(label)
    if cls == "PERSON":
        _, surname = person_parts(name)
        return f"PERSON:{phonetic(surname)}" if surname else "PERSON:"
    return f"{cls}:{name_key(name, label)}"


def person_similarity(a: str, b: str) -> float:
    """How alike two full person names are: the weaker of the given-name and surname agreement.

    Both names need a given name; an initial matches a given name starting with it ("V. Putin").
    """
    given_a, sur_a = person_parts(a)
    given_b, sur_b = person_parts(b)
    if not (given_a and given_b and sur_a and sur_b) or _suffix(a) != _suffix(b):
        return 0.0  # "Donald Trump" is not "Donald Trump Jr"
    surname = JaroWinkler.similarity(sur_a, sur_b)
    first_a, first_b = given_a.split()[0], given_b.split()[0]
    if len(first_a) == 1 or len(first_b) == 1:
        given = 1.0 if first_a[0] == first_b[0] else 0.0
    else:
        given = JaroWinkler.similarity(first_a, first_b)
    return min(surname, given)
