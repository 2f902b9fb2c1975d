# Developer commands. `make run` and `make test` work from a fresh clone: they create the
# virtualenv, install the pinned requirements and the Khmer font when they are missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=
BENCH_ARGS ?= --cases 1000000

# Stamp files: pip runs again only when a requirements file is newer than its stamp.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help venv setup setup-dev font test-tools run test lint format db seed demo bench clean-venv

help:
	@echo "make run      set up, migrate, seed reference + demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test     set up (with dev tools), run pytest, ruff check, ruff format --check and bandit"
	@echo "             (PYTEST_ARGS=\"-k sweep -x\" passes options to pytest)"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make db       apply migrations (flask db upgrade)"
	@echo "make seed     load reference data (idempotent); make demo adds demo accounts and cases"
	@echo "make setup    virtualenv + runtime requirements; make setup-dev adds test tools"
	@echo "make font     install the Khmer font (fonts-khmeros) if none is present"
	@echo "make test-tools  install what the tests drive (chromium, redis-server, openssl) if missing"
	@echo "make bench    production-scale figures: 1M cases, latencies, sweep, scorecard, intake throughput"
	@echo "             (BENCH_ARGS=\"--cases 100000\"; BENCH_PG_URL=postgresql://... adds PostgreSQL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

venv: $(BIN)/python
setup: $(RUNTIME_STAMP)
setup-dev: $(DEV_STAMP)

# PDFs (scorecards, receipts) need a Khmer font installed where fontconfig finds it.
font:
	@if fc-list 2>/dev/null | grep -qi khmer; then \
		echo "Khmer font: present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Khmer font: installing fonts-khmeros"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-khmeros >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-khmeros >/dev/null; }; \
	else \
		echo "Khmer font: none found. Install it with: sudo apt-get install fonts-khmeros"; \
		echo "            (Khmer text in PDFs shows as boxes until then)"; \
	fi

# What the tests drive besides Python: Debian's Chromium (Playwright's browser tests), redis-server
# (limits shared across gunicorn workers; `make test` starts a throwaway one) and openssl (the
# TLS certificate of the production-setup test). Installed with apt-get when root, as the font is.
TEST_TOOLS := chromium redis-server openssl
CHROMIUM ?= /usr/bin/chromium
test-tools:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -z "$$missing" ]; then \
		echo "Test tools: $(TEST_TOOLS) present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Test tools: installing$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; }; \
	else \
		echo "Test tools: missing$$missing. Install them with: sudo apt-get install$$missing"; \
		echo "            (until then their tests skip, and fail under CI=true)"; \
	fi

db: setup
	@mkdir -p instance
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed

demo: db
	$(FLASK) seed --demo

run: setup font demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# pytest exits 5 when it collects no tests: that is a failure too (make stops on any non-zero).
# scripts/with-redis.sh gives pytest a throwaway Redis (REDIS_URL) unless one is already named.
test: setup-dev font test-tools
	@status=0; PYTHON=$(BIN)/python scripts/with-redis.sh $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; \
	exit $$status
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r grievance -ll -c pyproject.toml

bench: setup-dev font
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The same checks `make test` runs after pytest: run them before pushing (CI fails on any of them).
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r grievance -ll -c pyproject.toml

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-venv:
	rm -rf $(VENV)
