"""Great Expectations gate: every batch is validated, table by table, before it is loaded.

Suites are declarative JSON files in `expectations/` (one per table). Rows that fail a `critical`
expectation go to quarantine naming the expectations that row failed; `warning` expectations only
report. GX is imported here, lazily and once per process, because the import alone costs ~5 s.

The checks run in two places: the row-level expectations (everything a batch can be judged on alone,
offsets included) where the batch is analysed (`check_tables(..., known=None)` in a worker), the
referential ones (`tasks/quality/references.py`, they need the warehouse) and the suites of the tables
only the writer builds (entities, aliases, stories, events) in the commit.
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
from tasks.quality import references as refs
from tasks.quality.references import NEEDS_CHILD, REFERENCES, KnownKeys, warehouse_keys  # noqa: F401

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


def label(failure: ExpectationFailure) -> str:
    """How a quarantine reason names a failed expectation: `type(column)`."""
    return failure.expectation + (f"({failure.column})" if failure.column else "")


def load_suite_configs() -> dict[str, dict]:
    root = resources.files("expectations")
    return {
        p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
        for p in root.iterdir() if p.name.endswith(".json")
    }


class Validator:
    """An ephemeral GX context with one pandas asset and every suite in expectations/, built once
    per process. The suites hold their row-level expectations; the referential ones
    (`<column>_exists`) are evaluated by tasks/quality/references.py."""

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
                for e in cfg["expectations"] if not refs.is_reference_expectation(e)
            ]
            suite = gx.ExpectationSuite(name=name, expectations=expectations, meta=cfg.get("meta"))
            self.suites[name] = self._ctx.suites.add(suite)

    def validate(self, suite_name: str, table: pa.Table, parameters: dict
                 ) -> tuple[dict[int, list[str]], SuiteOutcome]:
        """One GX call for the whole table. Returns {position of a row failing a critical expectation:
        the expectations that row failed}, and the outcome."""
        outcome = SuiteOutcome(suite=suite_name, rows=table.num_rows, evaluated=0)
        if table.num_rows == 0:
            return {}, outcome
        df = table.to_pandas().reset_index(drop=True)
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(self.suites[suite_name], expectation_parameters=parameters,
                                result_format={"result_format": "COMPLETE"})
        self._remember(suite_name, result)
        bad: dict[int, list[str]] = {}
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
            failure = ExpectationFailure(
                suite=suite_name, expectation=cfg.type,
                column=cfg.kwargs.get("column") or cfg.kwargs.get("column_A"),
                severity=severity,
                unexpected_count=int(details.get("unexpected_count") or len(indices)
                                     or len(details.get("partial_missing_list") or []) or 0),
                sample=[_jsonable(v) for v in _sample(details)],
                row_ids=_row_ids(df, indices), id_column=str(df.columns[0]),
            )
            outcome.failures.append(failure)
            if severity == "critical":  # each row is blamed for the checks it failed, not the batch's
                for i in indices:
                    bad.setdefault(int(i), []).append(label(failure))
        outcome.rejected_rows = len(bad)
        return bad, outcome

    def _remember(self, suite_name: str, result) -> None:
        """Keeps failing results and the latest passing one per suite, bounded, for Data Docs.
        A result is a GX object, or its JSON dict when it came from a worker (take_results)."""
        if _succeeded(result):
            self.pending = [(s, r) for s, r in self.pending if s != suite_name or not _succeeded(r)]
        self.pending.append((suite_name, result))
        del self.pending[:-MAX_DOCS_RESULTS]

    @property
    def context(self):
        return self._ctx


@lru_cache(maxsize=1)
def get_validator() -> Validator:
    return Validator()


def _succeeded(result) -> bool:
    return result["success"] if isinstance(result, dict) else result.success


def has_results() -> bool:
    """True when this process holds validation results for Data Docs (GX is not started for it)."""
    return get_validator.cache_info().currsize > 0 and bool(get_validator().pending)


def take_results() -> list[tuple[str, dict]]:
    """The results kept for Data Docs in this process (a worker), as JSON, to send to the writer."""
    if not get_validator.cache_info().currsize:
        return []
    validator = get_validator()
    out = [(s, r if isinstance(r, dict) else r.to_json_dict()) for s, r in validator.pending]
    validator.pending.clear()
    return out


def add_results(results: list[tuple[str, dict]]) -> None:
    """A worker's results, kept here (the writer) with its own for the run's Data Docs."""
    if results:
        validator = get_validator()
        for suite, result in results:
            validator._remember(suite, result)


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




# Tables whose rows point into articles.text: the column that must equal text[start_char:end_char].
SPANS: dict[str, str] = {"mentions": "text", "quotes": "quote", "event_mentions": "sentence", "amounts": "text",
                         "dates": "text"}


def _reject(table: pa.Table, bad: dict[int, list[str]], suite: str,
            sources: dict[str, str]) -> tuple[pa.Table, list[Quarantined]]:
    if not bad:
        return table, []
    rows = table.to_pylist()
    quarantined = [
        Quarantined(stage="validate", source=_source_of(rows[i], suite, sources),
                    reason=f"{suite}: failed critical expectation(s) {', '.join(sorted(set(bad[i])))}",
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


@dataclass
class Checked:
    """What checking a batch leaves: loadable tables, quarantine records, one outcome per suite, and
    the keys of rejected rows per table (a later check drops their children)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    quarantined: list[Quarantined] = field(default_factory=list)
    outcomes: dict[str, SuiteOutcome] = field(default_factory=dict)
    rejected: dict[str, dict[str, set]] = field(default_factory=dict)  # table -> column -> values

    @property
    def report(self) -> ValidationReport:
        return ValidationReport(list(self.outcomes.values()))


def _texts_and_sources(articles: pa.Table | None) -> tuple[dict[str, str], dict[str, str]]:
    if articles is None or not articles.num_rows:
        return {}, {}
    ids_ = articles.column("article_id").to_pylist()
    return (dict(zip(ids_, articles.column("text").to_pylist())),
            dict(zip(ids_, articles.column("source").to_pylist())))


def _drop_orphaned_children(rows: pa.Table, name: str, checked: Checked) -> pa.Table:
    """Children of parent rows this batch rejected go with them (the parent is quarantined)."""
    for col, parent, parent_col in REFERENCES.get(name, []):
        gone = checked.rejected.get(parent, {}).get(parent_col)
        if gone:
            rows = rows.filter(pc.invert(pc.is_in(rows.column(col), value_set=pa.array(list(gone), pa.string()))))
    return rows


def _remember_rejected(checked: Checked, name: str, before: pa.Table, after: pa.Table) -> None:
    for col in {parent_col for refs_ in REFERENCES.values() for _, parent, parent_col in refs_ if parent == name}:
        gone = set(before.column(col).to_pylist()) - set(after.column(col).to_pylist())
        if gone:
            checked.rejected.setdefault(name, {}).setdefault(col, set()).update(gone)


def check_tables(tables: dict[str, pa.Table], settings: Settings, validator: Validator | None = None,
                 known: KnownKeys | None = None, rows: set[str] | None = None,
                 into: Checked | None = None) -> Checked:
    """Checks the tables of a batch in the order given (parents first).

    `rows`: the tables whose suites (row-level expectations, offsets against the batch's article
    texts) run now; default all. `known` given: the referential checks run too (batch,
    then warehouse) and rows kept only for a child lose it when none is left (NEEDS_CHILD); that is
    the commit's part. `into`: the analyse step's result this continues (its outcomes are extended).
    """
    checked = into or Checked()
    params = parameters_for(settings)
    texts, sources = _texts_and_sources(tables.get("articles"))
    for name, table in tables.items():
        table = _drop_orphaned_children(table, name, checked)
        bad: dict[int, list[str]] = {}
        outcome = checked.outcomes.get(name)
        if rows is None or name in rows:
            validator = validator or get_validator()
            if name in validator.suites:
                probe = _span_checks(table, SPANS[name], texts) if name in SPANS else table
                bad, outcome = validator.validate(name, probe, params)
        if known is not None and REFERENCES.get(name):
            found = outcome or SuiteOutcome(suite=name, rows=table.num_rows, evaluated=0)
            flagged = refs.reference_checks(table, name, checked.tables, known)
            for i, why in refs.orphans(flagged, name, found).items():
                bad.setdefault(i, []).extend(why)
            outcome = found if (outcome is not None or found.failures) else None
        if outcome is not None:
            outcome.rejected_rows += len(bad)
            checked.outcomes[name] = outcome
        kept, q = _reject(table, bad, name, sources)
        checked.quarantined += q
        _remember_rejected(checked, name, table, kept)
        checked.tables[name] = kept
    if known is not None:
        for name, (col, child) in NEEDS_CHILD.items():
            if name in checked.tables and child in checked.tables:
                t = checked.tables[name]
                checked.tables[name] = t.filter(pc.is_in(t.column(col), value_set=checked.tables[child].column(col)))
    return checked


def validate_batch(tables: dict[str, pa.Table], settings: Settings, validator: Validator | None = None,
                   known: KnownKeys | None = None):
    """Every check of a batch in one place (row-level, referential against `known`, NEEDS_CHILD).

    Returns (loadable tables, quarantine records, report). A rejected parent row takes its children
    with it (REFERENCES); every other child must find its parent in the batch or, through `known`,
    in the warehouse (`<column>_exists`); offsets are checked against the batch's texts (SPANS).
    """
    checked = check_tables(tables, settings, validator, known=known if known is not None else _nothing_known)
    return checked.tables, checked.quarantined, checked.report


def _nothing_known(_table: str, _column: str, _values: list) -> set:
    return set()
