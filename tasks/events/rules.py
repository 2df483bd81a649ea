"""The few rules newsflow adds to the field's dictionaries, by name: `benchmarks/event_quality.py
--ablate` switches each off in turn, so each is measured on the half of the gold it was not written on
(docs/benchmarks.md). A rule that cites the PLOVER manual follows the manual's own text."""

RULES = frozenset({
    "future",           # PLOVER: announced cooperation is AGREE, announced material conflict THREATEN
    "unless_threat",    # "will withdraw ... unless": an ultimatum is THREATEN
    "claim_own_act",    # "X claimed to have attacked Y": the attack (PETRARCH's CLAIM transformation)
    "must_request",     # "X said Y must withdraw": X's REQUEST of Y
    "refuse_to",        # "refused to deploy": refusing an act is REJECT (the dictionary's REFUSE block)
    "agree_is_agree",   # the dictionary's bare AGREE verb (050) is PLOVER's AGREE ("Agree to, offer, ...")
    "resign_retreat",   # PLOVER manual: "RETREAT also covers resignations of government officials"
    "place_of_attack",  # "a roadside bombing near Samarra killed": no doer named, the place's country
    "manual_blocks",    # PLOVER manual over a block's generic code: "released" RETREAT, "sued" ACCUSE
    "armed_surrender",  # "rebels surrendered": an armed party yielding is a military retreat (0874)
    "joint_exercise",   # PLOVER manual: joint military exercises of two countries are COOPERATE
    "consult_content",  # PLOVER manual: a meeting "to complain" is coded for its content (ACCUSE, REJECT)
    "purpose_noun",     # "participated in talks", "returned for talks": the event the in/for phrase names
    "halting_noun",     # "announced a suspension of air links": halting what the noun's "of" phrase names
    "pair_meets",       # a meeting verb the dictionary lists as no event ("reconvene") meets two parties
    "host_third_party", # "Turkey convened Russian and Ukrainian leaders": the two meet, the host is third
    "chair_not_party",  # "Fidan opened the talks": the one who opens known talks alone is not their party
})
