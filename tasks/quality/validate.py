"""Great Expectations gate: every batch is validated, table by table, before it is loaded.

Suites are declarative JSON files in `expectations/` (one per table). Rows that fail a `critical`
expectation go to quarantine with the expectation named in the reason; `warning` expectations only
report. GX is imported here, lazily and once per process, because the import alone costs ~5 s.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.batches import Quarantined
from newsflow.config import Settings
from newsflow.countries import known_codes
from tasks.events.phoenix import GROUP_TYPES
from tasks.events.plover import CATEGORIES as PLOVER_CATEGORIES

log = logging.getLogger(__name__)

SAMPLE_SIZE = 5
MAX_DOCS_RESULTS = 50  # validation pages per run in Data Docs (failures first kept)
# Clock skew and time zones: an article "published today" east of UTC may look a few hours ahead.
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass
class ExpectationFailure:
    suite: str
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    sample: list
    row_ids: list = field(default_factory=list)  # the failing rows' key (id_column), up to SAMPLE_SIZE
    id_column: str | None = None


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    evaluated: int
    failures: list[ExpectationFailure] = field(default_factory=list)
    rejected_rows: int = 0

    @property
    def critical_failed(self) -> bool:
        return any(f.severity == "critical" for f in self.failures)


def load_suite_configs() -> dict[str, dict]:
    root = resources.files("expectations")
    return {
        p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
        for p in root.iterdir() if p.name.endswith(".json")
    }


class Validator:
    """An ephemeral GX context with one pandas asset and every suite in expectations/."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
        self._ctx = gx.get_context(mode="ephemeral")
        self._ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = self._ctx.data_sources.add_pandas("newsflow").add_dataframe_asset("batch")
        self._batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        self.pending: list[tuple[str, object]] = []  # (suite, GX result) kept for Data Docs
        self.suites = {}
        for name, cfg in load_suite_configs().items():
            expectations = [
                ExpectationConfiguration(
                    type=e["type"], kwargs=e["kwargs"], meta=e.get("meta"),
                    severity=e.get("severity", "critical"),
                ).to_domain_obj()
                for e in cfg["expectations"]
            ]
            suite = gx.ExpectationSuite(name=name, expectations=expectations, meta=cfg.get("meta"))
            self.suites[name] = self._ctx.suites.add(suite)

    def validate(self, suite_name: str, table: pa.Table, parameters: dict) -> tuple[set[int], SuiteOutcome]:
        """Returns the positions of rows failing a critical expectation, and the outcome."""
        outcome = SuiteOutcome(suite=suite_name, rows=table.num_rows, evaluated=0)
        if table.num_rows == 0:
            return set(), outcome
        df = table.to_pandas().reset_index(drop=True)
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(self.suites[suite_name], expectation_parameters=parameters,
                                result_format={"result_format": "COMPLETE"})
        self._remember(suite_name, result)
        bad: set[int] = set()
        for res in result.results:
            outcome.evaluated += 1
            if res.success:
                continue
            cfg = res.expectation_config
            severity = getattr(cfg.severity, "value", str(cfg.severity))
            details = res.result or {}
            indices = details.get("unexpected_index_list") or []
            if res.exception_info and res.exception_info.get("raised_exception"):
                log.error("expectation %s on %s raised: %s", cfg.type, suite_name,
                          res.exception_info.get("exception_message"))
            outcome.failures.append(ExpectationFailure(
                suite=suite_name, expectation=cfg.type,
                column=cfg.kwargs.get("column") or cfg.kwargs.get("column_A"),
                severity=severity,
                unexpected_count=int(details.get("unexpected_count") or len(indices)
                                     or len(details.get("partial_missing_list") or []) or 0),
                sample=[_jsonable(v) for v in _sample(details)],
                row_ids=_row_ids(df, indices), id_column=str(df.columns[0]),
            ))
            if severity == "critical":
                bad.update(int(i) for i in indices)
        outcome.rejected_rows = len(bad)
        return bad, outcome

    def _remember(self, suite_name: str, result) -> None:
        """Keeps failing results and the latest passing one per suite, bounded, for Data Docs."""
        if result.success:
            self.pending = [(s, r) for s, r in self.pending if s != suite_name or not r.success]
        self.pending.append((suite_name, result))
        del self.pending[:-MAX_DOCS_RESULTS]

    @property
    def context(self):
        return self._ctx


@lru_cache(maxsize=1)
def get_validator() -> Validator:
    return Validator()


def _sample(details: dict) -> list:
    """Failing values; for aggregate expectations the missing set members or the observed value."""
    values = details.get("partial_unexpected_list") or details.get("partial_missing_list")
    if values:
        return values[:SAMPLE_SIZE]
    observed = details.get("observed_value")
    return [] if observed is None else [observed]


def _row_ids(df, indices: list) -> list:
    """The key (first column) of the failing rows; GX gives their positions in the DataFrame."""
    if not all(isinstance(i, int) for i in indices[:SAMPLE_SIZE]):
        return []
    return [_jsonable(df.iat[i, 0]) for i in indices[:SAMPLE_SIZE]]


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def parameters_for(settings: Settings, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    return {
        "now": now + FUTURE_TOLERANCE,
        "oldest_date": datetime(1990, 1, 1, tzinfo=timezone.utc),
        "min_text_chars": settings.min_text_chars,
        "max_text_chars": settings.max_text_chars,
        "entity_labels": list(settings.entity_labels),
        "fetch_max_bytes": settings.fetch_max_bytes,
        "event_types": list(PLOVER_CATEGORIES),
        "country_codes": sorted(known_codes() | GROUP_TYPES),  # and CAMEO's non-state actor types
    }


# A child row whose parent row was rejected cannot load: (child column, parent table, parent column).
REFERENCES: dict[str, list[tuple[str, str, str]]] = {
    "mentions": [("article_id", "articles", "article_id"), ("entity_id", "entities", "entity_id")],
    "entity_aliases": [("entity_id", "mentions", "entity_id")],  # an alias needs a mention that loads
    "quotes": [("article_id", "articles", "article_id")],
    "event_mentions": [("article_id", "articles", "article_id")],
    "amounts": [("article_id", "articles", "article_id")],
    "dates": [("article_id", "articles", "article_id")],
}
# Tables whose rows point into articles.text: the column that must equal text[start_char:end_char].
SPANS: dict[str, str] = {"mentions": "text", "quotes": "quote", "event_mentions": "sentence", "amounts": "text",
                         "dates": "text"}
# Rows kept only while some child row in the batch still points at them.
NEEDS_CHILD: dict[str, tuple[str, str]] = {"entities": ("entity_id", "mentions"),
                                           "events": ("event_id", "event_mentions"),
                                           "stories": ("story_id", "articles")}


# (parent table, parent column, values) -> the values the warehouse already holds
KnownKeys = Callable[[str, str, list], set]


def warehouse_keys(con) -> KnownKeys:
    """A KnownKeys backed by the DuckDB warehouse (one join per reference and batch)."""

    def known(table: str, column: str, values: list) -> set:
        if not values:
            return set()
        con.register("ref_keys", pa.table({"k": pa.array(list(set(values)), pa.string())}))
        try:
            rows = con.execute(f"select distinct t.{column} from {table} as t "
                               f"join ref_keys as r on t.{column} = r.k").fetchall()
        finally:
            con.unregister("ref_keys")
        return {r[0] for r in rows}

    return known


def _reference_checks(rows: pa.Table, name: str, batch: dict[str, pa.Table],
                      known: KnownKeys | None) -> pa.Table:
    """Adds `<column>_exists` per REFERENCES entry: the parent is in the batch or the warehouse."""
    for col, parent, parent_col in REFERENCES.get(name, []):
        values = rows.column(col).to_pylist()
        found = set(batch[parent].column(parent_col).to_pylist()) if parent in batch else set()
        missing = [v for v in values if v is not None and v not in found]
        if known is not None and missing:
            found |= known(parent, parent_col, missing)
        rows = rows.append_column(f"{col}_exists", pa.array([v in found for v in values], pa.bool_()))
    return rows


def _orphans(checked: pa.Table, name: str, outcome: SuiteOutcome) -> set[int]:
    """Rows whose parent is nowhere: rejected even when the table's suite does not check it."""
    bad: set[int] = set()
    for col, parent, _ in REFERENCES.get(name, []):
        flags = checked.column(f"{col}_exists").to_pylist()
        missing = [i for i, ok in enumerate(flags) if not ok]
        bad.update(missing)
        if not missing:
            continue
        values = checked.column(col).to_pylist()
        reported = [f for f in outcome.failures if f.column == f"{col}_exists"]
        ids = checked.column(0).to_pylist()
        for f in reported:  # the ids that point nowhere say more than a column of False
            f.sample = [values[i] for i in missing[:SAMPLE_SIZE]]
        if not reported:
            outcome.failures.append(ExpectationFailure(
                suite=name, expectation=f"referential_integrity({parent})", column=f"{col}_exists",
                severity="critical", unexpected_count=len(missing),
                sample=[values[i] for i in missing[:SAMPLE_SIZE]],
                row_ids=[ids[i] for i in missing[:SAMPLE_SIZE]], id_column=checked.column_names[0]))
    return bad


def _span_checks(rows: pa.Table, surface_col: str, texts: dict[str, str]) -> pa.Table:
    """Adds the columns a suite checks offsets with (article_text_length, surface_matches); not loaded."""
    lengths, matches = [], []
    for aid, surface, start, end in zip(*(rows.column(c).to_pylist() for c in
                                          ("article_id", surface_col, "start_char", "end_char"))):
        text = texts.get(aid)
        lengths.append(len(text) if text is not None else -1)
        matches.append(text is not None and start is not None and end is not None
                       and text[start:end] == surface)
    return rows.append_column("article_text_length", pa.array(lengths, pa.int64())) \
               .append_column("surface_matches", pa.array(matches, pa.bool_()))


def _reject(table: pa.Table, bad: set[int], suite: str, outcome: SuiteOutcome,
            sources: dict[str, str]) -> tuple[pa.Table, list[Quarantined]]:
    if not bad:
        return table, []
    failed = ", ".join(sorted({f.expectation + (f"({f.column})" if f.column else "")
                               for f in outcome.failures if f.severity == "critical"}))
    rows = table.to_pylist()
    quarantined = [
        Quarantined(stage="validate", source=_source_of(rows[i], suite, sources),
                    reason=f"{suite}: failed critical expectation(s) {failed}",
                    payload=json.dumps(rows[i], default=str, ensure_ascii=False))
        for i in sorted(bad)
    ]
    keep = pa.array([i not in bad for i in range(table.num_rows)])
    return table.filter(keep), quarantined


def _source_of(row: dict, table: str, sources: dict[str, str]) -> str:
    """Where a rejected row came from: its article's input, else the table and its first column."""
    if row.get("source"):
        return row["source"]
    if row.get("article_id") in sources:
        return sources[row["article_id"]]
    first = next(iter(row.values()), None)
    return f"{table}:{row.get('name') or first}"


@dataclass
class ValidationReport:
    outcomes: list[SuiteOutcome]

    @property
    def success(self) -> bool:
        return not any(o.critical_failed for o in self.outcomes)

    @property
    def has_warnings(self) -> bool:
        return any(f.severity != "critical" for o in self.outcomes for f in o.failures)

    def to_json(self) -> list[dict]:
        return [asdict(o) for o in self.outcomes]


def validate_batch(tables: dict[str, pa.Table], settings: Settings, validator: Validator | None = None,
                   known: KnownKeys | None = None):
    """Validates each table of a batch (parents first, in the order given) with its suite.

    Returns (loadable tables, quarantine records, report). A rejected parent row takes its children
    with it (REFERENCES); every other child must find its parent in the batch or, through `known`,
    in the warehouse (`<column>_exists`); offsets are checked against the batch's texts (SPANS).
    """
    validator = validator or get_validator()
    params = parameters_for(settings)
    quarantined: list[Quarantined] = []
    outcomes: list[SuiteOutcome] = []
    articles = tables.get("articles")
    texts, sources = {}, {}
    if articles is not None:
        ids_ = articles.column("article_id").to_pylist()
        texts = dict(zip(ids_, articles.column("text").to_pylist()))
        sources = dict(zip(ids_, articles.column("source").to_pylist()))
    out: dict[str, pa.Table] = {}
    for name, rows in tables.items():
        for col, parent, parent_col in REFERENCES.get(name, []):
            if parent in out:  # drop only the children of parent rows this batch rejected
                rejected = pc.filter(tables[parent].column(parent_col), pc.invert(
                    pc.is_in(tables[parent].column(parent_col), value_set=out[parent].column(parent_col))))
                rows = rows.filter(pc.invert(pc.is_in(rows.column(col), value_set=rejected)))
        checked = _span_checks(rows, SPANS[name], texts) if name in SPANS else rows
        checked = _reference_checks(checked, name, out, known)
        if name in validator.suites:
            bad, outcome = validator.validate(name, checked, params)
        else:
            bad, outcome = set(), SuiteOutcome(suite=name, rows=rows.num_rows, evaluated=0)
        bad |= _orphans(checked, name, outcome)
        if name in validator.suites or outcome.failures:
            outcome.rejected_rows = len(bad)
            outcomes.append(outcome)
        rows, q = _reject(rows, bad, name, outcome, sources)
        quarantined += q
        out[name] = rows
    for name, (col, child) in NEEDS_CHILD.items():
        if name in out and child in out:
            out[name] = out[name].filter(pc.is_in(out[name].column(col), value_set=out[child].column(col)))
    return out, quarantined, ValidationReport(outcomes)
