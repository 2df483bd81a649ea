"""Who did what to whom in one sentence: CAMEO codes from PETRARCH2's verb dictionary on spaCy's parse,
PLOVER category, mode and context from the official CAMEO → PLOVER table.

The PETRARCH recipe, kept explainable: the dictionary verb nearest the sentence's root whose code is an
event (statements, CAMEO 01, pass through to their complement: "said it will withdraw" is the
withdrawal); its pattern (the words of its object and prepositional phrases) gives the code. Its subject
is the source actor; its object, or a with/to/against/on phrase, or the subject of a "that" clause, the
target; an actor must be someone (`tasks.events.parties`). Modality (`tasks.events.modality`): PLOVER
codes an announced cooperative act as AGREE and announced material conflict as THREATEN; negated and
hypothetical statements are flagged, not facts.

`RULES` lists the few rules newsflow adds to the dictionaries; `benchmarks/event_quality.py --ablate`
measures each one on the half of the gold it was not written on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from newsflow.countries import country_code
from tasks.events import dictionaries, phoenix, plover, verbs
from tasks.events.locations import places_in
from tasks.events.modality import modality
from tasks.events.rules import RULES
from tasks.events.parties import (_EXTRA_AGENTS, Actor, Antecedents, KnownPeople, actor_of, coordinated,
                                  coordinated_modifiers, domestic_country, may_be_domestic, person_countries)
from tasks.events.triggers import PAIR_MEETING, block_of, child as _child, event_code, reporting, triggers

__all__ = ["CodedEvent", "code_sentence", "person_countries", "Context", "RULES", "discarded"]

_OPENING = {"open", "initiate", "begin", "start", "commence", "launch", "chair", "close", "conclude"}
_ARMED = {"MIL", "REB", "UAF", "INS"}  # agents' armed sectors: military, rebels, armed groups, insurgents

_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_TARGET_PREPS = {"with", "to", "against", "on", "from", "for", "toward", "towards", "into", "over", "upon",
                 "between"}
_NOT_ACTORS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
# Passives that describe their subject's own stance: "is committed/prepared/determined to".
_STATIVE_PASSIVES = {"commit", "prepare", "determine", "resolve", "dedicate", "devote", "dispose", "engage"}


@dataclass
class CodedEvent:
    event_type: str
    mode: str | None
    trigger: str                # the words that fired, e.g. "held talks", "agreed"
    trigger_i: int
    source: Actor | None
    target: Actor | None
    is_negated: bool = False
    is_future: bool = False
    is_hypothetical: bool = False
    place_i: list[int] = field(default_factory=list)
    cameo_code: str = ""
    context: str | None = None

    @property
    def quad_class(self) -> str:
        return plover.QUAD_CLASS[self.event_type]

    @property
    def goldstein(self) -> float | None:
        return plover.goldstein(self.cameo_code)

    @property
    def is_fact(self) -> bool:
        return not (self.is_negated or self.is_hypothetical)


@dataclass
class Context:
    """What coding a sentence needs from its article: people's countries, the day (dated roles), and the
    pronouns' antecedents."""
    known: KnownPeople
    day: date | None = None
    antecedents: Antecedents | None = None
    rules: frozenset = RULES

    @classmethod
    def of(cls, doc, actors=None, day: date | None = None, rules: frozenset = RULES) -> "Context":
        known = person_countries(doc, actors, day=day)
        return cls(known, day, Antecedents(doc, known, day), rules)


@lru_cache(maxsize=4096)
def is_event_noun(lemma: str) -> bool:
    """A noun that names an act, not a party: an event noun of the dictionary's light-verb patterns
    ("talks", "attack") or a nominalisation of a dictionary verb ("negotiations", "meeting"), unless
    the agents dictionary calls it a role ("government")."""
    if phoenix.agent(lemma) or lemma in _EXTRA_AGENTS:
        return False
    return lemma in verbs.noun_codes() or verbs.verb_of_noun(lemma) is not None


def _subject(tok):
    """The grammatical subject of the trigger, following control ("agreed to withdraw") upwards."""
    seen = 0
    while tok is not None and seen < 5:
        agent = _child(tok, {"agent"})
        if agent is not None and _child(agent, {"pobj"}) is not None:
            return _child(agent, {"pobj"})
        subj = _child(tok, {"nsubj", "csubj"})
        if subj is not None:
            return subj
        passive = _child(tok, {"nsubjpass"})
        if passive is not None:
            # "Vietnam is committed to ...": a stative passive's subject is the one who commits;
            # a true passive without its agent ("was arrested") has no known source.
            return passive if tok.lemma_.lower() in _STATIVE_PASSIVES else None
        if tok.dep_ == "pcomp" and tok.head.head.i != tok.head.i:  # "committed to holding talks"
            tok = tok.head.head
            seen += 1
            continue
        if tok.dep_ in ("xcomp", "conj", "advcl", "acomp", "acl", "relcl", "dobj", "pobj", "attr") \
                and tok.head.i != tok.i:
            if tok.dep_ in ("relcl", "acl"):
                return tok.head
            tok = tok.head
            seen += 1
            continue
        return None
    return None


def _target_candidates(trig, source_tok):
    """Target heads in order of preference: a direct object, the subject of a "that"/"to" clause, a
    with/to/against... phrase, the second of coordinated sources."""
    out = []
    for c in trig.children:
        if c.dep_ in ("dobj", "dative", "nsubjpass") and c.pos_ in ("PROPN", "NOUN", "PRON"):
            out.append(c)
    for c in trig.children:  # "demanded that Hamas renounce", "urged X to"
        if c.dep_ in ("ccomp", "xcomp"):
            s = _child(c, {"nsubj", "nsubjpass"})
            if s is not None and s.pos_ in ("PROPN", "NOUN"):
                out.append(s)
    holders = [trig] + [c for c in trig.children if c.dep_ in ("dobj", "attr")]
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in _TARGET_PREPS:
                obj = _child(c, {"pobj"})
                if obj is not None:
                    out.append(obj)
                    if c.lower_ == "between":
                        out.extend(coordinated(obj)[1:])
    return [t for t in out if t.ent_type_ not in _NOT_ACTORS and (source_tok is None or t.i != source_tok.i)]


def _party(tok, ctx: Context) -> Actor | None:
    """The actor headed by `tok` if it is one; an event noun ("negotiations") never is."""
    if tok is None:
        return None
    actor = actor_of(tok, ctx.known, ctx.day, ctx.antecedents)
    if actor is not None and not tok.ent_type_ and is_event_noun(tok.lemma_.lower()):
        # "negotiations", "the discussions" are acts; "Israeli strikes", "US attacks" name their doer,
        # so does "the deployment of NATO troops", "an attack by rebels"
        if actor.own_country and any(country_code(t.text) for t in tok.children if t.i < tok.i):
            return actor
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "by") and (obj := _child(c, {"pobj"})) is not None \
                    and not is_event_noun(obj.lemma_.lower()):
                return _party(obj, ctx)
        return None
    return actor if actor is not None and (actor.identified or actor.sector) else None


def _future_code(code: str, category: str) -> str:
    """CAMEO's "express intent" code for an announced act (036 intent to meet, 033 to give aid ...)."""
    intent = {"04": "036", "05": "032", "06": "031", "07": "033", "08": "035"}
    root = code[:2]
    if category == "AGREE":
        return intent.get(root, plover.INTENT_TO_COOPERATE)
    return plover.MILITARY_THREAT if root in ("15", "18", "19", "20") else plover.THREAT


def code_sentence(sent, ctx: Context | KnownPeople | None = None) -> CodedEvent | None:
    """Codes the sentence's main event, or None when no dictionary verb codes an event in it."""
    if not isinstance(ctx, Context):
        ctx = Context(ctx if ctx is not None else KnownPeople())
    for trig, vc in triggers(sent, ctx.rules):
        ev = _code_trigger(sent, trig, vc, ctx)
        if ev is not None or vc.block != PAIR_MEETING:
            return ev  # only a two-party meeting verb without its two parties lets the next verb code
    return None


@lru_cache(maxsize=1)
def _discards():
    import re

    sentence, story = dictionaries.discards()
    pattern = lambda phrases: re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
                                         + r")\b") if phrases else None
    return pattern(sentence), pattern(story)


def discarded(text: str, story: bool = True) -> bool:
    """Phoenix's story-level discards: an article about sport or entertainment ("Manchester United",
    "World Golf Championships") codes no event. Its sentence-level discards (mostly historical
    references: "World War Two", "April 1942") are not applied: on the PLOVER gold they only removed a
    current demand that mentioned World War Two."""
    rx = _discards()[1 if story else 0]
    return bool(rx and rx.search(text.lower()))


def _code_trigger(sent, trig, vc: verbs.VerbCode, ctx: Context) -> CodedEvent | None:
    rules = ctx.rules
    if "claim_own_act" in rules and vc.block == "ALLEGE":
        comp = _child(trig, {"xcomp"})
        inner = event_code(comp) if comp is not None else None
        if inner is not None:  # "claimed to have targeted": the claimant reports its own act
            trig, vc = comp, inner
    if "consult_content" in rules and (plover.lookup(vc.code) or ("",))[0] == "CONSULT":
        # "summoned the ambassador to complain": "Consultations with ambassadors ... should be coded for
        # the content of the action ... usually ACCUSE or REJECT" (manual, CONSULT)
        for c in trig.children:
            if c.dep_ in ("xcomp", "advcl") and _child(c, {"aux"}) is not None and _child(c, {"aux"}).lower_ == "to":
                inner = event_code(c, rules)
                if inner is not None and (plover.lookup(inner.code) or ("",))[0] in plover.VERBAL_CONFLICT:
                    trig, vc = c, inner
                    break
    if "agree_is_agree" in rules and vc.block == "AGREE" and vc.code == "050":
        vc = verbs.VerbCode(plover.INTENT_TO_COOPERATE, vc.trigger, vc.reversed, vc.block, vc.target_i, vc.place_i)
    if "manual_blocks" in rules and (vc.block, vc.code) in plover.BY_BLOCK:
        vc = verbs.VerbCode(plover.BY_BLOCK[vc.block, vc.code], vc.trigger, vc.reversed, vc.block, vc.target_i,
                            vc.place_i, vc.noun_i)
    category, mode, context = plover.lookup(vc.code)
    code = vc.code
    if "resign_retreat" in rules and vc.block == "RESIGN" and vc.code.startswith("083"):
        category, mode = "RETREAT", "resign"
    if "refuse_to" in rules and trig.dep_ == "xcomp" and block_of(trig.head) == "REFUSE":
        category, mode, context, code = "REJECT", None, context, plover.REJECTION
        trig = trig.head
    negated, future, hypothetical = modality(trig, reporting)
    if "must_request" in rules:
        demand = _demand(trig, ctx)
        if demand is not None:
            return demand
    if "unless_threat" in rules and future and not negated and any(
            c.dep_ == "advcl" and (m := _child(c, {"mark"})) is not None and m.lower_ == "unless"
            for c in trig.children):
        category, mode, code = "THREATEN", None, plover.THREAT
    elif "future" in rules and future and negated and category in plover.COOPERATIVE:
        category, mode, negated, code = "REJECT", None, False, plover.REJECTION  # "will not withdraw"
    elif "future" in rules and future and category in plover.COOPERATIVE \
            and category != "AGREE":
        category, mode, code = "AGREE", None, _future_code(code, "AGREE")
    elif "future" in rules and future and (category in plover.MATERIAL_CONFLICT or
                                           (category == "REJECT" and not negated)):
        category, mode, code = "THREATEN", None, _future_code(code, "THREATEN")
    source, target, src_tok, tgt_tok = _parties(trig, vc, category, ctx)
    if "host_third_party" in rules and category == "CONSULT" and code != "045" and tgt_tok is not None \
            and (pair := _pair(tgt_tok, ctx)) and pair[0].country != pair[1].country \
            and (source is None or source.country not in (pair[0].country, pair[1].country)):
        # "Turkey convened Russian and Ukrainian leaders": the two are the meeting's parties, the host is
        # a third party (PLOVER CONSULT mode "third-party: Meeting is hosted by a third party"); a mediator
        # (CAMEO 045) is the actor of its mediation
        source, target, src_tok = pair[0], pair[1], tgt_tok
        mode = "third-party"
    held = trig.doc[vc.noun_i] if vc.noun_i is not None else _child(trig, {"dobj"})
    if "chair_not_party" in rules and category == "CONSULT" and target is None and held is not None \
            and trig.lemma_.lower() in _OPENING and _definite(held):
        # "Fidan initiating the talks": who opens or chairs known talks is not thereby their party (a
        # meeting has two; PLOVER: a host of others' meeting is a third party)
        source = None
    if vc.block == PAIR_MEETING and (source is None or target is None or not source.identified
                                      or not target.identified or source.country == target.country):
        return None
    if "joint_exercise" in rules and category == "MOBILIZE" and source is not None and target is not None \
            and src_tok is not None and _pair(src_tok, ctx) and source.country != target.country:
        # "French and Egyptian warships launched war games": "Joint military operations are coded as
        # COOPERATE but single-country exercises should be coded as MOBILIZE" (manual, MOBILIZE)
        category, mode, context = plover.lookup("062")
        code = "062"
    if "armed_surrender" in rules and vc.block == "YIELD" and code == "080" and not future \
            and source is not None and source.sector in _ARMED:
        # the YIELD block's own "ARMY *", "SOLDIERS *" patterns (0874 retreat or surrender militarily),
        # for any armed party the agents dictionary names ("rebels", "guerrillas")
        category, mode, context = plover.lookup("0874")
        code = "0874"
    used = {a.head_i for a in (source, target) if a}
    places = places_in(sent, used)
    if vc.place_i is not None and vc.place_i not in places and sent.doc[vc.place_i].ent_type_:
        places.insert(0, vc.place_i)
    if source is not None and source.country is None and not source.code and may_be_domestic(source, sent.doc):
        source.country = domestic_country(sent, places, tgt_tok, ctx.day, source.sector == "GOV",
                                          from_place_only=source.named)
        if source.country:
            source.code = source.country + (source.sector or "")
    if source is not None and not source.identified:
        source = None  # a role noun without a country ("Representatives") is no actor
    if source is None and "place_of_attack" in rules and category in plover.MATERIAL_CONFLICT and src_tok is not None \
            and is_event_noun(src_tok.lemma_.lower()) and places:
        # PLOVER/CAMEO code an attack whose doer the text does not name to the country where it happened
        code_ = domestic_country(sent, places, tgt_tok, ctx.day, from_place_only=True)
        if code_:
            source = Actor(src_tok.idx, src_tok.idx + len(src_tok), src_tok.text, src_tok.i, code_, None, code_)
    if target is not None and not target.identified:
        target = None
    return CodedEvent(category, mode, vc.trigger, trig.i, source, target, negated, future, hypothetical,
                      places, code, context)


def _parties(trig, vc: verbs.VerbCode, category: str, ctx: Context):
    """(source, target, source head, target head). Coordinated parties of a symmetric event ("Russia and
    Ukraine held talks", "Russian and Ukrainian representatives convened", "representatives of Ukraine
    and Russia", "both nations" after "Russia and Ukraine") are its source and target."""
    src_tok = _subject(trig)
    if src_tok is not None and src_tok.pos_ == "PRON" and src_tok.lower_ in ("it", "they", "he", "she", "we"):
        up = trig  # the pronoun subject of a complement clause is often the reporting clause's subject
        while up.dep_ in ("ccomp", "xcomp", "conj", "acomp", "advcl") and up.head.i != up.i:
            up = up.head
            s = _child(up, {"nsubj"})
            if s is not None and s.pos_ != "PRON":
                src_tok = s
                break
    noun = trig.doc[vc.noun_i] if vc.noun_i is not None else None
    source = _party(src_tok, ctx)
    if noun is not None and (source is None or trig.lemma_.lower() not in verbs.LIGHT_VERBS
                             and verbs.default_code(trig) != "---"):
        # "followed Ukraine's drone attack": the noun is the event, its own modifiers name the doer
        source, src_tok = _noun_doer(noun, ctx), noun
    if ctx.antecedents is not None and src_tok is not None:
        ctx.antecedents.note(source, src_tok)
    target = tgt_tok = None
    if vc.target_i is not None:
        tgt_tok = trig.doc[vc.target_i]
        target = _party(tgt_tok, ctx)
    cands = _target_candidates(noun if noun is not None else trig, src_tok)
    for cand in ([] if target is not None else cands):
        target = _party(cand, ctx)
        if target is not None:
            tgt_tok = cand
            break
    # Parties who meet, work or agree together ("both nations approved an agreement") are each other's
    # counterpart when the sentence names no other target; an agreement only when they are the verb's
    # own subject, not the modifiers of an event noun ("footage showed the delegations from both ...").
    symmetric = category in ("CONSULT", "COOPERATE", "MOBILIZE") or vc.code in ("057",) \
        or category == "AGREE" and noun is None
    if src_tok is not None and symmetric and target is None:
        pair = _pair(src_tok, ctx)
        if pair:
            source, target = pair
        else:
            for other in coordinated(src_tok)[1:]:
                target = _party(other, ctx)
                if target is not None and source is not None and _one_side(source, target):
                    target = None  # "Rubio and Trump's envoy ... in meetings": one side, a compound actor
                if target is not None:
                    tgt_tok = other
                    break
    if vc.reversed:
        source, target, src_tok, tgt_tok = target, source, tgt_tok, src_tok
    return source, target, src_tok, tgt_tok


def _definite(noun) -> bool:
    """"the talks", "these negotiations", "their meeting": talks the text already knows."""
    return any(c.dep_ in ("det", "poss") and c.lower_ in ("the", "these", "those", "this", "that", "their", "its")
               for c in noun.children)


def _noun_doer(noun, ctx: Context) -> Actor | None:
    """The doer an event noun names itself: "Ukraine's drone attack", "Israeli strikes", "an attack by
    rebels"."""
    for c in noun.children:
        if c.dep_ == "poss" or (c.dep_ in ("amod", "compound", "nmod") and country_code(c.text)):
            actor = actor_of(c, ctx.known, ctx.day, ctx.antecedents)
            if actor is not None and (actor.country or actor.code):
                return actor
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ in ("by", "of") and (obj := _child(c, {"pobj"})) is not None:
            return _party(obj, ctx)
    return None


def _one_side(a: Actor, b: Actor) -> bool:
    """Two actors with one code ("Rubio and the US envoy": USAGOV) are one side of an event, a compound
    actor (PLOVER), not each other's counterpart; "Hamas and Fatah" are two."""
    return bool(a.code) and a.code == b.code


def _pair(tok, ctx: Context) -> tuple[Actor, Actor] | None:
    """Two parties in one phrase: "Russian and Ukrainian representatives", "representatives of Ukraine
    and Russia", "representatives from both nations" (the last two countries named together)."""
    pair = coordinated_modifiers(tok, ctx.known, ctx.day)
    if pair:
        return pair[0], pair[1]
    heads = [tok] + [o for c in tok.children if c.dep_ == "prep" and c.lower_ in ("of", "from")
                     for o in c.children if o.dep_ == "pobj"]
    for h in heads:
        parts = coordinated(h)
        if len(parts) >= 2:
            actors = [a for p in parts if (a := _party(p, ctx)) is not None]
            if len(actors) >= 2 and not _one_side(actors[0], actors[1]):
                return actors[0], actors[1]
        if ctx.antecedents is not None:
            both = ctx.antecedents.pair_for(h)
            if both:
                return both
    return None


def _demand(trig, ctx: Context) -> CodedEvent | None:
    """"X said Y must withdraw": PLOVER codes the statement as X's demand on Y."""
    obliged = any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in trig.children)
    if not (obliged and trig.dep_ == "ccomp" and reporting(trig.head)):
        return None
    speaker = _child(trig.head, {"nsubj"})
    target_tok = _child(trig, {"nsubj", "nsubjpass"})
    source = _party(speaker, ctx) if speaker is not None else None
    target = _party(target_tok, ctx) if target_tok is not None else None
    return CodedEvent("REQUEST", None, f"{trig.head.text} ... {trig.text}", trig.i, source, target,
                      False, False, False, places_in(trig.sent, set()), "100", None)
