"""The real nightly flow on seeds/: Prefect (test harness), spaCy, Great Expectations, DuckDB."""

import json
import shutil
from datetime import date

import duckdb
import pyarrow.dataset as ds
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.e2e

TITLES = {
    "Russia and Ukraine Engage in First Direct Peace Talks in Istanbul",
    "Russian and Ukrainian negotiators hold first direct Peace Talks in over three years",
    "Talks about End of Conflicts? Another Round between Ukraine and Russia in Istanbul Wrap Up",
    "Russia Ukraine Peace Talks: Istanbul’s Key Negotiations",
    "BREAKING: Putin and Zelensky delegations meet face to face,Talks.",
}
BOILERPLATE_LINES = {
    "Leave a Reply", "No comments", "Ad", "Share", "0", "45", "1. Home page", "2. Breaking News",
    "Discuss, Share, Chat, Mail, Print, Copy Link", "Related Sources:",
    "Your email address will not be published. Required fields are marked *",
    "Thanks for viewing, your comments are appreciated.",
    "Need to contact us for gossips, news reports, adverts or anything?",
    "Email us on; olomoinfo@gmail.com",
}


@pytest.fixture(scope="module")
def seeded(prefect_harness, tmp_path_factory):
    """Runs the flow twice on the seeds; returns (db path, first summary, second summary, snapshot)."""
    from flows.nightly import nightly

    db = tmp_path_factory.mktemp("wh") / "newsflow.duckdb"
    first = nightly(inputs=[str(SEEDS)], db_path=str(db))
    snapshot = _snapshot(db)
    second = nightly(inputs=[str(SEEDS)], db_path=str(db))
    return db, first, second, snapshot


def _snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("articles", "entities", "mentions")}


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_five_articles_with_their_titles(seeded):
    db, first, *_ = seeded
    assert first["status"] == "success", first
    assert first["articles_new"] == 5 and first["docs_seen"] == 5 and first["quarantined"] == 0
    assert {r[0] for r in _query(db, "select title from articles")} == TITLES


def test_no_boilerplate_and_title_not_repeated(seeded):
    db, *_ = seeded
    for title, text in _query(db, "select title, text from articles"):
        lines = {line.strip() for line in text.split("\n")}
        assert not lines & BOILERPLATE_LINES, title
        assert text.split("\n")[0].strip() != title
        assert "**" not in text
    texts = " ".join(r[0] for r in _query(db, "select text from articles"))
    for sentence in ("We must move towards peace. Every day we lose means losing lives.",
                     "I hope I’m wrong—completely wrong.",
                     "a mutual prisoner exchange involving 1,000 individuals"):
        assert sentence in texts


def test_entity_offsets_are_exact(seeded):
    db, first, *_ = seeded
    rows = _query(db, "select a.text, m.text, m.start_char, m.end_char from mentions m "
                      "join articles a using (article_id)")
    assert len(rows) == first["rows_loaded"]["mentions"] > 100
    assert all(text[s:e] == surface for text, surface, s, e in rows)
    # every mention points at an entity row, and the headline junk did not become an entity
    assert _query(db, "select count(*) from mentions left join entities using (entity_id) "
                      "where entities.name is null") == [(0,)]
    names = {r[0] for r in _query(db, "select name from entities")}
    assert not any("Key Negotiations" in n for n in names)
    people = {r[0] for r in _query(db, "select name from entities where label = 'PERSON'")}
    assert {"Hakan Fidan", "Marco Rubio", "Vladimir Putin"} <= people


def test_second_run_changes_nothing(seeded):
    db, first, second, snapshot = seeded
    assert second["articles_new"] == 0 and second["articles_duplicate"] == 5
    assert set(second["rows_loaded"].values()) == {0}
    assert _snapshot(db) == snapshot


def test_runs_are_recorded(seeded):
    db, first, second, _ = seeded
    rows = _query(db, "select run_id, status, docs_seen, articles_new, validation_success, "
                      "flow_run_id, stage_seconds, finished_at from runs order by started_at")
    assert [r[0] for r in rows] == [first["run_id"], second["run_id"]]
    run = rows[0]
    assert run[1:5] == ("success", 5, 5, True)
    assert run[5] and run[7] is not None
    assert {"ingest", "clean", "entities", "validate", "load"} <= set(json.loads(run[6]))


def test_views_and_parquet_lake(seeded):
    db, *_ = seeded
    assert _query(db, "select count(*) from entity_counts_per_day")[0][0] > 0
    assert _query(db, "select count(*) from entity_counts_per_source")[0][0] > 0
    top = _query(db, "select entity_a, entity_b, articles from entity_cooccurrence "
                     "order by articles desc limit 1")[0]
    assert top[2] >= 4
    lake = db.parent / "lake"
    articles = ds.dataset(lake / "articles", format="parquet", partitioning="hive").to_table()
    assert articles.num_rows == 5 and "ingest_date" in articles.column_names
    assert (lake / "mentions" / "mentions.parquet").exists()


def test_bad_inputs_are_quarantined_and_the_night_goes_on(prefect_harness, tmp_path):
    from flows.nightly import nightly

    inputs = tmp_path / "in"
    shutil.copytree(SEEDS, inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (inputs / "feed.jsonl").write_text(
        json.dumps({"url": "https://example.org/future", "title": "From the future",
                    "text": "Delegations met again in Istanbul to talk about a ceasefire. " * 4,
                    "published_at": "2099-01-01T00:00:00Z"}) + "\n{not json\n", encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    state = nightly(inputs=[str(inputs), str(tmp_path / "missing.txt")], db_path=str(db), return_state=True)
    assert state.is_failed()  # a critical expectation failed: the Prefect flow run is Failed...
    summary = state.result(raise_on_failure=False)  # ...and carries the run summary
    assert summary["articles_new"] == 5
    assert summary["status"] == "failed" and not summary["validation_success"]
    reasons = dict(_query(db, "select source, reason from quarantine"))
    assert reasons[str(inputs / "empty.txt")] == "empty file"
    assert reasons[str(inputs / "image.html")].startswith("binary content")
    assert reasons[str(tmp_path / "missing.txt")].startswith("path not found")
    assert reasons[f"{inputs / 'feed.jsonl'}#L2"].startswith("invalid JSON")
    assert "published_at" in reasons[f"{inputs / 'feed.jsonl'}#L1"]
    assert _query(db, "select count(*) from quarantine where payload is not null")[0][0] >= 3


def _entity_of(db, surface):
    return {r[0] for r in _query(db, f"select distinct entity_id from mentions where text = '{surface}'")}


def test_spelling_variants_are_one_entity(seeded):
    db, *_ = seeded
    medinsky = _entity_of(db, "Vladimir Medinski") | _entity_of(db, "Vladimir Medinskiy")
    zelensky = (_entity_of(db, "Volodymyr Zelensky") | _entity_of(db, "Volodymyr Zelenskyy")
                | _entity_of(db, "Zelensky"))
    lavrov = _entity_of(db, "Sergei Lavrov") | _entity_of(db, "Sergey Lavrov")
    assert len(medinsky) == len(zelensky) == len(lavrov) == 1
    assert _entity_of(db, "Putin") == _entity_of(db, "Vladimir Putin") != medinsky
    assert _entity_of(db, "Fidan") == _entity_of(db, "Hakan Fidan")
    people = {r[0] for r in _query(db, "select name from entities where label = 'PERSON'")}
    assert not people & {"Bosphorus", "Kyiv", "Putin", "Zelensky"}
    # totals kept by the load agree with the mentions table
    assert _query(db, """
        select count(*) from entities e
        join (select entity_id, count(*) n, count(distinct article_id) a from mentions group by 1) m
          using (entity_id)
        where e.mention_count <> m.n or e.article_count <> m.a or e.last_seen is null""") == [(0,)]
    assert _query(db, "select count(*) from entity_aliases a left join entities e using (entity_id) "
                      "where e.entity_id is null") == [(0,)]


def test_places_are_geocoded(seeded):
    db, *_ = seeded
    lat, lon, code = _query(db, "select latitude, longitude, country_code from entities "
                                "where name = 'Istanbul' and label = 'GPE'")[0]
    assert abs(lat - 41.01) < 0.05 and abs(lon - 28.97) < 0.05 and code == "TUR"
    assert _query(db, "select country_code from entities where name = 'Ukrainian' and label = 'NORP'") \
        == [("UKR",)]


def test_quotes_with_their_speakers(seeded):
    db, *_ = seeded
    rows = _query(db, "select q.quote, e.name, a.text, q.start_char, q.end_char from quotes q "
                      "join articles a using (article_id) left join entities e "
                      "on e.entity_id = q.speaker_entity_id")
    assert all(text[s:e] == quote for quote, _, text, s, e in rows)
    speakers = {quote.split(".")[0]: name for quote, name, *_ in rows}
    assert speakers["We must move towards peace"] == "Hakan Fidan"
    assert speakers["I hope I’m wrong—completely wrong"] == "Marco Rubio"


def test_entity_views(seeded):
    db, *_ = seeded
    forms = _query(db, "select surface_forms from entity_timeline where name = 'Volodymyr Zelensky'")
    assert {"Volodymyr Zelensky", "Volodymyr Zelenskyy", "Zelensky"} <= {f for row in forms for f in row[0]}
    assert ("Istanbul", "TUR", True) in _query(db, "select name, country_code, has_coordinates from places")
    assert ("Marco Rubio", "Rubio") in _query(db, "select speaker_name, speaker_as_written from quotes_by_speaker")
# --- events and stories (issue 5) ---
ROUND_ONE = {"000", "001", "004"}
ROUND_TWO = {"002", "003"}


def _seed(source):
    return source.rsplit("/", 1)[-1][:3]


def test_seeds_form_two_stories_round_one_and_round_two(seeded):
    db, first, *_ = seeded
    rows = _query(db, "select source, story_id from articles")
    stories = {}
    for source, story in rows:
        stories.setdefault(story, set()).add(_seed(source))
    assert sorted(stories.values(), key=len) == [ROUND_TWO, ROUND_ONE]
    counts = _query(db, "select num_articles, num_sources from stories order by num_articles")
    # num_sources counts outlets: the five seed files are local files of one folder, one outlet
    assert counts == [(2, 1), (3, 1)]
    assert _query(db, "select distinct outlet from articles") == [("seeds",)]


def test_round_one_and_round_two_talks_are_different_events(seeded):
    db, *_ = seeded
    rows = _query(db, "select a.source, m.event_id from event_mentions m join articles a using (article_id) "
                      "where m.event_type = 'CONSULT' and m.event_id is not null")
    by_round = {"one": set(), "two": set()}
    for source, event_id in rows:
        by_round["one" if _seed(source) in ROUND_ONE else "two"].add(event_id)
    assert by_round["one"] and by_round["two"]
    assert not by_round["one"] & by_round["two"]
    # every event's counts are its reports', and negated/hypothetical reports carry no event
    assert _query(db, "select count(*) from events e where num_mentions <> "
                      "(select count(*) from event_mentions m where m.event_id = e.event_id)") == [(0,)]
    assert _query(db, "select count(*) from event_mentions where (is_negated or is_hypothetical) "
                      "and event_id is not null") == [(0,)]
    assert _query(db, "select count(*) from events where coalesce(source_entity_id, source_country, "
                      "target_entity_id, target_country) is null") == [(0,)]


def test_event_mention_and_amount_offsets_are_exact(seeded):
    db, first, *_ = seeded
    assert first["rows_loaded"]["event_mentions"] > 20 and first["rows_loaded"]["events"] > 10
    rows = _query(db, "select a.text, m.sentence, m.start_char, m.end_char from event_mentions m "
                      "join articles a using (article_id)")
    assert rows and all(text[s:e] == sentence for text, sentence, s, e in rows)
    amounts = _query(db, "select a.text, m.text, m.start_char, m.end_char, m.value, m.unit, m.object "
                         "from amounts m join articles a using (article_id)")
    assert all(text[s:e] == surface for text, surface, s, e, *_ in amounts)
    got = {(value, unit, obj) for *_, value, unit, obj in amounts}
    assert {(1000.0, "count", "individuals"), (41.0, "count", "strategic bombers"),
            (117.0, "count", "small drones")} <= got
    assert any(v == 7e9 and u == "USD" for v, u, _ in got)


def test_event_views(seeded):
    db, *_ = seeded
    for view in ("events_per_day", "event_dyads", "story_timeline", "gdelt_events", "gdelt_mentions", "gdelt_export"):
        assert _query(db, f"select count(*) from {view}")[0][0] > 0, view
    # GDELT's layout: one row per coded event, GDELT's 61 columns in its order; mentions per report
    assert _query(db, "select count(*) from gdelt_events")[0][0] == \
        _query(db, "select count(*) from events where cameo_code is not null")[0][0]
    assert len(_query(db, "describe gdelt_events")) == 61 and len(_query(db, "describe gdelt_mentions")) == 16
    assert _query(db, "select count(*) from gdelt_mentions")[0][0] == \
        _query(db, "select count(*) from event_mentions where event_id is not null")[0][0]
    # Events placed in a city carry its coordinates and GDELT's FIPS 10-4 country code ("TU", not "TUR").
    placed = _query(db, "select distinct ActionGeo_FullName, ActionGeo_CountryCode, ActionGeo_Type, "
                        "round(ActionGeo_Lat), round(ActionGeo_Long) from gdelt_events where ActionGeo_Lat is not null")
    assert ("Istanbul, Turkey", "TU", 4, 41.0, 29.0) in placed
    codes = _query(db, "select EventCode, EventBaseCode, EventRootCode, QuadClass, GoldsteinScale from gdelt_events")
    assert all(code.startswith(base) and base.startswith(root) and 1 <= quad <= 4 for code, base, root, quad, _ in codes)


def test_seed_events_one_per_happening(seeded):
    """The seeds' happenings as the brief names them (issue 12.4)."""
    db, *_ = seeded
    consult = _query(db, """select e.event_id, list(distinct substr(a.source, length(a.source) - 23, 3) order by 1)
                            from events e join event_mentions m using (event_id) join articles a using (article_id)
                            where e.event_type = 'CONSULT' and {e.source_country, e.target_country} = {'RUS', 'UKR'}
                            group by all""".replace("{e.source_country, e.target_country} = {'RUS', 'UKR'}",
                                                    "least(e.source_country, e.target_country) = 'RUS' "
                                                    "and greatest(e.source_country, e.target_country) = 'UKR'"))
    rounds = [set(seeds) for _, seeds in consult]
    assert ROUND_ONE in rounds                       # round one: one event reported by all three articles
    assert ROUND_TWO in rounds                       # round two: another, reported by both ("reconvened")
    # the host is no party of the talks: no CONSULT names Turkey (PLOVER: a third party)
    assert _query(db, "select count(*) from events where event_type = 'CONSULT' "
                      "and 'TUR' in (source_country, target_country)") == [(0,)]
    # the 16 May prisoner-exchange agreement ("both nations approved a ... agreement"): one AGREE event
    # (CAMEO 031, the pattern the dictionary wrote for "approve") between the two parties
    assert _query(db, "select e.event_type, e.cameo_code, least(e.source_country, e.target_country), "
                      "greatest(e.source_country, e.target_country), e.event_date from events e "
                      "where e.event_id in (select event_id from event_mentions where trigger = 'approved agreement')"
                  ) == [("AGREE", "031", "RUS", "UKR", date(2025, 5, 16))]
    attack = _query(db, "select source_country, target_country, mode from events where event_type = 'ASSAULT' "
                        "and mode = 'drone'")
    assert attack == [("UKR", "RUS", "drone")]       # the Spider Web attack
    # Actors are actors: no event noun, plain object, pronoun or heading word is an actor.
    texts = {t for (t,) in _query(db, "select source_text from event_mentions where source_text is not null "
                                      "union select target_text from event_mentions where target_text is not null")}
    assert not texts & {"their first direct negotiations", "the notion", "a foundation", "Representatives",
                        "which", "you", "Stalemate"}
    assert _query(db, "select count(*) from event_mentions where event_type = 'SUPPORT' and target_text = 'you'") == [(0,)]


# --- issue 11: named things, one entity per place, languages, outlets ---

VALUE_LABELS = ("DATE", "TIME", "MONEY", "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL")


def test_entities_are_named_things_one_per_place(seeded):
    db, first, *_ = seeded
    labels = {r[0] for r in _query(db, "select distinct label from entities")}
    assert labels and not labels & set(VALUE_LABELS)
    assert _query(db, "select count(*) from entity_cooccurrence where label_a in ('DATE', 'MONEY') "
                      "or label_b in ('DATE', 'MONEY')") == [(0,)]
    # a place is its gazetteer entry: one entity per GeoNames id, every spelling an alias
    assert _query(db, "select geonames_id, count(*) from entities where label in ('GPE', 'LOC', 'FAC') "
                      "and geonames_id is not null group by 1 having count(*) > 1") == []
    assert _entity_of(db, "U.S.") == _entity_of(db, "United States") and len(_entity_of(db, "U.S.")) == 1
    assert _query(db, "select label, country_code from entities where name = 'Ukrainian'") == [("NORP", "UKR")]
    assert not {r[0] for r in _query(db, "select name from entities where label = 'ORG'")} & {"Council"}
    # dates are values with a precision, in their own table
    assert all(p in ("day", "month", "year") for (p,) in _query(db, "select precision from dates"))
    assert ("March 2022", "month") in _query(db, "select text, precision from dates")
    # every article has its language and NLP status; the run counts them
    assert _query(db, "select distinct language, nlp_status from articles") == [("en", "ok")]
    assert first["nlp_status"] == {"ok": 5}


def test_articles_in_languages_without_a_model_still_load(prefect_harness, tmp_path):
    from flows.nightly import nightly
    from tests.nlp.test_languages import DE, FR, RU

    inputs = tmp_path / "wire"
    inputs.mkdir()
    shutil.copy(sorted(SEEDS.iterdir())[0], inputs / "en.txt")
    for name, text in (("de.txt", DE), ("fr.txt", FR), ("ru.txt", RU)):
        (inputs / name).write_text("Titel\n" + text + "\n", encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    summary = nightly(inputs=[str(inputs)], db_path=str(db))
    assert summary["articles_new"] == 4 and summary["status"] == "warning"  # the no-model warning
    assert summary["nlp_status"] == {"ok": 2, "no_model:de": 1, "no_model:ru": 1}
    rows = dict(_query(db, "select language, nlp_status from articles"))
    assert rows == {"en": "ok", "fr": "ok", "de": "no_model:de", "ru": "no_model:ru"}
    by_language = dict(_query(db, "select a.language, count(m.mention_id) from articles a "
                                  "left join mentions m using (article_id) group by 1"))
    assert by_language["de"] == by_language["ru"] == 0 and by_language["fr"] > 0
    assert _query(db, "select count(*) from articles where story_id is null") == [(0,)]
    assert ("Emmanuel Macron", "PERSON") in _query(db, "select name, label from entities")
    warned = {f["expectation"] for o in summary["validation"] for f in o["failures"] if f["column"] == "nlp_status"}
    assert warned == {"expect_column_values_to_be_in_set"}
    assert _query(db, "select distinct outlet from articles") == [("wire",)]
