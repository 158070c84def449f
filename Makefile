# Zhaoshang — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: setup demo test test-postgres lint format messages bench clean

# The environment without pip (uv installs the packages into it): the uv on PATH if there is
# one, else the one installed once for every checkout of the user (UV_HOME, by the
# interpreter's pip), else one put into the environment by a pip bootstrapped there.
UV_HOME ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/zhaoshang/uv
$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv --without-pip $(VENV)
	@uv=$$(command -v uv) || uv="$(UV_HOME)/bin/uv"; \
	if [ -x "$$uv" ] || $(PYTHON) -m pip install --quiet --root-user-action=ignore --upgrade --target "$(UV_HOME)" uv; \
	then ln -f "$$uv" $(BIN)/uv 2>/dev/null || cp "$$uv" $(BIN)/uv; \
	else $(BIN)/python -m ensurepip --upgrade >/dev/null && $(BIN)/python -m pip install --quiet uv; fi

$(VENV)/.installed: requirements.lock $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	touch $@

# setup and demo keep Python's bytecode cache even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): each of their processes (migrate, load_demo, the server, the
# worker) would otherwise compile Django and the project again (~2.5 s CPU each).
setup demo: export PYTHONDONTWRITEBYTECODE =

## setup: the environment (.venv), the install and the migration (on an empty database the
## tables are made from the models and the data migrations run: seconds; see
## zhaoshang/core/migrating.py)
setup: $(VENV)/.installed
	@echo "Migrating the database..."
	$(BIN)/python manage.py migrate --noinput -v1

## demo: setup (the migration run by the load's own process: Django starts once for both), load
## the demo district, serve on http://127.0.0.1:$(PORT) with DEBUG off (and the
## background worker beside it), as
## a user meets it: the product's own Chinese pages for a missing page (404) or an error,
## static files served by WhiteNoise. `make demo DEBUG=1` serves Django's debug pages.
## The load keeps a snapshot of the city in the user's cache: another `make demo` the same day
## with the same code (a new checkout, or after removing db.sqlite3) restores it in seconds
## (zhaoshang/demo/snapshot.py). The server does not reload on code changes: restart it.
DEBUG ?= 0
demo: $(VENV)/.installed
	@echo "Loading the demo city (restored from the day's snapshot if one was kept)..."
	$(BIN)/python manage.py load_demo --migrate --snapshot --skip-checks
	@mkdir -p "$${STATIC_ROOT:-staticfiles}"  # WhiteNoise reads it at start (empty: the apps' files serve)
	@echo "Serving on http://127.0.0.1:$(PORT)  (accounts: see README.md, password Demo@2026)"
	@# The background worker runs beside the server (large imports, big reports, the outbox)
	@# and stops with it.
	$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$(DEBUG) $(BIN)/python manage.py runserver --noreload --skip-checks 127.0.0.1:$(PORT)

# The tests keep Python's bytecode cache even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): otherwise every xdist worker and every subprocess a test starts
# compiles the project and re-rewrites the asserts of every test module (~5 s CPU each).
TEST_ENV = PYTHONDONTWRITEBYTECODE=

# The xdist workers: one more than the CPUs (3 on a 2-CPU machine). A worker is often waiting —
# on its Chromium and live server in the browser tests, on a subprocess (migrate, gunicorn, the
# worker, Redis), on PostgreSQL — and with one worker per CPU that CPU then idles: on 2 CPUs,
# `-n 2` left 184 CPU-seconds unused on PostgreSQL, `-n 3` 37 (docs/operations.md, "How the
# suite is scheduled"). `make test TEST_WORKERS=2` to compare.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))

## test: the whole suite (SQLite unless DATABASE_URL says otherwise)
test: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) -q $(PYTEST_ARGS)

## test-postgres: the whole suite on the local PostgreSQL
test-postgres: $(VENV)/.installed
	$(TEST_ENV) DATABASE_URL=$${PG_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n $(TEST_WORKERS) -q $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: refresh and compile the translation catalogues
messages: $(VENV)/.installed
	cd zhaoshang && ../$(BIN)/python ../manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location
	cd zhaoshang && ../$(BIN)/python ../manage.py compilemessages

## bench: benchmarks, on demand (not part of make test)
bench: $(VENV)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
