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

.PHONY: install browser run test unit lint fix ui docs bench clean

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

## test: lint, then every test (unit, dbt, Dagster, end-to-end)
test: install browser lint
	$(BIN)/pytest

## unit: the fast tests only (no end-to-end pipeline runs)
unit: install
	$(BIN)/pytest -m "not slow"

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
