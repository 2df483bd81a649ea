"""Which verbs of a sentence are events, and their CAMEO codes: PETRARCH2's verb dictionary on spaCy's
parse (`tasks.events.verbs`), plus what a verb's object, subject or in/for phrase names when the verb
itself is a statement, a light verb or no event ("announced a suspension", "talks began", "participated
in talks"), and what a halting verb halts ("ended mediation efforts"). Nearest the sentence root first.
"""

from __future__ import annotations

from tasks.events import plover, verbs
from tasks.events.rules import RULES

# A meeting-block verb the dictionary lists with no event of its own ("RECONVENE [---]" in ASSEMBLE
# [040]) is a meeting only between two parties of different countries ("representatives from both
# nations reconvened"); alone ("parliament reconvened") it is none.
PAIR_MEETING = "PAIR_MEETING"


def child(tok, deps: set[str]):
    """The first dependent of `tok` with one of these relations."""
    return next((c for c in tok.children if c.dep_ in deps), None)


def event_code(tok, rules: frozenset = RULES) -> verbs.VerbCode | None:
    """The dictionary code of a verb token when it is a PLOVER event; None otherwise. A statement verb
    reports its complement, whatever its patterns say ("said ... will release"), but its object can be
    the event ("announced a suspension"); so can a light verb's ("staged demonstrations")."""
    if tok.pos_ != "VERB" or tok.dep_ in ("prep", "mark", "case", "amod", "compound"):
        return None  # "given the level ...", "detained civilians": not a verb of the clause
    default = verbs.default_code(tok)
    vc = None
    if not default.startswith("01"):
        vc = verbs.code_of(tok)
        if vc is not None and plover.lookup(vc.code) is not None:
            return vc
        if vc is None and "refuse_to" in rules and block_of(tok) == "REFUSE" and child(tok, {"dobj", "xcomp"}) is not None:
            return verbs.VerbCode(plover.REJECTION, tok.text, False, "REFUSE")  # "rejected an ultimatum"
    if vc is None and "pair_meets" in rules and (hit := verbs.entry(tok)[1]) is not None and hit["code"] == "---":
        block_code = verbs.block_code(hit["block"])
        if block_code.startswith("04"):  # "representatives of both nations reconvened": checked for two parties
            return verbs.VerbCode(block_code, tok.text, False, PAIR_MEETING)
    if vc is None and block_of(tok) == "CANCEL" and (obj := child(tok, {"dobj", "nsubjpass"})) is not None:
        obj = verbs.measured(obj)
        code = _halted(verbs.noun_code(obj)) or _halted(verbs.compound_code(obj))
        if code:  # "suspended a military aid programme", "ended mediation efforts"
            return verbs.VerbCode(code, f"{tok.text} {obj.text}", False, "CANCEL", noun_i=obj.i)
    if default.startswith("01") or default == "---" or tok.lemma_.lower() in verbs.LIGHT_VERBS:
        obj = child(tok, {"dobj"})
        if obj is None and tok.lemma_.lower() in verbs.LIGHT_VERBS:
            obj = child(tok, {"nsubj", "nsubjpass"})  # "talks began", "riots are continuing"
        if obj is None and "purpose_noun" in rules and default == "---":
            # "participated in talks", "return to Geneva for talks": a verb with no event of its own
            # takes the event its in/for phrase names (PETRARCH's "ARRIVE (FOR TALKS)", generalised)
            obj = next((o for c in tok.children if c.dep_ == "prep" and c.lower_ in ("in", "for")
                        for o in c.children if o.dep_ == "pobj"), None)
        obj = verbs.measured(obj) if obj is not None else None
        code = verbs.noun_code(obj) if obj is not None else None
        if obj is not None and "halting_noun" in rules and code is None:
            code = _halting_noun(obj)  # "announced a suspension of air links"
        if code and plover.lookup(code) is not None:
            return verbs.VerbCode(code, f"{tok.text} {obj.text}", False, "noun", noun_i=obj.i)
    return None


def _halting_noun(noun) -> str | None:
    """"a suspension of air links", "the end of the talks": a noun of the dictionary's CANCEL verbs
    codes the halting of what its "of" phrase names."""
    lemma = noun.lemma_.lower()
    verb = lemma if lemma in verbs.forms() else verbs.verb_of_noun(lemma)
    if verb is None or verbs.forms()[verb]["block"] != "CANCEL":
        return None
    of = next((o for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
               for o in c.children if o.dep_ == "pobj"), None)
    if of is None:
        return None
    of = verbs.measured(of)
    return _halted(verbs.noun_code(of)) or _halted(verbs.compound_code(of))


# Halting an act, by what is halted (CAMEO's codebook; PLOVER manual: SANCTION is "all reductions in
# existing, routine, or cooperative relations", RETREAT covers "observing a ceasefire or otherwise ending
# active conflicts", CONCEDE "suspending protests"): talks 164, mediation 165, aid 162, other
# cooperation 160; protests 082; coercion 081; sanctions 085; armed force 087.
_HALTED = {"04": "164", "045": "165", "05": "160", "06": "160", "07": "162", "14": "082", "16": "085",
           "17": "081", "15": "087", "18": "087", "19": "087", "20": "087"}


def _halted(code: str | None) -> str | None:
    """The CAMEO code of halting the act `code` ("ended mediation efforts" 165), None if not an act."""
    if not code:
        return None
    return _HALTED.get(code[:3]) or _HALTED.get(code[:2])


def block_of(tok) -> str | None:
    """The dictionary verb block of a verb token ("CANCEL"), None when it is not listed."""
    hit = verbs.entry(tok)[1]
    return hit["block"] if hit else None


def reporting(tok) -> bool:
    """A verb that only reports its complement: a CAMEO 01 statement ("said", "announced"), or no
    dictionary event at all."""
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    vc = verbs.code_of(tok)
    return vc is None or vc.code.startswith("01") or verbs.default_code(tok).startswith("01")


def _depth(tok) -> int:
    d = 0
    while tok.head.i != tok.i:
        tok, d = tok.head, d + 1
    return d


def triggers(sent, rules: frozenset = RULES):
    """The sentence's event verbs, nearest the root first: (token, VerbCode) pairs, coded lazily (the
    first one usually decides, and coding a verb is the stage's main cost)."""
    for _, _, i in sorted((_depth(tok), tok.i, tok.i) for tok in sent if tok.pos_ == "VERB"):
        vc = event_code(sent.doc[i], rules)
        if vc is not None:
            yield sent.doc[i], vc
