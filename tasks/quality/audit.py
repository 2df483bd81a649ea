"""`newsflow validate`: the table suites re-run on what the warehouse holds now, page by page.

Each page is validated like a batch (offsets against the stored texts, references against the
stored parents), so memory stays bounded by the page size. Uniqueness is checked within a page; the
primary keys guarantee it across pages.
"""

from __future__ import annotations

import pyarrow as pa

from newsflow.config import Settings
from tasks.quality import references, validate
from tasks.report.alert import failed_expectations
from tasks.store.load import TABLES


def suite_tables(validator, table: str | None = None) -> list[str]:
    """Warehouse tables that have a suite (in load order), or just `table`."""
    names = [t for t in TABLES if t in validator.suites]
    if table is not None:
        if table not in names:
            raise ValueError(f"no suite for table {table!r}; tables with a suite: {', '.join(names)}")
        return [table]
    return names


def _texts(con, article_ids: list) -> dict[str, str]:
    con.register("page_articles", pa.table({"article_id": pa.array(list(set(article_ids)), pa.string())}))
    try:
        return dict(con.execute("select article_id, text from articles where article_id in "
                                "(select article_id from page_articles)").fetchall())
    finally:
        con.unregister("page_articles")


def validate_table(con, table: str, settings: Settings, page_size: int, validator=None) -> dict:
    """One table, page by page; returns {table, rows, pages, failures (merged), critical_failed}."""
    validator = validator or validate.get_validator()
    params = validate.parameters_for(settings)
    known = validate.warehouse_keys(con)
    key = TABLES[table][0]
    reader = con.cursor()  # pages stream from a second cursor while `con` answers the lookups
    batches = reader.sql(f"select * from {table} order by {key}").to_arrow_reader(page_size)
    rows = pages = 0
    outcomes = []
    for page in batches:
        page = pa.Table.from_batches([page])
        rows, pages = rows + page.num_rows, pages + 1
        checked = page
        if table in validate.SPANS:
            texts = _texts(con, page.column("article_id").to_pylist())
            checked = validate._span_checks(checked, validate.SPANS[table], texts)
        checked = references.reference_checks(checked, table, {}, known)
        _, outcome = validator.validate(table, checked, params)
        references.orphans(checked, table, outcome)  # samples: the ids that point nowhere
        outcomes.append({"failures": [vars(f) for f in outcome.failures]})
    reader.close()
    failures = failed_expectations(outcomes)
    return {"table": table, "rows": rows, "pages": pages, "failures": failures,
            "critical_failed": any(f["severity"] == "critical" for f in failures)}
