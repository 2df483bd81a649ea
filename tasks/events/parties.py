"""Who an actor phrase is: a named entity, a country, an IGO/NGO/armed group, or a role with a country.

Sources, in order: the Phoenix actor dictionaries (countries, cities, office holders with dated roles,
IGOs/NGOs, armed groups: `tasks.events.phoenix`), newsflow's own country names and places
(`newsflow.countries`, `tasks.entities.places`), titles earlier in the article ("Russian President
Vladimir Putin" makes a later "Putin" RUS), and the actor CSV (`tasks/events/actors.csv` and the user's
`actor_dictionary`: office holders since the Phoenix files were written, which win on the same name).
The sector comes from the agents dictionary ("minister" -> GOV, "troops" -> MIL). A phrase that names
none of these ("the notion", "negotiations", "a foundation") is no actor. A pronoun is the entity it
refers to (`Antecedents`) or no actor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from newsflow.countries import DEMONYMS, closest_country, country_code
from tasks.entities.places import place_country
from tasks.events import phoenix
from tasks.events.actors import ActorDictionary, load as load_actors

ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Role nouns the agents dictionary lacks (it codes "government official", not "official").
_EXTRA_AGENTS = {"official": "GOV", "officials": "GOV", "delegation": "GOV", "delegations": "GOV",
                 "negotiator": "GOV", "negotiators": "GOV", "envoy": "GOV", "envoys": "GOV",
                 "diplomat": "GOV", "diplomats": "GOV", "authorities": "GOV", "force": "MIL", "forces": "MIL"}
# "a group of Yoruba leaders": the leaders are the actor.
_COLLECTIVE = {"group", "number", "thousand", "hundred", "dozen", "ten", "member", "band", "team",
               "contingent", "crowd", "some", "many", "most", "all", "majority", "handful", "score"}
PERSONAL = {"he", "she", "him", "her", "his", "hers"}
THINGS = {"it", "its"}
PLURAL = {"they", "them", "their", "theirs"}


@dataclass
class Actor:
    start_char: int          # the actor's phrase in the Doc (its core: head plus left modifiers)
    end_char: int
    text: str
    head_i: int
    country: str | None = None
    sector: str | None = None
    code: str | None = None   # CAMEO actor code: "RUSGOV", "IGOUNO", "UKRMIL"
    named: bool = False       # a named entity or a dictionary actor, not only a role noun
    ref_start: int | None = None  # the phrase that names it (a pronoun's antecedent), for its entity
    ref_end: int | None = None
    head_char: int | None = None  # where its head word starts (the entity holding it names the actor)
    own_country: bool = False     # the country is in the core phrase itself ("Israeli strikes")

    @property
    def identified(self) -> bool:
        return bool(self.named or self.country or self.code)


class KnownPeople(dict):
    """Person name (full and surname) -> country code; `sectors` maps names to their sector."""

    def __init__(self, dictionary: ActorDictionary | None = None, year: int | None = None):
        super().__init__()
        self.sectors: dict[str, str] = {}
        self.dictionary, self.year = dictionary, year


def entities(doc) -> tuple:
    """The Doc's entity spans, built once (spaCy makes new Span objects on every `doc.ents`)."""
    ents = doc.user_data.get("newsflow_ents")
    if ents is None:
        ents = doc.user_data["newsflow_ents"] = tuple(doc.ents)
    return ents


def entities_rooted_in(doc, idx) -> list:
    """The Doc's entity spans whose root token is one of `idx`, in text order (an index by root token,
    built once: an actor's phrase is looked up many times per article)."""
    by_root = doc.user_data.get("newsflow_ents_by_root")
    if by_root is None:
        by_root = doc.user_data["newsflow_ents_by_root"] = {}
        for ent in entities(doc):
            by_root.setdefault(ent.root.i, []).append(ent)
    return [ent for i in sorted(idx) for ent in by_root.get(i, ())]


def sentence_entities(sent) -> list:
    """The entity spans inside a sentence, from the Doc's built-once list."""
    return [e for e in entities(sent.doc) if e.start >= sent.start and e.end <= sent.end]


def _child(tok, deps: set[str]):
    return next((c for c in tok.children if c.dep_ in deps), None)


def code_of(text: str, label: str | None = None, day: date | None = None) -> tuple[str | None, str | None]:
    """(country or group code, full CAMEO code) of a name: Phoenix first, then newsflow's country names
    and places, then a misspelt country name ("Ethopia") or an unlisted demonym ("Fijian")."""
    hit = phoenix.actor(text, day)
    if hit is not None:
        return hit.country or hit.group, hit.code
    code = country_code(text)
    if code is None and label in PLACE_LABELS:
        code = place_country(text)  # a province or city names its country: "Sindh", "Samarra"
    if code is None and label in ("GPE", "NORP"):
        code = closest_country(text)
    key = phoenix.norm(text)
    if code is None and " " not in key and len(key) > 5 and key.endswith(("ian", "an", "ans")):
        stem = key.removesuffix("s")
        code = next((c for cand in (stem[:-1], stem[:-2], stem[:-3] + "a") if (c := country_code(cand))), None)
    return code, code


def _sector(tokens) -> str | None:
    """The role of the phrase by the agents dictionary: the longest agent phrase, nearest the head."""
    words = [t.lower_ for t in tokens]
    hit = phoenix.longest(words, phoenix.agent)
    if hit is not None:
        return phoenix.agent_sector(hit[2])
    for t in reversed(list(tokens)):
        s = _EXTRA_AGENTS.get(t.lower_) or phoenix.agent_sector(phoenix.agent(t.lemma_.lower()))
        if s:
            return s
    return None


def core(tok):
    """The actor's core phrase: its left modifiers (compound, amod, poss, det...) plus the head."""
    left = [t for t in tok.subtree if t.i <= tok.i and t.dep_ != "cc" and (t.head.i <= tok.i or t.i == tok.i)]
    start = min((t.i for t in left), default=tok.i)
    return tok.doc[start:tok.i + 1]


def is_heading(sent) -> bool:
    """A headline line: every word capitalised and no closing full stop ("Stalemate on Ceasefire Demands")."""
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) >= 2 and all(t.is_title or t.is_upper for t in words) and not sent.text.rstrip().endswith(".")


def _is_name(tok) -> bool:
    return tok.ent_type_ in ACTOR_LABELS or tok.pos_ == "PROPN"


def actor_of(tok, known: KnownPeople | None = None, day: date | None = None,
             antecedents: "Antecedents | None" = None) -> Actor | None:
    """The actor the phrase headed by `tok` names, or None when it names no one.

    A name (an entity, a proper noun) or a role noun ("officials", "troops") takes its country from its
    own phrase, then from the rest of it ("the government of Sudan"), then from an apposition; any other
    noun only from its own modifiers ("Russian positions"; not "pressure on Russia")."""
    if tok.pos_ == "PRON" or tok.lower_ in PERSONAL | THINGS | PLURAL:
        return antecedents.resolve(tok) if antecedents is not None else None
    doc = tok.doc
    while tok.lemma_.lower() in _COLLECTIVE:
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = _child(of, {"pobj"}) if of is not None else None
        if inner is None:
            break
        tok = inner
    phrase = core(tok)
    sector = _sector(phrase)
    party = _is_name(tok) or sector is not None
    country = code = None
    named = False
    rest = [t for t in tok.subtree if t.i > tok.i and t.dep_ not in ("relcl", "acl")]
    appos = [t for c in tok.children if c.dep_ == "appos" for t in c.subtree]
    if tok.dep_ == "appos":
        appos += list(core(tok.head))
    groups = (list(phrase), list(phrase) + rest, appos) if party else (list(phrase),)
    own = False
    for g, group in enumerate(groups):
        idx = {t.i for t in group}
        for ent in entities_rooted_in(doc, idx):
            if ent.label_ not in ACTOR_LABELS:
                continue
            named = named or ent.root.i == tok.i or ent.label_ in ("PERSON", "ORG")
            country = code = None
            if known and ent.label_ == "PERSON":
                # the article's titles and the actor CSV (newer than Phoenix, the user's rows too) first
                country = code = known.get(ent.text) or known.get(ent[-1].text)
            if country is None:
                country, code = code_of(ent.text, ent.label_, day)
            if country is None and known:
                country = code = known.get(ent.text)
            if country:
                break
        if country is None:
            # Names only: a capitalised word ("Kremlin", "U.N."); "nice" or "shell" in lower case are words.
            words = [phoenix.norm(t.text) if (t.is_title or t.is_upper) else None for t in group]
            hit = phoenix.longest(words, lambda p: phoenix.actor(p, day))
            if hit is not None and not all(group[i].ent_type_ == "PERSON" and group[i].lower_ not in DEMONYMS
                                           for i in range(hit[0], hit[1])):
                country, code = hit[2].country or hit[2].group, hit[2].code
        if country is None and g == 0 and known is not None and known.dictionary is not None:
            names = [t for t in group if t.pos_ == "PROPN"]  # a person the tagger did not mark ("Rustem Umerov")
            hit = known.dictionary.lookup(" ".join(t.text for t in names), known.year) if len(names) >= 2 else None
            if hit is not None:
                country = code = hit.country
                sector = sector or hit.sector
        if country:
            own = g == 0
            break
    if code and len(code) > 3 and sector is None:
        sector = phoenix.split(code)[2]
    if sector is None and known is not None:
        idx = {t.i for t in phrase}
        sector = next((s for ent in entities_rooted_in(doc, idx) if (s := known.sectors.get(ent.text))), None)
    named = named or any(t.ent_type_ in ACTOR_LABELS and t.ent_type_ != "NORP" for t in phrase)
    if named and not country and is_heading(tok.sent):
        named = False  # in a Title Case heading capitals name nothing: only a known name is an actor
    if country and not own and rest and g == 1:
        # the country is in the rest of the phrase ("Representatives of Ukraine and Russia"): show the
        # phrase up to the prepositional phrase that names it (not "... on Tuesday")
        pp = next((c for c in tok.children if c.dep_ == "prep" and c.i > tok.i
                   and any(t.ent_type_ in ("GPE", "NORP", "ORG") for t in c.subtree)), None)
        if pp is not None:
            phrase = doc[phrase.start:max(t.i for t in pp.subtree) + 1]
    return Actor(phrase.start_char, phrase.end_char, phrase.text, tok.i, country, sector,
                 _full_code(country, code, sector), named, head_char=tok.idx, own_country=own)


def _full_code(country: str | None, code: str | None, sector: str | None) -> str | None:
    """The CAMEO actor code: the dictionary's own where it has one ("IGOUNO", "PSEREBHMS"), else the
    country followed by the sector ("UKR" + "MIL")."""
    if code and len(code) > 3:
        return code
    base = code or country
    if not base:
        return None
    return base + (sector or "") if sector and not base.endswith(sector) else base


def person_countries(doc, actors: ActorDictionary | None = None, year: int | None = None,
                     day: date | None = None) -> KnownPeople:
    """Person names to countries: from their titles in this document ("Russian President Vladimir
    Putin" lets a later bare "Putin" be coded RUS), else from the actor CSV (packaged + the user's),
    else from the Phoenix dictionaries; the full name and the surname are both keys."""
    actors = actors if actors is not None else load_actors()
    year = year if year is not None else (day.year if day else None)
    known = KnownPeople(actors, year)
    for ent in entities(doc):
        person = ent.label_ == "PERSON"
        if not person and not (ent.label_ == "ORG" and len(ent) >= 2 and all(t.is_title for t in ent)):
            continue
        titled = _title_country(ent) if person else None
        if titled:
            known.setdefault(ent.text, titled)
            known.setdefault(ent[-1].text, titled)
        hit = actors.lookup(ent.text, year)
        if hit is not None:
            if hit.sector and known.get(ent.text, hit.country) == hit.country:
                known.sectors[ent.text] = hit.sector
            known.setdefault(ent.text, hit.country)
            if person:
                known.setdefault(ent[-1].text, hit.country)
            continue
        if person:
            ph = phoenix.actor(ent.text, day)
            if ph is not None and ph.kind != "agent" and (ph.country or ph.group):
                known.setdefault(ent.text, ph.country or ph.group)
                if ph.sector:
                    known.sectors.setdefault(ent.text, ph.sector)
    return known


def _title_country(ent) -> str | None:
    """The country in the title words just before a name ("Russian President Vladimir Putin")."""
    doc, i = ent.doc, ent.start - 1
    while i >= 0 and ent.start - i <= 5 and (doc[i].is_title or doc[i].is_upper or doc[i].lower_ in ("'s", "’s")):
        code = country_code(doc[i].text)
        if code and code not in ("IGO", "NGO"):
            return code
        i -= 1
    return None


class Antecedents:
    """Pronoun resolution within an article, simple enough to explain: "he"/"she" is the last person
    named before it (in this sentence or the two before), "it" the last organisation or country, "they"
    the last plural actor (two coordinated names, or a plural noun with a country: "Russian officials").
    "we", "you", "I" and relative pronouns resolve to nothing (the speaker of a quote is not known here)."""

    WINDOW = 3  # sentences

    def __init__(self, doc, known: KnownPeople | None, day: date | None):
        self.doc, self.known, self.day = doc, known, day
        self.sent_of = {}
        for k, s in enumerate(doc.sents):
            for t in s:
                self.sent_of[t.i] = k
        self.plural: list[tuple[int, Actor]] = []

    PAIR_NOUNS = {"nation", "country", "side", "party", "state", "government", "delegation", "neighbour",
                  "neighbor"}

    def pair_for(self, tok) -> tuple[Actor, Actor] | None:
        """"both nations", "the two sides", "the two countries": the last two countries the text named
        together ("Russia and Ukraine", "Russian and Ukrainian") before it, within the window."""
        if tok.lemma_.lower() not in self.PAIR_NOUNS or not any(
                c.lower_ in ("both", "two") for c in tok.children if c.dep_ in ("det", "predet", "nummod", "amod")):
            return None
        here = self.sent_of.get(tok.i, 0)
        for ent in reversed(entities(self.doc)):
            if ent.end > tok.i or here - self.sent_of.get(ent.start, 0) >= self.WINDOW:
                continue
            conj = next((c for c in ent.root.children if c.dep_ == "conj"), None)
            if ent.label_ in ("GPE", "NORP") and conj is not None:
                a, b = code_of(ent.text, ent.label_, self.day)[0], code_of(conj.text, conj.ent_type_, self.day)[0]
                if a and b and a != b:
                    first = actor_of(ent.root, self.known, self.day)
                    second = actor_of(conj, self.known, self.day)
                    if first is not None and second is not None:
                        return self._as(tok, first), self._as(tok, second)
        return None

    def note(self, actor: Actor | None, tok) -> None:
        """Remembers a plural actor coded in the text (a candidate for a later "they")."""
        if actor is not None and actor.identified and (tok.tag_ in ("NNS", "NNPS") or _child(tok, {"conj"})):
            self.plural.append((tok.i, actor))

    def resolve(self, pron) -> Actor | None:
        low = pron.lower_
        here = self.sent_of.get(pron.i, 0)
        if low in PERSONAL or low in THINGS:
            labels = {"PERSON"} if low in PERSONAL else {"ORG", "GPE", "NORP"}
            for ent in reversed(entities(self.doc)):
                if ent.end > pron.i or here - self.sent_of.get(ent.start, 0) >= self.WINDOW:
                    continue
                if ent.label_ in labels and not (low in THINGS and ent.label_ == "NORP" and ent.root.pos_ == "ADJ"):
                    found = actor_of(ent.root, self.known, self.day)
                    return self._as(pron, found) if found is not None and found.identified else None
            return None
        if low in PLURAL:
            for i, actor in reversed(self.plural):
                if i < pron.i and here - self.sent_of.get(i, 0) < self.WINDOW:
                    return self._as(pron, actor)
        return None

    @staticmethod
    def _as(pron, found: Actor) -> Actor:
        return replace(found, start_char=pron.idx, end_char=pron.idx + len(pron), text=pron.text,
                       head_i=pron.i, ref_start=found.ref_start if found.ref_start is not None else found.start_char,
                       ref_end=found.ref_end if found.ref_end is not None else found.end_char)


def coordinated(tok) -> list:
    """The heads of coordinated parties: "Russia and Ukraine" -> [Russia, Ukraine]."""
    out = [tok]
    nxt = _child(tok, {"conj"})
    while nxt is not None and len(out) < 4:
        out.append(nxt)
        nxt = _child(nxt, {"conj"})
    return out


def coordinated_modifiers(tok, known, day) -> list[Actor]:
    """"Russian and Ukrainian representatives": one role noun, two countries -> two actors."""
    mods = [c for c in tok.children if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i]
    out = []
    for m in mods:
        for part in coordinated(m):
            country, code = code_of(part.text, None, day)
            if country:
                base = actor_of(tok, known, day)
                if base is not None:
                    out.append(replace(base, country=country, code=_full_code(country, code, base.sector)))
    return out if len(out) >= 2 else []


def may_be_domestic(actor: Actor, doc) -> bool:
    """A role noun the text gives no country may be domestic ("Islamic fundamentalists", "the Federal
    Minister"); a name ("Defense Minister Rustem Umerov") or a party of others ("both nations'
    representatives", "the two sides") is not guessed; a name only from the event's place."""
    span = doc.char_span(actor.start_char, actor.end_char, alignment_mode="expand")
    if span is None:
        return False
    return not any(t.dep_ == "poss" and t.pos_ in ("NOUN", "PROPN") or t.lower_ in ("both", "two", "each", "all")
                   for t in span)


def domestic_country(sent, places: list[int], tgt_tok, day: date | None, office_holder: bool = False,
                     from_place_only: bool = False) -> str | None:
    """A source actor the text gives no country ("Islamic fundamentalists", "the Federal Minister")
    is taken to be domestic: the country of the event's place, else of the one country the sentence
    names outside the target's phrase (if it names exactly one). An office holder acting on the only
    country the sentence names is taken to govern it."""
    for i in places:
        ent = next((e for e in sentence_entities(sent) if e.start <= i < e.end), None)
        code = code_of(ent.text, ent.label_, day)[0] if ent is not None else None
        if code and code not in phoenix.GROUP_TYPES:
            return code
    if from_place_only:
        return None
    target_span = {t.i for t in tgt_tok.subtree} if tgt_tok is not None else set()
    named = [(e.root.i in target_span, c) for e in sentence_entities(sent) if e.label_ in ("GPE", "NORP", "ORG")
             and (c := code_of(e.text, e.label_, day)[0] if e.label_ != "ORG" else _country_in_name(e))
             and c not in phoenix.GROUP_TYPES]
    in_ents = {t.i for e in sentence_entities(sent) for t in e if e.label_ in ("GPE", "NORP")}
    in_names = {t.i for e in sentence_entities(sent) for t in e if e.label_ == "PERSON"}
    named += [(t.i in target_span, c) for t in sent
              if t.i not in in_ents and t.is_title and (c := country_code(t.text)) and c not in ("IGO", "NGO")
              and (t.i not in in_names or t.lower_ in DEMONYMS)]
    codes = {c for in_target, c in named if not in_target and c}
    if not codes and office_holder:
        codes = {c for _, c in named}
    return codes.pop() if len(codes) == 1 else None


def _country_in_name(ent) -> str | None:
    """An organisation named after its country: "Kenya Anti-Corruption Commission" -> KEN."""
    return next((c for t in ent if t.is_title and (c := country_code(t.text))), None)
