"""Units, clusters, users and role grants: the minimum the engine needs to know who may act."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters import repository as repo
from workflow.adapters.db import new_id, read_connection, write_transaction
from workflow.adapters.tables import cluster_members, clusters, role_assignments, units, users
from workflow.domain.roles import ROLES, Actor
from workflow.errors import InvalidInput


def create_unit(engine: Engine, code: str, name: str, parent_id: int | None = None) -> int:
    with write_transaction(engine) as conn:
        result = conn.execute(units.insert().values(code=code, name=name, parent_id=parent_id))
        return new_id(result)


def create_cluster(
    engine: Engine, code: str, name: str, kind: str, year: int, members: Sequence[int]
) -> int:
    """A cluster (cụm) or bloc (khối) of one year, with its member units in order."""
    if kind not in ("cum", "khoi"):
        raise InvalidInput(f"kind: must be 'cum' or 'khoi', not {kind!r}")
    with write_transaction(engine) as conn:
        result = conn.execute(
            clusters.insert().values(code=code, name=name, kind=kind, year=year)
        )
        cluster_id = new_id(result)
        if members:
            conn.execute(
                cluster_members.insert(),
                [{"cluster_id": cluster_id, "unit_id": u, "position": i}
                 for i, u in enumerate(members)],
            )
        return cluster_id


def create_user(engine: Engine, username: str, full_name: str, email: str | None = None) -> int:
    with write_transaction(engine) as conn:
        result = conn.execute(
            users.insert().values(username=username, full_name=full_name, email=email, active=True)
        )
        return new_id(result)


def grant(
    engine: Engine, user_id: int, role: str, *, unit_id: int | None = None,
    cluster_id: int | None = None, year: int | None = None,
) -> None:
    """Give a user a role for a unit or a cluster (or everywhere) and a year (or every year)."""
    if role not in ROLES:
        raise InvalidInput(f"role: unknown role '{role}'")
    if unit_id is not None and cluster_id is not None:
        raise InvalidInput("a role is held for a unit or for a cluster, not both")
    with write_transaction(engine) as conn:
        conn.execute(role_assignments.insert().values(
            user_id=user_id, role=role, unit_id=unit_id, cluster_id=cluster_id, year=year))


def actor(engine: Engine, user_id: int) -> Actor | None:
    with read_connection(engine) as conn:
        return repo.load_actor(conn, user_id)


def actor_by_username(engine: Engine, username: str) -> Actor | None:
    with read_connection(engine) as conn:
        user_id = conn.execute(
            sa.select(users.c.id).where(users.c.username == username)
        ).scalar_one_or_none()
        return repo.load_actor(conn, user_id) if user_id is not None else None
