# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install lint format messages makemessages clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

makemessages: install
	$(PY) manage.py makemessages -l nl --ignore=.venv --ignore=node_modules --ignore=tests --ignore=benchmarks --no-obsolete

# Links in mails, the feed and the exports point at the address served, unless SITE_URL
# says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: messages
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest

# Not part of `make test`: PostgreSQL, Redis and wrk on loopback (benchmarks/bench_pages.py);
# the open-data exports' peak memory from 1,000 to 100,000 rows (benchmarks/bench_open_data.py).
bench: messages
	$(PY) benchmarks/bench_pages.py
	$(PY) benchmarks/bench_open_data.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
