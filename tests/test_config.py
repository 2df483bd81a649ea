from pathlib import Path

import pytest

from newsflow.config import Settings, load_settings


def test_layers_toml_env_cli(tmp_path):
    toml = tmp_path / "newsflow.toml"
    toml.write_text('[newsflow]\nbatch_size = 50\nmodel = "en_core_web_md"\ndb_path = "x.duckdb"\n')
    env = {"NEWSFLOW_BATCH_SIZE": "70", "NEWSFLOW_ENTITY_LABELS": "PERSON, ORG"}
    s = load_settings(toml, env=env, db_path="cli.duckdb")
    assert s.model == "en_core_web_md"        # from the file
    assert s.batch_size == 70                 # env beats the file
    assert s.entity_labels == ("PERSON", "ORG")
    assert s.db_path == Path("cli.duckdb")    # CLI beats both
    assert s.lake_path == Path("lake") and s.docs_path == Path("docs")


def test_defaults_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s == Settings()
    assert s.lake_path == Path("data/lake")


def test_unknown_setting_and_missing_file_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("batch_sise = 3\n")
    with pytest.raises(ValueError, match="unknown setting 'batch_sise'"):
        load_settings(bad, env={})
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_every_setting_has_a_declared_check():
    from newsflow.settings_checks import undeclared

    assert undeclared() == [], "add these settings to RANGES, CHOICES or CHECKS in newsflow/settings_checks.py"


@pytest.mark.parametrize("overrides, message", [
    ({"batch_size": 0}, "batch_size must be at least 1, got 0"),
    ({"person_match_threshold": 1.5}, "person_match_threshold must be between 0 and 1, got 1.5"),
    ({"min_text_chars": 900, "max_text_chars": 100}, "min_text_chars (900) must not exceed max_text_chars"),
    ({"contact_url": "mailto:me@example.org"}, "contact_url must be an http(s) URL"),
    ({"entity_labels": ""}, "entity_labels must name at least one value"),
    ({"sql_extensions": "spatial, ../x"}, "not DuckDB extension names: ['../x']"),
    ({"batch_size": 2.5}, "batch_size must be an integer, got 2.5"),
])
def test_settings_outside_their_range_are_one_line_errors(overrides, message):
    from newsflow.config import SettingsError

    with pytest.raises(SettingsError, match="^setting ") as err:
        load_settings(env={}, **overrides)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_defaults_are_valid():
    assert Settings().validate() == Settings()
