"""Counters of attempts per key (the rate_limits table), shared by every process.

A counter is one row: the hits of the window that began at the key's first hit and ends at
reset_at. Counting is atomic: the caller holds the rows of its keys for the whole
transaction (SQLite: the write lock taken at BEGIN IMMEDIATE; PostgreSQL: the rows locked FOR
UPDATE, always in the order of their keys so that two callers cannot deadlock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from workflow.adapters.tables import rate_limits
from workflow.services.ports import Counter

__all__ = ["Counter", "counter", "delete", "lock_counters", "prune", "save_counter", "take_back"]

_R = rate_limits.c
PRUNE_BATCH = 500  # expired rows deleted at most per write: a write never does much more


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def lock_counters(conn: Connection, keys: Sequence[str], reset_at: dt.datetime
                  ) -> dict[str, Counter]:
    """The counters of the keys, created empty (ending at reset_at) where missing, and held
    by this transaction until it ends."""
    wanted = sorted(set(keys))
    found: dict[str, Counter] = {}
    for _ in range(3):  # a row pruned by another process between the insert and the lock
        _insert_missing(conn, wanted, reset_at)
        rows = conn.execute(
            sa.select(_R.key, _R.hits, _R.reset_at).where(_R.key.in_(wanted))
            .order_by(_R.key).with_for_update()).all()
        found = {row.key: Counter(row.key, int(row.hits), _utc(row.reset_at)) for row in rows}
        if len(found) == len(wanted):
            return found
    raise RuntimeError(f"rate_limits: could not hold the counters of {wanted}")


def _insert_missing(conn: Connection, keys: Sequence[str], reset_at: dt.datetime) -> None:
    values = [{"key": key, "hits": 0, "reset_at": reset_at} for key in keys]
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(rate_limits).values(values)
                     .on_conflict_do_nothing(index_elements=[_R.key]))
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite.insert(rate_limits).values(values)
                     .on_conflict_do_nothing(index_elements=[_R.key]))
    else:  # pragma: no cover - thidua runs on SQLite and PostgreSQL only
        raise RuntimeError(f"rate_limits: no upsert for {conn.dialect.name}")


def save_counter(conn: Connection, counter: Counter) -> None:
    conn.execute(rate_limits.update().where(_R.key == counter.key)
                 .values(hits=counter.hits, reset_at=counter.reset_at))


def take_back(conn: Connection, key: str) -> None:
    """One hit less on the key's counter; a counter left with none is deleted (its window
    starts again at the next hit anyway), so that work given back leaves no row behind."""
    conn.execute(rate_limits.update().where(_R.key == key, _R.hits > 0)
                 .values(hits=_R.hits - 1))
    conn.execute(rate_limits.delete().where(_R.key == key, _R.hits <= 0))


def delete(conn: Connection, key: str) -> None:
    conn.execute(rate_limits.delete().where(_R.key == key))


def prune(conn: Connection, now: dt.datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete up to `batch` counters whose window has ended; on PostgreSQL a row another
    transaction holds is skipped, so pruning never waits (nor deadlocks) on a counting."""
    expired = (sa.select(_R.key).where(_R.reset_at <= now).limit(batch)
               .with_for_update(skip_locked=True))
    return conn.execute(rate_limits.delete().where(_R.key.in_(expired))
                        ).rowcount


def counter(conn: Connection, key: str) -> Counter | None:
    row = conn.execute(sa.select(_R.key, _R.hits, _R.reset_at).where(_R.key == key)).first()
    return Counter(row.key, int(row.hits), _utc(row.reset_at)) if row else None
