# thidua: `make run` starts the demo, `make test` runs every test on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench reliability lint typecheck clean pg-start pg-stop

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	scripts/system-deps.sh run
	$(VENV)/bin/thidua db upgrade
	$(VENV)/bin/thidua demo
	$(VENV)/bin/thidua serve

test: $(STAMP)
	scripts/system-deps.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	THIDUA_TEST_PG_URL="$$(scripts/pg.sh start)" $(VENV)/bin/pytest

bench: $(STAMP)
	scripts/system-deps.sh test
	THIDUA_BENCH_PG_URL="$$(THIDUA_PG_DB=thidua_bench scripts/pg.sh start)" $(PY) benchmarks/run_all.py

reliability: $(STAMP)
	scripts/system-deps.sh test
	$(PY) benchmarks/reliability.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

pg-start:
	scripts/pg.sh start
pg-stop:
	scripts/pg.sh stop

clean:
	rm -rf $(VENV) var build *.egg-info
