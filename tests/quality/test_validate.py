from datetime import datetime, timezone

import pytest

from tasks.quality.validate import validate_batch
from tests import factories as f


@pytest.fixture(scope="module")
def validator():
    from tasks.quality.validate import get_validator

    return get_validator()


def test_good_batch_passes(settings, validator):
    a = f.article()
    out, quarantined, report = validate_batch(
        {"articles": f.articles(a), "entities": f.entities(f.entity()),
         "mentions": f.mentions(f.mention(a))}, settings, validator)
    arts, ents, ments = out["articles"], out["entities"], out["mentions"]
    assert report.success and not quarantined
    assert (arts.num_rows, ents.num_rows, ments.num_rows) == (1, 1, 1)
    assert {o.suite for o in report.outcomes} == {"articles", "entities", "mentions"}
    assert all(o.evaluated > 0 for o in report.outcomes)


def test_future_article_is_quarantined_with_its_mentions(settings, validator):
    good = f.article()
    future = f.article(text="A story from the future about talks in Istanbul and elsewhere. " * 2,
                       source="future.jsonl#L1", published_at=datetime(2099, 1, 1, tzinfo=timezone.utc))
    out, quarantined, report = validate_batch(
        {"articles": f.articles(good, future), "entities": f.entities(f.entity()),
         "mentions": f.mentions(f.mention(good), f.mention(future))}, settings, validator)
    arts, ments = out["articles"], out["mentions"]
    assert not report.success
    assert arts.column("source").to_pylist() == [good["source"]]
    assert ments.num_rows == 1
    assert [q.source for q in quarantined] == ["future.jsonl#L1"]
    assert "expect_column_values_to_be_between(published_at)" in quarantined[0].reason
    failure = next(x for o in report.outcomes for x in o.failures)
    assert failure.unexpected_count == 1 and "2099" in str(failure.sample)


def test_bad_offsets_and_labels_are_rejected(settings, validator):
    a = f.article()
    wrong_text = f.mention(a, text="Ankara")  # offsets point at "Istanbul"
    past_end = f.mention(a, start=len(a["text"]) - 2, end=len(a["text"]) + 5)
    out, quarantined, report = validate_batch(
        {"articles": f.articles(a), "entities": f.entities(f.entity(), f.entity("Thing", "NOT_A_LABEL")),
         "mentions": f.mentions(wrong_text, past_end)}, settings, validator)
    arts, ents, ments = out["articles"], out["entities"], out["mentions"]
    assert ments.num_rows == 0 and arts.num_rows == 1
    reasons = " ".join(q.reason for q in quarantined)
    assert "surface_matches" in reasons and "entities:" in reasons
    assert ents.num_rows == 0  # no mention left for the good entity in this batch


def test_language_must_be_a_code(settings, validator):
    a = f.article(language="English")
    out, quarantined, report = validate_batch(
        {"articles": f.articles(a), "entities": f.entities(), "mentions": f.mentions()}, settings, validator)
    arts = out["articles"]
    assert arts.num_rows == 0 and "language" in quarantined[0].reason


def test_unknown_country_code_is_a_warning_not_a_rejection(settings, validator):
    a = f.article()
    ent = {**f.entity(), "country_code": "ZZZ"}
    out, quarantined, report = validate_batch(
        {"articles": f.articles(a), "entities": f.entities(ent), "mentions": f.mentions(f.mention(a))},
        settings, validator)
    assert report.success and not quarantined and out["entities"].num_rows == 1
    (failure,) = [x for o in report.outcomes for x in o.failures]
    assert (failure.column, failure.severity, failure.sample) == ("country_code", "warning", ["ZZZ"])


def test_each_rejected_row_names_only_the_expectations_it_failed(settings, validator):
    good, future = f.article(), f.article(text="Talks in Istanbul between the two delegations went on. " * 2,
                                          source="future.txt", published_at=datetime(2099, 1, 1, tzinfo=timezone.utc))
    english = f.article(text="Another report about the Istanbul talks and the prisoner exchange. " * 2,
                        source="english.txt", language="English")
    out, quarantined, report = validate_batch({"articles": f.articles(good, future, english)}, settings, validator)
    reasons = {q.source: q.reason for q in quarantined}
    assert set(reasons) == {"future.txt", "english.txt"} and out["articles"].num_rows == 1
    assert "published_at" in reasons["future.txt"] and "language" not in reasons["future.txt"]
    assert "language" in reasons["english.txt"] and "published_at" not in reasons["english.txt"]


def test_row_level_checks_run_without_the_warehouse_and_references_after(settings, validator):
    from tasks.quality.validate import check_tables

    a = f.article()
    orphan = f.mention(a)  # its entity is in no batch and no warehouse
    rows = check_tables({"articles": f.articles(a), "mentions": f.mentions(orphan)}, settings, validator)
    assert rows.quarantined == [] and rows.tables["mentions"].num_rows == 1  # analyse: offsets fine
    done = check_tables({"articles": rows.tables["articles"], "entities": f.entities(),
                         "mentions": rows.tables["mentions"]}, settings, validator,
                        known=lambda *args: set(), rows={"entities"}, into=rows)
    assert done.tables["mentions"].num_rows == 0
    assert "entity_id_exists" in done.quarantined[0].reason
    assert done.outcomes["mentions"].rejected_rows == 1  # the analyse outcome, extended by the commit
