# The two commands of the quick start are `make run` and `make test`.
# uv comes from PyPI into .tools/ when the machine has none.

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
MANAGE := $(UV) run --locked python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages lint format bench

# The task worker (emails, periodic sweeps) runs beside the server; Ctrl+C
# reaches both (one process group), and the trap stops the worker whichever
# way the server ends.
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) demo_load
	@echo "Seatwise runs on http://$(HOST):$(PORT)/ with its task worker (Ctrl+C stops both)"
	@$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(UV) run --locked pytest

install: $(UV)
	$(UV) sync --locked

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

# Refresh the French catalogue from the code, then compile it. Translate the
# new entries in locale/fr/LC_MESSAGES/django.po between the two steps.
messages: install
	$(MANAGE) makemessages --locale fr --no-obsolete --add-location file \
		--ignore ".venv/*" --ignore ".tools/*" --ignore "staticfiles/*" \
		--ignore "tests/*"
	$(MANAGE) compilemessages --locale fr --ignore ".venv/*" --ignore ".tools/*"

lint: install
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .

# The benchmark (issue 6): seeds its own PostgreSQL database (created when
# missing), times the pages at 1,000 and 100,000 members, loads gunicorn,
# prints a table and writes bench/results.json. BENCH_SCALE=large adds
# 300,000 members. Not part of `make test`.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/seats_bench

bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(UV) run --locked python -m tests.benchmarks.run

format: install
	$(UV) run --locked ruff check --fix .
	$(UV) run --locked ruff format .
