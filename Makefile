# 老旧小区管理平台 — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the embedded default keeps its data (SQLite, the filesystem broker, job files).
VAR ?= $(or $(VAR_DIR),var)

.PHONY: run serve test lint typecheck install install-dev migrate demo worker beat bench check-deploy backup restore clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# The checkers of `make lint` / `make typecheck` (pinned in pyproject.toml's dev extra).
$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,dev]'
	@touch $@

install-dev: $(VENV)/.installed-dev

# ruff (rules and formatting) and the layers of docs/architecture.md (import-linter's contracts
# in pyproject.toml: no import against the direction, no cycle between modules).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

# mypy with django-stubs over the packages listed in pyproject.toml ([tool.mypy] files).
typecheck: install-dev
	$(VENV)/bin/mypy

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Migrate, load the demo city, print the logins, then serve on http://$(HOST):$(PORT) with a
# Celery worker (and its beat) beside the server. Ctrl-C stops both, and so does a SIGTERM sent
# to make (a process supervisor or `docker stop`): GNU make passes TERM on to the recipe's shell.
run: demo
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@$(MAKE) --no-print-directory serve

# The server and the worker without migrating or loading anything. Both run in process groups of
# their own (set -m), so the shell can stop each whole group, runserver's autoreloader included;
# the shell waits on them rather than running one in the foreground, because bash runs a trap
# only once its foreground command has finished.
serve:
	@set -m; \
	$(VENV)/bin/celery -A config worker --beat --pool=solo --loglevel=INFO --schedule $(VAR)/celerybeat-schedule & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) & server=$$!; \
	stop() { kill -TERM -$$server -$$worker 2>/dev/null; wait $$server $$worker 2>/dev/null; }; \
	trap 'stop; exit 0' INT TERM; \
	wait $$server; status=$$?; stop; exit $$status

# The whole suite, one process per core (pytest-xdist). With DATABASE_URL / CELERY_BROKER_URL
# set it runs against PostgreSQL and Redis; without them on SQLite, and the tests that need a
# real service are skipped, saying why. `make test JOBS=0` runs in one process.
JOBS ?= auto
# The tests of the real Redis broker share one queue: they run after the rest, in one process
# (exit status 5 is "none selected", e.g. with PYTEST_ARGS naming other tests).
test: install
	$(PY) -m pytest -n $(JOBS) -m "not redis" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m redis $(PYTEST_ARGS) || [ $$? -eq 5 ]

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# National-scale benchmark against PostgreSQL (ESTATES=220000 by default).
ESTATES ?= 220000
bench: install
	$(PY) bench/run.py --estates $(ESTATES)

check-deploy: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-check-deploy-only-$$(date +%s)-a-long-random-looking-secret-key} \
	ALLOWED_HOSTS=wygl.example.gov.cn CSRF_TRUSTED_ORIGINS=https://wygl.example.gov.cn \
	$(PY) manage.py check --deploy --fail-level WARNING

# Backup and restore (docs/operations.md): pg_dump's custom format of the database that
# DATABASE_URL names. `make backup` writes var/backups/laojiu-<time>.dump (or BACKUP=path);
# `make restore BACKUP=path` loads it into the (empty or existing) database of DATABASE_URL,
# replacing what is there, then runs `manage.py check_invariants` on it.
BACKUP_DIR ?= var/backups
BACKUP_STAMP := $(shell date +%Y%m%d-%H%M%S)
BACKUP ?= $(BACKUP_DIR)/laojiu-$(BACKUP_STAMP).dump
backup:
	@case "$(DATABASE_URL)" in postgres://*|postgresql://*) ;; *) echo "请设置 DATABASE_URL=postgres://…（备份只支持 PostgreSQL）" >&2; exit 2;; esac
	@mkdir -p "$(dir $(BACKUP))"
	@echo "pg_dump → $(BACKUP)"
	@pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$(BACKUP).part" "$(DATABASE_URL)"
	@mv "$(BACKUP).part" "$(BACKUP)"
	@echo "已备份到 $(BACKUP)"

restore:
	@case "$(DATABASE_URL)" in postgres://*|postgresql://*) ;; *) echo "请设置 DATABASE_URL=postgres://…（恢复只支持 PostgreSQL）" >&2; exit 2;; esac
	@test -f "$(BACKUP)" || { echo "请用 BACKUP=文件 指定要恢复的备份" >&2; exit 2; }
	@echo "pg_restore $(BACKUP) →（DATABASE_URL 所指的数据库）"
	@pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$(DATABASE_URL)" "$(BACKUP)"
	@DATABASE_URL="$(DATABASE_URL)" $(PY) manage.py check_invariants

clean:
	rm -rf var/ .pytest_cache .hypothesis
