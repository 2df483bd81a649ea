import pyarrow as pa

from tasks.nlp.ner import _trim, canonical_name, extract_entities, headline_spans


def _run(text, settings, nlp):
    articles = pa.table({"article_id": ["a1"], "text": [text]})
    return extract_entities(articles, settings, nlp=nlp)


def test_offsets_are_exact_and_labels_known(settings, nlp):
    text = ("Turkish Foreign Minister Hakan Fidan met Marco Rubio in Istanbul on Friday.\n"
            "Russia agreed to exchange 1,000 prisoners, the Kremlin said.")
    entities, mentions = _run(text, settings, nlp)
    assert mentions.num_rows >= 4
    for m in mentions.to_pylist():
        assert text[m["start_char"]:m["end_char"]] == m["text"]
        assert m["label"] in settings.entity_labels
    names = {(e["name"], e["label"]) for e in entities.to_pylist()}
    assert ("Hakan Fidan", "PERSON") in names
    assert ("Istanbul", "GPE") in names


def test_headline_fragments_need_the_body_to_back_them(settings, nlp):
    text = ("Peace Talks: Istanbul’s Key Negotiations Resume\n"
            "Delegations from both countries met in Istanbul on Monday to discuss a ceasefire.")
    _, mentions = _run(text, settings, nlp)
    surfaces = set(mentions.column("text").to_pylist())
    assert not any("Key Negotiations" in s for s in surfaces)
    assert "Istanbul" in surfaces


def test_headline_spans_detects_title_case_lines_only():
    text = "Stalemate on Ceasefire Demands\nThe talks went on for hours, officials said.\n"
    assert headline_spans(text) == [(0, len("Stalemate on Ceasefire Demands"))]


def test_trim_drops_possessive_quotes_and_leading_the():
    text = "“the Kremlin’s” view"
    start, end = _trim(text, 0, 15)
    assert text[start:end] == "Kremlin"
    assert canonical_name("Turkey’s  Foreign   Ministry") == "Turkey's Foreign Ministry"


def test_same_entity_in_two_articles_gets_one_id(settings, nlp):
    articles = pa.table({"article_id": ["a1", "a2"],
                         "text": ["Vladimir Putin spoke in Moscow on Tuesday.",
                                  "On Wednesday, Vladimir Putin travelled from Moscow to Minsk."]})
    entities, mentions = extract_entities(articles, settings, nlp=nlp)
    putin = [m for m in mentions.to_pylist() if m["text"] == "Vladimir Putin"]
    assert len(putin) == 2 and putin[0]["entity_id"] == putin[1]["entity_id"]
    assert len(set(entities.column("entity_id").to_pylist())) == entities.num_rows


def test_empty_batch(settings):
    entities, mentions = extract_entities(pa.table({"article_id": pa.array([], pa.string()),
                                                    "text": pa.array([], pa.string())}), settings)
    assert entities.num_rows == 0 and mentions.num_rows == 0


def test_trim_keeps_abbreviation_periods():
    text = "the U.S. and Russia."
    assert text[slice(*_trim(text, 0, 8))] == "U.S."
    assert text[slice(*_trim(text, 13, 20))] == "Russia"
