"""Quotations with their speakers, and the gazetteer behind places."""

from newsflow.config import Settings
from tasks.entities.places import geocode, is_known_place
from tasks.nlp.quotes import extract_quotes
from tests import factories as f

SETTINGS = Settings()


def _quotes(text, people):
    art = f.article(text=text)
    ments, taken = [], set()
    for name in sorted(people, key=len, reverse=True):  # "Hakan Fidan" before the "Fidan" inside it
        start = 0
        while (start := text.find(name, start)) >= 0:
            if start not in taken and start + len(name) - 1 not in taken:
                m = f.mention(art, name, "PERSON", start=start)
                m["entity_id"] = "id-" + name.split()[-1]
                ments.append(m)
                taken.update(range(start, start + len(name)))
            start += len(name)
    rows = extract_quotes(f.articles(art), f.mentions(*ments), SETTINGS).to_pylist()
    for r in rows:
        assert text[r["start_char"]:r["end_char"]] == r["quote"]
    return {r["quote"]: r for r in rows}


def test_cue_before_and_after_and_pronouns():
    text = ("Turkish Foreign Minister Hakan Fidan opened the talks, stating, \"We must move towards peace. "
            "Every day we lose means losing lives.\" He was firm.\n"
            "Rubio told reporters the talks would be hard.\n"
            "“I hope I’m wrong—completely wrong. But I’m just giving my honest assessment,” he said.\n"
            "“The talks are over for today,” said Fidan after the meeting.\n"
            "Marco Rubio said: “We will keep talking to both sides here.”")
    q = _quotes(text, ["Hakan Fidan", "Fidan", "Rubio", "Marco Rubio"])
    fidan = q["We must move towards peace. Every day we lose means losing lives."]
    assert (fidan["speaker"], fidan["cue"], fidan["attribution"]) == ("Hakan Fidan", "stating", "cue")
    rubio = q["I hope I’m wrong—completely wrong. But I’m just giving my honest assessment"]
    assert (rubio["speaker_entity_id"], rubio["cue"], rubio["attribution"]) == ("id-Rubio", "said", "pronoun")
    assert q["The talks are over for today"]["speaker_entity_id"] == "id-Fidan"
    assert q["We will keep talking to both sides here."]["speaker"] == "Marco Rubio"


def test_a_quote_standing_alone_takes_the_previous_sentences_speaker():
    text = ("Hakan Fidan addressed the delegations in the palace on Friday. "
            "“Our doors stay open to both of you.” The meeting then began.")
    q = _quotes(text, ["Hakan Fidan"])
    row = q["Our doors stay open to both of you."]
    assert (row["speaker"], row["attribution"]) == ("Hakan Fidan", "previous_sentence")


def test_scare_quotes_and_unattributed_phrases_are_not_quotations():
    text = ("Zelensky said Russia was “not serious” about the talks. Both sides want an "
            "“unconditional and complete ceasefire” in the region, it seems to observers.")
    assert _quotes(text, ["Zelensky"]) == {}


def test_gazetteer():
    istanbul = geocode("Istanbul")
    assert istanbul["country_code"] == "TUR" and abs(istanbul["latitude"] - 41.01) < 0.05
    assert abs(istanbul["longitude"] - 28.97) < 0.05
    assert geocode("Kiev")["geonames_id"] == geocode("Kyiv")["geonames_id"]
    assert geocode("Paris")["country_code"] == "FRA"
    assert geocode("Paris", {"USA"})["country_code"] == "USA"  # the article's countries decide
    assert geocode("Ukraine") == {"name": "Ukraine", "country_code": "UKR", "geonames_id": 690791, "latitude": 49.0,
                                  "longitude": 32.0, "geo_type": "country"}  # countryinfo's centroid
    assert geocode("Istanbul")["geo_type"] == "city" and geocode("the Netherlands")["latitude"] is not None
    assert is_known_place("Kyiv") and not is_known_place("Bosphorus") and not is_known_place("Putin")
