# kepu — `make demo` runs the site with demo data; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help demo test lint fmt messages compilemessages bench install browser serve check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create the virtual environment and install kepu with its dev tools

compilemessages: $(STAMP)
	$(PYTHON) -m kepu.core.compile_catalogs

demo: $(STAMP) compilemessages  ## migrate SQLite, load the demo data and serve on 127.0.0.1:8000
	$(PYTHON) manage.py migrate --noinput -v 0
	$(PYTHON) manage.py seed_demo
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) compilemessages  ## run the whole test suite (SQLite unless DATABASE_URL is set)
	$(PYTHON) manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)  ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)  ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)  ## extract translatable strings into the four catalogs
	$(PYTHON) manage.py makemessages -l zh_Hans -l zh_Hant -l vi -l en --ignore '.venv/*' --ignore 'bench/*' --no-obsolete
	$(PYTHON) manage.py makemessages -d djangojs -l zh_Hans -l zh_Hant -l vi -l en --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(PYTHON) manage.py derive_catalogs

bench: $(STAMP)  ## benchmarks against gunicorn on PostgreSQL (see docs/performance.md)
	$(BIN)/pip install -q --disable-pip-version-check -r bench/requirements.txt
	$(PYTHON) bench/run.py
