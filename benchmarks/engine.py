"""Engine throughput: N instances through a 10-step lifecycle, one guard and one history entry
per step, each step its own committed transaction; printed beside baselines of the same run.

    python benchmarks/engine.py [--instances 20000] [--repeat 3] [--pg URL] [--smoke]

Baselines: raw sqlite3 (one UPDATE and one INSERT per commit: the physical limit), a naive
`transitions` + SQLAlchemy ORM loop (load, fire, commit), and on PostgreSQL raw psycopg with
one UPDATE and one INSERT per commit. Figures are medians of the repeats, each repeat a round of
the baseline and thidua back to back (ratios are taken within a round); SQLite runs with WAL
and synchronous=NORMAL (durable against a process crash, not a power loss).

Targets (exit status 1 when one is missed): thidua's fire() at least 0.40 of raw sqlite3 and 0.70
of raw psycopg, both on a loaded instance and by id; at least 5x the naive ORM loop; under 2 KB
per loaded instance. `--smoke` runs tiny sizes once, on a PostgreSQL database of its own when a
server is given (--pg, THIDUA_BENCH_PG_URL or THIDUA_TEST_PG_URL), and enforces no target.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import baselines  # noqa: E402
from benchmarks.common import (  # noqa: E402
    STEPS,
    Targets,
    lifecycle_yaml,
    own_postgres_database,
    report_line,
    smoke_argument,
)
from workflow.adapters import repository as repo  # noqa: E402
from workflow.adapters.db import read_connection  # noqa: E402
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.config import load_settings  # noqa: E402
from workflow.domain.roles import Actor, RoleGrant  # noqa: E402
from workflow.services import organisations  # noqa: E402

YEAR = 2025
SQLITE_TARGET = 0.40  # of raw sqlite3's rate
PG_TARGET = 0.70  # of raw psycopg's rate
NAIVE_TARGET = 5.0  # times the naive ORM loop
MEMORY_TARGET = 2048  # bytes per loaded instance


def _services(url: str) -> Services:
    settings = load_settings(environ={}, overrides={"database": {"url": url}})
    svc = bootstrap(settings)
    svc.upgrade_schema()
    svc.catalog.publish_text(lifecycle_yaml(), "benchmarks/lifecycle.yaml", author="bench")
    return svc


def _seed(svc: Services, n: int) -> tuple[list[int], Actor]:
    unit = organisations.create_unit(svc.uow(), "U1", "Đơn vị")
    actor = Actor(1, "officer", (RoleGrant("unit_officer", unit_id=unit, year=YEAR),))
    ids = []
    for _ in range(n):
        ids.append(svc.workflows.start("lifecycle", actor, unit_id=unit, year=YEAR,
                                       data={"kind": "bench"}).id)
    return ids, actor


def run_engine(url: str, n: int, by_id: bool) -> float:
    """Transitions per second through the engine's fire(), each step one transaction."""
    svc = _services(url)
    try:
        ids, actor = _seed(svc, n)
        wf = svc.workflows
        loaded = [wf.get(i) for i in ids] if not by_id else []
        payload = {"amount": 5}
        start = time.perf_counter()
        for step in range(1, STEPS + 1):
            trigger = f"step{step}"
            if by_id:
                for i in ids:
                    wf.fire(i, trigger, actor, payload)
            else:
                for inst in loaded:
                    wf.fire(inst, trigger, actor, payload)
        elapsed = time.perf_counter() - start
        with read_connection(svc.engine) as conn:
            done = repo.instances_where(conn, repo.instances.c.state == f"s{STEPS}")
        assert len(done) == n, f"only {len(done)} of {n} instances finished"
        return n * STEPS / elapsed
    finally:
        svc.close()


def memory_per_instance(url: str, n: int) -> float:
    """Bytes held per loaded instance (the Instance object, its data and strings)."""
    svc = _services(url)
    try:
        ids, _ = _seed(svc, n)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        with read_connection(svc.engine) as conn:
            loaded = repo.load_instances(conn, ids)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(loaded) == n
        return (after - before) / n
    finally:
        svc.close()


def _median(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def _rounds(
    runs: dict[str, Callable[[], float]], repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each repeat runs every measure back to back, the baseline first: on a shared machine the
    load changes from minute to minute, so a ratio is taken within a round, never across.
    Returns the median rate of each, and the median over rounds of each one's ratio to the
    first (the baseline)."""
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            rates[name].append(run())
    base = next(iter(runs))
    ratios = {name: statistics.median(x / b for x, b in zip(values, rates[base], strict=True))
              for name, values in rates.items()}
    return {name: statistics.median(v) for name, v in rates.items()}, ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=20_000)
    parser.add_argument("--naive-instances", type=int, default=400,
                        help="the naive ORM loop commits with a full sync, ~300 steps/s: it "
                        "runs on fewer instances (4,000 steps a round: a rate, not a total)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("THIDUA_BENCH_PG_URL"),
                        help="PostgreSQL URL (postgresql+psycopg://...) to also measure; "
                        "its public schema is dropped, so never point it at real data")
    parser.add_argument("--only", choices=("all", "sqlite", "pg"), default="all")
    smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.instances, args.naive_instances, args.repeat = 60, 20, 1
        args.pg = args.pg or os.environ.get("THIDUA_TEST_PG_URL")
    targets = Targets(args.smoke)
    print(f"engine: {args.instances} instances x {STEPS} steps, one guard and one history row "
          f"per step, a commit per step; medians of {args.repeat} rounds", flush=True)
    if args.only != "pg":
        _sqlite_figures(args, targets)
    if args.pg and args.only != "sqlite":
        if args.smoke:  # never the database given: tests run side by side
            with own_postgres_database(args.pg) as url:
                print(f"PostgreSQL: on database {url.rsplit('/', 1)[-1]} of its own",
                      flush=True)
                _pg_figures(args, url, targets)
        else:
            _pg_figures(args, args.pg, targets)
    elif args.only == "pg":
        print("engine: no PostgreSQL URL (--pg or THIDUA_BENCH_PG_URL)", flush=True)
        return 2
    return targets.exit_code("engine")


def _sqlite_figures(args: argparse.Namespace, targets: Targets) -> None:
    n, r = args.instances, args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def db() -> str:
            return f"sqlite:///{tmp}/bench{next(counter)}.db"

        rates, ratios = _rounds({
            "raw": lambda: baselines.raw_sqlite(f"{tmp}/raw{next(counter)}.db", n),
            "loaded": lambda: run_engine(db(), n, by_id=False),
            "by id": lambda: run_engine(db(), n, by_id=True),
        }, r)
        raw, loaded, by_id = rates["raw"], rates["loaded"], rates["by id"]
        naive = _median(lambda: baselines.naive_orm(db(), args.naive_instances), r)
        print(report_line("raw sqlite3 UPDATE+INSERT, commit each (limit)", raw, raw))
        print(report_line("naive transitions + ORM, load/fire/commit", naive, raw))
        print(report_line("thidua fire(), instance loaded", loaded, raw))
        print(report_line("thidua fire(id): load+fire+store", by_id, raw))
        for label in ("loaded", "by id"):
            ratio, rate = ratios[label], rates[label]
            print(f"  thidua/raw sqlite3, {label}: {ratio:.3f} "
                  f"(target >= {SQLITE_TARGET:.2f}; median of each round's ratio) "
                  + targets.check(f"SQLite fire() {label} {ratio:.2f} of raw sqlite3 "
                                  f"< {SQLITE_TARGET:.2f}", ratio >= SQLITE_TARGET))
            print(f"  thidua/naive ORM, {label}: {rate / naive:.1f}x (target >= "
                  f"{NAIVE_TARGET:.0f}x) " + targets.check(
                      f"SQLite fire() {label} {rate / naive:.1f}x the naive ORM loop "
                      f"< {NAIVE_TARGET:.0f}x", rate / naive >= NAIVE_TARGET))
        mem = memory_per_instance(db(), n)
        print(f"  memory per loaded instance: {mem:,.0f} bytes (target < {MEMORY_TARGET:,}; "
              "one transitions Machine per instance costs about 24 KB) "
              + targets.check(f"memory {mem:,.0f} bytes per instance", mem < MEMORY_TARGET),
              flush=True)


def _pg_figures(args: argparse.Namespace, url: str, targets: Targets) -> None:
    n, r = max(1, args.instances // 10), args.repeat  # loopback round trips: fewer instances
    print(f"PostgreSQL: {n} instances x {STEPS} steps", flush=True)
    rates, ratios = _rounds({
        "raw": lambda: baselines.raw_psycopg(url, n),
        "loaded": lambda: _pg_engine(url, n, by_id=False),
        "by id": lambda: _pg_engine(url, n, by_id=True),
    }, r)
    praw = rates["raw"]
    print(report_line("raw psycopg UPDATE+INSERT, commit each", praw, praw))
    print(report_line("thidua fire(), instance loaded", rates["loaded"], praw))
    print(report_line("thidua fire(id): load+fire+store", rates["by id"], praw))
    for label in ("loaded", "by id"):
        ratio = ratios[label]
        print(f"  thidua/raw psycopg, {label}: {ratio:.3f} (target >= {PG_TARGET:.2f}; median of "
              "each round's ratio) " + targets.check(
                  f"PostgreSQL fire() {label} {ratio:.2f} of raw psycopg < {PG_TARGET:.2f}",
                  ratio >= PG_TARGET), flush=True)


def _pg_engine(url: str, n: int, by_id: bool) -> float:
    baselines.reset_postgres(url)
    return run_engine(url, n, by_id)


if __name__ == "__main__":
    sys.exit(main())
