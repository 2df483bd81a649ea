"""Whether a coded event is asserted as fact: negation, future (announced) and hypothetical statements.

Read from the trigger's auxiliaries and markers and from the verbs that govern it ("plans to meet",
"could attack", "if ... withdraws"). PLOVER then codes an announced cooperative act as AGREE and an
announced material conflict as THREATEN (`tasks.events.coding`); negated and hypothetical reports are
recorded but never become events.
"""

from __future__ import annotations

FUTURE_AUX = {"will", "would", "shall", "'ll", "wo"}
HYPOTHETICAL_AUX = {"could", "might", "may", "should", "must", "can", "ought"}
# Verbs and adjectives that make their complement an intention, not a fact ("plans to meet").
INTENDING = {"plan", "intend", "prepare", "aim", "set", "expect", "want", "hope", "seek", "agree", "promise",
             "pledge", "vow", "offer", "commit", "swear", "undertake", "resolve", "willing", "ready",
             "prepared", "committed", "determined", "eager", "open"}


def modality(trig, reporting) -> tuple[bool, bool, bool]:
    """(negated, future, hypothetical) from the trigger and the verbs that govern it; `reporting(tok)`
    says whether a verb only reports its complement ("said"), whose own tense does not count."""
    negated = future = hypothetical = False
    tok, hops = trig, 0
    while True:
        for c in tok.children:
            low = c.lower_
            if c.dep_ == "neg" or low in ("never", "no"):
                negated = negated or hops == 0 or not reporting(tok)
            elif c.dep_ in ("aux", "auxpass"):
                if low in FUTURE_AUX or (low == "going" and hops == 0):
                    future = True
                elif low in HYPOTHETICAL_AUX:
                    hypothetical = True
            elif c.dep_ == "mark" and low in ("if", "unless", "whether"):
                hypothetical = True
        if hops and tok.lemma_.lower() in INTENDING:
            future = True
        if tok.dep_ not in ("xcomp", "ccomp", "acomp") or tok.head.i == tok.i or hops > 3:
            break
        if tok.dep_ == "ccomp" and reporting(tok.head):
            break  # "X said Y will attack": only Y's clause counts
        tok, hops = tok.head, hops + 1
    return negated, future, hypothetical
