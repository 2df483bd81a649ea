"""The GDELT 2.0 views: GDELT's columns, order, types and value conventions, on rows written here."""

from datetime import date, datetime, timezone

import pyarrow as pa

from newsflow.config import Settings
from tasks.events.consolidate import consolidate
from tasks.events.mentions import EVENT_MENTION
from tasks.store.load import load_batch
from tests.events.test_consolidate_stories import _mention, _with_stories
from tests.events.test_events import _articles
from warehouse import db

NOW = datetime(2025, 5, 17, 12, tzinfo=timezone.utc)

# GDELT 2.0's event table (Event Codebook V2.0) and mentions table, with the types GDELT's loaders use.
GDELT_EVENTS = """
    GLOBALEVENTID BIGINT, SQLDATE INTEGER, MonthYear INTEGER, Year INTEGER, FractionDate DOUBLE,
    Actor1Code VARCHAR, Actor1Name VARCHAR, Actor1CountryCode VARCHAR, Actor1KnownGroupCode VARCHAR,
    Actor1EthnicCode VARCHAR, Actor1Religion1Code VARCHAR, Actor1Religion2Code VARCHAR, Actor1Type1Code VARCHAR,
    Actor1Type2Code VARCHAR, Actor1Type3Code VARCHAR,
    Actor2Code VARCHAR, Actor2Name VARCHAR, Actor2CountryCode VARCHAR, Actor2KnownGroupCode VARCHAR,
    Actor2EthnicCode VARCHAR, Actor2Religion1Code VARCHAR, Actor2Religion2Code VARCHAR, Actor2Type1Code VARCHAR,
    Actor2Type2Code VARCHAR, Actor2Type3Code VARCHAR,
    IsRootEvent INTEGER, EventCode VARCHAR, EventBaseCode VARCHAR, EventRootCode VARCHAR, QuadClass INTEGER,
    GoldsteinScale DOUBLE, NumMentions INTEGER, NumSources INTEGER, NumArticles INTEGER, AvgTone DOUBLE,
    Actor1Geo_Type INTEGER, Actor1Geo_FullName VARCHAR, Actor1Geo_CountryCode VARCHAR, Actor1Geo_ADM1Code VARCHAR,
    Actor1Geo_ADM2Code VARCHAR, Actor1Geo_Lat DOUBLE, Actor1Geo_Long DOUBLE, Actor1Geo_FeatureID VARCHAR,
    Actor2Geo_Type INTEGER, Actor2Geo_FullName VARCHAR, Actor2Geo_CountryCode VARCHAR, Actor2Geo_ADM1Code VARCHAR,
    Actor2Geo_ADM2Code VARCHAR, Actor2Geo_Lat DOUBLE, Actor2Geo_Long DOUBLE, Actor2Geo_FeatureID VARCHAR,
    ActionGeo_Type INTEGER, ActionGeo_FullName VARCHAR, ActionGeo_CountryCode VARCHAR, ActionGeo_ADM1Code VARCHAR,
    ActionGeo_ADM2Code VARCHAR, ActionGeo_Lat DOUBLE, ActionGeo_Long DOUBLE, ActionGeo_FeatureID VARCHAR,
    DATEADDED BIGINT, SOURCEURL VARCHAR
"""
GDELT_MENTIONS = """
    GLOBALEVENTID BIGINT, EventTimeDate BIGINT, MentionTimeDate BIGINT, MentionType INTEGER,
    MentionSourceName VARCHAR, MentionIdentifier VARCHAR, SentenceID INTEGER, Actor1CharOffset INTEGER,
    Actor2CharOffset INTEGER, ActionCharOffset INTEGER, InRawText INTEGER, Confidence INTEGER,
    MentionDocLen INTEGER, MentionDocTone DOUBLE, MentionDocTranslationInfo VARCHAR, Extras VARCHAR
"""


def _warehouse():
    con = db.connect(":memory:")
    published = datetime(2025, 5, 16, 18, 30, 5, tzinfo=timezone.utc)
    articles = _with_stories(_articles(["Russia met Ukraine in Istanbul. " * 3, "Talks in Istanbul. " * 3],
                                       published), ["s1", "s1"])
    articles = articles.set_column(2, "url", pa.array(["https://a.example/1", "https://b.example/2"]))
    articles = articles.append_column("duplicate_of", pa.array([None, None], pa.string()))
    entities = pa.Table.from_pylist([
        {"entity_id": "e_rus", "name": "Russia", "label": "GPE", "latitude": 60.0, "longitude": 100.0,
         "country_code": "RUS", "geonames_id": 2017370, "geo_type": "country"},
        {"entity_id": "e_ukr", "name": "Ukraine", "label": "GPE", "latitude": 49.0, "longitude": 32.0,
         "country_code": "UKR", "geonames_id": 690791, "geo_type": "country"},
        {"entity_id": "istanbul", "name": "Istanbul", "label": "GPE", "latitude": 41.01, "longitude": 28.95,
         "country_code": "TUR", "geonames_id": 745044, "geo_type": "city"}])
    rows = [_mention(0, "a0", date(2025, 5, 16), "istanbul"), _mention(1, "a1", date(2025, 5, 16), None)]
    for r in rows:
        r.update(cameo_code="046", goldstein=7.0, is_root_event=r["article_id"] == "a0",
                 source_code="RUS", target_code="UKRGOV", target_sector="GOV", sentence="Russia met Ukraine",
                 start_char=0, end_char=18, trigger="met")
    ev, em = consolidate(pa.Table.from_pylist(rows, schema=EVENT_MENTION), articles, Settings(), con, NOW)
    load_batch(con, "r1", NOW, {"articles": articles, "entities": entities, "events": ev, "event_mentions": em}, [])
    return con


def test_gdelt_events_has_gdelts_61_columns_in_order_with_gdelts_values():
    con = _warehouse()
    con.execute(f"create table gdelt_layout ({GDELT_EVENTS})")
    ours = [(r[0], r[1]) for r in con.execute("describe gdelt_events").fetchall()]
    theirs = [(r[0], r[1]) for r in con.execute("describe gdelt_layout").fetchall()]
    assert ours == theirs and len(ours) == 61
    row = con.execute("select * from gdelt_events").fetch_arrow_table().to_pylist()
    assert len(row) == 1
    r = row[0]
    assert (r["SQLDATE"], r["MonthYear"], r["Year"]) == (20250516, 202505, 2025)
    assert (r["Actor1Code"], r["Actor1CountryCode"], r["Actor2Code"], r["Actor2Type1Code"]) == \
        ("RUS", "RUS", "UKRGOV", "GOV")
    assert (r["EventCode"], r["EventBaseCode"], r["EventRootCode"], r["QuadClass"], r["GoldsteinScale"]) == \
        ("046", "046", "04", 1, 7.0)
    assert (r["IsRootEvent"], r["NumMentions"], r["NumArticles"], r["NumSources"], r["AvgTone"]) == (1, 2, 2, 2, None)
    assert (r["ActionGeo_Type"], r["ActionGeo_CountryCode"], r["ActionGeo_FullName"]) == (4, "TU", "Istanbul, Turkey")
    assert (r["Actor1Geo_CountryCode"], r["Actor2Geo_CountryCode"]) == ("RS", "UP")  # FIPS 10-4, not ISO
    assert r["DATEADDED"] == 20250516183005 and r["SOURCEURL"] == "https://a.example/1"  # the first report
    assert isinstance(r["GLOBALEVENTID"], int) and r["GLOBALEVENTID"] > 0
    again = con.execute("select GLOBALEVENTID from gdelt_events").fetchone()[0]
    assert again == r["GLOBALEVENTID"]  # derived from event_id: stable


def test_gdelt_views_union_with_rows_in_gdelts_own_layout():
    con = _warehouse()
    con.execute(f"create table gdelt_download ({GDELT_EVENTS})")
    # one row as GDELT publishes it (values typical of a GDELT 2.0 export line)
    con.execute("insert into gdelt_download (GLOBALEVENTID, SQLDATE, MonthYear, Year, FractionDate, Actor1Code, "
                "Actor1Name, Actor1CountryCode, IsRootEvent, EventCode, EventBaseCode, EventRootCode, QuadClass, "
                "GoldsteinScale, NumMentions, NumSources, NumArticles, AvgTone, ActionGeo_Type, ActionGeo_CountryCode, "
                "DATEADDED, SOURCEURL) values (1234567890, 20250516, 202505, 2025, 2025.3699, 'RUSGOV', 'RUSSIA', "
                "'RUS', 1, '046', '046', '04', 1, 7.0, 10, 2, 10, -2.5, 4, 'TU', 20250516183000, 'https://x.example')")
    rows = con.execute("select EventRootCode, ActionGeo_CountryCode, count(*) from ("
                       "select * from gdelt_events union all select * from gdelt_download) group by all").fetchall()
    assert rows == [("04", "TU", 2)]  # a GDELT user's filter finds both
    con.execute(f"create table gdelt_mentions_download ({GDELT_MENTIONS})")
    ours = [(r[0], r[1]) for r in con.execute("describe gdelt_mentions").fetchall()]
    theirs = [(r[0], r[1]) for r in con.execute("describe gdelt_mentions_download").fetchall()]
    assert ours == theirs and len(ours) == 16
    n = con.execute("select count(*) from (select * from gdelt_mentions union all "
                    "select * from gdelt_mentions_download)").fetchone()[0]
    assert n == 2
    m = con.execute("select GLOBALEVENTID, EventTimeDate, MentionIdentifier, SentenceID, Actor1CharOffset, "
                    "Confidence from gdelt_mentions order by MentionIdentifier").fetchall()
    gid = con.execute("select GLOBALEVENTID from gdelt_events").fetchone()[0]
    assert m[0] == (gid, 20250516183005, "https://a.example/1", 1, 0, 80)
