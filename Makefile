# `make run` and `make test` each create .venv and install newsflow on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# An older DuckDB CLI beside the current one (duckdb-cli in [dev]): the suite opens the warehouse with
# both (tests/e2e/test_duckdb_compat.py). pip --target, as one venv holds one duckdb-cli.
OLD_DUCKDB_CLI := 1.4.4

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export GX_ANALYTICS_ENABLED ?= false

.PHONY: run test install bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --upgrade --target $(VENV)/duckdb-cli-$(OLD_DUCKDB_CLI) duckdb-cli==$(OLD_DUCKDB_CLI)
	chmod +x $(VENV)/duckdb-cli-$(OLD_DUCKDB_CLI)/bin/duckdb
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsflow run seeds/

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf data/ .pytest_cache
