"""What a refused request must not change, read in one statement: every table's row count
and a few sums. Security tests take it before and after each of hundreds of requests, so it is
one round trip instead of one query per table (which was half the matrix test's time)."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa

from workflow.adapters.tables import instances, metadata, objections, users


@cache
def _statement(skip: frozenset[str]) -> sa.Select[Any]:
    def scalar(query: sa.Select[Any]) -> sa.ScalarSelect[Any]:
        return query.scalar_subquery()

    counts = [scalar(sa.select(sa.func.count()).select_from(t))
              for t in metadata.sorted_tables if t.name not in skip]
    return sa.select(
        *counts,
        scalar(sa.select(sa.func.sum(instances.c.version))),
        scalar(sa.select(sa.func.count()).select_from(users).where(users.c.active)),
        scalar(sa.select(sa.func.sum(users.c.session_epoch)).where(users.c.active)),
        scalar(sa.select(sa.func.count(objections.c.judged_at))),
        scalar(sa.select(sa.func.count(objections.c.answered_at))))


def fingerprint(engine: sa.engine.Engine, skip: frozenset[str] = frozenset({"api_tokens"})
                ) -> tuple[Any, ...]:
    """Row counts of every table but `skip`, the sum of instance versions, the active users
    and their session epochs, the objections judged and answered."""
    with engine.connect() as conn:
        return tuple(conn.execute(_statement(skip)).one())
