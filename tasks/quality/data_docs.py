"""Great Expectations Data Docs: a static HTML site (default data/docs/) built after each run.

The validator keeps the run's failing batch results and the last passing one per suite; they are
written to GX's validation-results store under the newsflow run id and rendered by GX's SiteBuilder.
The results are kept as JSON under `docs/.results/`, so the index lists every run's pages.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

SITE = "newsflow"


def build_docs(validator, docs_dir: Path, run_id: str) -> str:
    """Renders the run's validation results into `docs_dir`; returns the index.html path."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    ctx = validator.context
    docs_dir = Path(docs_dir).resolve()
    docs_dir.mkdir(parents=True, exist_ok=True)
    site = {"class_name": "SiteBuilder", "show_how_to_buttons": False,
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)}}
    if SITE in ctx.list_data_docs_sites():
        ctx.update_data_docs_site(SITE, site)
    else:
        ctx.add_data_docs_site(SITE, site)
    # Results persist as JSON under docs/.results/, so the index lists the history of every run.
    results_dir = str(docs_dir / ".results")
    name = "newsflow_results"
    if ctx.stores.get(name) is None or ctx.config.stores[name]["store_backend"]["base_directory"] != results_dir:
        ctx.add_store(name, {"class_name": "ValidationResultsStore", "store_backend": {
            "class_name": "TupleFilesystemStoreBackend", "base_directory": results_dir}})
        ctx.validation_results_store_name = name
    store = ctx.validation_results_store
    run = RunIdentifier(run_name=run_id, run_time=datetime.now(timezone.utc))
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema

    for i, (suite, result) in enumerate(validator.pending, start=1):
        if isinstance(result, dict):  # validated in a worker, sent as JSON
            result = ExpectationSuiteValidationResultSchema().load(result)
        result.meta["run_id"] = run  # else the result pages say "Run Name __none__"
        store.set(ValidationResultIdentifier(ExpectationSuiteIdentifier(suite), run, f"{suite}-{i}"), result)
    validator.pending.clear()
    ctx.build_data_docs(site_names=[SITE])
    return str(docs_dir / "index.html")
