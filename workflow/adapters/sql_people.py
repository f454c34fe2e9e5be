"""Users, grants, delegations, units, clusters and rotations on SQLAlchemy Core (the
repositories of workflow/services/ports.py that people.py and organisations.py use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters.db import new_id
from workflow.adapters.tables import (
    cluster_members,
    clusters,
    delegations,
    role_assignments,
    rotation_proposals,
    units,
    users,
)
from workflow.domain.roles import Actor, RoleGrant
from workflow.services.ports import ClusterRecord, OrganisationRepository, Row, UserRepository

_RA = role_assignments.c
_HEAD = role_assignments.alias("head")
# The user and their own grants in one query (a user without grants gives one row of NULLs).
_USER_GRANTS = (
    sa.select(users.c.username, users.c.full_name, users.c.active, users.c.session_epoch,
              users.c.must_change_password, _RA.role, _RA.unit_id, _RA.cluster_id, _RA.year,
              _RA.criteria)
    .outerjoin(role_assignments, _RA.user_id == users.c.id)
    .where(users.c.id == sa.bindparam("uid"))
)
# A unit head of the unit that leads (or is deputy of) a cluster in a year acts as its leader
# (deputy) that year: leadership follows the rotation, not a grant someone must remember.
_DERIVED = (
    sa.select(clusters.c.id, clusters.c.year,
              sa.case((clusters.c.leader_unit_id == _HEAD.c.unit_id, "cluster_leader"),
                      else_="cluster_deputy"))
    .join(_HEAD, sa.and_(sa.or_(_HEAD.c.year.is_(None), _HEAD.c.year == clusters.c.year),
                         sa.or_(
        clusters.c.leader_unit_id == _HEAD.c.unit_id,
        clusters.c.deputy_unit_id == _HEAD.c.unit_id)))
    .where(_HEAD.c.user_id == sa.bindparam("uid"), _HEAD.c.role == "unit_head")
)


def split_criteria(text: str | None) -> tuple[str, ...]:
    """The criteria codes a grant keeps comma-separated."""
    return tuple(c for c in (text or "").split(",") if c)


def load_actor(conn: Connection, user_id: int) -> Actor | None:
    rows = conn.execute(_USER_GRANTS, {"uid": user_id}).all()
    if not rows or not rows[0].active:
        return None
    grants = [RoleGrant(r.role, r.unit_id, r.cluster_id, r.year, split_criteria(r.criteria))
              for r in rows if r.role]
    if any(g.role == "unit_head" for g in grants):
        grants += [RoleGrant(role, cluster_id=c, year=y)
                   for c, y, role in conn.execute(_DERIVED, {"uid": user_id})]
    return Actor(user_id, rows[0].username, tuple(dict.fromkeys(grants)),
                 extra={"session_epoch": int(rows[0].session_epoch or 0),
                        "full_name": rows[0].full_name,
                        "must_change_password": bool(rows[0].must_change_password)})


class SqlUsers(UserRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def id_by_username(self, username: str) -> int | None:
        found = self.conn.execute(sa.select(users.c.id).where(
            users.c.username == username)).scalar()
        return None if found is None else int(found)

    def username(self, user_id: int) -> str | None:
        found = self.conn.execute(sa.select(users.c.username).where(
            users.c.id == user_id)).scalar()
        return None if found is None else str(found)

    def is_active(self, user_id: int) -> bool:
        return bool(self.conn.execute(sa.select(users.c.active).where(
            users.c.id == user_id)).scalar())

    def add(self, username: str, full_name: str, email: str | None) -> int:
        return new_id(self.conn.execute(users.insert().values(
            username=username, full_name=full_name, email=email, active=True)))

    def add_grant(self, user_id: int, role: str, unit_id: int | None, cluster_id: int | None,
                  year: int | None, criteria: Sequence[str] = ()) -> int:
        return new_id(self.conn.execute(role_assignments.insert().values(
            user_id=user_id, role=role, unit_id=unit_id, cluster_id=cluster_id, year=year,
            criteria=",".join(criteria) or None)))

    def actor(self, user_id: int) -> Actor | None:
        return load_actor(self.conn, user_id)

    def credentials(self, username: str) -> tuple[int, str | None, bool] | None:
        row = self.conn.execute(sa.select(users.c.id, users.c.password_hash, users.c.active)
                                .where(users.c.username == username)).first()
        return None if row is None else (int(row.id), row.password_hash, bool(row.active))

    def set_password_hash(self, user_id: int, password_hash: str, *, must_change: bool,
                          end_sessions: bool) -> bool:
        values: dict[str, Any] = {"password_hash": password_hash,
                                  "must_change_password": must_change}
        if end_sessions:
            values["session_epoch"] = users.c.session_epoch + 1
        done = self.conn.execute(users.update().where(users.c.id == user_id).values(**values))
        return bool(done.rowcount)

    def session_epoch(self, user_id: int) -> int:
        return int(self.conn.execute(sa.select(users.c.session_epoch).where(
            users.c.id == user_id)).scalar() or 0)

    def end_sessions(self, user_id: int) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(
            session_epoch=users.c.session_epoch + 1))

    def add_delegation(self, from_user_id: int, to_user_id: int, starts_on: dt.date,
                       ends_on: dt.date, mandate: str, created_by: str,
                       created_at: dt.datetime) -> int:
        return new_id(self.conn.execute(delegations.insert().values(
            from_user_id=from_user_id, to_user_id=to_user_id, starts_on=starts_on,
            ends_on=ends_on, mandate=mandate, created_by=created_by, created_at=created_at)))

    def delegation_covers(self, principal_id: int, delegate_id: int, on: dt.date) -> bool:
        d = delegations.c
        return self.conn.execute(sa.select(d.id).where(
            d.from_user_id == principal_id, d.to_user_id == delegate_id, d.revoked_at.is_(None),
            d.starts_on <= on, d.ends_on >= on)).first() is not None

    def delegator(self, delegation_id: int) -> int | None:
        row = self.conn.execute(sa.select(delegations.c.from_user_id).where(
            delegations.c.id == delegation_id)).first()
        return None if row is None else int(row.from_user_id)

    def revoke_delegation(self, delegation_id: int, at: dt.datetime) -> None:
        self.conn.execute(delegations.update().where(delegations.c.id == delegation_id).values(
            revoked_at=at))

    def set_active(self, user_id: int, active: bool) -> bool:
        done = self.conn.execute(users.update().where(users.c.id == user_id).values(
            active=active))
        return bool(done.rowcount)

    def profile(self, user_id: int) -> Row | None:
        u = users.c
        row = self.conn.execute(sa.select(u.id, u.username, u.full_name, u.email, u.unit_id,
                                          u.active).where(u.id == user_id)).first()
        return None if row is None else dict(row._mapping)

    def update_profile(self, user_id: int, full_name: str, email: str | None,
                       unit_id: int | None) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(
            full_name=full_name, email=email, unit_id=unit_id))

    def grant_row(self, grant_id: int) -> Row | None:
        row = self.conn.execute(sa.select(_RA.id, _RA.user_id, _RA.role, _RA.unit_id,
                                          _RA.cluster_id, _RA.year)
                                .where(_RA.id == grant_id)).first()
        return None if row is None else dict(row._mapping)

    def remove_grant(self, grant_id: int) -> None:
        self.conn.execute(role_assignments.delete().where(_RA.id == grant_id))


class SqlOrganisations(OrganisationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def unit_id(self, code: str) -> int | None:
        found = self.conn.execute(sa.select(units.c.id).where(units.c.code == code)).scalar()
        return None if found is None else int(found)

    def unit_exists(self, unit_id: int) -> bool:
        return self.conn.execute(
            sa.select(units.c.id).where(units.c.id == unit_id)).first() is not None

    def known_units(self, ids: Sequence[int]) -> set[int]:
        return set(self.conn.execute(sa.select(units.c.id).where(
            units.c.id.in_(list(ids)))).scalars())

    def add_unit(self, code: str, name: str, parent_id: int | None) -> int:
        return new_id(self.conn.execute(units.insert().values(code=code, name=name,
                                                              parent_id=parent_id)))

    def unit_name(self, unit_id: int) -> str | None:
        name = self.conn.execute(sa.select(units.c.name).where(units.c.id == unit_id)).scalar()
        return None if name is None else str(name)

    def unit_names(self) -> dict[int, str]:
        return {r.id: r.name for r in self.conn.execute(sa.select(units.c.id, units.c.name))}

    def cluster_exists(self, cluster_id: int) -> bool:
        return self.conn.execute(sa.select(clusters.c.id).where(
            clusters.c.id == cluster_id)).first() is not None

    def cluster_id(self, code: str, year: int) -> int | None:
        found = self.conn.execute(sa.select(clusters.c.id).where(
            clusters.c.code == code, clusters.c.year == year)).scalar()
        return None if found is None else int(found)

    def cluster(self, cluster_id: int) -> ClusterRecord | None:
        row = self.conn.execute(sa.select(clusters).where(clusters.c.id == cluster_id)).first()
        if row is None:
            return None
        members = self.conn.execute(
            sa.select(cluster_members.c.unit_id)
            .where(cluster_members.c.cluster_id == cluster_id)
            .order_by(cluster_members.c.position, cluster_members.c.unit_id)
        ).scalars().all()
        return ClusterRecord(row.id, row.code, row.name, row.kind, row.year, row.council,
                             row.leader_unit_id, row.deputy_unit_id, tuple(members))

    def cluster_name(self, cluster_id: int | None) -> str | None:
        name = self.conn.execute(sa.select(clusters.c.name).where(
            clusters.c.id == cluster_id)).scalar()
        return None if name is None else str(name)

    def add_cluster(self, code: str, name: str, kind: str, year: int, members: Sequence[int],
                    council: str | None, leader_unit_id: int | None,
                    deputy_unit_id: int | None) -> int:
        cluster_id = new_id(self.conn.execute(clusters.insert().values(
            code=code, name=name, kind=kind, year=year, council=council,
            leader_unit_id=leader_unit_id, deputy_unit_id=deputy_unit_id,
        )))
        if members:
            self.conn.execute(cluster_members.insert(), [
                {"cluster_id": cluster_id, "unit_id": u, "position": i}
                for i, u in enumerate(members)
            ])
        return cluster_id

    def set_leadership(self, cluster_id: int, leader: int, deputy: int) -> None:
        self.conn.execute(clusters.update().where(clusters.c.id == cluster_id).values(
            leader_unit_id=leader, deputy_unit_id=deputy))

    def pending_rotation(self, cluster_id: int) -> int | None:
        found = self.conn.execute(sa.select(rotation_proposals.c.id).where(
            rotation_proposals.c.cluster_id == cluster_id,
            rotation_proposals.c.status == "proposed")).scalar()
        return None if found is None else int(found)

    def add_rotation(self, cluster_id: int, next_year: int, leader: int, deputy: int,
                     proposed_by: str, at: dt.datetime) -> int:
        return new_id(self.conn.execute(rotation_proposals.insert().values(
            cluster_id=cluster_id, next_year=next_year, leader_unit_id=leader,
            deputy_unit_id=deputy, status="proposed", proposed_by=proposed_by,
            proposed_at=at,
        )))

    def rotation(self, proposal_id: int) -> Row | None:
        row = self.conn.execute(sa.select(rotation_proposals).where(
            rotation_proposals.c.id == proposal_id)).first()
        return None if row is None else dict(row._mapping)

    def cluster_ids_of_year(self, year: int) -> list[int]:
        return [int(i) for i in self.conn.execute(sa.select(clusters.c.id).where(
            clusters.c.year == year).order_by(clusters.c.code)).scalars()]

    def unit(self, unit_id: int) -> Row | None:
        row = self.conn.execute(sa.select(units.c.id, units.c.code, units.c.name,
                                          units.c.parent_id).where(units.c.id == unit_id)).first()
        return None if row is None else dict(row._mapping)

    def update_unit(self, unit_id: int, name: str, parent_id: int | None) -> None:
        self.conn.execute(units.update().where(units.c.id == unit_id).values(
            name=name, parent_id=parent_id))

    def update_cluster(self, cluster_id: int, name: str, council: str | None,
                       members: Sequence[int], leader_unit_id: int | None,
                       deputy_unit_id: int | None) -> None:
        self.conn.execute(clusters.update().where(clusters.c.id == cluster_id).values(
            name=name, council=council, leader_unit_id=leader_unit_id,
            deputy_unit_id=deputy_unit_id))
        self.conn.execute(cluster_members.delete().where(
            cluster_members.c.cluster_id == cluster_id))
        if members:
            self.conn.execute(cluster_members.insert(), [
                {"cluster_id": cluster_id, "unit_id": u, "position": i}
                for i, u in enumerate(members)])

    def decide_rotation(self, proposal_id: int, status: str, by: str,
                        at: dt.datetime) -> None:
        self.conn.execute(rotation_proposals.update().where(
            rotation_proposals.c.id == proposal_id).values(
            status=status, decided_by=by, decided_at=at))
