"""Entity resolution: name keys, type repair, within-article links, cross-night stable ids, overrides."""

from datetime import datetime, timezone

import pytest

from newsflow.config import Settings
from tasks.entities import canonical
from tasks.entities import overrides
from tasks.entities.store import warehouse_lookup
from tasks.store.load import load_batch
from tasks.entities.names import block_key, name_key, person_similarity
from tests import factories as f
from warehouse import db

SETTINGS = Settings()
NIGHT1 = datetime(2025, 5, 16, tzinfo=timezone.utc)
NIGHT2 = datetime(2025, 6, 2, tzinfo=timezone.utc)


def _batch(*docs):
    """docs: (text, [(surface, label), ...]) with each surface found at its n-th occurrence in order."""
    arts, ments = [], []
    for text, spans in docs:
        art = f.article(text=text, source=f"{len(arts)}.txt")
        arts.append(art)
        pos = 0
        for surface, label in spans:
            start = text.index(surface, pos)
            ments.append(f.mention(art, surface, label, start=start))
            pos = start + len(surface)
    return f.articles(*arts), f.entities(), f.mentions(*ments)


def _resolve(*docs, known=canonical._no_warehouse, rules=None):
    arts, ents, ments = _batch(*docs)
    entities, mentions, aliases = canonical.canonicalise(arts, ents, ments, SETTINGS, known=known,
                                                         rules=rules or overrides.Overrides())
    names = {e["entity_id"]: e["name"] for e in entities.to_pylist()}
    by_text = {}
    for m in mentions.to_pylist():
        by_text.setdefault(m["text"], set()).add(names[m["entity_id"]])
    return arts, entities, mentions, aliases, by_text


@pytest.mark.parametrize("a, b", [
    ("Vladimir Medinski", "Vladimir Medinskiy"), ("Vladimir Medinsky", "Vladimir Medinskiy"),
    ("Volodymyr Zelensky", "Volodymyr Zelenskyy"), ("Sergei Lavrov", "Sergey Lavrov"),
    ("Vasiliy Nebenzya", "Vasily Nebenzia"), ("President Putin", "Putin"), ("Mr. Rubio", "Rubio"),
])
def test_spelling_variants_share_a_block_and_match(a, b):
    assert block_key(a, "PERSON") == block_key(b, "PERSON")
    assert name_key(a, "PERSON") == name_key(b, "PERSON") or person_similarity(a, b) >= 0.9


def test_different_people_stay_apart():
    assert block_key("Vladimir Putin", "PERSON") != block_key("Vladimir Medinsky", "PERSON")
    assert person_similarity("Ed Miliband", "David Miliband") < SETTINGS.person_match_threshold
    assert name_key("Dolmabahçe Palace", "FAC") == name_key("Dolmabahce Palace", "FAC")
    assert name_key("Foreign Ministry", "ORG") == name_key("foreign ministry")  # titles only come off people
    assert name_key("President Putin", "PERSON") == name_key("Putin")


def test_short_forms_link_to_the_full_name_in_the_article():
    *_, by_text = _resolve(
        ("Turkish Foreign Minister Hakan Fidan opened the talks. Later Fidan said more. "
         "President Putin stayed away, Vladimir Putin said. Mr. Rubio and Marco Rubio agreed.",
         [("Hakan Fidan", "PERSON"), ("Fidan", "PERSON"), ("President Putin", "PERSON"),
          ("Vladimir Putin", "PERSON"), ("Mr. Rubio", "PERSON"), ("Marco Rubio", "PERSON")]))
    assert by_text["Fidan"] == {"Hakan Fidan"}
    assert by_text["President Putin"] == {"Vladimir Putin"}
    assert by_text["Mr. Rubio"] == {"Marco Rubio"}


def test_an_ambiguous_short_form_is_not_linked():
    *_, by_text = _resolve(
        ("Ed Miliband and David Miliband met at home. Miliband spoke first, the brothers said.",
         [("Ed Miliband", "PERSON"), ("David Miliband", "PERSON"), ("Miliband", "PERSON")]))
    assert by_text["Miliband"] == {"Miliband"}
    assert by_text["Ed Miliband"] != by_text["David Miliband"]


def test_variants_across_articles_and_types_merge_in_a_batch():
    *_, entities, _, _, by_text = _resolve(
        ("Kremlin advisor Vladimir Medinski led the talks at Dolmabahce Palace in Istanbul today.",
         [("Vladimir Medinski", "PERSON"), ("Dolmabahce Palace", "FAC"), ("Istanbul", "GPE")]),
        ("Vladimir Medinskiy and Sergey Lavrov met Vladimir Putin at the Dolmabahçe Palace in Istanbul.",
         [("Vladimir Medinskiy", "PERSON"), ("Sergey Lavrov", "PERSON"), ("Vladimir Putin", "PERSON"),
          ("Dolmabahçe Palace", "FAC"), ("Istanbul", "LOC")]),
        ("Sergei Lavrov spoke to reporters while Putin waited in Moscow for the news.",
         [("Sergei Lavrov", "PERSON"), ("Putin", "PERSON"), ("Moscow", "GPE")]),
    )
    assert by_text["Vladimir Medinski"] == by_text["Vladimir Medinskiy"]
    assert by_text["Sergei Lavrov"] == by_text["Sergey Lavrov"]
    assert by_text["Putin"] == {"Vladimir Putin"}  # the one full name of its block in the batch
    assert by_text["Vladimir Putin"] != by_text["Vladimir Medinskiy"]
    assert by_text["Dolmabahce Palace"] == by_text["Dolmabahçe Palace"]
    istanbul = [e for e in entities.to_pylist() if e["name"] == "Istanbul"]
    assert len(istanbul) == 1 and istanbul[0]["country_code"] == "TUR"  # GPE + LOC: one place


def test_type_repair():
    *_, mentions, _, by_text = _resolve(
        ("Held along the Bosphorus, the talks moved to Kyiv. Russia's envoy Vasiliy Nebenzya spoke. "
         "U.S. Secretary of State Marco Rubio and Trump’s Ukraine envoy came, Defense Minister Rustem "
         "Umerov said. The head of the Putin Russian delegation, Vladimir Putin, waited.",
         [("Bosphorus", "PERSON"), ("Kyiv", "PERSON"), ("Vasiliy Nebenzya", "ORG"), ("State", "ORG"),
          ("Marco Rubio", "PERSON"), ("Trump’s Ukraine", "PERSON"), ("Putin Russian", "PERSON"),
          ("Vladimir Putin", "PERSON")]))
    labels = {m["text"]: m["label"] for m in mentions.to_pylist()}
    assert labels["Kyiv"] == "GPE" and labels["Bosphorus"] == "LOC"
    assert labels["Vasiliy Nebenzya"] == "PERSON" and labels["Rustem Umerov"] == "PERSON"
    assert "State" not in labels and "Trump’s Ukraine" not in labels and labels["Trump"] == "PERSON"
    assert by_text["Putin"] == {"Vladimir Putin"}


def test_a_region_the_phoenix_dictionary_lists_is_a_place_of_its_country():
    _, entities, mentions, _, _ = _resolve(("Russia annexed Crimea in 2014; Bavaria sent aid to Kyiv.",
                                            [("Crimea", "ORG"), ("Bavaria", "ORG"), ("Kyiv", "GPE")]))
    labels = {m["text"]: m["label"] for m in mentions.to_pylist()}
    assert labels["Crimea"] == "GPE" and labels["Bavaria"] == "GPE"
    rows = {e["name"]: e for e in entities.to_pylist()}
    assert (rows["Crimea"]["country_code"], rows["Crimea"]["geonames_id"]) == ("UKR", None)  # no gazetteer id
    assert rows["Bavaria"]["country_code"] == "DEU" and rows["Crimea"]["entity_id"] != rows["Kyiv"]["entity_id"]


def test_offsets_stay_exact_after_repair():
    arts, _, mentions, _, _ = _resolve(
        ("Trump’s Ukraine envoy came, and the Putin Russian delegation left Kyiv the next day.",
         [("Trump’s Ukraine", "PERSON"), ("Putin Russian", "PERSON"), ("Kyiv", "PERSON")]))
    text = arts.column("text")[0].as_py()
    for m in mentions.to_pylist():
        assert text[m["start_char"]:m["end_char"]] == m["text"]


@pytest.fixture
def con():
    c = db.connect(":memory:")
    yield c
    c.close()


def _load_night(con, run, now, *docs, rules=None):
    arts, ents, ments = _batch(*docs)
    entities, mentions, aliases = canonical.canonicalise(
        arts, ents, ments, SETTINGS, known=warehouse_lookup(con), rules=rules or overrides.Overrides())
    load_batch(con, run, now, {"articles": arts, "entities": entities, "mentions": mentions,
                               "entity_aliases": aliases}, [])
    return {m["text"]: m["entity_id"] for m in mentions.to_pylist()}


def test_a_new_nights_variant_attaches_to_the_existing_id(con):
    first = _load_night(con, "r1", NIGHT1, (
        "Kremlin advisor Vladimir Medinski met Volodymyr Zelensky and Vasiliy Nebenzya in Istanbul.",
        [("Vladimir Medinski", "PERSON"), ("Volodymyr Zelensky", "PERSON"),
         ("Vasiliy Nebenzya", "PERSON"), ("Istanbul", "GPE")]))
    second = _load_night(con, "r2", NIGHT2, (
        "Vladimir Medinsky and Volodymyr Zelenskyy talked; Vasily Nebenzia and Vladimir Putin did not. "
        "Zelenskyy left Istanbul.",
        [("Vladimir Medinsky", "PERSON"), ("Volodymyr Zelenskyy", "PERSON"), ("Vasily Nebenzia", "PERSON"),
         ("Vladimir Putin", "PERSON"), ("Zelenskyy", "PERSON"), ("Istanbul", "LOC")]))
    assert second["Vladimir Medinsky"] == first["Vladimir Medinski"]
    assert second["Volodymyr Zelenskyy"] == second["Zelenskyy"] == first["Volodymyr Zelensky"]
    assert second["Vasily Nebenzia"] == first["Vasiliy Nebenzya"]
    assert second["Istanbul"] == first["Istanbul"]
    assert second["Vladimir Putin"] not in first.values()
    row = con.execute("select name, aliases, mention_count, article_count, first_seen, last_seen "
                      "from entities where entity_id = ?", [first["Vladimir Medinski"]]).fetchall()[0]
    assert row[0] == "Vladimir Medinski" and row[1] == ["Vladimir Medinski", "Vladimir Medinsky"]
    assert row[2:4] == (2, 2) and row[4] == NIGHT1 and row[5] == NIGHT2
    assert con.execute("select entity_id from entity_aliases where alias = 'Vasily Nebenzia'"
                       ).fetchall() == [(first["Vasiliy Nebenzya"],)]


def test_a_lone_surname_next_night_joins_the_stored_full_name(con):
    first = _load_night(con, "r1", NIGHT1, ("Hakan Fidan opened the talks in Istanbul on Friday morning.",
                                            [("Hakan Fidan", "PERSON")]))
    second = _load_night(con, "r2", NIGHT2, ("Fidan closed the talks in Istanbul on Monday evening.",
                                             [("Fidan", "PERSON")]))
    assert second["Fidan"] == first["Hakan Fidan"]


def test_overrides_merge_split_rename_drop(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text(
        "# comment\naction,name,label,target,note\n"
        "merge,Ze,PERSON,Volodymyr Zelensky,nickname\n"
        "split,Fidan,PERSON,,another Fidan\n"
        "rename,Volodymyr Zelensky,PERSON,Volodymyr Zelenskyy,official spelling\n"
        "drop,Breaking,,,headline word\n", encoding="utf-8")
    rules = overrides.load(path)
    *_, by_text = _resolve(
        ("Breaking: Volodymyr Zelensky, called Ze, met Hakan Fidan. Fidan is another man here.",
         [("Breaking", "ORG"), ("Volodymyr Zelensky", "PERSON"), ("Ze", "PERSON"),
          ("Hakan Fidan", "PERSON"), ("Fidan", "PERSON")]), rules=rules)
    assert by_text["Ze"] == by_text["Volodymyr Zelensky"] == {"Volodymyr Zelenskyy"}
    assert by_text["Fidan"] == {"Fidan"}
    assert "Breaking" not in by_text
    with pytest.raises(ValueError):
        overrides.parse(["action,name,label,target,note", "merge,X,,,"])


def test_the_shipped_overrides_file_parses():
    assert isinstance(overrides.load(None), overrides.Overrides)


def test_a_stored_bare_surname_keeps_its_id_and_gets_the_full_name(con):
    first = _load_night(con, "r1", NIGHT1, ("Putin and his delegation stayed in Moscow on Friday.",
                                            [("Putin", "PERSON")]))
    second = _load_night(con, "r2", NIGHT2, ("Vladimir Putin said on Monday that Putin would go.",
                                             [("Vladimir Putin", "PERSON"), ("Putin", "PERSON")]))
    assert second["Vladimir Putin"] == second["Putin"] == first["Putin"]
    assert con.execute("select name, mention_count from entities where entity_id = ?",
                       [first["Putin"]]).fetchall() == [("Vladimir Putin", 3)]


def test_overrides_fix_what_is_already_stored(con):
    from tasks.store.load import apply_entity_overrides

    first = _load_night(con, "r1", NIGHT1, (
        "Muammar Gaddafi met Muammar Qaddafi's envoy. Breaking news from Tripoli, Hakan Fidan said.",
        [("Muammar Gaddafi", "PERSON"), ("Muammar Qaddafi", "PERSON"), ("Breaking", "ORG"),
         ("Hakan Fidan", "PERSON")]))
    assert first["Muammar Gaddafi"] != first["Muammar Qaddafi"]  # below the threshold: two entities
    rules = overrides.parse(["action,name,label,target,note",
                             "merge,Muammar Qaddafi,PERSON,Muammar Gaddafi,",
                             "rename,Hakan Fidan,PERSON,Hakan Fidan (FM),",
                             "drop,Breaking,,,"])
    changed = apply_entity_overrides(con, rules)
    assert changed == {"mentions_moved": 1, "mentions_dropped": 1, "renamed": 1}
    rows = dict(con.execute("select text, entity_id from mentions").fetchall())
    assert rows["Muammar Qaddafi"] == rows["Muammar Gaddafi"] == first["Muammar Gaddafi"]
    assert "Breaking" not in rows
    assert con.execute("select count(*) from entities where entity_id = ?",
                       [first["Muammar Qaddafi"]]).fetchall() == [(0,)]
    assert con.execute("select mention_count, aliases from entities where entity_id = ?",
                       [first["Muammar Gaddafi"]]).fetchall() == [(2, ["Muammar Gaddafi", "Muammar Qaddafi"])]
    assert con.execute("select name from entities where entity_id = ?",
                       [first["Hakan Fidan"]]).fetchall() == [("Hakan Fidan (FM)",)]
    assert apply_entity_overrides(con, rules) == {"mentions_moved": 0, "mentions_dropped": 0, "renamed": 0}


def test_type_repair_knows_office_holders_from_the_actor_dictionary():
    # "Narendra" is in no given-name list newsflow has; the dictionary knows the man.
    *_, mentions, _, _ = _resolve(("Narendra Modi met Recep Tayyip Erdogan in Delhi.",
                                   [("Narendra Modi", "ORG"), ("Recep Tayyip Erdogan", "GPE")]))
    labels = {m["text"]: m["label"] for m in mentions.to_pylist()}
    assert labels["Narendra Modi"] == "PERSON" and labels["Recep Tayyip Erdogan"] == "PERSON"


def test_type_repair_reads_the_users_actor_dictionary_too(tmp_path):
    # "Eevaliina" is in no given-name list, so only the user's row can make the ORG a PERSON.
    ours = tmp_path / "actors.csv"
    ours.write_text("name,country,sector,role,start_year,end_year,aliases\n"
                    "Eevaliina Vasarahammas,FIN,GOV,mayor of Tampere,2021,,\n", encoding="utf-8")
    arts, ents, ments = _batch(("Eevaliina Vasarahammas opened the harbour.", [("Eevaliina Vasarahammas", "ORG")]))
    for settings, label in ((SETTINGS, "ORG"), (SETTINGS.with_overrides(actor_dictionary=ours), "PERSON")):
        _, mentions, _ = canonical.canonicalise(arts, ents, ments, settings, rules=overrides.Overrides())
        assert [m["label"] for m in mentions.to_pylist()] == [label]
