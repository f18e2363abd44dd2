# The two commands a newcomer needs: `make run` (set up, seed a demo workspace, open the app) and
# `make test` (set up if needed, run the whole suite). Both work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test lint bundle bench clean setup server

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[server,dev]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/closeout --seed-demo-if-empty

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec

server: $(STAMP)
	$(BIN)/closeout-server init
	$(BIN)/closeout-server serve

bench: $(STAMP)
	$(BIN)/python bench/store.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/ui.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/excel.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/lifecycle.py
	PYTHONPATH=. $(BIN)/python bench/labels.py

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
