# Everything a person runs. `make run` and `make test` work on a fresh machine with python3:
# they create .venv when missing and (re)install the project only when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project

# The browser tests use Debian's chromium (never a downloaded browser); `make test` installs it.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Both cores: each test file runs whole on one of two workers (its module fixtures once), in the
# order collected, so the end-to-end files (the longest) start first; xdist's default starts with
# the files of most tests and left a long file running alone at the end.
PYTEST := $(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

.PHONY: install bi-clients browser run test unit test-long lint fix ui docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The oldest DuckDB that opens the published file (writer.py CATALOGUE_STORAGE_VERSION), as BI
# tools' drivers ship it, beside the project's own: the publication tests open the file with it.
BI_CLIENTS := $(VENV)/bi-clients
$(BI_CLIENTS)/.stamp: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	  --target $(BI_CLIENTS) "duckdb==1.0.0"
	touch $@

bi-clients: $(BI_CLIENTS)/.stamp

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium \
	  || ($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium)

## browser: Debian's chromium for the report tests
browser: $(CHROMIUM)

## run: the nightly pipeline on the simulated demo sample (simulated once, when landing is empty)
run: install
	$(BIN)/cjm demo

## test: lint beside every test but the long scenario (unit, dbt, Dagster, end-to-end, browser)
# Lint runs beside the tests, not before them: its ~120 CPU-s fill the cores the tests leave idle
# (~70 s less than one after the other); its output follows the tests'.
LINT_LOG := dbt_project/target/lint.log
test: install bi-clients browser
	@mkdir -p $(dir $(LINT_LOG))
	@$(MAKE) --no-print-directory lint > $(LINT_LOG) 2>&1 & lint=$$!; \
	$(PYTEST) -m "not long"; tests=$$?; \
	wait $$lint; linted=$$?; cat $(LINT_LOG); \
	[ $$linted -eq 0 ] || echo "make test: lint failed (above)"; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]

## unit: the fast lane, no pipeline run (every dbt unit test included)
unit: install bi-clients
	$(BIN)/pytest -n 2 --dist load -m "not slow and not long"

## test-long: the long scenarios (a month of 8,000 customers with planted changes and themes)
test-long: install
	$(PYTEST) -m long

## bench: benchmark tier $(TIER) (S: 10k customers x 30 days, a few minutes); see README
TIER ?= S
bench: install
	$(BIN)/cjm bench --tier $(TIER)

# sqlfluff's dbt templater parses into a target folder of its own: in the project's it would
# leave a partial parse of the lint profile there, which every run would then parse again in full.
SQLFLUFF := CJM_DBT_TARGET=lint DBT_TARGET_PATH=$(CURDIR)/dbt_project/target/sqlfluff $(BIN)/sqlfluff
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(SQLFLUFF) lint --processes 2 dbt_project/models

fix: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(SQLFLUFF) fix dbt_project/models

ui: install
	$(BIN)/cjm ui

## docs: dbt docs for the warehouse built by `make run`: one page that opens from file://
docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate --static
	@echo "dbt docs: dbt_project/target/static_index.html (one page, opens from file://)"

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache .ruff_cache
