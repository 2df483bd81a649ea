"""Stories: grouping, regrouping of recent members, and assignments that depend only on committed rows."""

from dataclasses import replace
from datetime import datetime, timezone

import pyarrow as pa

from newsflow import ids
from newsflow.config import Settings
from tasks.events import stories
from tasks.events.stories import assign_stories, instance
from tasks.events.story_terms import names
from tasks.store.load import load_batch
from tests.events.test_events import _articles
from warehouse import db

NOW = datetime(2025, 5, 17, 12, tzinfo=timezone.utc)

QUAKE = ("A strong earthquake struck northern Chile on Monday, killing three people and damaging homes in "
         "Iquique. The Chilean emergency office said the quake hit at dawn near Iquique.")
BUDGET = "Lawmakers in Oslo approved the Norwegian national budget for 2026 after a long debate in the Storting."


def _batch(texts, first=0, titles=None):
    """Articles a{first}, a{first+1}, ... whose content hashes are their texts' (as the pipeline's)."""
    t = _articles(texts)
    n = t.num_rows
    t = t.set_column(0, "article_id", pa.array([f"a{first + i}" for i in range(n)]))
    hashes = [ids.digest("content", text, *(titles[i:i + 1] if titles else [])) for i, text in enumerate(texts)]
    t = t.set_column(t.column_names.index("content_hash"), "content_hash", pa.array(hashes))
    t = t.set_column(t.column_names.index("source"), "source", pa.array([f"s{first + i}.txt" for i in range(n)]))
    if titles:
        t = t.set_column(t.column_names.index("title"), "title", pa.array(titles))
    return t


def _night(con, settings, texts, first, titles=None):
    articles, story_rows, moves = assign_stories(_batch(texts, first, titles), settings, con, NOW)
    load_batch(con, f"r{first}", NOW, {"articles": articles, "stories": story_rows, "story_moves": moves}, [])
    return articles, moves


def _stories(con) -> list[list[str]]:
    rows = con.execute("select story_id, list(article_id order by article_id) from articles "
                       "group by story_id order by 2").fetchall()
    return [r[1] for r in rows]


def test_story_instances_keep_rounds_apart():
    assert instance("Talks resume in Istanbul", "Delegations reconvened after a hiatus.") == "later"
    assert instance("First direct talks in three years", "") == 1
    assert instance("Second round of talks", "") == 2
    assert instance("Weather today", "Sunny.") is None


def test_names_are_capitalised_runs_that_do_not_start_a_sentence():
    bag = names("Quake Hits Chile's North", "Rescuers reached Iquique. The Chilean emergency office, "
                "led by Mr. Ricardo Toro, said Iquique's port was closed.\nRESCUE TEAMS ARRIVE IN ARICA")
    assert bag["iquique"] == 2 and bag["ricardo toro"] == 1 and bag["chilean"] == 1
    assert "rescuers" not in bag and "the" not in bag  # sentence starts
    assert "arica" not in bag  # a shouted line says nothing by its case...
    assert bag["chile"] == 0 and "quake hits" not in bag  # ...nor does a title-case headline


def test_articles_about_one_happening_form_a_story_and_copies_are_marked():
    settings = Settings()
    out, story_rows, moves = assign_stories(
        _batch([QUAKE, QUAKE + " Officials said.", BUDGET], titles=["Earthquake hits Chile",
                                                                   "Chile earthquake kills three", "Budget passes"]),
        settings)
    s = out.column("story_id").to_pylist()
    assert s[0] == s[1] != s[2]
    assert out.column("duplicate_of").to_pylist() == [None, "a0", None]
    assert out.column("story_seq").to_pylist() == [1, 2, 3]
    assert sorted(story_rows.column("story_id").to_pylist()) == sorted({s[0], s[2]}) and moves.num_rows == 0


def test_assign_stories_joins_stories_stored_on_earlier_nights():
    con = db.connect(":memory:")
    settings = Settings()
    text = "Russia and Ukraine held talks in Istanbul about a ceasefire and a prisoner exchange. " * 3
    night1, _ = _night(con, settings, [text], 0)
    night2, _ = _night(con, settings, ["Ukraine and Russia talks in Istanbul: prisoner exchange and "
                                       "ceasefire discussed. " * 3], 1)
    assert night2.column("story_id")[0].as_py() == night1.column("story_id")[0].as_py()
    assert night2.column("story_seq").to_pylist() == [2]  # commit order continues from the warehouse
    assert con.execute("select count(*), max(num_articles) from stories").fetchall() == [(1, 2)]


# A vague article first joins the only story near it (Oslo's budget); the next night brings two
# articles it is far closer to (Oslo's marathon): regrouped with them, it leaves the budget story.
VAGUE = "Oslo city officials said the Oslo marathon route and the city budget for the event were approved."
MARATHON = ["Thousands ran the Oslo marathon on Sunday; the marathon route crossed Oslo city centre and the "
            "marathon winner finished in record time, city officials said.",
            "The Oslo marathon drew record crowds: marathon runners crossed the city centre, and officials "
            "said the Oslo marathon route would stay."]


def test_a_recent_member_moves_to_the_story_that_fits_it_better():
    con = db.connect(":memory:")
    settings = replace(Settings(), story_threshold_pct=25)
    _night(con, settings, [BUDGET, VAGUE], 0)
    assert _stories(con) == [["a0", "a1"]]
    budget_story = con.execute("select story_id from articles where article_id = 'a0'").fetchall()[0][0]
    # an event first reported by the vague article follows it
    con.execute("insert into events (event_id, event_type, quad_class, date_precision, story_id, run_id) "
                "values ('e1', 'CONSULT', 'verbal cooperation', 'unknown', ?, 'r0')", [budget_story])
    con.execute("insert into event_mentions (mention_id, event_id, article_id, sentence, start_char, end_char, "
                "event_type, quad_class, date_precision, is_negated, is_future, is_hypothetical, run_id) "
                "values ('m1', 'e1', 'a1', 'x', 0, 1, 'CONSULT', 'verbal cooperation', 'unknown', false, false, "
                "false, 'r0')")
    articles, moves = _night(con, settings, MARATHON, 2)
    assert _stories(con) == [["a0"], ["a1", "a2", "a3"]]
    new_story = articles.column("story_id")[0].as_py()
    assert moves.to_pylist() == [{"move_id": moves.column("move_id")[0].as_py(), "article_id": "a1",
                                  "from_story_id": budget_story, "to_story_id": new_story, "story_seq": 3}]
    assert con.execute("select story_id, label, num_articles from stories order by num_articles").fetchall() == [
        (budget_story, "t", 1), (new_story, "t", 3)]
    assert con.execute("select run_id from articles where article_id = 'a1'").fetchall() == [("r2",)]
    assert con.execute("select article_id, from_story_id, to_story_id from story_moves").fetchall() == [
        ("a1", budget_story, new_story)]
    assert con.execute("select story_id from events").fetchall() == [(new_story,)]


def test_frozen_members_never_move():
    con = db.connect(":memory:")
    settings = replace(Settings(), story_threshold_pct=25, story_regroup_articles=0)
    first, _ = _night(con, settings, [BUDGET, VAGUE], 0)
    _, moves = _night(con, settings, MARATHON, 2)
    assert moves.num_rows == 0  # the marathon articles join the old story instead
    assert con.execute("select story_id from articles where article_id in ('a0', 'a1')").fetchall() == [
        (s,) for s in first.column("story_id").to_pylist()]


def test_two_stories_regrouped_into_one_keep_the_first_id_and_the_other_is_deleted():
    con = db.connect(":memory:")
    strict = replace(Settings(), story_threshold_pct=70)
    first, _ = _night(con, strict, MARATHON, 0)  # too strict: two stories
    s1, s2 = first.column("story_id").to_pylist()
    assert s1 != s2
    _, moves = _night(con, replace(strict, story_threshold_pct=25), [VAGUE], 2)  # close to both
    assert _stories(con) == [["a0", "a1", "a2"]]
    assert [(m["article_id"], m["from_story_id"], m["to_story_id"]) for m in moves.to_pylist()] == [("a1", s2, s1)]
    assert con.execute("select story_id, num_articles from stories").fetchall() == [(s1, 3)]


def test_assignment_depends_only_on_committed_rows():
    """A process that built its terms batch by batch and a restarted one that reads them back
    assign a new batch identically (the crash-recovery property)."""
    con = db.connect(":memory:")
    settings = Settings()
    _night(con, settings, [QUAKE, BUDGET], 0)
    _night(con, settings, [VAGUE, QUAKE + " Rescue teams searched the rubble."], 2)
    batch = _batch([MARATHON[0], "Aftershocks shook Iquique in northern Chile, where the earthquake killed three."], 4)
    warm = assign_stories(batch, settings, con, NOW)
    stories._TERMS.clear()  # a restart: nothing in memory
    cold = assign_stories(batch, settings, con, NOW)
    for a, b in zip(warm, cold):
        assert a.equals(b)
