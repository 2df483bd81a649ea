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
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.batches import Quarantined
from newsflow.config import Settings

log = logging.getLogger(__name__)

SAMPLE_SIZE = 5
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
                unexpected_count=int(details.get("unexpected_count") or len(indices) or 0),
                sample=[_jsonable(v) for v in (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]],
            ))
            if severity == "critical":
                bad.update(int(i) for i in indices)
        outcome.rejected_rows = len(bad)
        return bad, outcome


@lru_cache(maxsize=1)
def get_validator() -> Validator:
    return Validator()


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
    }


def _mention_checks(mentions: pa.Table, articles: pa.Table) -> pa.Table:
    """Adds the columns the mentions suite checks against the article text (not loaded)."""
    texts = dict(zip(articles.column("article_id").to_pylist(), articles.column("text").to_pylist()))
    lengths, matches = [], []
    for aid, surface, start, end in zip(*(mentions.column(c).to_pylist() for c in
                                          ("article_id", "text", "start_char", "end_char"))):
        text = texts.get(aid)
        lengths.append(len(text) if text is not None else -1)
        matches.append(text is not None and text[start:end] == surface)
    return mentions.append_column("article_text_length", pa.array(lengths, pa.int64())) \
                   .append_column("surface_matches", pa.array(matches, pa.bool_()))


def _reject(table: pa.Table, bad: set[int], suite: str, outcome: SuiteOutcome, source_of) -> tuple[pa.Table, list[Quarantined]]:
    if not bad:
        return table, []
    failed = ", ".join(sorted({f.expectation + (f"({f.column})" if f.column else "")
                               for f in outcome.failures if f.severity == "critical"}))
    rows = table.to_pylist()
    quarantined = [
        Quarantined(stage="validate", source=source_of(rows[i]),
                    reason=f"{suite}: failed critical expectation(s) {failed}",
                    payload=json.dumps(rows[i], default=str, ensure_ascii=False))
        for i in sorted(bad)
    ]
    keep = pa.array([i not in bad for i in range(table.num_rows)])
    return table.filter(keep), quarantined


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


def validate_batch(articles: pa.Table, entities: pa.Table, mentions: pa.Table, settings: Settings,
                   validator: Validator | None = None):
    """Validates the three tables of a batch; returns the loadable rows, quarantine and a report.

    A rejected article takes its mentions with it; a rejected entity takes its mentions; entities
    left with no mention in the batch are not loaded.
    """
    validator = validator or get_validator()
    params = parameters_for(settings)
    quarantined: list[Quarantined] = []
    outcomes = []
    sources = dict(zip(articles.column("article_id").to_pylist(), articles.column("source").to_pylist()))

    bad, outcome = validator.validate("articles", articles, params)
    outcomes.append(outcome)
    articles, q = _reject(articles, bad, "articles", outcome, lambda r: r.get("source") or "?")
    quarantined += q

    bad, outcome = validator.validate("entities", entities, params)
    outcomes.append(outcome)
    entities, q = _reject(entities, bad, "entities", outcome, lambda r: f"entity:{r.get('name')}")
    quarantined += q

    # Mentions of rejected articles or entities cannot load (they would point at nothing).
    mentions = mentions.filter(pc.and_(
        pc.is_in(mentions.column("article_id"), value_set=articles.column("article_id")),
        pc.is_in(mentions.column("entity_id"), value_set=entities.column("entity_id")),
    ))
    checked = _mention_checks(mentions, articles)
    bad, outcome = validator.validate("mentions", checked, params)
    outcomes.append(outcome)
    mentions, q = _reject(mentions, bad, "mentions", outcome,
                          lambda r: sources.get(r.get("article_id"), "?"))
    quarantined += q

    entities = entities.filter(pc.is_in(entities.column("entity_id"), value_set=mentions.column("entity_id")))
    return articles, entities, mentions, quarantined, ValidationReport(outcomes)
