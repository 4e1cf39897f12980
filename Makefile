# The one entry point: `make run` for the portal with demo data, `make test` for the suite.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# The e-mail queue's worker (django.tasks, django-tasks-db), started by `run` and `serve` beside
# the server: in the background, in make's process group (Ctrl-C and a kill of the group stop it),
# and stopped within seconds once make itself is gone. Not a child of make, so make's one child
# stays the server (tests/reliability counts gunicorn's workers that way).
START_WORKER = { $(PY) manage.py db_worker --no-reload & w=$$!; m=$$PPID; \
	while kill -0 $$m 2>/dev/null && kill -0 $$w 2>/dev/null; do sleep 2; done; \
	kill $$w 2>/dev/null; } &

.PHONY: setup setup-test run test test-fault lint format check migrations-check messages backup \
	restore serve bench lock

setup:
	@bin/setup base

setup-test:
	@bin/setup test

# The pinned locks bin/setup installs, generated from pyproject.toml by uv's `pip compile`:
# requirements/base.txt (the dependencies) and test.txt (with the `test` extra, held to base.txt's
# pins). Pins already there stay unless pyproject.toml needs others; UPGRADE=1 takes the newest.
# --universal: one lock for every Python >= requires-python and every OS (markers say which).
LOCK = $(VENV)/bin/uv pip compile pyproject.toml --universal --quiet \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: setup-test
	$(LOCK) --output-file requirements/base.txt
	$(LOCK) --extra test --constraint requirements/base.txt --output-file requirements/test.txt

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_accounts
	@$(START_WORKER)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The tests measure the product's coverage (pytest-cov), print the lines no test runs, and fail
# under the floor in pyproject.toml ([tool.coverage.report] fail_under).
test: setup-test lint check migrations-check
	$(PY) -m pytest --cov $(PYTEST_ARGS)

# Opt-in fault tests (tests/reliability), on PostgreSQL only: `make serve` under a load of proposal
# submissions while a worker is killed and the database drops its connections; two instances.
test-fault: setup-test
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make test-fault needs DATABASE_URL=postgres://…" >&2; exit 2;; esac
	FAULT_TESTS=1 $(PY) -m pytest tests/reliability $(PYTEST_ARGS)

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check:
	$(PY) manage.py check

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

messages:
	$(PY) manage.py makemessages -l ru --ignore=node_modules --ignore=.venv --ignore=static/vendor \
		--ignore=staticfiles --ignore=media --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# A dump of the database into backups/ (pg_dump on PostgreSQL, Django's JSON otherwise);
# `make restore FILE=backups/…` replaces the database's contents with it (NOINPUT=1: no question).
backup:
	$(PY) manage.py backup

restore:
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/<file>" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(NOINPUT),--noinput)

# As in production: gunicorn (gunicorn.conf.py; WEB_CONCURRENCY workers), DEBUG off, static files
# hashed and compressed by collectstatic and served by WhiteNoise. Needs SECRET_KEY and
# ALLOWED_HOSTS; over plain http (no TLS in front) also HTTPS=0. See the README.
serve: export DEBUG = 0
serve: setup
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	@$(START_WORKER)
	PORT=$(PORT) exec $(VENV)/bin/gunicorn --config gunicorn.conf.py forum_portal.wsgi

# Load test in a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite): see bench/.
bench: setup
	$(PY) bench/run.py
