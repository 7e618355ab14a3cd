# ptsm — the one entry point. `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1:8000
# Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
# More pytest options, e.g. TEST_ARGS='-m "not browser or postgresql"' (CI on PostgreSQL).
TEST_ARGS ?=

.PHONY: install run serve worker test test-fast lint format bench screenshots system-deps clean-db

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm absent : les tests d'accessibilité (axe-core) en ont besoin — lancez 'make system-deps'."; \
	fi

# Debian packages the browser tests need (Chromium, npm). Installs only what is missing.
system-deps:
	@bash scripts/system-deps.sh

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_territories
	$(BIN)/python manage.py load_demo
	@echo "ptsm démarre sur http://$(HOST)/ avec son serveur de travaux (Ctrl+C pour arrêter)"
	@bash -c 'scripts/worker.sh & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT; $(BIN)/python manage.py runserver $(HOST)'

# The background-job worker alone (another terminal, another machine).
worker: install
	@bash scripts/worker.sh

# As in production: DEBUG=0, gunicorn, static files by WhiteNoise (see README, « Mise en production »).
serve: install
	@bash scripts/serve.sh

test: system-deps install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(TEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every page each demo role reaches, at 1280 and 390 px, into screenshots/ (open index.html).
screenshots: system-deps install
	$(BIN)/python scripts/screenshots.py screenshots

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bundle.py
	$(BIN)/python bench/uploads.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/archives.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/cockpit.py

clean-db:
	rm -f db.sqlite3
