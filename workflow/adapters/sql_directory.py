"""The directory as the import sees it (workflow/services/imports.py): one snapshot read in a
few queries, and the updates the import makes beside the organisations' and users' inserts."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters.tables import (
    cluster_members,
    clusters,
    instances,
    role_assignments,
    units,
    users,
)
from workflow.domain.imports import Directory, KnownCluster, KnownPerson, KnownUnit
from workflow.services.ports import DirectoryRepository


class SqlDirectory(DirectoryRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def snapshot(self, year: int) -> Directory:
        unit_rows = self.conn.execute(sa.select(units.c.id, units.c.code, units.c.name,
                                                units.c.parent_id, units.c.kind)).all()
        code = {r.id: r.code for r in unit_rows}
        known_units = {r.code: KnownUnit(r.id, r.code, r.name, code.get(r.parent_id), r.kind)
                       for r in unit_rows}
        members: dict[int, list[str]] = {}
        for m in self.conn.execute(
                sa.select(cluster_members.c.cluster_id, cluster_members.c.unit_id)
                .join(clusters, clusters.c.id == cluster_members.c.cluster_id)
                .where(clusters.c.year == year)
                .order_by(cluster_members.c.cluster_id, cluster_members.c.position,
                          cluster_members.c.unit_id)):
            members.setdefault(m.cluster_id, []).append(code[m.unit_id])
        with_campaign = set(self.conn.execute(
            sa.select(instances.c.cluster_id).distinct().where(
                instances.c.workflow == "campaign", instances.c.year == year)).scalars())
        known_clusters = {
            r.code: KnownCluster(r.id, r.code, r.name, r.kind, r.council,
                                 code.get(r.leader_unit_id), code.get(r.deputy_unit_id),
                                 tuple(members.get(r.id, ())), r.id in with_campaign)
            for r in self.conn.execute(sa.select(clusters).where(clusters.c.year == year))}
        grants: dict[int, set[tuple[str, str | None]]] = {}
        ra = role_assignments.c
        for g in self.conn.execute(sa.select(ra.user_id, ra.role, ra.unit_id).where(
                ra.year.is_(None), ra.cluster_id.is_(None))):
            grants.setdefault(g.user_id, set()).add(
                (g.role, None if g.unit_id is None else code.get(g.unit_id)))
        known_people = {
            r.username: KnownPerson(r.id, r.username, r.full_name, r.email,
                                    frozenset(grants.get(r.id, ())))
            for r in self.conn.execute(sa.select(users.c.id, users.c.username,
                                                 users.c.full_name, users.c.email))}
        return Directory(known_units, known_clusters, known_people, year)

    def add_unit(self, code: str, name: str, parent_id: int | None, kind: str | None) -> int:
        found = self.conn.execute(units.insert().values(code=code, name=name,
                                                        parent_id=parent_id, kind=kind))
        key = found.inserted_primary_key
        assert key is not None
        return int(key[0])

    def update_unit(self, unit_id: int, name: str, parent_id: int | None,
                    kind: str | None) -> None:
        self.conn.execute(units.update().where(units.c.id == unit_id).values(
            name=name, parent_id=parent_id, kind=kind))

    def update_cluster(self, cluster_id: int, name: str, kind: str, council: str | None,
                       leader_unit_id: int | None, deputy_unit_id: int | None,
                       members: Sequence[int]) -> None:
        self.conn.execute(clusters.update().where(clusters.c.id == cluster_id).values(
            name=name, kind=kind, council=council, leader_unit_id=leader_unit_id,
            deputy_unit_id=deputy_unit_id))
        self.conn.execute(cluster_members.delete().where(
            cluster_members.c.cluster_id == cluster_id))
        self.conn.execute(cluster_members.insert(), [
            {"cluster_id": cluster_id, "unit_id": unit, "position": i}
            for i, unit in enumerate(members)])

    def update_person(self, user_id: int, full_name: str, email: str | None) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(
            full_name=full_name, email=email))
