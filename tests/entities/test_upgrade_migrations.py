"""Migrations 0008/0009 bring a warehouse stored by earlier versions to what new batches get: no value
entities, one entity per GeoNames place, demonyms as NORP, seats of government not merged."""

import re
from datetime import datetime, timezone
from importlib import resources

from newsflow.countries import DEMONYMS, SEATS
from warehouse import db

NOW = datetime(2025, 5, 16, tzinfo=timezone.utc)


def _sql(name: str) -> str:
    return (resources.files("warehouse") / "migrations" / name).read_text(encoding="utf-8")


def test_word_lists_agree_with_countries_py():
    sql = _sql("0009_one_entity_per_place.sql")
    demonyms = sql.split("insert into demonym_words values", 1)[1].split(";", 1)[0]
    seats = sql.split("insert into seat_words values", 1)[1].split(";", 1)[0]
    words = {w.replace("''", "'") for w in re.findall(r"\('((?:[^']|'')*)'\)", demonyms)}
    assert words == (set(DEMONYMS) | {w + "s" for w in DEMONYMS}) - {"kremlin", "kremlins"}
    assert {w for w in re.findall(r"\('([^']*)'\)", seats)} == set(SEATS)


def test_stored_duplicates_and_values_are_cleaned():
    con = db.connect(":memory:")
    con.execute("insert into articles (article_id, source, text, content_hash, ingested_at, run_id) "
                "values ('a1', 'x.txt', 'text', 'h1', ?, 'r0'), ('a2', 'y.txt', 'text', 'h2', ?, 'r0')", [NOW, NOW])
    entities = [  # id, name, label, geonames_id, geo_type, mention_count
        ("e_us", "U.S.", "GPE", 6252001, "country", 3), ("e_usa", "United States", "GPE", 6252001, "country", 1),
        ("e_mos_loc", "Moscow", "LOC", 524901, "city", 1), ("e_mos", "Moscow", "GPE", 524901, "city", 2),
        ("e_ukr_gpe", "Ukrainian", "GPE", 690791, "country", 1), ("e_ukr_norp", "Ukrainian", "NORP", None, None, 2),
        ("e_kremlin", "Kremlin", "FAC", 2017370, "country", 1), ("e_russia", "Russia", "GPE", 2017370, "country", 4),
        ("e_friday", "Friday", "DATE", None, None, 1),
    ]
    for eid, name, label, gid, geo, n in entities:
        con.execute("insert into entities (entity_id, name, label, first_seen, run_id, geonames_id, geo_type, "
                    "mention_count) values (?, ?, ?, ?, 'r0', ?, ?, ?)", [eid, name, label, NOW, gid, geo, n])
        for k in range(n):
            mid = f"{eid}-{k}"
            con.execute("insert into mentions values (?, ?, ?, ?, ?, 0, 4, 0, 'r0')",
                        [mid, "a1" if k % 2 == 0 else "a2", eid, name, label])
        con.execute("insert into entity_aliases values (?, ?, ?, ?, ?, ?, ?, 'r0')",
                    [f"al-{eid}", name, name.lower(), f"PLACE:{name.lower()}", eid, label, NOW])
    con.execute("insert into events (event_id, event_type, quad_class, date_precision, location_entity_id, run_id) "
                "values ('ev1', 'CONSULT', 'verbal cooperation', 'unknown', 'e_usa', 'r0')")

    con.execute(_sql("0008_entities_are_named_things.sql"))
    con.execute(_sql("0009_one_entity_per_place.sql"))

    rows = {r[0]: r[1:] for r in con.execute(
        "select entity_id, name, label, mention_count, article_count from entities order by 1").fetchall()}
    assert set(rows) == {"e_us", "e_mos", "e_ukr_norp", "e_kremlin", "e_russia"}
    assert rows["e_us"] == ("U.S.", "GPE", 4, 2)        # "United States" joined the most mentioned id
    assert rows["e_mos"][1:] == ("GPE", 3, 2)           # the LOC Moscow joined the GPE one
    assert rows["e_ukr_norp"][1:] == ("NORP", 3, 2)     # the demonym tagged GPE is the NORP, not Ukraine
    assert rows["e_kremlin"][1] == "FAC"                # a seat of government is not the country
    assert con.execute("select count(*) from mentions where label = 'DATE'").fetchone() == (0,)
    assert con.execute("select location_entity_id from events").fetchone() == ("e_us",)
    blocks = dict(con.execute("select alias, block_key from entity_aliases where entity_id = 'e_us'").fetchall())
    assert blocks == {"U.S.": "PLACE:gn:6252001", "United States": "PLACE:gn:6252001"}
    assert con.execute("select count(*) from mentions m left join entities e using (entity_id) "
                       "where e.entity_id is null").fetchone() == (0,)
