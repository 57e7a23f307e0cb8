# Square Mile — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= small
# PostgreSQL used by `make test` (the test runner creates and drops test_<name>).
PG_TEST_URL ?= postgres://root@127.0.0.1:5432/squaremile
PYTEST_ARGS ?=

.PHONY: run test setup deps migrate seed lint format test-sqlite test-postgres test-fast bench bench-directory bench-map bench-network load vendor worker digests clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.installed

setup: deps
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --size $(SIZE) --seed 1

## make run: set everything up on SQLite (var/) with demo data the first time, then serve the site and
## run the background task worker together (scripts/run_dev.py; Ctrl-C stops both).
run: setup
	@echo ""
	@echo "  Square Mile is at http://$(HOST):$(PORT)/"
	@echo "  Demo login: demo@example.org / demo-pass-123 (also organiser@, moderator@, admin@example.org)"
	@echo "  Emails sent in development: http://$(HOST):$(PORT)/dev/mail/ (the task worker runs alongside; Ctrl-C stops both)"
	@echo "  Notification digests are sent by cron in production; here run: make digests (PERIOD=weekly)"
	@echo ""
	DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) scripts/run_dev.py $(HOST):$(PORT)

## make worker: run background tasks (emails, imports, exports) from the database queue; survives
## database errors and fails jobs left running by a worker that died (squaremile/core/worker.py).
worker: deps
	DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py worker

## make digests: send today's daily notification digests now (in production cron runs
## `manage.py send_digests --period daily|weekly`; here the mails appear at /dev/mail/). PERIOD=weekly for the weekly one.
PERIOD ?= daily
digests: deps
	DEBUG=1 TASKS_IMMEDIATE=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py send_digests --period $(PERIOD)

lint: deps
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: deps
	DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: deps
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

## make test: lint, then the whole suite on SQLite and on PostgreSQL.
## PostgreSQL is required when REQUIRE_POSTGRES=1 (CI); otherwise it is skipped with a warning if unreachable.
test: deps lint
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) scripts/pg_reachable.py "$(PG_TEST_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL at $(PG_TEST_URL) is not reachable and REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "WARNING: PostgreSQL at $(PG_TEST_URL) is not reachable: the suite ran on SQLite only."; \
	fi

## make bench: the benchmarks (not part of make test, which runs a small smoke of each).
bench: deps
	$(PY) bench/directory_bench.py
	$(PY) bench/map_bench.py
	$(PY) bench/network_bench.py

bench-directory: deps
	$(PY) bench/directory_bench.py

bench-map: deps
	$(PY) bench/map_bench.py

bench-network: deps
	$(PY) bench/network_bench.py

## make load: 200 simulated people for 10 minutes against a production-like site on 127.0.0.1
## (gunicorn, PostgreSQL LOAD_DB_URL, Redis, worker); fails if p95 >= 300 ms or any error. See docs/operators.md.
LOAD_DB_URL ?= postgres://root@127.0.0.1:5432/sm_load
LOAD_ARGS ?=
load: deps
	$(PY) bench/load/run_load.py --db-url $(LOAD_DB_URL) $(LOAD_ARGS)

## make vendor: refresh the vendored browser libraries from npm (pinned in package.json).
vendor:
	./scripts/vendor.sh

clean:
	rm -rf var .pytest_cache .ruff_cache
