# Two commands: `make run` serves the CRM with a demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# make test DB=sqlite runs the suite on the embedded SQLite instead of PostgreSQL.
DB ?= postgres
PG_URL ?= postgres://postgres@127.0.0.1:5432/crm
ifeq ($(DB),sqlite)
TEST_ENV := DATABASE_URL=
else
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-$(PG_URL)}
endif
PYTEST_ARGS ?=

.PHONY: run test lint format bench install browser demo clean messages translations

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$SUDO apt-get install -y -qq chromium chromium-driver; }

run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	$(MAKE) --no-print-directory translations
	DEBUG=true $(BIN)/python manage.py load_demo --if-empty
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

demo: $(STAMP)
	DEBUG=true $(BIN)/python manage.py load_demo

test: $(STAMP) browser
	$(MAKE) --no-print-directory translations
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run -v0

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Compile the .po files with Babel (pure Python: no gettext needed on the machine).
translations: $(STAMP)
	@for po in locale/*/LC_MESSAGES/*.po; do \
	  [ -f "$$po" ] || continue; \
	  $(BIN)/pybabel compile -i "$$po" -o "$${po%.po}.mo" 2>/dev/null || exit 1; \
	done

# Extract the strings to translate (needs GNU gettext's xgettext).
messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l de --ignore=.venv --ignore=bench
	DEBUG=true $(BIN)/python manage.py makemessages -d djangojs -l de --ignore=.venv --ignore=staticfiles

bench: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm_bench} $(BIN)/python -m bench

# Two servers, a worker, PostgreSQL and Redis under locust (bench/cluster_bench.py; ~4 min).
.PHONY: bench-cluster
bench-cluster: $(STAMP)
	$(BIN)/python -m bench.cluster_bench

clean:
	rm -rf $(VENV) staticfiles
