# AIOM: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PIP_FLAGS ?= -q --disable-pip-version-check

.PHONY: run test venv venv-dev demo-env clean-demo check-deploy

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip

$(VENV)/.runtime: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install $(PIP_FLAGS) -e ".[dev]"
	touch $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# --- the demo: SQLite, an embedded (filesystem) broker, everything stopped by Ctrl-C ---------
run: export DEBUG = true
run: export CELERY_BROKER_URL = filesystem://
run: export PATH := $(BIN):$(PATH)
run: venv
	mkdir -p .demo/broker .demo/broker-processed
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo --odoo-url http://127.0.0.1:8069
	@# honcho SIGKILLs whatever still runs 5 s after the first process stops, and has no option
	@# to wait longer: the worker's warm shutdown (running tasks finish) gets 30 s here.
	$(BIN)/python -c "import honcho.command, honcho.manager; honcho.manager.KILL_WAIT = 30; honcho.command.main()" \
	  -f Procfile.demo start

clean-demo:
	rm -rf .demo

# --- the tests: PostgreSQL + Redis ------------------------------------------------------------
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aiom
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
# Two pytest-xdist workers (each with its own test database and Redis database); TEST_WORKERS= runs serially.
TEST_WORKERS ?= -n 2
test: export PATH := $(BIN):$(PATH)
test: venv-dev
	$(BIN)/pytest $(TEST_WORKERS) $(PYTEST_ARGS)

# --- the Odoo contract suite against a real (staging) Odoo: README, "Checking AIOM against your Odoo"
.PHONY: test-odoo odoo-test-settings
odoo-test-settings:
	@missing=""; for name in ODOO_TEST_URL ODOO_TEST_DB ODOO_TEST_LOGIN ODOO_TEST_SECRET; do \
	  [ -n "$$(printenv $$name)" ] || missing="$$missing $$name"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make test-odoo checks AIOM against a real Odoo: set$$missing (and optionally ODOO_TEST_PROTOCOL=xmlrpc|json2)."; \
	  echo "Use a staging database; see \"Checking AIOM against your Odoo before going live\" in README.md."; \
	  exit 1; fi

test-odoo: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aiom
test-odoo: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test-odoo: export PATH := $(BIN):$(PATH)
test-odoo: odoo-test-settings venv-dev
	$(BIN)/pytest tests/contract -p no:cacheprovider $(PYTEST_ARGS)

# --- the benchmarks: scratch databases on DATABASE_URL's server, figures in docs/benchmarks.md -
.PHONY: bench
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aiom
bench: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/2
bench: export PATH := $(BIN):$(PATH)
bench: venv-dev
	$(BIN)/python benchmarks/report.py $(BENCH_ARGS)

check-deploy: venv
	SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	  ALLOWED_HOSTS=aiom.example.com DEBUG=false $(BIN)/python manage.py check --deploy --fail-level WARNING
