# Quick start: `make run` (whole pipeline through Airflow on demo data) and `make test` (every test and lint).
# Both create .venv and install the locked dependency set (uv.lock) first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
SCALE ?= 1
SEED ?= 42
DEMO_STAMP := landing/.demo-scale$(SCALE)-seed$(SEED)

export PYTHONPATH := $(CURDIR)
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__API__HOST := 127.0.0.1
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False

# `make run DATA=folder` runs the same DAG on a folder of real exports (layout: docs/landing_contract.md) instead of
# demo data, with its own warehouse, serving file and reports under exports/ folders so the two never mix.
# Archive exports are years old, so their run does not check freshness; demo data ends on a fixed day, so its run
# measures freshness as of the day after (demo_data/as_of.py).
ifdef DATA
export OUTCOMES_LANDING_DIR := $(abspath $(DATA))
export OUTCOMES_FRESHNESS ?= off
RUN_OUTPUT := /exports
RUN_INPUT :=
RUN_AS_OF :=
else
RUN_OUTPUT :=
RUN_INPUT := demo-data
RUN_AS_OF = OUTCOMES_AS_OF=$${OUTCOMES_AS_OF:-$$($(BIN)/python -m demo_data.as_of landing)}
endif
export OUTCOMES_WAREHOUSE_PATH ?= $(CURDIR)/warehouse$(RUN_OUTPUT)/outcomes.duckdb
export OUTCOMES_SERVING_PATH ?= $(CURDIR)/serving$(RUN_OUTPUT)/outcomes.duckdb
export OUTCOMES_REPORTS_DIR ?= $(CURDIR)/reports$(RUN_OUTPUT)
RUN_LOG := $(OUTCOMES_REPORTS_DIR)/airflow_dags_test.log

.PHONY: setup manifest run demo-data airflow-db airflow test lint bench clean rollback releases chromium services profile \
	train-sentiment eval-text forget

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet --compile-bytecode --python $(BIN)/python
	touch $@

# The dbt manifest the transform DAG renders its model tasks from (cosmos): DAG files never call dbt when parsed.
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests dbt_project/snapshots -type f 2>/dev/null) dbt_project/dbt_project.yml
# The connector schemas this deployment reads (config/sources.yml `connectors:`, <landing>/connectors/) are dbt vars:
# the manifest is parsed with them, and again whenever they change.
CONNECTOR_VARS := .lint/connector_vars.json
manifest: $(VENV)/.synced
	@mkdir -p .lint
	@$(BIN)/python -m pipeline.orchestration.connectors > $(CONNECTOR_VARS).new
	@cmp -s $(CONNECTOR_VARS).new $(CONNECTOR_VARS) && rm $(CONNECTOR_VARS).new || mv $(CONNECTOR_VARS).new $(CONNECTOR_VARS)
	@$(MAKE) --no-print-directory $(MANIFEST)

$(MANIFEST): $(VENV)/.synced $(DBT_SOURCES) $(CONNECTOR_VARS)
	cd dbt_project && OUTCOMES_WAREHOUSE_PATH=$(CURDIR)/.lint/manifest.duckdb DBT_TARGET_PATH=target \
		$(CURDIR)/$(BIN)/dbt parse --profiles-dir . --quiet --vars "$$(cat $(CURDIR)/$(CONNECTOR_VARS))"
	touch $@

# Demo data is generated once per scale and seed; a new scale or seed starts a fresh landing folder and warehouse.
demo-data: setup
	@if [ ! -f $(DEMO_STAMP) ]; then \
		rm -rf landing warehouse serving reports; \
		$(BIN)/python -m demo_data --scale $(SCALE) --seed $(SEED) --out landing && touch $(DEMO_STAMP); \
	fi

# Migrates the metadata database when it is behind (or new) and creates the warehouse_writer pool, in one process
# (pipeline/run_all.py prepare_metadata): on a current database a second, not two Airflow CLI start-ups.
airflow-db: setup manifest
	$(BIN)/python -m pipeline.run_all --metadata-only

# Every ingest DAG, the transform DAG and the weekly report, each run once with dag.test() in one process
# (pipeline/run_all.py, which also prepares the metadata database as `make airflow-db` does).
# dag.test() cannot run a DAG that has a deadline (apache/airflow#73428), so this run leaves the deadline alert off.
run: $(RUN_INPUT) setup manifest
	@mkdir -p $(OUTCOMES_REPORTS_DIR)
	@echo "Running the ingest DAGs, the transform DAG social_outcomes and the weekly report through Airflow on $${OUTCOMES_LANDING_DIR:-landing} (log: $(RUN_LOG))..."
	@$(RUN_AS_OF) OUTCOMES_ALERT_DEADLINES=off $(BIN)/python -m pipeline.run_all --weekly-report > $(RUN_LOG) 2>&1 \
		|| { tail -n 60 $(RUN_LOG); echo "Pipeline run failed; full log: $(RUN_LOG)"; exit 1; }
	@grep -E "^  (ingest_|social_outcomes|weekly_voc_report)" $(RUN_LOG)
	$(BIN)/python -m pipeline.outputs.run_summary
	@echo "  serving copy         $$($(BIN)/python -m pipeline.publish key)"
	@echo "  airflow log          $(RUN_LOG)"
	@echo ""
	@echo "Open for executives (self-contained files, no server needed):"
	@echo "  dashboard            file://$(OUTCOMES_REPORTS_DIR)/dashboard/index.html"
	@echo "  weekly report        file://$(OUTCOMES_REPORTS_DIR)/weekly/latest.html"

# `make profile DATA=folder`: reads the folder (nothing loaded, no Airflow) and prints a `file_drops` entry to paste into
# config/sources.yml for each CSV / JSONL / Parquet file no source recognises (ingest/profile.py).
profile: setup
	@test -n "$(DATA)" || { echo "make profile needs a folder of exports: make profile DATA=folder" >&2; exit 2; }
	@$(BIN)/python -m ingest.profile "$(DATA)"

# Airflow's UI on this project's AIRFLOW_HOME: api-server, scheduler, dag-processor and triggerer (airflow standalone),
# bound to 127.0.0.1. Prints the URL and login; Ctrl-C stops every process it started.
AIRFLOW_PORT ?= 8080
airflow: airflow-db
	$(BIN)/python -m pipeline.airflow_ui --port $(AIRFLOW_PORT)

# The sentiment model (text_signals/MODEL_CARD.md): `make train-sentiment` rebuilds the shipped weights
# (dbt_project/seeds/sentiment_model_weights.csv) from ../shared/textdata with a fixed seed; `make eval-text` scores
# it and two baselines on held-out labelled text (TweetEval test, and cross-corpus splits) into reports/text_eval.md.
train-sentiment: setup
	$(BIN)/python -m text_signals.train

eval-text: setup
	$(BIN)/python -m text_signals.evaluate --output reports/text_eval.md

# The serving copy BI tools read: list the kept releases, or point it back to the one before the current.
releases: setup
	$(BIN)/python -m pipeline.publish list

rollback: setup
	$(BIN)/python -m pipeline.publish rollback

# `make forget WHO=ann@example.com` (an email, a handle or a CRM contact id): erase one person from the warehouse and
# every serving release and copy, keep them out of later ingests and record the request, hashed
# (pipeline/publish/erasure; README "Personal data"). Run it when no pipeline run is writing; under Airflow, trigger
# the DAG forget_person instead.
forget: setup
	@test -n "$(WHO)" || { echo "make forget needs the person: make forget WHO=<email | handle | CRM contact id>" >&2; exit 2; }
	@$(RUN_AS_OF) $(BIN)/python -m pipeline.publish.erasure "$(WHO)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p .lint
	OUTCOMES_WAREHOUSE_PATH=$(CURDIR)/.lint/lint.duckdb DBT_TARGET_PATH=$(CURDIR)/.lint/target \
		$(BIN)/sqlfluff lint dbt_project/models

# The dashboard test drives Debian's headless Chromium; installed here when missing (needs root, as in CI).
chromium:
	@command -v chromium > /dev/null || { \
		echo "Installing Debian chromium for the dashboard browser test..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null; }

# The multi-worker test runs Airflow's CeleryExecutor against a real Postgres and Redis (Debian packages, needs root).
services:
	@{ command -v redis-server > /dev/null && ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; } || { \
		echo "Installing Debian postgresql and redis-server for the multi-worker test..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			postgresql redis-server > /dev/null; }

# Two pytest-xdist workers, one test file each at a time (a file's fixtures, e.g. an Airflow stack, stay in one worker):
# most of the suite waits on subprocesses (Airflow, dbt, Chromium), so two files at once use the 2 cores better.
PYTEST_WORKERS ?= 2
test: lint chromium services manifest
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# `make bench`: scales 1 and 10, three runs each, per-stage wall/CPU/memory/rows (benchmarks/pipeline_bench.py); then the
# incremental cost, a small export through `make run DATA=`, dbt under Airflow against plain dbt, and every target of
# those in one table (reports/bench/targets.md, benchmarks/targets.py).
# ALLOW_SCALE_100=1 adds scale 100 when the disk has room for it.
BENCH_SCALES ?= 1,10
BENCH_RUNS ?= 3
BENCH_MEMORY_LIMIT ?= 3.5GB
# The Airflow run is the slowest part at scale 10; BENCH_AIRFLOW_RUNS=1 keeps it to the first run of each scale.
BENCH_AIRFLOW_RUNS ?=
# The incremental-cost targets are set at scale 10 (benchmarks/targets.py); each run is a full run, two increments and
# two rebuilds, so one run by default.
BENCH_INCREMENT_SCALE ?= 10
BENCH_INCREMENT_RUNS ?= 1
bench: setup manifest
	$(BIN)/python -m benchmarks.pipeline_bench --scales $(BENCH_SCALES) --runs $(BENCH_RUNS) \
		--memory-limit $(BENCH_MEMORY_LIMIT) $(if $(ALLOW_SCALE_100),--allow-scale-100) \
		$(if $(BENCH_AIRFLOW_RUNS),--airflow-runs $(BENCH_AIRFLOW_RUNS)) \
		--markdown reports/bench/pipeline_bench.md --json reports/bench/pipeline_bench.json
	OUTCOMES_DUCKDB_MEMORY_LIMIT=$(BENCH_MEMORY_LIMIT) $(BIN)/python -m benchmarks.incremental_cost \
		--scale $(BENCH_INCREMENT_SCALE) --runs $(BENCH_INCREMENT_RUNS) --json reports/bench/incremental_cost.json
	$(BIN)/python -m benchmarks.small_run --runs $(BENCH_RUNS) --json reports/bench/small_run.json
	$(BIN)/python -m benchmarks.dbt_overhead --runs $(BENCH_RUNS) --json reports/bench/dbt_overhead.json
	$(BIN)/python -m benchmarks.targets --incremental reports/bench/incremental_cost.json \
		--pipeline reports/bench/pipeline_bench.json --small-run reports/bench/small_run.json \
		--dbt-overhead reports/bench/dbt_overhead.json --markdown reports/bench/targets.md

clean:
	rm -rf landing warehouse serving reports .airflow .lint dbt_project/target .pytest_cache test-artifacts
