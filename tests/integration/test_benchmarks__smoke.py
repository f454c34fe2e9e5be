"""Benchmarks that cannot rot: each one's smoke mode (tiny sizes, one repeat) runs as a
process of its own and must exit 0 and print its figures with their targets.

The engine's PostgreSQL part runs when THIDUA_TEST_PG_URL is set, on a database the benchmark
creates for itself on that server and drops afterwards (it drops the public schema of what it
is pointed at, and tests run side by side).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PG_URL, ROOT

pytestmark = pytest.mark.integration

NUMBER = r"[\d,.]+"
# Each benchmark's figures: a line per pattern, in its output.
FIGURES = {
    "engine.py": [
        rf"raw sqlite3 UPDATE\+INSERT, commit each \(limit\) +{NUMBER} transitions/s",
        rf"naive transitions \+ ORM.* +{NUMBER} transitions/s",
        rf"thidua fire\(\), instance loaded +{NUMBER} transitions/s",
        rf"thidua fire\(id\): load\+fire\+store +{NUMBER} transitions/s",
        rf"thidua/raw sqlite3, by id: {NUMBER} \(target >= 0\.40",
        rf"memory per loaded instance: {NUMBER} bytes \(target < 2,048",
    ],
    "year.py": [
        rf"seeding {NUMBER} s \+ ranking {NUMBER} s = {NUMBER} s \(target < 5 s\)",
        rf"ranking in bulk {NUMBER} ms vs two queries per unit {NUMBER} ms",
    ],
    "sweep.py": [
        rf"1,000 pending: {NUMBER} s .*target < 10 s",
        rf"5,000 pending: {NUMBER} s .*target < 10 s",
        rf"5,000 vs 1,000 pending: x{NUMBER} \(target < 2\)",
    ],
    "overview.py": [
        rf"overview of the year +{NUMBER} ms \(target < 200 ms\)",
        rf"fairness, every cluster +{NUMBER} ms \(target < 200 ms\)",
        rf"fairness, one cluster +{NUMBER} ms \(target < 200 ms\)",
        rf"baseline: cluster list page +{NUMBER} ms",
        rf"baseline: items one campaign at a time +{NUMBER} ms",
    ],
    "web.py": [
        rf"p50 {NUMBER} ms, p95 {NUMBER} ms, p99 {NUMBER} ms; 0 failed of \d+ "
        r"\(target p95 < 100 ms at 20/s",
        rf"highest rate with p95 < 100 ms: {NUMBER} requests/s \(target >= 20\)",
    ],
    "imports.py": [
        rf"dry run {NUMBER} s, commit {NUMBER} s \(target < 10 s\)",
        rf"re-import of the same file {NUMBER} s \(nothing created\)",
        rf"baseline: the same, one use case call at a time {NUMBER} s",
    ],
}
PG_FIGURES = [
    rf"raw psycopg UPDATE\+INSERT, commit each +{NUMBER} transitions/s",
    rf"thidua fire\(id\): load\+fire\+store +{NUMBER} transitions/s",
    rf"thidua/raw psycopg, by id: {NUMBER} \(target >= 0\.70",
]


def run_smoke(name: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), "--smoke"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, (
        f"{name} --smoke exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_benchmark_smoke_runs_and_prints_its_figures(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "THIDUA_BENCH_PG_URL"}
    out = run_smoke(name, env)
    expected = FIGURES[name] + (PG_FIGURES if name == "engine.py" and PG_URL else [])
    for pattern in expected:
        assert re.search(pattern, out), f"{name} --smoke did not print /{pattern}/:\n{out}"
    assert "MISSED" not in out, out
    assert "not enforced" in out, out


def test_engine_smoke_uses_a_postgres_database_of_its_own() -> None:
    """Never the database it was given (other tests use it), but one of its own on that server,
    dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (THIDUA_TEST_PG_URL)")
    import sqlalchemy as sa

    env = {**{k: v for k, v in os.environ.items() if k != "THIDUA_BENCH_PG_URL"},
           "THIDUA_TEST_PG_URL": PG_URL}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--smoke", "--only", "pg"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=240)
    used = re.search(r"on database (thidua_bench_smoke_\d+) of its own", done.stdout)
    assert used, done.stdout
    assert used.group(1) != sa.engine.make_url(PG_URL).database
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM pg_database WHERE datname = %(name)s",
                {"name": used.group(1)}).scalar() == 0
    finally:
        engine.dispose()
