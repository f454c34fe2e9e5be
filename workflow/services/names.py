"""The names people read for the ids and codes a refusal or a page refers to."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters.db import read_connection
from workflow.adapters.tables import clusters, units, users


def unit_names(engine: Engine, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    with read_connection(engine) as conn:
        rows = conn.execute(sa.select(units.c.id, units.c.name).where(units.c.id.in_(wanted)))
        return {int(r.id): str(r.name) for r in rows}


def cluster_names(engine: Engine, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    with read_connection(engine) as conn:
        rows = conn.execute(
            sa.select(clusters.c.id, clusters.c.name).where(clusters.c.id.in_(wanted)))
        return {int(r.id): str(r.name) for r in rows}


def people_names(engine: Engine, usernames: Iterable[str]) -> dict[str, str]:
    """Full names by username."""
    wanted = sorted({str(u) for u in usernames})
    if not wanted:
        return {}
    with read_connection(engine) as conn:
        rows = conn.execute(
            sa.select(users.c.username, users.c.full_name).where(users.c.username.in_(wanted)))
        return {str(r.username): str(r.full_name) for r in rows}
