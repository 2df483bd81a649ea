"""The warehouse a real run wrote opens read-only in the DuckDB CLIs an analyst installs from PyPI:
duckdb-cli 1.5.x (the [dev] extra) and 1.4.4 (installed beside it by `make install`)."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.db import STORAGE_VERSION

pytestmark = pytest.mark.e2e
VENV = Path(sys.executable).parent.parent
CLIS = {"1.5": VENV / "bin" / "duckdb", "1.4.4": VENV / "duckdb-cli-1.4.4" / "bin" / "duckdb"}
VIEWS = ("entity_summary", "entity_timeline", "places", "events_per_day", "event_dyads", "story_timeline",
         "gdelt_export", "quotes_by_speaker", "entity_cooccurrence", "fetch_hosts")


def test_the_file_has_the_storage_version_every_duckdb_1_1_opens(seeds_warehouse):
    db, _ = seeds_warehouse
    magic, version = struct.Struct("<8x4sQ").unpack(db.read_bytes()[:20])
    assert (magic, version, STORAGE_VERSION) == (b"DUCK", 64, "v1.1.0")


@pytest.mark.parametrize("release", sorted(CLIS))
def test_the_duckdb_cli_opens_the_warehouse_read_only(release, seeds_warehouse):
    cli = CLIS[release]
    if not cli.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{cli} is missing: `make install` installs it")
        pytest.skip(f"{cli} not installed (make install)")
    db, summary = seeds_warehouse
    before = db.stat().st_mtime_ns
    sql = "select version(); select count(*) from articles; " + " ".join(
        f"select count(*) > 0 from {v};" for v in VIEWS if v != "fetch_hosts") + " select count(*) from fetch_hosts;"
    out = subprocess.run([str(cli), "-readonly", "-csv", "-noheader", str(db), "-c", sql],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines[0].startswith(f"v{release}") and lines[1] == str(summary["articles_new"]) == "5"
    assert lines[2:-1] == ["true"] * (len(VIEWS) - 1) and lines[-1] == "0"
    assert db.stat().st_mtime_ns == before  # read-only: the file is untouched
