# The two commands a fresh Debian 12 machine needs: `make setup` (as root) and `make test`.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup test lint unit browser screenshots run demo

setup:
	bash scripts/install-system.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test]'
	$(VENV)/bin/qingquan generate-prompts

test: lint
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

unit:
	$(PY) -m pytest tests/unit tests/db

browser:
	$(PY) -m pytest tests/browser

screenshots:
	$(PY) scripts/screenshots.py

run:
	$(VENV)/bin/qingquan run

demo:
	$(VENV)/bin/qingquan run --demo
