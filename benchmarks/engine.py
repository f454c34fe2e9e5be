"""Engine throughput: N instances through a 10-step lifecycle, one guard and one history entry
per step, each step its own committed transaction; printed beside baselines of the same run.

    python benchmarks/engine.py [--instances 20000] [--repeat 3] [--pg URL]

Baselines: raw sqlite3 (one UPDATE and one INSERT per commit: the physical limit), a naive
`transitions` + SQLAlchemy ORM loop (load, fire, commit), and on PostgreSQL raw psycopg with
one UPDATE and one INSERT per commit. Figures are medians of the repeats; SQLite runs with WAL
and synchronous=NORMAL (durable against a process crash, not a power loss).
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
from benchmarks.common import STEPS, lifecycle_yaml, report_line  # noqa: E402
from workflow.adapters import repository as repo  # noqa: E402
from workflow.adapters.db import read_connection  # noqa: E402
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.config import load_settings  # noqa: E402
from workflow.domain.roles import Actor, RoleGrant  # noqa: E402
from workflow.services import organisations  # noqa: E402

YEAR = 2025


def _services(url: str) -> Services:
    settings = load_settings(environ={}, overrides={"database": {"url": url}})
    svc = bootstrap(settings)
    svc.upgrade_schema()
    svc.catalog.publish_text(lifecycle_yaml(), "benchmarks/lifecycle.yaml", author="bench")
    return svc


def _seed(svc: Services, n: int) -> tuple[list[int], Actor]:
    unit = organisations.create_unit(svc.engine, "U1", "Đơn vị")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=20_000)
    parser.add_argument("--naive-instances", type=int, default=2_000,
                        help="the naive ORM loop is slow: it runs on fewer instances")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("THIDUA_BENCH_PG_URL"),
                        help="PostgreSQL URL (postgresql+psycopg://...) to also measure; "
                        "its public schema is dropped, so never point it at real data")
    parser.add_argument("--only", choices=("all", "sqlite", "pg"), default="all")
    args = parser.parse_args()
    print(f"engine: {args.instances} instances x {STEPS} steps, one guard and one history row "
          f"per step, a commit per step; medians of {args.repeat} runs", flush=True)
    if args.only != "pg":
        _sqlite_figures(args)
    if args.pg and args.only != "sqlite":
        _pg_figures(args)
    return 0


def _sqlite_figures(args: argparse.Namespace) -> None:
    n, r = args.instances, args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def db() -> str:
            return f"sqlite:///{tmp}/bench{next(counter)}.db"

        raw = _median(lambda: baselines.raw_sqlite(f"{tmp}/raw{next(counter)}.db", n), r)
        naive = _median(lambda: baselines.naive_orm(db(), args.naive_instances), r)
        loaded = _median(lambda: run_engine(db(), n, by_id=False), r)
        by_id = _median(lambda: run_engine(db(), n, by_id=True), r)
        print(report_line("raw sqlite3 UPDATE+INSERT, commit each (limit)", raw, raw))
        print(report_line("naive transitions + ORM, load/fire/commit", naive, raw))
        print(report_line("thidua fire(), instance loaded", loaded, raw))
        print(report_line("thidua fire(id): load+fire+store", by_id, raw))
        print(f"  thidua/raw sqlite3: loaded {loaded / raw:.2f}, by id {by_id / raw:.2f} "
              f"(target >= 0.33); thidua/naive ORM: loaded {loaded / naive:.1f}x, "
              f"by id {by_id / naive:.1f}x (target >= 5x)")
        mem = memory_per_instance(db(), n)
        print(f"  memory per loaded instance: {mem:,.0f} bytes (target < 2,048; "
              "one transitions Machine per instance costs about 24 KB)", flush=True)


def _pg_figures(args: argparse.Namespace) -> None:
    n, r = max(1, args.instances // 10), args.repeat  # loopback round trips: fewer instances
    print(f"PostgreSQL: {n} instances x {STEPS} steps")
    praw = _median(lambda: baselines.raw_psycopg(args.pg, n), r)
    ploaded = _median(lambda: _pg_engine(args.pg, n, by_id=False), r)
    pby_id = _median(lambda: _pg_engine(args.pg, n, by_id=True), r)
    print(report_line("raw psycopg UPDATE+INSERT, commit each", praw, praw))
    print(report_line("thidua fire(), instance loaded", ploaded, praw))
    print(report_line("thidua fire(id): load+fire+store", pby_id, praw))
    print(f"  thidua/raw psycopg: loaded {ploaded / praw:.2f}, by id {pby_id / praw:.2f} "
          "(target >= 0.70)", flush=True)


def _pg_engine(url: str, n: int, by_id: bool) -> float:
    baselines.reset_postgres(url)
    return run_engine(url, n, by_id)


if __name__ == "__main__":
    sys.exit(main())
