# SPARCS Engage. `make run` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# The languages are the folders content/<code>/ that hold a language.toml.
LANGS := $(patsubst content/%/language.toml,%,$(wildcard content/*/language.toml))
PO_FILES := $(foreach l,$(LANGS),content/$(l)/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run cluster cluster-stop cluster-status test test-fast bench lint format i18n catalogs db \
	setup clean

## Set-up: virtual environment from the pinned lock file, catalogs, migrations, demo data.
$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

content/%/LC_MESSAGES/messages.mo: content/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -D messages -i $< -o $@ -l $*

catalogs: $(MO_FILES)

db: $(VENV)/.installed
	$(BIN)/sparcs-engage db upgrade
	$(BIN)/sparcs-engage demo-data --if-empty

setup: $(VENV)/.installed catalogs db

run: setup
	$(BIN)/streamlit run server.py --server.port $(PORT)

## The production layout on this machine: 3 app processes behind nginx on PostgreSQL
## (deploy/README.md). Installs Debian's nginx when missing; `make cluster-stop` ends it.
cluster: $(VENV)/.installed catalogs
	$(BIN)/python scripts/cluster.py start

cluster-stop: $(VENV)/.installed
	$(BIN)/python scripts/cluster.py stop

cluster-status: $(VENV)/.installed
	$(BIN)/python scripts/cluster.py status

## Every test: unit, AppTest and the browser tests in headless Chromium.
test: $(VENV)/.installed catalogs
	@export CHROMIUM="$$(scripts/find-chromium)" && \
	$(BIN)/sparcs-engage db upgrade >/dev/null && \
	$(BIN)/python -m pytest tests

## Everything but the browser tests, for a quick loop while coding.
test-fast: $(VENV)/.installed catalogs
	$(BIN)/python -m pytest tests/unit tests/app

bench: setup
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Extract UI strings, merge them into the catalogs and compile them.
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k t -k N_ -k ngettext:1,2 --no-location \
		--sort-output --width 100 --project "SPARCS Engage" -o content/messages.pot .
	for l in $(LANGS); do \
		test -f content/$$l/LC_MESSAGES/messages.po || \
			$(BIN)/pybabel init -D messages -i content/messages.pot -d content -l $$l --width 100; \
		$(BIN)/pybabel update -D messages -i content/messages.pot -d content -l $$l \
			--no-fuzzy-matching --ignore-obsolete --width 100; done
	$(MAKE) catalogs

clean:
	rm -rf $(VENV) $(MO_FILES) .pytest_cache
