"""What story clustering compares: an article's content words, its names, and its 5-word shingles.

Everything here is a pure function of the article's own title and text, so it may be cached by
`article_id` (a content-derived id) without changing any result. Terms are keyed by a stable 64-bit
hash (blake2b), not Python's per-process `hash()`: a restarted run sees the same keys, and arrays of
sorted keys are compact and order-free.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_TOKEN = re.compile(r"\S+")
STOP = frozenset("""a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your said says say told new one two three year years
first last after week weeks day days time also told according""".split())
_PUNCT = ".,;:!?\"'“”‘’()[]{}«»/|*–—-"
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”»]$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.)+$|^(?:Mr|Mrs|Ms|Dr|St|Mt|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|Prof)\.$")

TITLE_WEIGHT = 2  # a title's words count twice: it says what the article is about


def key(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


_term_key = lru_cache(maxsize=1 << 20)(key)  # words recur across articles: hash each once


def words(title: str | None, text: str) -> Counter:
    """Content words (lower-cased, no stop words, numbers or 1-2 letter words); title words twice."""
    bag: Counter = Counter()
    for part, weight in ((title or "", TITLE_WEIGHT), (text, 1)):
        for w in _WORD.findall(part):
            low = w.lower().replace("’", "'")
            if low in STOP or len(low) < 3 or low.isdigit():
                continue
            bag[low] += weight
    return bag


def names(title: str | None, text: str) -> Counter:
    """Names: runs of capitalised words that do not start a sentence ("Warren Jeffs", "Aceh").

    The capitalisation news style gives proper nouns, without a model: a word that starts a line or
    follows a full stop is capitalised anyway and skipped; punctuation or a possessive ends a name
    ("Indonesia's Aceh" is two). A line in title case or capitals ("Quake Hits Aceh") says nothing
    by its case: its words count as names only where the rest of the article writes them as names.
    Title names count twice, as title words do.
    """
    lines = [(line, TITLE_WEIGHT) for line in (title or "").splitlines()] + [(line, 1) for line in text.splitlines()]
    runs = [(_runs(line), weight) for line, weight in lines]
    bag: Counter = Counter()
    for (found, cased), weight in runs:
        if not cased:
            bag.update({r: weight * c for r, c in Counter(found).items()})
    known = {tok for r in bag for tok in r.split()}
    for (found, cased), weight in runs:
        if cased:
            for r in found:
                for tok in r.split():
                    if tok in known:
                        bag[tok] += weight
    return bag


def _runs(line: str) -> tuple[list[str], bool]:
    """(the line's name runs, whether the line is in title case or capitals)."""
    tokens = _TOKEN.findall(line)
    words_ = [t for t in tokens if t.strip(_PUNCT).lower() not in STOP and t.strip(_PUNCT)[:1].isalpha()]
    capitalised = sum(t.strip(_PUNCT)[:1].isupper() for t in words_)
    cased = len(words_) >= 3 and capitalised >= 0.8 * len(words_)
    found: list[str] = []
    run: list[str] = []
    start = True
    for tok in tokens:
        stripped = tok.strip(_PUNCT)
        core = _POSSESSIVE.sub("", stripped)
        low = core.lower().replace("’", "'")
        is_name = ((cased or not start) and core[:1].isupper() and low not in STOP
                   and len(core) > 1 and not core.isdigit())
        if is_name:
            run.append(low)
        # punctuation after the word, or a possessive, ends the name
        if run and (not is_name or stripped != tok.lstrip(_PUNCT) or core != stripped):
            found.append(" ".join(run))
            run = []
        start = bool(_ENDS_SENTENCE.search(tok)) and not _ABBREVIATION.match(tok)
    if run:
        found.append(" ".join(run))
    return found, cased


def keyed(bag: Counter) -> tuple[np.ndarray, np.ndarray]:
    """(sorted term keys, their counts) of a bag."""
    if not bag:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    pairs = sorted((_term_key(t), c) for t, c in bag.items())
    return np.array([k for k, _ in pairs], np.int64), np.array([c for _, c in pairs], np.float64)


def shingles(text: str, k: int = 5) -> np.ndarray:
    """Sorted unique keys of the text's k-word shingles (for near-copy detection)."""
    toks = [w.lower() for w in _WORD.findall(text)]
    grams = {" ".join(toks[i:i + k]) for i in range(max(len(toks) - k + 1, 1))}
    return np.unique(np.array([key(g) for g in grams], np.int64))


_SALTS = np.array([key(f"minhash:{i}") for i in range(2 * 64)], np.int64).view(np.uint64).reshape(2, 64)
_SALTS[0] |= np.uint64(1)  # odd multipliers


def minhash(sh: np.ndarray) -> np.ndarray:
    """64 min-hashes of a shingle set (multiply-add hashing mod 2**64): the share of equal
    positions between two signatures estimates the sets' Jaccard similarity."""
    if not len(sh):
        return np.full(64, np.iinfo(np.uint64).max, np.uint64)
    with np.errstate(over="ignore"):
        return (sh.view(np.uint64)[:, None] * _SALTS[0] + _SALTS[1]).min(axis=0)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    both = len(np.intersect1d(a, b, assume_unique=True))
    return both / (len(a) + len(b) - both)
