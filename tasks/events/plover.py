"""The PLOVER ontology as newsflow codes it: 16 event categories, their quad classes, and a general
verb/noun lexicon with the modes PLOVER defines (the PETRARCH approach, written from the PLOVER
manual's category definitions, not from any gold sentence).

A lexicon entry is `lemma -> (category, mode or None)`. Phrases ("call for", "open fire") are keyed by
the verb lemma plus its particle or preposition; light-verb nouns ("hold talks", "impose sanctions")
are keyed by the noun lemma and only fire when the noun is the object of a light verb.
"""

from __future__ import annotations

CATEGORIES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

QUAD_CLASS = {
    "AGREE": "verbal cooperation", "CONSULT": "verbal cooperation", "SUPPORT": "verbal cooperation",
    "CONCEDE": "material cooperation", "COOPERATE": "material cooperation", "AID": "material cooperation",
    "RETREAT": "material cooperation",
    "REQUEST": "verbal conflict", "ACCUSE": "verbal conflict", "REJECT": "verbal conflict",
    "THREATEN": "verbal conflict",
    "PROTEST": "material conflict", "SANCTION": "material conflict", "MOBILIZE": "material conflict",
    "COERCE": "material conflict", "ASSAULT": "material conflict",
}

# The older PLOVER names the GSR gold file uses, and what they became in the current manual.
LEGACY_NAMES = {"DEMAND": ("REQUEST", None), "DISAPPROVE": ("ACCUSE", "disapprove"),
                "INVESTIGATE": ("ACCUSE", "investigate"), "FIGHT": ("ASSAULT", None)}

COOPERATIVE = {c for c, q in QUAD_CLASS.items() if q.endswith("cooperation")}
MATERIAL_CONFLICT = {c for c, q in QUAD_CLASS.items() if q == "material conflict"}


def _entries(category: str, words: str, mode: str | None = None) -> dict[str, tuple[str, str | None]]:
    return {w.strip(): (category, mode) for w in words.split(",") if w.strip()}


# Verbs (lemmas). Multi-word keys are "verb particle/preposition".
VERBS: dict[str, tuple[str, str | None]] = {}
for _cat, _words, _mode in [
    ("AGREE", "agree, promise, pledge, vow, offer, commit, accept, sign, endorse, approve, consent, "
              "guarantee, undertake, ratify, settle", None),
    ("CONSULT", "meet, negotiate, discuss, confer, consult, convene, reconvene, talk, hold talks", None),
    ("CONSULT", "visit, travel, arrive in, fly to, tour", "visit"),
    ("CONSULT", "host, receive, welcome", "host"),
    ("CONSULT", "mediate, broker, facilitate", "third-party"),
    ("CONSULT", "phone, call, telephone", "phone"),
    ("SUPPORT", "praise, support, back, endorse, defend, commend, welcome, applaud, hail, thank, "
                "congratulate, forgive, recognize, recognise, reaffirm, side with, stand by", None),
    ("CONCEDE", "ease, lift, relax, loosen, allow, permit, grant, yield, concede, pardon, "
                "reinstate, legalize, shorten, reduce, compromise, accommodate, step down, give in", None),
    ("COOPERATE", "cooperate, collaborate, share, exchange, coordinate, partner, ally, "
                  "normalize, integrate, join forces, work with, team up", None),
    ("AID", "aid, help, assist, donate, fund, finance, supply, provide, send aid, shelter, rescue, "
            "evacuate, deliver, deploy peacekeepers, train", None),
    ("AID", "give", "economic"),
    ("RETREAT", "withdraw, retreat, pull out, pull back, leave, surrender, disarm, demobilize, "
                "demobilise, disband, resign, return, hand over, dismantle", "withdraw"),
    ("RETREAT", "release, free, repatriate", "release"),
    ("RETREAT", "open", None),
    ("REQUEST", "demand, urge, call for, call on, ask, appeal, request, press, insist, seek, plead, "
                "petition, order, summon, invite, require, push for", None),
    ("ACCUSE", "accuse, blame, condemn, criticize, criticise, denounce, charge, allege, "
               "deplore, complain, rebuke, reproach, lambast, slam, fault, question, warn against, "
               "sue, indict, prosecute", "disapprove"),
    ("ACCUSE", "investigate, probe, inquire, examine, look into", "investigate"),
    ("REJECT", "reject, refuse, deny, decline, veto, rebuff, dismiss, oppose, spurn, resist, "
               "boycott, defy, snub, turn down, rule out, stand firm, renege, violate, breach, flout, "
               "back out", None),
    ("THREATEN", "threaten, warn, menace, ultimatum", None),
    ("PROTEST", "protest, demonstrate, rally, march, picket, riot, strike", "demo"),
    ("PROTEST", "block, blockade, obstruct, barricade, occupy, sit in", "obstruct"),
    ("SANCTION", "sanction, embargo, suspend, cut, freeze, expel, recall, sever, break off, "
                 "downgrade, halt, cancel, ban, boycott, convict, sentence, penalize, fine, impeach, "
                 "prohibit, bar", None),
    ("MOBILIZE", "mobilize, mobilise, deploy, mass, station, reinforce, amass", "troops"),
    ("MOBILIZE", "arm", "weapons"),
    ("COERCE", "arrest, detain, jail, imprison, seize, confiscate, raid, deport, censor, "
               "impose, restrict, curb, crack down, expropriate, demolish, destroy, raze, "
               "kidnap, abduct, hold hostage, take hostage, capture", None),
    ("ASSAULT", "attack, bomb, shell, kill, fire, shoot, strike, invade, assault, ambush, "
                "assassinate, massacre, torture, beat, wound, injure, storm, clash, fight, "
                "fire on, open fire, blow up, explode, detonate, behead, execute, murder, hit, "
                "retake, recapture, overrun, retaliate", None),
]:
    for _word, _value in _entries(_cat, _words, _mode).items():
        VERBS.setdefault(_word, _value)

# A few verbs whose category depends on the mode word, kept precise rather than first-come.
VERBS.update({
    "bomb": ("ASSAULT", "aerial"), "shell": ("ASSAULT", "heavy-weapons"), "shoot": ("ASSAULT", "firearms"),
    "explode": ("ASSAULT", "explosives"), "detonate": ("ASSAULT", "explosives"),
    "blow up": ("ASSAULT", "explosives"), "assassinate": ("ASSAULT", "assassinate"),
    "torture": ("ASSAULT", "torture"), "beat": ("ASSAULT", "beat"), "open fire": ("ASSAULT", "firearms"),
    "fire on": ("ASSAULT", "firearms"),
    "arrest": ("COERCE", "arrest"), "detain": ("COERCE", "detain"), "jail": ("COERCE", "detain"),
    "imprison": ("COERCE", "detain"), "seize": ("COERCE", "seize"), "confiscate": ("COERCE", "confiscate"),
    "censor": ("COERCE", "censor"), "deport": ("COERCE", "deport"), "destroy": ("COERCE", "destroy"),
    "demolish": ("COERCE", "destroy"), "raze": ("COERCE", "destroy"),
    "kidnap": ("COERCE", "abduct"), "abduct": ("COERCE", "abduct"),
    "strike": ("ASSAULT", None), "riot": ("PROTEST", "riot"), "picket": ("PROTEST", "demo"),
    "expel": ("SANCTION", "expel"), "convict": ("SANCTION", "convict"), "sentence": ("SANCTION", "convict"),
    "embargo": ("SANCTION", "economic"), "sever": ("SANCTION", "relations"),
    "break off": ("SANCTION", "relations"), "recall": ("SANCTION", "relations"),
})

# Nouns: they code an event as the object of a light verb ("held talks", "imposed sanctions") or as
# the subject of an occurrence verb ("talks began", "a blast killed").
NOUNS: dict[str, tuple[str, str | None]] = {}
for _cat, _words, _mode in [
    ("AGREE", "agreement, deal, accord, pact, treaty, memorandum, promise, pledge, commitment, "
              "offer, truce, ceasefire, cease-fire, settlement", None),
    ("CONSULT", "talk, negotiation, meeting, summit, discussion, consultation, dialogue, round, "
                "conference, session, parley, conversation, contact", None),
    ("CONSULT", "visit, trip, tour", "visit"),
    ("CONSULT", "mediation", "third-party"),
    ("CONSULT", "call", "phone"),
    ("SUPPORT", "support, praise, backing, endorsement, relations, tie", None),
    ("COOPERATE", "exercise, drill, game, cooperation, partnership, exchange, swap", None),
    ("AID", "aid, assistance, help, grant, loan, relief, asylum, donation", None),
    ("RETREAT", "withdrawal, pullout, pull-out, retreat, surrender, evacuation", "withdraw"),
    ("RETREAT", "release, repatriation", "release"),
    ("REQUEST", "demand, appeal, request, call, plea, ultimatum", None),
    ("ACCUSE", "accusation, criticism, complaint, charge, protest, allegation", "disapprove"),
    ("ACCUSE", "investigation, inquiry, probe, hearing", "investigate"),
    ("REJECT", "rejection, refusal, veto", None),
    ("THREATEN", "threat, warning", None),
    ("PROTEST", "demonstration, rally, march, riot, strike, sit-in, boycott", "demo"),
    ("PROTEST", "hunger strike", "strike-hun"),
    ("SANCTION", "sanction, embargo, ban, suspension, expulsion, cutoff, boycott", None),
    ("MOBILIZE", "troop, force, reinforcement, mobilization, deployment, patrol, build-up, buildup",
     "troops"),
    ("COERCE", "curfew, crackdown, arrest, blockade, raid, emergency, restriction", None),
    ("ASSAULT", "attack, offensive, assault, strike, airstrike, bombing, shelling, fire, raid, "
                "ambush, war, fighting, battle, invasion, massacre, blast, explosion", None),
]:
    for _word, _value in _entries(_cat, _words, _mode).items():
        NOUNS.setdefault(_word, _value)
NOUNS.update({"hunger strike": ("PROTEST", "strike-hun"), "general strike": ("PROTEST", "strike-gen"),
              "air strike": ("ASSAULT", "aerial"), "missile strike": ("ASSAULT", "aerial"),
              "drone strike": ("ASSAULT", "drone"), "war game": ("COOPERATE", None),
              "peace talk": ("CONSULT", None), "airstrike": ("ASSAULT", "aerial"), "bombing": ("ASSAULT", "explosives"),
              "blast": ("ASSAULT", "explosives"), "explosion": ("ASSAULT", "explosives"),
              "curfew": ("COERCE", "curfew"), "strike": ("PROTEST", "strike-gen"),
              "drone": ("ASSAULT", "drone"), "missile": ("ASSAULT", "aerial")})

# Nouns that only carry an event through their modifier ("mediation effort", "aid package").
GENERIC_NOUNS = {"effort", "effort", "process", "mission", "operation", "campaign", "package", "plan",
                 "initiative", "program", "programme", "bid", "move", "action", "activity"}

# Light verbs whose object noun carries the event ("hold talks", "launch an attack", "lodge a protest").
LIGHT_VERBS = {"hold", "have", "launch", "conduct", "carry", "stage", "make", "issue", "lodge",
               "impose", "sign", "reach", "conclude", "begin", "start", "open", "resume", "continue",
               "take", "mount", "give", "pay", "provide", "extend", "announce", "file", "express",
               "participate", "join", "host", "seal", "strike", "agree", "initiate", "deliver",
               "commence", "end", "lift", "call", "send", "declare", "grant", "order", "put", "place",
               "complete", "finish", "finalize", "finalise", "establish", "restore", "step", "intensify",
               "escalate", "step up", "undertake"}
# Verbs that end or suspend what their object noun names: ending cooperation is a SANCTION
# ("ended mediation efforts", "suspended talks", "broke off negotiations").
ENDING_VERBS = {"end", "halt", "suspend", "break", "cancel", "abandon", "freeze", "terminate", "quit"}
# Nouns that, after a light verb, mean something other than their own category.
LIGHT_OVERRIDES = {("impose", "curfew"): ("COERCE", "curfew"), ("impose", "sanction"): ("SANCTION", None),
                   ("lift", "sanction"): ("CONCEDE", None), ("lift", "ban"): ("CONCEDE", None),
                   ("lift", "curfew"): ("CONCEDE", None), ("lift", "blockade"): ("RETREAT", None),
                   ("lift", "emergency"): ("CONCEDE", None), ("declare", "ceasefire"): ("RETREAT", "ceasefire"),
                   ("declare", "war"): ("THREATEN", None), ("lodge", "protest"): ("ACCUSE", "disapprove"),
                   ("give", "aid"): ("AID", None), ("send", "troop"): ("MOBILIZE", "troops"),
                   ("open", "fire"): ("ASSAULT", "firearms"), ("go", "strike"): ("PROTEST", "strike-gen"),
                   ("open", "investigation"): ("ACCUSE", "investigate"),
                   ("launch", "investigation"): ("ACCUSE", "investigate"),
                   ("seek", "asylum"): ("REQUEST", None), ("seek", "refuge"): ("REQUEST", None),
                   ("sign", "agreement"): ("AGREE", None), ("reach", "agreement"): ("AGREE", None),
                   ("call", "strike"): ("PROTEST", "strike-gen"), ("stage", "strike"): ("PROTEST", "strike-gen"),
                   ("hold", "rally"): ("PROTEST", "demo-org"), ("stage", "rally"): ("PROTEST", "demo-org"),
                   ("exchange", "prisoner"): ("RETREAT", "release"), ("swap", "prisoner"): ("RETREAT", "release"),
                   # Giving in to what the other side asked for is PLOVER's CONCEDE, not an agreement.
                   ("accept", "demand"): ("CONCEDE", None), ("accept", "condition"): ("CONCEDE", None),
                   ("meet", "demand"): ("CONCEDE", None), ("grant", "demand"): ("CONCEDE", None),
                   ("accede", "demand"): ("CONCEDE", None), ("bow", "pressure"): ("CONCEDE", None)}
# Verbs whose event sense needs a person or a party as object ("executed prisoners", "received the
# envoy", "gave them weapons"), not a thing ("the exchange was executed", "received notice", "giving my
# assessment") ...
NEEDS_ACTOR_OBJECT = {"execute", "receive", "host", "welcome", "give", "hit", "strike", "beat", "charge"}
# ... or a party as subject ("the round yielded an outcome" is no concession).
NEEDS_ACTOR_SUBJECT = {"yield", "require", "open", "return", "ease", "reduce", "cut", "freeze"}
# Nouns for people and groups that are actors without being named entities.
PEOPLE = {"people", "man", "men", "woman", "women", "child", "children", "prisoner", "prisoners",
          "hostage", "hostages", "civilian", "civilians", "leader", "leaders", "member", "members",
          "group", "delegation", "side", "sides", "country", "countries", "nation", "nations",
          "party", "parties", "envoy", "official", "officials", "refugee", "refugees", "family",
          "families", "suspect", "suspects", "detainee", "detainees", "worker", "workers", "village",
          "villages", "town", "city", "position", "positions", "base", "convoy", "camp", "target"}

# Verbs of promising: their complement decides between a promise (AGREE) and a threat (THREATEN).
PROMISING = {"agree", "promise", "pledge", "vow", "offer", "commit", "swear", "undertake", "resolve"}
# Verbs of motion: "returned to Geneva for talks" is the talks, not a return.
MOTION = {"return", "travel", "arrive", "go", "come", "fly", "head", "leave", "gather", "assemble"}

# Verbs that report or frame another clause: the event is in their complement, not in them.
REPORTING = {"say", "tell", "announce", "report", "state", "add", "note", "claim", "reveal", "confirm",
             "declare", "stress", "emphasize", "emphasise", "indicate", "suggest", "believe", "think",
             "write", "quote", "according", "explain", "insist", "underscore", "highlight", "remark",
             "comment", "reiterate", "acknowledge", "mention", "predict", "hope", "expect", "conclude"}
# Verbs that only set a phase or intention of the complement ("decided to allow", "began to withdraw").
TRANSPARENT = {"decide", "begin", "start", "continue", "try", "attempt", "seek", "plan", "intend",
               "go", "move", "resume", "manage", "aim", "prepare", "want", "wish", "hope", "need",
               "expect", "set", "be", "become", "help", "get", "appear", "seem", "tend", "come", "keep"}
# Complement-taking verbs/adjectives that turn the complement into a promise (AGREE) ...
WILLING = {"willing", "ready", "prepared", "committed", "determined", "eager", "open"}
# ... or mark it as not (yet) real.
HYPOTHETICAL_AUX = {"could", "might", "may", "should", "must", "can", "ought"}
FUTURE_AUX = {"will", "would", "shall", "'ll", "wo"}

# Sector words (PLOVER/CAMEO actor sectors) found in the actor's noun phrase.
SECTORS = {
    "GOV": "government, president, minister, ministry, premier, chancellor, king, emir, official, "
           "officials, cabinet, administration, diplomat, ambassador, envoy, spokesman, spokeswoman, "
           "spokesperson, delegation, negotiator, secretary, governor, mayor, leader, authorities, "
           "authority, state, kremlin, advisor, adviser, regime, prime, foreign, embassy, junta, sheikh",
    "MIL": "army, military, troops, troop, soldier, soldiers, forces, force, navy, air force, general, "
           "commander, warship, warships, marines, battalion, brigade, artillery, defense, defence, "
           "staff, peacekeeper, peacekeepers, peacekeeping",
    "COP": "police, policeman, policemen, officer, officers, security forces",
    "REB": "rebel, rebels, insurgent, insurgents, guerrilla, guerrillas, militant, militants, "
           "separatist, separatists, militia, militias",
    "JUD": "court, judge, judges, tribunal, prosecutor, prosecutors, judiciary",
    "LEG": "parliament, congress, senate, legislature, lawmakers, lawmaker, deputies, mp, mps, senator",
    "OPP": "opposition, dissident, dissidents",
    "CVL": "civilians, residents, villagers, people, citizens, protesters, protestors, demonstrators, "
           "crowd, refugees, workers, students, farmers",
    "BUS": "company, companies, firm, business, businessmen, corporation, bank",
    "MED": "journalist, journalists, newspaper, media, reporter, reporters, television, radio",
    "SPY": "intelligence, spy, spies",
}
SECTOR_WORDS = {w.strip(): s for s, words in SECTORS.items() for w in words.split(",") if w.strip()}

# International and non-governmental organisations: PLOVER codes them IGO/NGO, not a country.
ORGANISATIONS = {
    "IGO": "united nations, un, u.n, security council, nato, european union, eu, european community, "
           "european commission, arab league, african union, asean, osce, imf, world bank, who, wfp, "
           "unhcr, unicef, icc, opec, world food program, world food programme, international labor office, "
           "ilo, iaea, wto, g7, g8, g20, commonwealth, unesco, interpol, ecowas, gcc",
    "NGO": "amnesty international, human rights watch, red cross, icrc, medecins sans frontieres, msf, "
           "doctors without borders, greenpeace, oxfam, save the children",
}
# Country names newsflow.countries does not know (acronyms and historic names), kept here.
EXTRA_COUNTRIES = {"prc": "CHN", "dprk": "PRK", "rok": "KOR", "ussr": "RUS", "soviet union": "RUS",
                   "burma": "MMR", "zaire": "COD", "yugoslavia": "SRB", "czechoslovakia": "CZE"}

ORGANISATION_CODES = {w.strip(): c for c, words in ORGANISATIONS.items() for w in words.split(",") if w.strip()}
