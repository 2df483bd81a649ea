"""Event consolidation, on rows written here, with an in-memory warehouse (stories: test_stories.py)."""

from datetime import date, datetime, timezone

import pyarrow as pa

from newsflow.config import Settings
from tasks.events.consolidate import consolidate
from tasks.events.mentions import EVENT_MENTION
from tasks.store.load import load_batch
from tests.events.test_events import _articles
from warehouse import db

NOW = datetime(2025, 5, 17, 12, tzinfo=timezone.utc)


def _mention(i, article, event_date=None, location=None, negated=False, etype="CONSULT",
             src="e_rus", tgt="e_ukr"):
    return {"mention_id": f"m{i}", "event_id": None, "article_id": article, "sentence": "x", "start_char": i,
            "end_char": i + 1, "sentence_index": 0, "trigger": "met", "event_type": etype, "mode": None,
            "quad_class": "verbal cooperation", "source_entity_id": src, "source_text": "Russia",
            "source_country": "RUS", "source_sector": None, "target_entity_id": tgt, "target_text": "Ukraine",
            "target_country": "UKR", "target_sector": None, "location_entity_id": location,
            "location_text": None, "event_date": event_date,
            "date_precision": "day" if event_date else "unknown", "is_negated": negated, "is_future": False,
            "is_hypothetical": False, "confidence": 0.8}


def _with_stories(articles, stories):
    return articles.append_column("story_id", pa.array(stories, pa.string()))


def test_same_event_within_the_window_and_different_rounds_apart():
    articles = _with_stories(_articles(["a", "b", "c", "d"]), ["s1", "s1", "s2", "s2"])
    rows = [
        _mention(0, "a0", date(2025, 5, 16), "palace1"),
        _mention(1, "a1", date(2025, 5, 17), None),           # same talks, reported a day later
        _mention(2, "a2", date(2025, 6, 2), "palace2"),       # round two: 17 days later, another palace
        _mention(3, "a3", None, None, etype="CONSULT", src="e_ukr", tgt="e_rus"),  # symmetric, undated
        _mention(4, "a3", date(2025, 5, 16), None, negated=True),  # not a fact
    ]
    events, mentions = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), articles, Settings(), None, NOW)
    ev = dict(zip(mentions.column("mention_id").to_pylist(), mentions.column("event_id").to_pylist()))
    assert ev["m0"] == ev["m1"] != ev["m2"]
    assert ev["m3"] == ev["m2"]       # undated: joins the event of its own story
    assert ev["m4"] is None
    assert events.num_rows == 2
    assert sorted(events.column("num_mentions").to_pylist()) == [2, 2]
    again, _ = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), articles, Settings(), None, NOW)
    assert sorted(again.column("event_id").to_pylist()) == sorted(events.column("event_id").to_pylist())


def test_a_later_night_joins_the_stored_event_and_refreshes_its_counts(tmp_path):
    con = db.connect(":memory:")
    settings = Settings()
    night1 = _with_stories(_articles(["first report of the talks " * 5]), ["s1"])
    night1 = night1.append_column("duplicate_of", pa.array([None], pa.string()))
    ev1, m1 = consolidate(pa.Table.from_pylist([_mention(0, "a0", date(2025, 5, 16))], schema=EVENT_MENTION),
                          night1, settings, con, NOW)
    load_batch(con, "r1", NOW, {"articles": night1, "events": ev1, "event_mentions": m1}, [])
    rows = [_mention(1, "b0", date(2025, 5, 17))]
    night2 = _with_stories(_articles(["second report of the talks " * 5]), ["s2"])
    night2 = night2.set_column(0, "article_id", pa.array(["b0"])).set_column(
        night2.column_names.index("content_hash"), "content_hash", pa.array(["hb"]))
    night2 = night2.append_column("duplicate_of", pa.array([None], pa.string()))
    ev2, m2 = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), night2, settings, con, NOW)
    assert ev2.num_rows == 0 and m2.column("event_id")[0].as_py() == ev1.column("event_id")[0].as_py()
    load_batch(con, "r2", NOW, {"articles": night2, "events": ev2, "event_mentions": m2}, [])
    assert con.execute("select num_mentions, num_articles, num_sources from events").fetchall() == [(2, 2, 1)]  # one input path


def test_an_undated_report_joins_a_stored_event_only_from_the_same_story():
    con = db.connect(":memory:")
    settings = Settings()
    night1 = _with_stories(_articles(["report one " * 20]), ["s1"])
    night1 = night1.append_column("duplicate_of", pa.array([None], pa.string()))
    ev1, m1 = consolidate(pa.Table.from_pylist([_mention(0, "a0")], schema=EVENT_MENTION), night1, settings, con, NOW)
    load_batch(con, "r1", NOW, {"articles": night1, "events": ev1, "event_mentions": m1}, [])
    later = _articles(["report two " * 20, "report three " * 20])
    later = later.set_column(0, "article_id", pa.array(["b0", "b1"])).set_column(
        later.column_names.index("content_hash"), "content_hash", pa.array(["hb0", "hb1"]))
    later = _with_stories(later, ["s1", "s9"])
    rows = [_mention(1, "b0"), _mention(2, "b1")]
    ev2, m2 = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), later, settings, con, NOW)
    got = m2.column("event_id").to_pylist()
    assert got[0] == ev1.column("event_id")[0].as_py()  # same story: the same talks
    assert got[1] != got[0] and ev2.num_rows == 1        # another story: another event


def test_one_party_reports_join_the_full_event_and_inferred_places_do_not_split():
    articles = _with_stories(_articles(["a", "b"]), ["s1", "s1"])
    rows = [
        _mention(0, "a0", None, "istanbul"),                                 # Russia met Ukraine in Istanbul
        _mention(1, "a1", None, None, src="e_ukr", tgt=None),               # "Ukraine met ..." (one party)
        _mention(2, "a1", None, None, etype="ASSAULT", src="e_ukr", tgt=None),  # another type: its own event
    ]
    rows[1].update(source_country="UKR", target_country=None, target_text=None)
    rows[2].update(source_country="UKR", target_country=None, target_text=None, quad_class="material conflict")
    events, mentions = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), articles, Settings(), None, NOW)
    ev = dict(zip(mentions.column("mention_id").to_pylist(), mentions.column("event_id").to_pylist()))
    assert ev["m0"] == ev["m1"] != ev["m2"] and events.num_rows == 2
    inferred = dict(zip(mentions.column("mention_id").to_pylist(), mentions.column("location_inferred").to_pylist()))
    places = dict(zip(mentions.column("mention_id").to_pylist(), mentions.column("location_entity_id").to_pylist()))
    assert (places["m1"], inferred["m1"]) == ("istanbul", True)   # the story's place, flagged
    assert (places["m0"], inferred["m0"]) == ("istanbul", False)


def test_two_one_party_reports_stay_two_events():
    articles = _with_stories(_articles(["a", "b"]), ["s1", "s1"])
    rows = [_mention(0, "a0", None, None, tgt=None), _mention(1, "a1", None, None, tgt=None)]
    for r in rows:
        r.update(target_country=None, target_text=None)
    events, _ = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), articles, Settings(), None, NOW)
    assert events.num_rows == 2  # nothing shows "Russia met someone" twice is one meeting


def test_consolidation_is_the_same_from_memory_and_from_the_warehouse():
    """Night 1 then night 2 into a warehouse equals both nights' rows consolidated after reading night 1
    back: the events of a batch are a function of what is committed."""
    settings = Settings()
    night1 = _with_stories(_articles(["one " * 20]), ["s1"]).append_column("duplicate_of", pa.array([None], pa.string()))
    night2 = _articles(["two " * 20]).set_column(0, "article_id", pa.array(["b0"])).set_column(
        2, "url", pa.array(["https://other.example/b0"]))
    night2 = night2.set_column(night2.column_names.index("content_hash"), "content_hash", pa.array(["hb"]))
    night2 = night2.set_column(night2.column_names.index("outlet"), "outlet", pa.array(["other.example"]))
    night2 = _with_stories(night2, ["s1"]).append_column("duplicate_of", pa.array([None], pa.string()))
    m1 = [_mention(0, "a0", None, "istanbul", tgt=None)]
    m1[0].update(target_country=None, target_text=None)
    m2 = [_mention(1, "b0", None, None)]

    def run(con):
        ev1, em1 = consolidate(pa.Table.from_pylist(m1, schema=EVENT_MENTION), night1, settings, con, NOW)
        load_batch(con, "r1", NOW, {"articles": night1, "events": ev1, "event_mentions": em1}, [])
        ev2, em2 = consolidate(pa.Table.from_pylist(m2, schema=EVENT_MENTION), night2, settings, con, NOW)
        load_batch(con, "r2", NOW, {"articles": night2, "events": ev2, "event_mentions": em2}, [])
        return (con.execute("select * exclude (run_id) from events order by event_id").fetchall(),
                con.execute("select mention_id, event_id, location_entity_id, location_inferred from event_mentions "
                            "order by mention_id").fetchall())

    first, again = run(db.connect(":memory:")), run(db.connect(":memory:"))
    assert first == again
    events, mentions = first
    # the founder named one party; night 2's full report joined (same story) and named the other
    assert len(events) == 1 and len({m[1] for m in mentions}) == 1
    row = dict(zip(db.connect(":memory:").execute("select * exclude (run_id) from events").fetch_arrow_table().column_names, events[0]))
    assert (row["source_country"], row["target_country"], row["num_mentions"], row["num_sources"]) == ("RUS", "UKR", 2, 2)
