# thidua: `make run` starts the demo, `make test` runs every test on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

LOCK := requirements.lock
PIP_TOOLS := pip-tools==7.6.2
LOCK_FLAGS := --generate-hashes --allow-unsafe --extra test --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
# pytest workers: one per core (the suite is CPU-bound); PYTEST_WORKERS=0 runs in one process
PYTEST_WORKERS ?= auto

.PHONY: run test bench bench-smoke reliability lint typecheck clean pg-start pg-stop lock

# Everything Python comes from the lock, every file checked against its hash; the project itself
# is then installed without dependencies and built with the locked setuptools.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --no-index -e .
	$(PY) -m pip check
	touch $(STAMP)

# Upgrade every pinned dependency on purpose, within pyproject.toml's ranges, then run `make test`
# and commit requirements.lock.
lock:
	test -x $(VENV)-lock/bin/pip-compile || { $(PYTHON) -m venv $(VENV)-lock && \
		$(VENV)-lock/bin/pip install --quiet $(PIP_TOOLS); }
	$(VENV)-lock/bin/pip-compile --quiet --upgrade $(LOCK_FLAGS) -o $(LOCK) \
		pyproject.toml requirements-build.in

run: $(STAMP)
	scripts/system-deps.sh run
	$(VENV)/bin/thidua db upgrade
	$(VENV)/bin/thidua demo
	$(VENV)/bin/thidua serve

test: $(STAMP)
	scripts/system-deps.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	THIDUA_TEST_PG_URL="$$(THIDUA_PG_DURABLE=0 scripts/pg.sh start)" $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal

bench: $(STAMP)
	scripts/system-deps.sh test
	THIDUA_BENCH_PG_URL="$$(THIDUA_PG_DB=thidua_bench scripts/pg.sh start)" $(PY) benchmarks/run_all.py

# Every benchmark at tiny sizes, once, targets printed but not enforced (the test suite runs it).
bench-smoke: $(STAMP)
	scripts/system-deps.sh test
	THIDUA_TEST_PG_URL="$$(scripts/pg.sh start)" $(PY) benchmarks/run_all.py --smoke

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
	rm -rf $(VENV) $(VENV)-lock var build *.egg-info
