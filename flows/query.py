"""`newsflow sql`: read-only SQL on the warehouse, every statement's result as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys

from flows.cli import EXIT_FAILED, EXIT_OK, _usage


def print_rows(columns: list[str], rows: list[tuple], as_json: bool) -> None:
    if as_json:
        json.dump([dict(zip(columns, r)) for r in rows], sys.stdout, default=str, indent=1)
        print()
        return
    widths = [min(60, max([len(c)] + [len(str(r[i])) for r in rows])) for i, c in enumerate(columns)]
    for line in [columns, *rows]:
        print("  ".join(str(v)[:w].ljust(w) for v, w in zip(line, widths)).rstrip())


def _sql_text(args) -> str:
    if args.file and args.query is not None:
        raise SystemExit(_usage("give the SQL as an argument or with -f FILE, not both"))
    if args.file:
        try:
            text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8-sig").read()
        except OSError as exc:
            raise SystemExit(_usage(f"cannot read {args.file}: {exc.strerror}"))
    else:
        text = args.query or ""
    if not text.strip() or not text.strip().strip(";").strip():
        raise SystemExit(_usage("no SQL given (an empty query" + (f" in {args.file})" if args.file else ")")))
    return text


def _cell(value):
    """CSV cells: lists, structs and maps as JSON (not Python reprs); the rest as csv writes them."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return value


def _show(rel, args, first: bool) -> None:
    if args.format == "table":
        rel.show(max_rows=args.max_rows, max_width=200)
        return
    cols, rows = rel.columns, rel.fetchall()
    if args.format == "csv":
        if not first:
            print()  # several statements: one CSV block each, a blank line between
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows([_cell(v) for v in r] for r in rows)
    else:  # one JSON array per statement (a stream of documents, as jq reads them)
        json.dump([dict(zip(cols, r)) for r in rows], sys.stdout, default=str, ensure_ascii=False, indent=1)
        print()


def run(args, settings_of) -> int:
    text = _sql_text(args)  # before opening anything: a usage error is instant
    import duckdb

    from warehouse import extensions
    from warehouse.db import connect

    settings = settings_of(args)
    try:
        con = connect(settings.db_path, read_only=True)
    except FileNotFoundError as exc:
        return _usage(str(exc))
    try:
        extensions.load_all(con, dict.fromkeys([*settings.sql_extensions, *args.load]))
        statements = duckdb.extract_statements(text)
        shown = 0
        for statement in statements:  # every statement's result, in order (not only the last)
            rel = con.sql(statement.query)
            if rel is not None:  # statements without a result (SET, ...) print nothing
                _show(rel, args, first=shown == 0)
                shown += 1
        return EXIT_OK
    except duckdb.Error as exc:
        print(f"newsflow: SQL error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()


