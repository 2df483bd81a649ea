"""CAMEO codes of verbs from PETRARCH2's verb dictionary, matched on spaCy's dependency parse.

A verb form belongs to a synonym block; the block's patterns say which words before the verb (its
subject side) and after it (objects, prepositional phrases) turn it into a more specific code:
"hold" alone is no event, "hold talks" is 046 (negotiate), "hold a rally" 141 (demonstrate). The most
specific pattern whose words are all found wins (PETRARCH's rule); without one, the verb's own code,
else its block's. "---" means the verb is no event. A code "042:043" is the source's act and the
target's counterpart; ":020" means the target acts on the source (a reversed event).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from tasks.events import dictionaries

# Dependents of the verb whose words a pattern's right side can name, and of its left side.
_AFTER = {"dobj", "attr", "prep", "prt", "xcomp", "ccomp", "acomp", "oprd", "dative", "npadvmod", "advmod",
          "agent", "pobj", "nsubjpass", "dep", "compound"}
_BEFORE = {"nsubj", "nsubjpass", "aux", "auxpass", "neg", "advmod", "csubj", "compound", "amod"}
_MAX_HOPS = 3  # pattern words further down the tree than this belong to another clause
# Clauses hanging off the verb's phrase ("..., as shells continued crashing", "a plan which ...") are
# another event's words, not the verb's pattern.
_OTHER_CLAUSE = {"advcl", "relcl", "acl", "parataxis"}


@dataclass(frozen=True)
class VerbCode:
    code: str                  # CAMEO event code, e.g. "046"
    trigger: str               # the words that fired: "held talks", "agreed"
    reversed: bool = False     # ":020": the target is the one who acts
    block: str = ""
    target_i: int | None = None  # the token the pattern marks as the target ("(WITH +)"), if any
    place_i: int | None = None   # ... or as the place ("(IN ^)")
    noun_i: int | None = None    # the event noun that carries the code ("staged DEMONSTRATIONS")


def _forms(tok) -> tuple[str, str]:
    if tok.dep_ == "prep":  # a preposition is its word: "according" is not the noun "accord"
        return tok.lower_, tok.lower_
    return tok.lower_, tok.lemma_.lower()


def _words(tokens) -> tuple[set[str], str]:
    """Single words (forms and lemmas) and the text of lemmas in order, for multi-word phrases."""
    single = set()
    for t in tokens:
        single.update(_forms(t))
    text = " " + " ".join(t.lemma_.lower() for t in tokens) + " " + " ".join(t.lower_ for t in tokens) + " "
    return single, text


def _has(alternatives: list[str], single: set[str], text: str) -> bool:
    for alt in alternatives:
        if " " in alt or "|" in alt:
            if f" {alt.replace('|', ' ')} " in text:
                return True
        elif alt in single:
            return True
    return False


def _near(tok, deps: set[str], after: bool):
    """Tokens of the verb's dependents on one side, at most _MAX_HOPS down."""
    out, frontier = [], [c for c in tok.children if c.dep_ in deps and (c.i > tok.i) == after]
    for _ in range(_MAX_HOPS):
        nxt = []
        for t in frontier:
            out.append(t)
            nxt.extend(c for c in t.children if c.dep_ not in _OTHER_CLAUSE)
        frontier = nxt
    return out


def _preps(tok):
    """Prepositions attached to the verb or to its object ("held talks with X")."""
    holders = [tok] + [c for c in tok.children if c.dep_ in ("dobj", "attr", "prt", "xcomp")]
    return [c for h in holders for c in h.children if c.dep_ in ("prep", "agent", "dative") and c.i > tok.i]


def _match(half: dict, words: tuple[set[str], str], preps: list) -> tuple[int, int | None] | None:
    """Score of one side of a pattern (how many words and phrases it checked), and the token its role
    marker points at; None when a word or phrase of the pattern is missing. `words` are the side's
    (single words, text); `preps` [(preposition token, its words)]."""
    single, text = words
    score = 0
    for alts in half["words"]:
        if not _has(alts, single, text):
            return None
        score += 1
    marked = None
    for pp in half["pps"]:
        found = None
        for p, (s1, t1) in preps:
            if p.lower_ in pp["prep"] and all(_has(alts, s1, t1) for alts in pp["words"]):
                found = p
                break
        if found is None:
            return None
        score += 1 + len(pp["words"])
        if pp.get("role") in ("target", "place"):
            obj = next((c for c in found.children if c.dep_ == "pobj"), None)
            marked = obj.i if obj is not None else None
    return score, marked


def _need(half: dict) -> frozenset | None:
    """Words one of which a side's first word slot needs: a cheap test before the full match."""
    if not half["words"]:
        return None
    alts = half["words"][0]
    if any(" " in a or "|" in a for a in alts):
        return None
    return frozenset(alts)


@lru_cache(maxsize=1)
def _index() -> tuple[dict, dict]:
    data = dictionaries.verbs()
    for block in data["blocks"].values():
        for pat in block["patterns"]:
            pat["_pre_need"], pat["_post_need"] = _need(pat["pre"]), _need(pat["post"])
    return data["verbs"], data["blocks"]


def forms() -> dict:
    """Every verb form of the dictionary (lemma or phrasal "carry out") -> its entry."""
    return _index()[0]


def entry(tok):
    """(form, verb entry) for a verb token: a phrasal form first ("carry out", "back down")."""
    forms, _ = _index()
    lemma = tok.lemma_.lower()
    for c in tok.children:
        if c.dep_ in ("prt", "prep") and c.i == tok.i + 1 or c.dep_ == "prt":
            hit = forms.get(f"{lemma} {c.lower_}")
            if hit:
                return f"{tok.text} {c.text}", hit
    hit = forms.get(lemma) or forms.get(tok.lower_)
    if hit is None and lemma.startswith("re") and len(lemma) > 5:
        hit = forms.get(lemma[2:].lstrip("-"))  # "reconvene", "re-impose": the verb again (PETRARCH's RE_)
    return (tok.text, hit) if hit else (None, None)


def default_code(tok) -> str:
    """The code of the verb without any pattern (its own, else its block's); "---" when not listed."""
    _, hit = entry(tok)
    if hit is None:
        return "---"
    return hit["code"] or _index()[1][hit["block"]]["code"]


def block_code(block: str) -> str:
    """A verb block's own code ("040" for ASSEMBLE)."""
    return _index()[1][block]["code"]


def _primary(code: str) -> str:
    left, _, right = code.partition(":")
    return left.strip() if left.strip() not in ("---", "") else right.strip()


def _best(matched: list, verb: str = "") -> tuple | None:
    """The most specific matching pattern. Among equally specific ones of different CAMEO roots, those
    written for this very verb (the block ALLOW lists "approve &TREATY" as 031, agree to cooperate, and,
    written for "ratify", as 057); then the code whose root most of them share (the dictionary lists
    "start &NEGOTIATION" as 036, 040 and 046), then the code most of them give, then the first in the file."""
    if not matched:
        return None
    top = max(m[0] for m in matched)
    tied = [m for m in matched if m[0] == top]
    own = [m for m in tied if verb in m[2].get("for", ())]
    if own and len(own) < len(tied) and len({_primary(m[2]["code"])[:2] for m in tied}) > 1:
        tied = own
    if len(tied) == 1:
        return tied[0][0], tied[0][2], tied[0][3], tied[0][2]["post"]
    codes = [_primary(m[2]["code"]) for m in tied]
    roots = Counter(c[:2] for c in codes)
    exact = Counter(codes)
    pick = min(range(len(tied)), key=lambda i: (-roots[codes[i][:2]], -exact[codes[i]], tied[i][1]))
    m = tied[pick]
    return m[0], m[2], m[3], m[2]["post"]


def code_of(tok) -> VerbCode | None:
    """The CAMEO code of a verb token, or None (not in the dictionary, or no event in this use).
    Remembered on the Doc: coding a sentence asks about the same verb several times."""
    memo = tok.doc.user_data.setdefault("newsflow_verb_codes", {})
    if tok.i not in memo:
        memo[tok.i] = _code_of(tok)
    return memo[tok.i]


def _code_of(tok) -> VerbCode | None:
    words, hit = entry(tok)
    if hit is None:
        return None
    _, blocks = _index()
    block = blocks[hit["block"]]
    before = _near(tok, _BEFORE, after=False)
    own_preps = _preps(tok)
    # A pattern's preposition is one of the verb's own phrases ("mobilized AGAINST"), not one deeper in
    # its object ("mobilized reservists for a war against Iraq"), and "according to" is no "accord".
    after = [t for t in _near(tok, _AFTER, after=True) if t.dep_ not in ("prep", "agent") or t in own_preps]
    before_words, after_words = _words(before), _words(after)
    preps = [(p, _words(list(p.subtree)[1:])) for p in own_preps]
    matched = []
    for k, pat in enumerate(block["patterns"]):
        if (pat["_post_need"] is not None and pat["_post_need"].isdisjoint(after_words[0])) or \
                (pat["_pre_need"] is not None and pat["_pre_need"].isdisjoint(before_words[0])):
            continue
        pre = _match(pat["pre"], before_words, []) if pat["pre"]["words"] or pat["pre"]["pps"] else (0, None)
        if pre is None:
            continue
        post = _match(pat["post"], after_words, preps) if pat["post"]["words"] or pat["post"]["pps"] else (0, None)
        if post is None:
            continue
        if hit["code"] and not (pat["post"]["words"] or pat["post"]["pps"]) and pat["code"][:2] != hit["code"][:2]:
            continue  # "soldiers arrested": a pattern on the subject alone (192, written for "take") does not
            # move a verb with its own code (173) to another CAMEO root
        matched.append((pre[0] + post[0], k, pat, post[1]))
    lemma = tok.lemma_.lower()
    best = _best(matched, f"{lemma} {words.split(' ', 1)[1].lower()}" if " " in words else lemma)
    code = best[1]["code"] if best else (hit["code"] or block["code"])
    left, _, right = code.partition(":")
    left, right = left.strip(), right.strip()
    if left in ("---", "") and right in ("---", ""):
        return None
    trigger = words
    marked = place = None
    if best:
        matched = [t for t in after if any(t.lower_ in alts or t.lemma_.lower() in alts
                                           for alts in best[3]["words"])]
        if matched:
            trigger = f"{words} {matched[0].text}"
        role = next((pp.get("role") for pp in best[3]["pps"] if pp.get("role")), None)
        if role == "target":
            marked = best[2]
        elif role == "place":
            place = best[2]
    if left in ("---", ""):
        return VerbCode(right, trigger, True, hit["block"], marked, place)
    return VerbCode(left, trigger, False, hit["block"], marked, place)


# Verbs that carry no event of their own: their object noun does ("held talks", "staged a rally").
LIGHT_VERBS = ("hold", "stage", "launch", "conduct", "carry out", "mount", "begin", "start", "continue",
               "resume", "open", "make", "have", "take", "hold", "commence", "initiate", "undertake")


@lru_cache(maxsize=1)
def noun_codes() -> dict[str, str]:
    """Event nouns -> CAMEO code, derived from the dictionary: the object words of the light verbs'
    patterns ("hold TALKS" 046, "hold a RALLY" 141, "launch an ATTACK" 190); a noun several such
    patterns code takes its most frequent code."""
    forms, blocks = _index()
    votes: dict[str, Counter] = {}
    for name in sorted({forms[v]["block"] for v in LIGHT_VERBS if v in forms}):
        for pat in blocks[name]["patterns"]:
            code = pat["code"].partition(":")[0].strip()
            post = pat["post"]
            if code in ("---", "") or pat["pre"]["words"] or pat["pre"]["pps"] or post["pps"] \
                    or len(post["words"]) not in (1, 2):
                continue
            # one word ("TALKS"), or a modifier and its noun ("{&MILITARY EXERCISES}", "{HUNGER STRIKE}")
            phrases = post["words"][0] if len(post["words"]) == 1 else \
                [f"{a} {b}" for a in post["words"][0] for b in post["words"][1] if " " not in a + b]
            for alt in phrases:
                votes.setdefault(alt.replace("|", " "), Counter())[code] += 1
    return {noun: c.most_common(1)[0][0] for noun, c in sorted(votes.items())}


_MEASURES = {"day", "week", "month", "hour", "year", "round", "series", "wave", "number", "spate", "string", "part",
             "flurry", "kind", "type", "form", "set", "couple", "lot", "dozen", "hundred", "thousand"}


def measured(tok):
    """"10 days of war games", "a new round of talks": the event noun is what the measure counts."""
    if tok.lemma_.lower() in _MEASURES:
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if inner is not None:
            return inner
    return tok


def noun_code(tok) -> str | None:
    """The CAMEO code of an event noun, with its compound modifier first ("hunger strike"): the light
    verbs' patterns first, else the code of the dictionary verb the noun is ("riots", "demand")."""
    table = noun_codes()
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i:
            hit = table.get(f"{c.lower_} {tok.lower_}") or table.get(f"{c.lemma_.lower()} {tok.lemma_.lower()}")
            if hit:
                return hit
    hit = table.get(tok.lower_) or table.get(tok.lemma_.lower())
    if hit or tok.pos_ not in ("NOUN", "PROPN"):
        return hit
    return verb_noun_code(tok.lemma_.lower())


def compound_code(tok) -> str | None:
    """The event code a noun's compound modifier names ("an AID programme", "MEDIATION efforts")."""
    for c in tok.children:
        if c.dep_ == "compound" and c.i < tok.i and (code := noun_code(c)):
            return code
    return None


@lru_cache(maxsize=4096)
def verb_noun_code(lemma: str) -> str | None:
    """The event code of the dictionary verb a noun is ("riot" 145, "demand" 100): the verb's own code,
    else its block's; None for statements (01) and non-events."""
    forms, blocks = _index()
    if lemma not in forms:
        return None  # suffixed nominalisations ("hearing", "programme") too often name another sense
    hit = forms[lemma]
    code = _primary(hit["code"] or blocks[hit["block"]]["code"])
    return None if code in ("---", "") or code.startswith("01") else code


_NOMINAL = (("ations", ("ate", "")), ("ation", ("ate", "")), ("sions", ("d", "de")), ("sion", ("d", "de")),
            ("ions", ("e", "")), ("ion", ("e", "")), ("ments", ("",)), ("ment", ("",)), ("als", ("", "e")),
            ("al", ("", "e")), ("ances", ("", "e")), ("ance", ("", "e")), ("ings", ("", "e")), ("ing", ("", "e")))


@lru_cache(maxsize=4096)
def verb_of_noun(lemma: str) -> str | None:
    """The dictionary verb a noun nominalises: "negotiation" -> "negotiate", "withdrawal" -> "withdraw",
    "suspension" -> "suspend"; None when it is none."""
    forms = _index()[0]
    for suffix, endings in _NOMINAL:
        if lemma.endswith(suffix) and len(lemma) - len(suffix) >= 3:
            stem = lemma[: -len(suffix)]
            for e in endings:
                if stem + e in forms:
                    return stem + e
    return None
