"""A line break ends a sentence: the cleaned text has one paragraph (or heading) per line, and a
heading glued to the next sentence ("Stalemate on Ceasefire Demands / The Russian delegation ...")
would make the heading part of that sentence's parse.

A spaCy component placed before the parser; the parser keeps the boundaries it is given.
"""

from __future__ import annotations

from spacy.language import Language

NAME = "newsflow_line_breaks"


@Language.component(NAME)
def line_breaks(doc):
    for tok in doc[:-1]:
        if "\n" in tok.text or "\n" in tok.whitespace_:
            doc[tok.i + 1].is_sent_start = True
    return doc


def add_to(nlp) -> None:
    """Adds the component before the parser (once)."""
    if NAME not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(NAME, before="parser")
