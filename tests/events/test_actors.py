import csv

import pytest

from newsflow.countries import known_codes
from tasks.events import actors
from tasks.events.actors import ActorDictionary, KnownActor, load, read_csv


def country(name, year=None, dictionary=None):
    hit = (dictionary or load()).lookup(name, year)
    return hit.country if hit else None


@pytest.mark.parametrize("name, code", [
    ("Vladimir Putin", "RUS"), ("Recep Tayyip Erdogan", "TUR"), ("Bill Clinton", "USA"),
    ("Emmanuel Macron", "FRA"), ("Xi Jinping", "CHN"), ("Antonio Guterres", "IGO"),
    ("Narendra Modi", "IND"), ("Ali Khamenei", "IRN"), ("Benjamin Netanyahu", "ISR"),
])
def test_full_name(name, code):
    assert country(name) == code


@pytest.mark.parametrize("name, code", [
    ("William Jefferson Clinton", "USA"), ("Tayyip Erdogan", "TUR"), ("Bibi Netanyahu", "ISR"),
    ("Muammar Qaddafi", "LBY"), ("Moammar Kadhafi", "LBY"), ("MBS", "SAU"), ("Lula", "BRA"),
])
def test_alias(name, code):
    assert country(name) == code


@pytest.mark.parametrize("name, code", [
    ("Erdoğan", "TUR"), ("Volodymyr Zelenskyy", "UKR"), ("Volodymyr Zelenskiy", "UKR"),
    ("Zelensky", "UKR"), ("Dmitriy Medvedev", "RUS"), ("António Guterres", "IGO"),
    ("Ayatollah Ali Khamene'i", "IRN"), ("Sergey Lavrov", "RUS"), ("Sergei Lavrov", "RUS"),
])
def test_transliteration_variant(name, code):
    assert country(name) == code


@pytest.mark.parametrize("name, code", [
    ("President Bill Clinton", "USA"), ("Prime Minister Narendra Modi", "IND"),
    ("Premier Li Keqiang", "CHN"), ("Chancellor Angela Merkel", "DEU"), ("Mr. Putin", "RUS"),
    ("Dr. Tedros Adhanom Ghebreyesus", "IGO"), ("Gen. Abdel Fattah el-Sisi", "EGY"),
    ("Sheikh Tamim bin Hamad Al Thani", "QAT"), ("King Salman", "SAU"),
    ("Foreign Minister Sergei Lavrov", "RUS"), ("U.S. President Joe Biden", "USA"),
    ("Pope Francis", "VAT"), ("M. Macron", "FRA"),
])
def test_title_stripping(name, code):
    assert country(name) == code


@pytest.mark.parametrize("name, code", [
    ("Putin's", "RUS"), ("Erdogan’s", "TUR"), ("President Macron's", "FRA"), ("Netanyahu's", "ISR"),
])
def test_possessive(name, code):
    assert country(name) == code


@pytest.mark.parametrize("name, code", [
    ("Putin", "RUS"), ("Erdogan", "TUR"), ("Macron", "FRA"), ("Merkel", "DEU"), ("Zelenskyy", "UKR"),
])
def test_surname_only_unique(name, code):
    assert country(name) == code


def test_surname_shared_by_people_of_one_country():
    bush = load().lookup("Bush")
    assert bush is not None and bush.country == "USA"
    assert load().lookup("Bush", 1990).name == "George H. W. Bush"
    assert load().lookup("Bush", 2005).name == "George W. Bush"
    assert country("Clinton") == "USA"  # Bill (president) and Hillary (secretary of state)


@pytest.mark.parametrize("name", ["Kim", "Singh", "Khan", "Ali", "Abdullah", "Herzog", "Salman"])
def test_ambiguous_surname(name):
    # Kim: KOR, PRK and a World Bank head; Herzog: DEU and ISR; Singh: common well beyond India.
    assert load().lookup(name) is None


def test_hyphenated_surname_stays_whole():
    d = ActorDictionary([(KnownActor("Nkosazana Dlamini-Zuma", "IGO", None, "x", 2012, 2017), []),
                         (KnownActor("Jacob Zuma", "ZAF", "GOV", "president", 2009, 2018), [])])
    assert d.lookup("Zuma").country == "ZAF"
    assert d.lookup("Dlamini-Zuma").country == "IGO"


def test_surname_not_used_for_other_full_names():
    assert load().lookup("Chelsea Clinton") is None  # a different person of the same surname
    assert load().lookup("Zoe Putin") is None


def test_short_surnames_need_the_full_name():
    d = ActorDictionary([(KnownActor("Jan Li", "NLD", "GOV", "x", 2000, None), [])])
    assert d.lookup("Li") is None and d.lookup("Jan Li").country == "NLD"


def test_vice_president_is_not_the_president():
    d = load()
    assert d.lookup("Vice-President") is None
    assert d.lookup("the Vice President") is None
    assert d.lookup("Vice President Mike Pence", 2018) is None  # not in the data; never Trump
    assert d.lookup("Vice-President Joe Biden", 2012).name == "Joe Biden"  # by his own name


def test_year_picks_who_was_in_office():
    d = ActorDictionary([
        (KnownActor("Abdullah Ahmad", "AAA", "GOV", "president", 1990, 1995), []),
        (KnownActor("Abdullah Ahmad", "BBB", "GOV", "president", 2010, None), []),
    ])
    assert d.lookup("Abdullah Ahmad", 1996).country == "AAA"   # within one year of the term
    assert d.lookup("Abdullah Ahmad", 2020).country == "BBB"
    assert d.lookup("Abdullah Ahmad", 2003) is None            # in office nowhere: ambiguous
    assert d.lookup("Abdullah Ahmad") is None


def test_out_of_office_still_coded():
    hit = load().lookup("Bill Clinton", 2015)
    assert hit is not None and hit.country == "USA"


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(actors.COLUMNS)
        w.writerows(rows)
    return path


def test_user_file_overrides_and_extends(tmp_path):
    extra = _write(tmp_path / "mine.csv", [
        ["Jan Kowalczyk-Nowak", "POL", "GOV", "mayor", "2019", "", "Kowalczyk-Nowak;Mayor Jan"],
        ["Vladimir Putin", "XKX", "GOV", "test override", "2000", "", ""],
    ])
    d = load(extra)
    assert d.lookup("Jan Kowalczyk-Nowak").country == "POL"
    assert d.lookup("Vladimir Putin").country == "XKX"
    assert d.lookup("Putin") is not None and d.lookup("Putin").country == "XKX"
    assert d.lookup("Emmanuel Macron").country == "FRA"  # the packaged rows stay
    assert load().lookup("Vladimir Putin").country == "RUS"  # and the packaged cache is untouched


def test_user_file_is_read_once_per_version(tmp_path):
    import os

    extra = _write(tmp_path / "mine.csv", [["Jan Kowalczyk-Nowak", "POL", "GOV", "mayor", "2019", "", ""]])
    assert load(extra) is load(extra)  # every batch of a run asks; the file is read once
    _write(extra, [["Jan Kowalczyk-Nowak", "CZE", "GOV", "mayor", "2019", "", ""]])
    os.utime(extra, ns=(1, 1))  # a different version even on a coarse-mtime file system
    assert load(extra).lookup("Jan Kowalczyk-Nowak").country == "CZE"


def test_bad_user_file(tmp_path):
    bad = _write(tmp_path / "bad.csv", [
        ["Good Person", "FRA", "GOV", "mayor", "2001", "", ""],
        ["Bad Person", "France", "GOV", "mayor", "2001", "", ""],
    ])
    with pytest.raises(ValueError, match=r"bad\.csv, line 3: country 'France'"):
        load(bad)
    years = _write(tmp_path / "years.csv", [["Bad Year", "FRA", "GOV", "x", "20x1", "", ""]])
    with pytest.raises(ValueError, match="line 2: year"):
        load(years)
    short = tmp_path / "short.csv"
    short.write_text(",".join(actors.COLUMNS) + "\nOnly Name,FRA\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: 2 fields"):
        load(short)
    header = tmp_path / "header.csv"
    header.write_text("name,country\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: header"):
        load(header)
    with pytest.raises(ValueError, match="cannot read"):
        load(tmp_path / "missing.csv")


def test_every_packaged_row_is_valid():
    codes = known_codes()
    rows = read_csv(actors.PACKAGED)
    names = [actors._own_key(a.name) for a, _ in rows]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    for actor, _aliases in rows:
        assert actor.country in codes or actor.country == "IGO", actor
        assert (actor.sector == "GOV") == (actor.country != "IGO"), actor
        assert actor.role, actor
        assert actor.start_year is not None and 1900 <= actor.start_year <= 2026, actor
        assert actor.end_year is None or actor.start_year <= actor.end_year <= 2026, actor
        assert actor.end_year is None or actor.end_year >= 1979, actor  # scope starts in 1980
    order = [(a.country, a.start_year) for a, _ in rows]
    assert order == sorted(order)


def test_size_and_cached():
    d = load()
    assert len(d) >= 1000
    assert load() is d  # read once per process


def test_year_decides_a_shared_alias():
    # "King Abdullah": Saudi Arabia 2005-2015, Jordan since 1999.
    d = load()
    assert d.lookup("King Abdullah", 2020).country == "JOR"
    assert d.lookup("King Abdullah", 2001).country == "JOR"
    assert d.lookup("King Abdullah", 2010) is None  # both reigned then
    assert d.lookup("King Abdullah") is None
