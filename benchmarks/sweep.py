"""Sweep time with many pending deadline rows, of which 10,000 are due (SQLite).

    python benchmarks/sweep.py [--due 10000] [--sizes 100000,1000000] [--smoke]

Each due row is a reminder: the sweep loads its item, resolves the officer and head of the
item's unit, renders the message and writes two outbox rows, and marks the row done, in
batches of 500 per transaction. Targets: one sweep of the due rows under 10 s with 1,000,000
pending rows, and under 2x the time it takes with 100,000 (it must not scan what is not due).
Exits 1 when a target is missed; `--smoke` sweeps 100 due rows among 1,000 and 5,000 and
enforces nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Targets, smoke_argument  # noqa: E402
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.clock import FakeClock  # noqa: E402
from workflow.config import PROJECT_ROOT, load_settings  # noqa: E402
from workflow.engine.hashing import GENESIS  # noqa: E402
from workflow.services import organisations, people  # noqa: E402

ITEMS = 10_000
TARGET_S = 10.0  # one sweep of the due rows
TARGET_GROWTH = 2.0  # the largest size against the smallest
NOW = dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC)


def _services(path: str) -> Services:
    settings = load_settings(environ={}, overrides={"database": {"url": f"sqlite:///{path}"}})
    svc = bootstrap(settings, clock=FakeClock(NOW))
    svc.upgrade_schema()
    svc.criteria.sync([PROJECT_ROOT / "definitions" / "criteria"], base=PROJECT_ROOT)
    svc.catalog.sync([PROJECT_ROOT / "definitions"], base=PROJECT_ROOT)
    return svc


def seed(svc: Services, path: str, pending: int, due: int) -> None:
    """ITEMS pledges in draft, and `pending` reminder rows over them, `due` of them due."""
    unit = organisations.create_unit(svc.uow(), "U1", "Đơn vị thử")
    for role in ("unit_officer", "unit_head"):
        uid = people.create_user(svc.uow(), role, role)
        people.grant(svc.uow(), uid, role, unit_id=unit, year=2025)
    definition = svc.catalog.latest("pledge").definition_id
    conn = sqlite3.connect(path)
    stamp = "2025-01-01 00:00:00.000000"
    conn.executemany(
        "INSERT INTO workflow_instances (definition_id, workflow, state, status, version,"
        " unit_id, year, data, last_hash, created_at, entered_at)"
        " VALUES (?, 'pledge', 'draft', 'active', 1, ?, 2025, '{}', ?, ?, ?)",
        [(definition, unit, GENESIS, stamp, stamp) for _ in range(ITEMS)])
    first = conn.execute("SELECT MIN(id) FROM workflow_instances").fetchone()[0]
    past, future = "2025-05-31 01:00:00.000000", "2026-05-31 01:00:00.000000"
    rows = ((first + n % ITEMS, n // ITEMS, past if n < due else future) for n in range(pending))
    conn.executemany(
        "INSERT INTO deadlines (instance_id, state, entry_version, kind, days_before, due_date,"
        " fire_at, anchor, status, late) VALUES (?, 'draft', 1, 'reminder', ?, '2025-06-30',"
        " ?, 'date', 'pending', 0)", rows)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as a running database would have been
    conn.close()


def measure(pending: int, due: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/sweep.db"
        svc = _services(path)
        try:
            seed(svc, path, pending, due)
            start = time.perf_counter()
            report = svc.sweeper().sweep()
            elapsed = time.perf_counter() - start
            assert report.reminders == due, report
            assert report.messages == 2 * due, report
            return elapsed
        finally:
            svc.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=1)
    smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.due, args.sizes, args.repeat = 100, "1000,5000", 1
    targets = Targets(args.smoke)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"sweep: {args.due} due reminders among N pending rows (SQLite); "
          f"best of {args.repeat}", flush=True)
    times = {}
    for size in sizes:
        times[size] = min(measure(size, args.due) for _ in range(args.repeat))
        print(f"  {size:>9,} pending: {times[size]:.2f} s  ({args.due / times[size]:,.0f} "
              f"due rows/s, target < {TARGET_S:.0f} s) " + targets.check(
                  f"{size:,} pending took {times[size]:.2f} s", times[size] < TARGET_S),
              flush=True)
    if len(sizes) >= 2:
        small, large = times[sizes[0]], times[sizes[-1]]
        print(f"  {sizes[-1]:,} vs {sizes[0]:,} pending: x{large / small:.2f} "
              f"(target < {TARGET_GROWTH:.0f}) " + targets.check(
                  f"{sizes[-1]:,} pending x{large / small:.2f} the time of {sizes[0]:,}",
                  large / small < TARGET_GROWTH), flush=True)
    return targets.exit_code("sweep")


if __name__ == "__main__":
    sys.exit(main())
