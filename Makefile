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

.PHONY: install browser run test unit test-long lint fix ui docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium \
	  || ($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium)

## browser: Debian's chromium for the report tests
browser: $(CHROMIUM)

## run: the nightly pipeline on the simulated demo sample (simulated once, when landing is empty)
run: install
	$(BIN)/cjm demo

## test: lint, then every test but the long scenario (unit, dbt, Dagster, end-to-end, browser)
test: install browser lint
	$(PYTEST) -m "not long"

## unit: the fast lane, no pipeline run (every dbt unit test included)
unit: install
	$(BIN)/pytest -n 2 --dist load -m "not slow and not long"

## test-long: the long scenarios (a month of 8,000 customers with planted changes and themes)
test-long: install
	$(PYTEST) -m long

## bench: benchmark tier $(TIER) (S: 10k customers x 30 days, a few minutes); see README
TIER ?= S
bench: install
	$(BIN)/cjm bench --tier $(TIER)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CJM_DBT_TARGET=lint $(BIN)/sqlfluff lint --processes 2 dbt_project/models

fix: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	CJM_DBT_TARGET=lint $(BIN)/sqlfluff fix dbt_project/models

ui: install
	$(BIN)/cjm ui

## docs: dbt docs for the warehouse built by `make run` (open dbt_project/target/index.html)
docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache .ruff_cache
