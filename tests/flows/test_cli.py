"""The real `newsflow` command (a subprocess): bad usage fails fast with exit 2 and one line, pipes
closed early end quietly, `sql` runs files and several statements. No Prefect run here."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse import db

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")


def newsflow(*args, cwd=None, stdin=None, env=None):
    t0 = time.monotonic()
    out = subprocess.run([NEWSFLOW, *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=60,
                         env={**os.environ, **(env or {})})
    return out, time.monotonic() - t0


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "newsflow.duckdb"
    con = db.connect(path)
    con.execute("insert into quarantine (quarantine_id, run_id, stage, source, reason, created_at) "
                "select 'q' || i, 'r1', 'ingest', 'f' || i || '.txt', 'empty file', now() from range(3000) t(i)")
    con.close()
    return path


@pytest.mark.parametrize("args, message", [
    (["run", "--batch-size", "0", "seeds"], "setting batch_size must be at least 1, got 0"),
    (["run", "--batch-size", "-1", "seeds"], "setting batch_size must be at least 1, got -1"),
    (["run", "--batch-size", "x"], "argument --batch-size: invalid int value"),
    (["run", "typo_dir"], "no such file, folder or glob match: typo_dir"),
    (["run", "typo_dir", "nothing/*.txt"], "typo_dir, nothing/*.txt"),
    (["backfill", "--since", "2025-01-01", "--batch-size", "0"], "setting batch_size must be at least 1"),
    (["serve", "--cron", "61 2 * * *"], "setting schedule_cron is not a cron expression (Bad minute)"),
    (["serve", "--timezone", "Mars/Olympus"], "setting schedule_timezone is not an IANA time zone"),
    (["sql", ""], "no SQL given"),
    (["sql", " ; "], "no SQL given"),
    (["sql"], "no SQL given"),
    (["sql", "--db", "no/such.duckdb", "select 1"], "no warehouse at no/such.duckdb"),
    (["sql", "-f", "no/such.sql"], "cannot read no/such.sql"),
    (["sql", "--max-rows", "0", "select 1"], "argument --max-rows: must be at least 1, got 0"),
    (["validate", "--page-size", "-5"], "argument --page-size: must be at least 1, got -5"),
    (["run", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_usage_exits_2_at_once_with_one_line(args, message, tmp_path):
    (tmp_path / "seeds").mkdir()
    out, seconds = newsflow(*args, cwd=tmp_path)
    assert out.returncode == 2, out
    assert message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert seconds < 5  # well under a second on a quiet machine; no Prefect start-up (7-20 s)


@pytest.mark.parametrize("env, message", [
    ({"NEWSFLOW_ALERT_ON": "sometimes"}, "setting alert_on must be one of failed, warning, never, got 'sometimes'"),
    ({"NEWSFLOW_FETCH_MAX_HOSTS": "-2"}, "setting fetch_max_hosts must be at least 1, got -2"),
    ({"NEWSFLOW_WRITE_PARQUET": "maybe"}, "setting write_parquet must be true or false, got 'maybe'"),
    ({"NEWSFLOW_STORY_THRESHOLD_PCT": "120"}, "setting story_threshold_pct must be between 0 and 100, got 120"),
])
def test_bad_settings_from_the_environment_exit_2(env, message, tmp_path):
    (tmp_path / "in.txt").write_text("x")
    out, _ = newsflow("run", "in.txt", cwd=tmp_path, env=env)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, out


def test_version():
    out, _ = newsflow("--version")
    assert out.returncode == 0 and out.stdout.startswith("newsflow 0.") and "DuckDB 1.5" in out.stdout


def test_sql_shows_every_statement_and_reads_files(warehouse, tmp_path):
    out, _ = newsflow("sql", "--db", str(warehouse), "select 1 as first_one; select 2 as second_one")
    assert out.returncode == 0 and "first_one" in out.stdout and "second_one" in out.stdout, out
    query = tmp_path / "q.sql"
    query.write_text("-- a comment\nselect count(*) as n from quarantine;\nselect 'x' as y;\n")
    out, _ = newsflow("sql", "--db", str(warehouse), "-f", str(query), "--format", "csv")
    assert out.returncode == 0 and out.stdout == "n\n3000\n\ny\nx\n", out
    out, _ = newsflow("sql", "--db", str(warehouse), "-f", "-", "--format", "json", stdin="select 7 as n")
    assert json.loads(out.stdout) == [{"n": 7}]
    out, _ = newsflow("sql", "--db", str(warehouse), "-f", str(query), "select 1")
    assert out.returncode == 2 and "not both" in out.stderr


def test_sql_errors_exit_1_with_a_message(warehouse):
    out, _ = newsflow("sql", "--db", str(warehouse), "select * from no_such_table")
    assert out.returncode == 1 and "SQL error" in out.stderr and "Traceback" not in out.stderr


def test_csv_cells_are_json_for_lists_and_structs(warehouse):
    out, _ = newsflow("sql", "--db", str(warehouse), "--format", "csv",
                      "select ['a', 'b'] as l, {'k': 'é', 'n': [1, 2]} as s, map {'m': 1} as m, null as z")
    assert out.returncode == 0, out
    assert out.stdout.splitlines()[1] == '"[""a"", ""b""]","{""k"": ""é"", ""n"": [1, 2]}","{""m"": 1}",'


@pytest.mark.parametrize("args", [
    ["sql", "select * from range(200000)", "--max-rows", "200000"],
    ["sql", "select * from range(200000)", "--format", "csv"],
    ["sql", "select * from range(50000)", "--format", "json"],
    ["quarantine", "--json"],
    ["quarantine"],
])
def test_a_pipe_closed_early_ends_quietly(args, warehouse):
    pipe = subprocess.Popen([NEWSFLOW, *args, "--db", str(warehouse)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    pipe.stdout.readline()
    pipe.stdout.close()  # as `| head -1` does
    _, err = pipe.communicate(timeout=60)
    assert pipe.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()


def test_sql_loads_extensions_from_their_packages(warehouse):
    out, _ = newsflow("sql", "--db", str(warehouse), "--load", "spatial", "--format", "csv",
                      "select ST_AsText(ST_Point(28.9, 41.0)) as p")
    assert out.returncode == 0 and "POINT (28.9 41)" in out.stdout, out
    out, _ = newsflow("sql", "--db", str(warehouse), "--load", "nosuch", "select 1")
    assert out.returncode == 2 and "not installed: pip install" in out.stderr
