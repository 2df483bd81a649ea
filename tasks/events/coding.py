"""Who did what to whom in one sentence: PLOVER coding from spaCy's dependency parse.

The PETRARCH recipe, kept explainable: find the trigger (a lexicon verb, or a lexicon noun under a
light verb) closest to the sentence root, skipping reporting verbs ("said", "announced"); its subject
is the source actor, its object (or a with/to/against/on phrase, or the subject of a "that" clause) the
target. Modality comes from auxiliaries and markers: a promise or plan of cooperation is PLOVER's AGREE,
of material conflict its THREATEN; negated and hypothetical statements are flagged, not facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsflow.countries import DEMONYMS, closest_country, country_code, country_word
from tasks.events import plover
from tasks.events.actors import ActorDictionary, load as load_actors
from tasks.entities.places import place_country

ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
_TARGET_PREPS = {"with", "to", "against", "on", "from", "for", "toward", "towards", "into", "over", "upon"}
_PLACE_PREPS = {"in", "at", "near", "inside", "outside", "across", "throughout"}
_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_COMPLEMENT = {"xcomp", "ccomp", "advcl", "conj", "acomp", "pcomp", "relcl"}
# Passives that describe their subject's own stance: "is committed/prepared/determined to".
_STATIVE_PASSIVES = {"commit", "prepare", "determine", "resolve", "dedicate", "devote", "dispose", "engage"}
# Entity types that are never an actor: "on September 29" is a time, not a target.
_NOT_ACTORS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
# "the town of Samarra", "the province of Sindh": the place is the object of "of" under these nouns.
_PLACE_NOUNS = {"town", "city", "village", "province", "region", "district", "capital", "state",
                "county", "area", "island", "port", "enclave", "republic", "territory", "border"}


@dataclass
class Actor:
    start_char: int          # the actor's phrase in the Doc (its core: head plus left modifiers)
    end_char: int
    text: str
    head_i: int
    country: str | None = None
    sector: str | None = None


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

    @property
    def quad_class(self) -> str:
        return plover.QUAD_CLASS[self.event_type]

    @property
    def is_fact(self) -> bool:
        return not (self.is_negated or self.is_hypothetical)


def _child(tok, deps: set[str]):
    return next((c for c in tok.children if c.dep_ in deps), None)


def _lookup_verb(tok):
    """(category, mode, trigger words) for a verb token, or None."""
    lemma = tok.lemma_.lower()
    if lemma in plover.MOTION:
        for_ = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for"), None)
        purpose = _child(for_, {"pobj"}) if for_ is not None else None
        hit = noun_entry(purpose) if purpose is not None else None
        if hit and hit[0] == "CONSULT":
            return (*hit, f"{tok.text} for {purpose.text}")
    for c in tok.children:  # phrasal verbs and fixed objects first: "pull out", "call for", "open fire"
        if c.dep_ in ("prt", "prep", "dobj"):
            hit = plover.VERBS.get(f"{lemma} {c.lemma_.lower()}")
            if hit:
                return (*hit, f"{tok.text} {c.text}")
    obj = _child(tok, {"dobj", "attr"})
    if obj is None:  # "participate in talks", "engage in negotiations"
        prep = _child(tok, {"prep"})
        obj = _child(prep, {"pobj"}) if prep is not None else None
    obj = _measured(obj) if obj is not None else None
    hit = plover.LIGHT_OVERRIDES.get((lemma, obj.lemma_.lower())) if obj is not None else None
    if hit:
        return (*hit, f"{tok.text} {obj.text}")
    if obj is not None and (lemma in plover.LIGHT_VERBS or lemma not in plover.VERBS):
        if hit is None and lemma in plover.ENDING_VERBS:
            inner = noun_entry(obj)
            if inner and inner[0] in plover.COOPERATIVE:
                hit = ("SANCTION", None)
        if hit is None and lemma in plover.LIGHT_VERBS:
            hit = noun_entry(obj)
        if hit:
            return (*hit, f"{tok.text} {obj.text}")
    if lemma == "return" and _child(tok, {"dobj"}) is None:
        return None  # "returning to Washington" after a tour is travel; "returned the prisoners" is not
    hit = plover.VERBS.get(lemma)
    if hit and lemma in plover.NEEDS_ACTOR_OBJECT:
        patient = _child(tok, {"dobj", "nsubjpass", "dative"})
        if patient is None or not _is_party(patient):
            return None
    if hit and lemma in plover.NEEDS_ACTOR_SUBJECT:
        agent = _child(tok, {"nsubj"})
        if agent is not None and not _is_party(agent):
            return None
    return (*hit, tok.text) if hit else None


def _is_party(tok) -> bool:
    """A person, group or place that can act or be acted on: a named actor, a pronoun for people, or a
    sector or people noun ("troops", "prisoners", "the village")."""
    if tok.ent_type_ in ACTOR_LABELS or tok.pos_ == "PROPN":  # a name the tagger missed ("Uzbekistan")
        return True
    if tok.pos_ == "PRON":
        return tok.lower_ in ("he", "she", "they", "him", "her", "them", "we", "us", "you", "i", "me", "who")
    lemma = tok.lemma_.lower()
    return lemma in plover.SECTOR_WORDS or tok.lower_ in plover.SECTOR_WORDS or lemma in plover.PEOPLE \
        or tok.lower_ in plover.PEOPLE


_MEASURES = {"day", "week", "month", "hour", "year", "round", "series", "wave", "number", "spate", "string",
             "flurry", "kind", "type", "form", "set", "couple", "lot", "dozen", "hundred", "thousand"}


def _measured(tok):
    """"10 days of war games", "a new round of talks": the event noun is what the measure counts."""
    if tok.lemma_.lower() in _MEASURES:
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = _child(of, {"pobj"}) if of is not None else None
        if inner is not None:
            return inner
    return tok


def noun_entry(tok):
    """A noun's lexicon entry; a compound modifier can make it specific ("hunger strike",
    "mediation effort", "war games", "air strike")."""
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod"):
            hit = plover.NOUNS.get(f"{c.lemma_.lower()} {tok.lemma_.lower()}") or (
                plover.NOUNS.get(c.lemma_.lower()) if tok.lemma_.lower() in plover.GENERIC_NOUNS else None)
            if hit:
                return hit
    return plover.NOUNS.get(tok.lemma_.lower())


def _lookup(tok):
    if tok.pos_ == "VERB" and tok.dep_ in ("prep", "mark", "case"):
        return None  # "given the level of officials involved": a preposition, not a giving
    if tok.pos_ in ("VERB",) or (tok.pos_ == "AUX" and tok.dep_ == "ROOT"):
        if tok.lemma_.lower() in plover.REPORTING:
            # "announced a suspension of air links", "reiterated its demand": the measure is the event
            obj = _child(tok, {"dobj"})
            hit = noun_entry(_measured(obj)) if obj is not None else None
            return (*hit, f"{tok.text} {obj.text}") if hit else None
        return _lookup_verb(tok)
    if tok.pos_ == "ADJ" and tok.lemma_.lower() in plover.WILLING and _child(tok, {"xcomp"}) is not None:
        return ("AGREE", None, tok.text)
    if tok.pos_ == "NOUN" and tok.dep_ in _SUBJ:  # "talks began", "a blast killed"
        hit = noun_entry(tok)
        if hit and hit[0] == "MOBILIZE":  # "forces", "troops" as subject are actors, not events
            return None
        return (*hit, tok.text) if hit else None
    return None


def _depth(tok) -> int:
    d = 0
    while tok.head.i != tok.i:
        tok, d = tok.head, d + 1
    return d


def find_trigger(sent):
    """The lexicon trigger nearest the root; reporting verbs pass through to their complement."""
    best = None
    for tok in sent:
        hit = _lookup(tok)
        if hit is None:
            continue
        key = (_depth(tok), tok.i)
        if best is None or key < best[0]:
            best = (key, tok, hit)
    return (best[1], best[2]) if best else (None, None)


def _modality(trig) -> tuple[bool, bool, bool]:
    """(negated, future, hypothetical) from the trigger and the verbs that govern it."""
    negated = future = hypothetical = False
    tok, hops = trig, 0
    while True:
        for c in tok.children:
            low = c.lower_
            if c.dep_ == "neg" or low in ("never", "no"):
                negated = negated or hops == 0 or tok.lemma_.lower() not in plover.REPORTING
            elif c.dep_ in ("aux", "auxpass"):
                if low in plover.FUTURE_AUX or (low == "going" and hops == 0):
                    future = True
                elif low in plover.HYPOTHETICAL_AUX:
                    hypothetical = True
            elif c.dep_ == "mark" and low in ("if", "unless", "whether"):
                hypothetical = True
        lemma = tok.lemma_.lower()
        if hops and lemma in {"plan", "intend", "prepare", "aim", "set", "expect", "want", "hope",
                              "seek"} | plover.PROMISING | plover.WILLING:
            future = True
        if tok.dep_ not in ("xcomp", "ccomp", "acomp") or tok.head.i == tok.i or hops > 3:
            break
        if tok.head.lemma_.lower() in plover.REPORTING and tok.dep_ == "ccomp":
            # "X said Y will attack": the report's own tense does not matter, only Y's clause.
            break
        tok, hops = tok.head, hops + 1
    return negated, future, hypothetical


def _subject(tok):
    """The grammatical subject of the trigger, following control ("agreed to withdraw") upwards."""
    seen = 0
    while tok is not None and seen < 5:
        agent = _child(tok, {"agent"})
        if agent is not None and _child(agent, {"pobj"}) is not None:
            return _child(agent, {"pobj"}), True
        subj = _child(tok, {"nsubj", "csubj"})
        if subj is not None:
            return subj, False
        passive = _child(tok, {"nsubjpass"})
        if passive is not None:
            # "Vietnam is committed to ...": a stative passive's subject is the one who commits;
            # a true passive without its agent ("was arrested") has no known source.
            return (passive, False) if tok.lemma_.lower() in _STATIVE_PASSIVES else (None, False)
        if tok.dep_ in ("xcomp", "conj", "advcl", "acomp", "acl", "relcl", "dobj", "pobj", "attr") \
                and tok.head.i != tok.i:
            if tok.dep_ == "relcl":
                return tok.head, False
            tok = tok.head
            seen += 1
            continue
        return None, False
    return None, False


def _target(trig, source_tok):
    for c in trig.children:
        if c.dep_ in ("dobj", "dative", "nsubjpass") and c.pos_ in ("PROPN", "NOUN", "PRON") \
                and plover.NOUNS.get(c.lemma_.lower()) is None and c.ent_type_ not in _NOT_ACTORS \
                and (source_tok is None or c.i != source_tok.i):
            return c
    for c in trig.children:  # "demanded that Hamas renounce", "urged X to"
        if c.dep_ in ("ccomp", "xcomp"):
            s = _child(c, {"nsubj", "nsubjpass"})
            if s is not None and s.pos_ in ("PROPN", "NOUN"):
                return s
    holders = [trig] + [c for c in trig.children if c.dep_ in ("dobj", "attr")]
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in _TARGET_PREPS | {"between"}:
                obj = _child(c, {"pobj"})
                if obj is not None and (source_tok is None or obj.i != source_tok.i) \
                        and obj.ent_type_ not in _NOT_ACTORS:
                    return obj
    for c in trig.children:
        if c.dep_ == "dobj" and c.ent_type_ not in _NOT_ACTORS:
            return c
    if source_tok is not None:  # "Russia and Ukraine met": the second conjunct is the counterpart
        conj = _child(source_tok, {"conj"})
        if conj is not None:
            return conj
    return None


def _core(tok):
    """The actor's core phrase: its left modifiers (compound, amod, poss, det...) plus the head."""
    left = [t for t in tok.subtree if t.i <= tok.i and t.dep_ != "cc" and (t.head.i <= tok.i or t.i == tok.i)]
    start = min((t.i for t in left), default=tok.i)
    # "Senior Hungarian and Romanian officials": keep the whole left span, it is one phrase.
    return tok.doc[start:tok.i + 1]


def _code_of(text: str, label: str | None = None) -> str | None:
    key = text.lower().replace("’", "'").strip(" .").removeprefix("the ")
    key = key.removesuffix("'s").strip()
    if key in plover.ORGANISATION_CODES:
        return plover.ORGANISATION_CODES[key]
    if key in plover.EXTRA_COUNTRIES:
        return plover.EXTRA_COUNTRIES[key]
    code = country_code(text)
    if code is None and label in PLACE_LABELS:
        code = place_country(text)  # a province or city names its country: "Sindh", "Samarra"
    if code is None and label in ("GPE", "NORP"):
        code = closest_country(text)  # misspelt in the source: "Ethopia", "Quatar"
    if code is None and " " not in key and len(key) > 5 and key.endswith(("ian", "an", "ans")):
        # Demonyms newsflow.countries does not list: "Fijian" -> Fiji, "Burundian" -> Burundi,
        # "Macedonian" -> Macedonia.
        stem = key.removesuffix("s")
        for cand in (stem[:-1], stem[:-2], stem[:-3] + "a"):
            code = country_code(cand)
            if code:
                break
    return code


_COLLECTIVE = {"group", "number", "thousand", "hundred", "dozen", "ten", "member", "band", "team",
               "contingent", "crowd", "some", "many", "most", "all", "majority", "handful", "score"}


def actor_of(tok, known: dict[str, str] | None = None) -> Actor:
    """Country and sector of the phrase headed by `tok`; `known` maps person names to countries."""
    doc = tok.doc
    while tok.lemma_.lower() in _COLLECTIVE:  # "a group of Yoruba leaders": the leaders are the actor
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = _child(of, {"pobj"}) if of is not None else None
        if inner is None:
            break
        tok = inner
    core = _core(tok)
    span_tokens = list(core) + [t for t in tok.subtree if t.i > tok.i and t.dep_ not in ("relcl", "acl")]
    code = None
    # Entities inside the core phrase first (the actor's own words), then the rest of its subtree.
    # "Qatar's emir, Sheikh Hamad, ...": an apposition names the same actor
    appos = [t for c in tok.children if c.dep_ == "appos" for t in c.subtree]
    if tok.dep_ == "appos":
        appos += list(_core(tok.head))
    for group in (list(core), span_tokens, appos):
        idx = {t.i for t in group}
        for ent in doc.ents:
            if ent.label_ in ACTOR_LABELS and ent.root.i in idx:
                code = _code_of(ent.text, ent.label_) or (known or {}).get(ent.text)
                if code is None and ent.label_ == "PERSON" and known:
                    code = known.get(ent[-1].text)
                if code:
                    break
        if code is None:
            for t in group:
                if (t.is_title or t.is_upper) and (t.ent_type_ != "PERSON" or t.lower_ in DEMONYMS):
                    code = _code_of(t.text) or next(
                        (c for part in t.text.split("-") if (c := _code_of(part))), None)
                    if code:
                        break
        if code:
            break
    sector = None
    for t in sorted(core, key=lambda t: (t.i != tok.i, -t.i)):  # the head, then modifiers right to left
        sector = plover.SECTOR_WORDS.get(t.lower_) or plover.SECTOR_WORDS.get(t.lemma_.lower())
        if sector:
            break
    if sector is None and isinstance(known, KnownPeople):  # "Putin": an office holder is GOV
        idx = {t.i for t in core}
        sector = next((s for ent in doc.ents if ent.root.i in idx
                       and (s := known.sectors.get(ent.text))), None)
    return Actor(core.start_char, core.end_char, core.text, tok.i, code, sector)


class KnownPeople(dict):
    """Person name (full and surname) -> country code; `sectors` maps the names the actor dictionary
    knows to their sector (GOV for office holders)."""

    def __init__(self):
        super().__init__()
        self.sectors: dict[str, str] = {}


def person_countries(doc, actors: ActorDictionary | None = None, year: int | None = None) -> "KnownPeople":
    """Person names to countries: from their titles in this document ("Russian President Vladimir
    Putin" lets a later bare "Putin" be coded RUS), else from the actor dictionary (tasks/events/actors.csv:
    "President Bill Clinton" -> USA); the full name and the surname are both keys."""
    known = KnownPeople()
    actors = actors if actors is not None else load_actors()
    for ent in doc.ents:
        person = ent.label_ == "PERSON"
        # The tagger calls some people ORG ("Moody Awori"): a full name of title-case words may match.
        if not person and not (ent.label_ == "ORG" and len(ent) >= 2 and all(t.is_title for t in ent)):
            continue
        titled = _title_country(ent) if person else None
        if titled:
            known.setdefault(ent.text, titled)
            known.setdefault(ent[-1].text, titled)
        hit = actors.lookup(ent.text, year)
        if hit is None:
            continue
        if hit.sector and known.get(ent.text, hit.country) == hit.country:
            known.sectors[ent.text] = hit.sector
        known.setdefault(ent.text, hit.country)
        if person:
            known.setdefault(ent[-1].text, hit.country)
    return known


def _title_country(ent) -> str | None:
    """The country in the title words just before a name ("Russian President Vladimir Putin")."""
    doc, i = ent.doc, ent.start - 1
    while i >= 0 and ent.start - i <= 5 and (doc[i].is_title or doc[i].is_upper or doc[i].lower_ in ("'s", "’s")):
        code = _code_of(doc[i].text)
        if code and code not in ("IGO", "NGO"):
            return code
        i -= 1
    return None


def places_in(sent, exclude: set[int]) -> list[int]:
    """Token indexes of place entities in a locative phrase ("in Istanbul", "at Dolmabahce Palace")."""
    out = []
    for ent in sent.ents:
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
        elif ent.root.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _PLACE_NOUNS \
                and head.head.dep_ == "pobj" and head.head.head.lower_ in _PLACE_PREPS:
            out.append(ent.root.i)  # "near the town of Samarra"
    # The most specific first: a building before a region before a city or country.
    rank = {"FAC": 0, "LOC": 1, "GPE": 2}
    return sorted(out, key=lambda i: rank.get(sent.doc[i].ent_type_, 3))


def code_sentence(sent, known: dict[str, str] | None = None) -> CodedEvent | None:
    """Codes the sentence's main event, or None when no lexicon trigger is found."""
    trig, hit = find_trigger(sent)
    if trig is None:
        return None
    category, mode, words = hit
    negated, future, hypothetical = _modality(trig)
    obliged = any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in trig.children)
    if obliged and trig.dep_ == "ccomp" and trig.head.lemma_.lower() in plover.REPORTING:
        # "X said Y must withdraw": PLOVER codes the statement as X's demand on Y.
        speaker = _child(trig.head, {"nsubj"})
        target_tok = _child(trig, {"nsubj", "nsubjpass"})
        source = actor_of(speaker, known) if speaker is not None else None
        target = actor_of(target_tok, known) if target_tok is not None else None
        return CodedEvent("REQUEST", None, f"{trig.head.text} ... {trig.text}", trig.i, source, target,
                          False, False, False, places_in(sent, set()))
    promised = _child(trig, {"xcomp"}) if trig.lemma_.lower() in plover.PROMISING else None
    promised_hit = _lookup(promised) if promised is not None else None
    if category == "AGREE" and promised_hit and (promised_hit[0] in plover.MATERIAL_CONFLICT
                                                 or promised_hit[0] == "THREATEN"):
        category, mode = "THREATEN", None    # "vowed to fight on": a promise of violence is a threat
    elif future and not negated and any(c.dep_ == "advcl" and _child(c, {"mark"}) is not None
                                        and _child(c, {"mark"}).lower_ == "unless" for c in trig.children):
        category, mode = "THREATEN", None    # "will withdraw ... unless": an ultimatum
    elif trig.pos_ == "ADJ":  # "willing to withdraw": the promise is the event
        comp = _child(trig, {"xcomp"})
        sub = _lookup(comp) if comp is not None else None
        if sub and sub[0] not in plover.COOPERATIVE:
            category, mode = "THREATEN", None
        future = False
    elif future and negated and category in plover.COOPERATIVE:
        # "X said it will not withdraw": the refusal itself is asserted, PLOVER's REJECT
        category, mode, negated = "REJECT", None, False
    elif future and category in plover.COOPERATIVE and category != "AGREE":
        category, mode = "AGREE", None       # PLOVER: a promise/plan of cooperation is AGREE
    elif future and (category in plover.MATERIAL_CONFLICT or (category == "REJECT" and not negated)):
        category, mode = "THREATEN", None    # ... and of material conflict THREATEN
    noun_subject = trig.pos_ == "NOUN"
    src_tok, _ = (None, False) if noun_subject else _subject(trig)
    if src_tok is not None and src_tok.pos_ == "PRON" and src_tok.lower_ in ("it", "they", "he", "she", "we"):
        # Pronoun subject of a complement clause: the reporting clause's subject is the speaker.
        up = trig
        while up.dep_ in ("ccomp", "xcomp", "conj", "acomp", "advcl") and up.head.i != up.i:
            up = up.head
            s = _child(up, {"nsubj"})
            if s is not None and s.pos_ != "PRON":
                src_tok = s
                break
    if noun_subject:
        tgt_tok = None
        for c in trig.children:
            if c.dep_ == "prep" and c.lower_ in ("between", "with", "by", "of"):
                obj = _child(c, {"pobj"})
                if obj is not None:
                    src_tok = obj
                    tgt_tok = _child(obj, {"conj"})
                    break
        if src_tok is None and any(c.dep_ in ("amod", "compound", "nmod") and country_word(c.text)
                                   for c in trig.children):
            src_tok = trig  # "Palestinian riots": the noun's own modifiers name the actor ("Istanbul
            # talks" only say where)
    else:
        tgt_tok = _target(trig, src_tok)
    source = actor_of(src_tok, known) if src_tok is not None else None
    target = actor_of(tgt_tok, known) if tgt_tok is not None else None
    used = {t.i for a in (source, target) if a for t in sent.doc[a.head_i:a.head_i + 1]}
    places = places_in(sent, used)
    if source is not None and source.country is None:
        source.country = _domestic_country(sent, places, tgt_tok, source.sector == "GOV")
    if src_tok is not None and category in ("CONSULT", "MOBILIZE", "RETREAT") and not noun_subject \
            and any(t.lower_.startswith("peacekeep") for t in src_tok.subtree):
        category, mode = "AID", "peacekeeping"  # PLOVER: sending peacekeepers is aid, not a visit
    return CodedEvent(category, mode, words, trig.i, source, target, negated, future, hypothetical, places)


def _domestic_country(sent, places: list[int], tgt_tok, office_holder: bool = False) -> str | None:
    """A source actor the text gives no country ("Islamic fundamentalists", "the Federal Minister")
    is taken to be domestic: the country of the event's place, else of the one country the sentence
    names outside the target's phrase (if it names exactly one). An office holder ("President X")
    acting on the only country the sentence names is taken to govern it ("... to ban Ugandan
    opposition candidates")."""
    for i in places:
        ent = next((e for e in sent.ents if e.start <= i < e.end), None)
        code = (_code_of(ent.text, ent.label_) or place_country(ent.text)) if ent is not None else None
        if code and code not in ("IGO", "NGO"):
            return code
    target_span = {t.i for t in tgt_tok.subtree} if tgt_tok is not None else set()
    named = [(e.root.i in target_span, c) for e in sent.ents if e.label_ in ("GPE", "NORP", "ORG")
             and (c := _code_of(e.text, e.label_) if e.label_ != "ORG" else _country_in_name(e))
             and c not in ("IGO", "NGO")]
    in_ents = {t.i for e in sent.ents for t in e if e.label_ in ("GPE", "NORP")}
    in_names = {t.i for e in sent.ents for t in e if e.label_ == "PERSON"}
    named += [(t.i in target_span, c) for t in sent  # a country word the tagger missed ("Ugandan")
              if t.i not in in_ents and t.is_title and (c := country_code(t.text)) and c not in ("IGO", "NGO")
              and (t.i not in in_names or t.lower_ in DEMONYMS)]  # "Michael Jordan" names no country
    codes = {c for in_target, c in named if not in_target and c}
    if not codes and office_holder:
        codes = {c for _, c in named}
    return codes.pop() if len(codes) == 1 else None


def _country_in_name(ent) -> str | None:
    """An organisation named after its country: "Kenya Anti-Corruption Commission" -> KEN."""
    return next((c for t in ent if t.is_title and (c := country_code(t.text))), None)
