"""The analyse/commit split leaves what one inline pass left: batch-local entity keys in analyse,
mapped to canonical ids in commit; dedupe that counts on batches still in flight."""

import pyarrow as pa
import pytest

from newsflow.batches import ARTICLE
from tasks import analyse, commit
from tasks.entities import canonical
from tasks.events import mentions as event_mentions
from tasks.nlp import dates, ner, parse, quotes
from tasks.sources.ingest import read_documents
from tasks.text.clean import clean_batch
from tests import factories as f
from tests.conftest import SEEDS
from warehouse import db


@pytest.fixture(scope="module")
def articles(settings):
    raw, _ = read_documents(sorted(SEEDS.iterdir())[:2], settings)
    cleaned, _ = clean_batch(raw, settings)
    return cleaned


def test_commit_maps_batch_local_keys_to_the_ids_one_inline_pass_gave(settings, nlp, articles):
    docs = parse.parse_articles(articles, settings, nlp=nlp)
    _, raw_mentions = ner.extract_entities(articles, settings, docs=docs)
    # one pass, as before the split: canonical ids first, then quotes and events read them
    ents, ments, aliases = canonical.canonicalise(articles, None, raw_mentions, settings)
    inline = {"entities": ents, "mentions": ments, "entity_aliases": aliases,
              "quotes": quotes.extract_quotes(articles, ments, settings), "dates": dates.extract_dates(articles, docs),
              "event_mentions": event_mentions.extract_events(articles, docs, ments, settings)}

    analysed = analyse.analyse(articles, settings)
    assert analysed.failure is None
    local = analysed.tables["mentions"]
    assert local.column("entity_id").to_pylist() == local.column("mention_id").to_pylist()
    resolved = commit.resolve_entities(analysed.tables, settings, con=None, places=analysed.places)
    for name, table in inline.items():
        assert resolved[name].sort_by([(c, "ascending") for c in table.column_names[:1]]).to_pylist() == \
            table.sort_by([(c, "ascending") for c in table.column_names[:1]]).to_pylist(), name
    assert any(r["source_entity_id"] for r in resolved["event_mentions"].to_pylist())


def test_a_copy_of_an_article_still_in_flight_is_a_duplicate(tmp_path):
    con = db.connect(tmp_path / "wh.duckdb")
    first = f.article()
    copy = f.article(source="b.txt")  # same text: same article
    other = f.article(text="A different article about negotiations in Geneva and in Vienna. " * 2)
    in_flight = commit.InFlight()
    kept, dups = commit.new_articles(f.articles(first), con, in_flight)
    in_flight.add(kept)
    kept2, dups2 = commit.new_articles(f.articles(copy, other), con, in_flight)
    assert kept2.column("article_id").to_pylist() == [other["article_id"]]
    assert [(d.source, d.duplicate_of) for d in dups2] == [("b.txt", first["article_id"])]
    in_flight.remove(kept)  # committed (or failed): the warehouse answers from now on
    assert in_flight.keys == {} and in_flight.batches == 0
    kept3, _ = commit.new_articles(f.articles(copy), con, in_flight)
    assert kept3.num_rows == 1  # batch 1 never loaded it: the copy is new after all
    con.close()


def test_a_failing_stage_is_the_batch_result_not_an_exception(settings, monkeypatch):
    monkeypatch.setattr(analyse.parse, "parse_articles", lambda *a: 1 / 0)
    out = analyse.analyse(f.articles(f.article()), settings)
    assert (out.failure.stage, out.failure.error) == ("parse", "ZeroDivisionError: division by zero")
    monkeypatch.setattr(analyse.clean, "clean_batch", lambda *a: [][0])
    prepared = analyse.prepare(settings, raw=pa.table({"body": ["x"]}))
    assert prepared.failure.stage == "clean" and prepared.cleaned.schema == ARTICLE
