"""Opening the DuckDB warehouse and applying the ordered SQL migrations and views."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb

_MIGRATION = re.compile(r"^(\d{4})_[\w-]+\.sql$")

# The storage format a new warehouse file is written in. "v1.1.0" (header version 64) is what every
# DuckDB from 1.1 on opens: the duckdb-cli on PyPI (1.4.4 to 1.5.6), the Python package 1.1-1.5 and
# 2.0 (tested in tests/e2e/test_duckdb_compat.py and by hand, docs/duckdb.md). 1.0 cannot read the
# primary-key indexes DuckDB 1.5 writes, whatever the setting. An existing file keeps its version.
STORAGE_VERSION = "v1.1.0"
_TOO_NEW = re.compile(r"database file with version number (\d+)")


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file's write lock."""


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse") / folder
    files = sorted(p.name for p in root.iterdir() if p.name.endswith(".sql"))
    return [(name, (root / name).read_text(encoding="utf-8")) for name in files]


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens the warehouse; a writer also brings the schema up to date."""
    if str(db_path) != ":memory:":
        path = Path(db_path)
        if read_only and not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}; run `newsflow run` first")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only,
                             config={"storage_compatibility_version": STORAGE_VERSION})
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"the warehouse {db_path} is in use by another process (DuckDB allows one writer); "
                "try again when that run has finished"
            ) from exc
        too_new = _TOO_NEW.search(str(exc))
        if too_new:  # e.g. a file written by DuckDB 2.0 (version 69), which DuckDB 1.5 cannot read
            raise ValueError(
                f"the warehouse {db_path} was written by a newer DuckDB (storage version {too_new.group(1)}) "
                f"than newsflow's DuckDB {duckdb.__version__} reads; copy it with that DuckDB "
                "(EXPORT DATABASE, then IMPORT DATABASE here) or start a new warehouse (docs/duckdb.md)"
            ) from exc
        raise
    if not read_only:
        migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Applies migrations not yet recorded in schema_migrations, then (re)creates the views."""
    con.execute(
        "create table if not exists schema_migrations (version varchar primary key, "
        "name varchar not null, applied_at timestamptz not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for name, sql in _sql_files("migrations"):
        match = _MIGRATION.match(name)
        if not match:
            raise ValueError(f"migration file name must look like 0001_name.sql: {name}")
        if match.group(1) in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute("insert into schema_migrations values (?, ?, ?)",
                        [match.group(1), name, datetime.now(timezone.utc)])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(name)
    for name, sql in _sql_files("views"):
        con.execute(f"create or replace view {Path(name).stem.split('_', 1)[1]} as {sql}")
    return applied
