# The two commands of the README:
#   make book   set-up, execute every chapter, write the HTML book to book/_build/html
#   make test   set-up, ruff, unit tests + doctests, strict nbval on every chapter, strict book build
#               (then book/tools/check_html.py: no external scripts/styles; phone-width layout check)
# Both create .venv on first use and only reinstall when pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHAPTERS := $(sort $(wildcard book/chapters/*.ipynb))
JB_FLAGS := --all -W -n --keep-going

.PHONY: book test lint unit nbval book-strict bench clean help

help:
	@echo "make book   build the HTML book (book/_build/html)"
	@echo "make test   lint, unit tests, doctests, nbval, strict book build"

book: $(VENV)/.book-installed
	$(BIN)/jupyter-book build book $(JB_FLAGS)
	$(BIN)/python book/tools/check_html.py book/_build/html
	@echo "Book written to book/_build/html/index.html"

test: $(VENV)/.test-installed lint unit nbval book-strict

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "csl_stats needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml is newer than the stamp (fast path otherwise).
$(VENV)/.book-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[book]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	touch $@ $(VENV)/.book-installed

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

unit: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests csl_stats --doctest-modules -q

nbval: $(VENV)/.test-installed
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -q $(CHAPTERS)

# After the strict build: no page may load an external script or stylesheet (the book must work
# offline), and a chapter page must fit a phone's width (skipped where Chromium is missing).
book-strict: $(VENV)/.test-installed
	$(BIN)/jupyter-book build book $(JB_FLAGS)
	$(BIN)/python book/tools/check_html.py book/_build/html
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_book.py -k horizontal_overflow

bench: $(VENV)/.test-installed
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean:
	rm -rf book/_build book/api/generated .pytest_cache
