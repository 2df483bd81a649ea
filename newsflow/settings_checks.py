"""The declared range or choices of every setting, checked before a run starts (`Settings.validate`).

Every field of `Settings` must appear in exactly one table below (tests/test_config.py checks it), so
a new setting gets a declared check the day it is added. Kept apart from config.py because the checks
import a little (cron, time zones) that reading settings does not need.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from pathlib import Path

INF = None

# name -> (least, greatest) allowed value, inclusive; None: unbounded on that side.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "batch_size": (1, INF),
    "nlp_batch_size": (1, INF),
    "nlp_n_process": (1, INF),
    "max_doc_bytes": (1, INF),
    "min_text_chars": (0, INF),
    "max_text_chars": (1, INF),
    "fetch_delay_ms": (0, INF),
    "fetch_max_hosts": (1, INF),
    "fetch_timeout_ms": (1, INF),
    "fetch_retries": (0, 100),
    "fetch_backoff_ms": (0, INF),
    "fetch_max_retry_after_ms": (0, INF),
    "fetch_max_redirects": (0, 100),
    "fetch_max_bytes": (1, INF),
    "fetch_max_articles": (1, INF),
    "fetch_max_sitemaps": (0, INF),
    "fetch_batch_size": (1, INF),
    "person_match_threshold": (0, 1),
    "quote_min_words": (1, INF),
    "event_window_days": (0, INF),
    "story_threshold_pct": (0, 100),
    "story_names_weight_pct": (0, 100),
    "story_regroup_articles": (0, INF),
    "story_stickiness_pct": (0, 100),
    "story_window_days": (0, INF),
    "duplicate_threshold_pct": (0, 100),
    "lock_timeout": (0, INF),
    "history_runs": (1, INF),
    "entity_share_tolerance_pct": (0, 100),
    "validate_page_size": (1, INF),
    "max_jsonl_bytes": (1, INF),
    "language_min_confidence": (0, 1),
    "workers": (0, INF),  # 0: one per CPU
    "batches_in_flight": (0, INF),  # 0: workers + 1
    "batch_retries": (0, 100),
}

# name -> the values it may take.
CHOICES: dict[str, tuple[str, ...]] = {
    "alert_on": ("failed", "warning", "never"),
    "task_runner": ("process", "dask", "ray", "sequential"),
    "progress": ("auto", "bar", "lines", "off"),
}


def _cron(value: str) -> str | None:
    from cronsim import CronSim, CronSimError

    try:
        CronSim(value, datetime(2025, 1, 1))
    except CronSimError as exc:
        return f"is not a cron expression ({exc}): {value!r}, e.g. \"0 2 * * *\""
    return None


def _timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"is not an IANA time zone: {value!r}, e.g. \"Europe/Berlin\""
    return None


def _url(value: str) -> str | None:
    return None if re.match(r"^https?://[^\s/]+", value) else f"must be an http(s) URL, got {value!r}"


def _not_empty(value) -> str | None:
    return None if str(value).strip() else "must not be empty"


def _names(value: tuple) -> str | None:
    if not value:
        return "must name at least one value"
    bad = [v for v in value if not str(v).strip()]
    return f"has an empty entry: {list(value)!r}" if bad else None


def _extensions(value: tuple) -> str | None:
    bad = [v for v in value if not str(v).isidentifier()]
    return f"has names that are not DuckDB extension names: {bad!r}" if bad else None


def _sources(value: tuple) -> str | None:
    bad = [s.name for s in value if s.max_articles is not None and s.max_articles < 1]
    return f"max_articles must be at least 1 (source {bad[0]!r})" if bad else None


def _dask_address(value: str) -> str | None:  # empty: a LocalCluster of `workers` processes
    ok = not value or re.match(r"^(tcp|tls|ucx|inproc)://\S+$", value)
    return None if ok else f"must be a Dask scheduler address like tcp://10.0.0.5:8786, got {value!r}"


def _ray_address(value: str) -> str | None:  # empty: a local Ray instance of `workers` CPUs
    ok = not value or value == "auto" or re.match(r"^(ray://)?[^\s:/]+:\d+$", value)
    return None if ok else f"must be auto, host:port or ray://host:port, got {value!r}"


def _free(value) -> str | None:
    return None


def _language(value: str) -> str | None:
    ok = isinstance(value, str) and len(value) == 2 and value.isalpha() and value.islower()
    return None if ok else f"must be an ISO 639-1 language code (en, fr, de, ...), got {value!r}"


def _languages(value: tuple) -> str | None:  # may be empty: then no language is event-coded
    return next((_language(v) for v in value if _language(v)), None)


def _entity_labels(value: tuple) -> str | None:
    from newsflow.config import VALUE_LABELS

    values = sorted(set(value) & set(VALUE_LABELS))
    if values:
        return (f"lists {', '.join(values)}: values, not named things (dates go to the `dates` table, "
                "numbers to `amounts`)")
    return _names(value)


def _models(value: dict) -> str | None:
    bad = [k for k in value if _language(k)]
    if bad:
        return f"keys must be ISO 639-1 language codes (en, fr, de, ...), got {bad!r}"
    bad = [k for k, v in value.items() if not isinstance(v, str)]
    return f"values must be spaCy pipeline names (or \"\" for none), got {value!r}" if bad else None


# name -> a function returning what is wrong with the value, or None.
CHECKS = {
    "schedule_cron": _cron,
    "schedule_timezone": _timezone,
    "contact_url": _url,
    "user_agent": _not_empty,
    "model": _not_empty,
    "db_path": _not_empty,
    "entity_labels": _entity_labels,
    "models": _models,
    "default_language": _language,
    "event_languages": _languages,
    "default_outlet": _free,  # None: the folder's name
    "source_paths": _free,  # may be empty: then [[sources]] or the command line must give inputs
    "sources": _sources,
    "sql_extensions": _extensions,
    "dask_address": _dask_address,
    "ray_address": _ray_address,
    # Paths that may be unset (None: the default beside the DuckDB file or the packaged file) and
    # switches: any value of their type is valid; reading a missing file fails with its own message.
    "lake_dir": _free, "docs_dir": _free, "entity_overrides": _free, "actor_dictionary": _free,
    "write_parquet": _free, "fetch_allow_private": _free, "events_enabled": _free, "data_docs": _free,
    "report": _free, "reports_dir": _free,
}


def _range_error(name: str, value, low, high) -> str | None:
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            return f"must be at least {low}, got {value}"
        if low is None:
            return f"must be at most {high}, got {value}"
        return f"must be between {low} and {high}, got {value}"
    return None


def undeclared() -> list[str]:
    """Settings fields without a declared check (the test of this module keeps it empty)."""
    from newsflow.config import Settings

    declared = set(RANGES) | set(CHOICES) | set(CHECKS)
    return [f.name for f in fields(Settings) if f.name not in declared]


def check(settings) -> None:
    """Raises SettingsError naming the first setting whose value is not allowed."""
    from newsflow.config import SettingsError

    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name in RANGES:
            problem = _range_error(f.name, value, *RANGES[f.name])
        elif f.name in CHOICES:
            problem = None if value in CHOICES[f.name] else \
                f"must be one of {', '.join(CHOICES[f.name])}, got {value!r}"
        elif f.name in CHECKS:
            problem = CHECKS[f.name](value)
        else:
            problem = "has no declared check in newsflow/settings_checks.py (a newsflow bug)"
        if problem:
            raise SettingsError(f"setting {f.name} {problem}")
    if settings.min_text_chars > settings.max_text_chars:
        raise SettingsError(f"setting min_text_chars ({settings.min_text_chars}) must not exceed "
                            f"max_text_chars ({settings.max_text_chars})")
    if isinstance(settings.db_path, Path) and settings.db_path.is_dir():
        raise SettingsError(f"setting db_path is a folder, not a DuckDB file: {settings.db_path}")
