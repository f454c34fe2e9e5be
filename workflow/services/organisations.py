"""Units, clusters and blocs per year, and the yearly rotation of their leader and deputy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workflow.adapters.db import new_id, read_connection, write_transaction
from workflow.adapters.tables import cluster_members, clusters, rotation_proposals, units
from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.errors import InvalidInput, NotFound, PermissionDenied

KINDS = {"cum": "cụm thi đua", "khoi": "khối thi đua"}


@dataclass(frozen=True, slots=True)
class Cluster:
    id: int
    code: str
    name: str
    kind: str
    year: int
    council: str | None
    leader_unit_id: int | None
    deputy_unit_id: int | None
    members: tuple[int, ...]  # unit ids in their order (position)


@dataclass(frozen=True, slots=True)
class RotationProposal:
    id: int
    cluster_id: int
    next_year: int
    leader_unit_id: int
    deputy_unit_id: int
    status: str


def create_unit(engine: Engine, code: str, name: str, parent_id: int | None = None) -> int:
    """A unit (ministry, province, office inside one); codes are unique."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("code, name: a unit needs a code and a name")
    with write_transaction(engine) as conn:
        if conn.execute(sa.select(units.c.id).where(units.c.code == code)).first():
            raise InvalidInput(f"code: a unit with code '{code}' already exists")
        if parent_id is not None and not conn.execute(
            sa.select(units.c.id).where(units.c.id == parent_id)
        ).first():
            raise InvalidInput(f"parent_id: no unit with id {parent_id}")
        return new_id(conn.execute(units.insert().values(code=code, name=name,
                                                         parent_id=parent_id)))


def unit_id(engine: Engine, code: str) -> int:
    with read_connection(engine) as conn:
        found = conn.execute(sa.select(units.c.id).where(units.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"no unit with code '{code}'")
    return int(found)


def create_cluster(
    engine: Engine, code: str, name: str, kind: str, year: int, members: Sequence[int], *,
    council: str | None = None, leader_unit_id: int | None = None,
    deputy_unit_id: int | None = None,
) -> int:
    """A cluster (cụm) or bloc (khối) of one year, with its member units in order.

    Each year has its own row and membership, so a re-formed cluster leaves past years intact.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind: must be 'cum' or 'khoi', not {kind!r}")
    if len(set(members)) != len(members):
        raise InvalidInput("members: a unit is listed twice")
    _check_leadership(members, leader_unit_id, deputy_unit_id)
    with write_transaction(engine) as conn:
        if conn.execute(sa.select(clusters.c.id).where(
                clusters.c.code == code, clusters.c.year == year)).first():
            raise InvalidInput(f"code: cluster '{code}' already exists for {year}")
        known = set(conn.execute(sa.select(units.c.id).where(units.c.id.in_(members))).scalars())
        unknown = [m for m in members if m not in known]
        if unknown:
            raise InvalidInput(f"members: no unit with id {', '.join(map(str, unknown))}")
        cluster_id = new_id(conn.execute(clusters.insert().values(
            code=code, name=name, kind=kind, year=year, council=council,
            leader_unit_id=leader_unit_id, deputy_unit_id=deputy_unit_id,
        )))
        if members:
            conn.execute(cluster_members.insert(), [
                {"cluster_id": cluster_id, "unit_id": u, "position": i}
                for i, u in enumerate(members)
            ])
        return cluster_id


def _check_leadership(
    members: Sequence[int], leader: int | None, deputy: int | None
) -> None:
    for role, unit in (("leader_unit_id", leader), ("deputy_unit_id", deputy)):
        if unit is not None and unit not in members:
            raise InvalidInput(f"{role}: unit {unit} is not a member of the cluster")
    if leader is not None and leader == deputy:
        raise InvalidInput("deputy_unit_id: the leader cannot also be the deputy")


def get_cluster(engine: Engine, cluster_id: int) -> Cluster:
    with read_connection(engine) as conn:
        return _cluster(conn, cluster_id)


def find_cluster(engine: Engine, code: str, year: int) -> Cluster:
    with read_connection(engine) as conn:
        found = conn.execute(sa.select(clusters.c.id).where(
            clusters.c.code == code, clusters.c.year == year)).scalar()
        if found is None:
            raise NotFound(f"no cluster '{code}' in {year}")
        return _cluster(conn, int(found))


def _cluster(conn: Connection, cluster_id: int) -> Cluster:
    row = conn.execute(sa.select(clusters).where(clusters.c.id == cluster_id)).first()
    if row is None:
        raise NotFound(f"no cluster with id {cluster_id}")
    members = conn.execute(
        sa.select(cluster_members.c.unit_id).where(cluster_members.c.cluster_id == cluster_id)
        .order_by(cluster_members.c.position, cluster_members.c.unit_id)
    ).scalars().all()
    return Cluster(row.id, row.code, row.name, row.kind, row.year, row.council,
                   row.leader_unit_id, row.deputy_unit_id, tuple(members))


# --- rotation (luân phiên cụm trưởng, cụm phó) --------------------------------------------


def next_leadership(cluster: Cluster) -> tuple[int, int]:
    """The rotation rule: this year's deputy leads next year, and the member after it in the
    cluster's order (skipping the new leader) becomes deputy."""
    if cluster.deputy_unit_id is None:
        raise InvalidInput(f"cluster '{cluster.code}' has no deputy in {cluster.year} to rotate")
    if len(cluster.members) < 2:
        raise InvalidInput(f"cluster '{cluster.code}' needs two members to rotate")
    leader = cluster.deputy_unit_id
    order = list(cluster.members)
    start = order.index(leader)
    for step in range(1, len(order) + 1):
        candidate = order[(start + step) % len(order)]
        if candidate != leader:
            return leader, candidate
    raise InvalidInput("no deputy can be chosen")  # unreachable with two members


def propose_rotation(
    engine: Engine, clock: Clock, cluster_id: int, actor: Actor
) -> RotationProposal:
    """Propose next year's leader and deputy by the rotation rule, for the council office."""
    cluster = get_cluster(engine, cluster_id)
    held = actor.roles_for(None, cluster.id, cluster.year)
    if not held & {"cluster_leader", "council_secretariat", "admin"}:
        raise PermissionDenied(
            f"proposing the rotation needs the role cluster_leader or council_secretariat for "
            f"cluster '{cluster.code}' in {cluster.year}"
        )
    leader, deputy = next_leadership(cluster)
    with write_transaction(engine) as conn:
        pending = conn.execute(sa.select(rotation_proposals.c.id).where(
            rotation_proposals.c.cluster_id == cluster.id,
            rotation_proposals.c.status == "proposed")).first()
        if pending:
            raise InvalidInput(f"a rotation of '{cluster.code}' is already proposed "
                               f"(proposal {pending.id})")
        pid = new_id(conn.execute(rotation_proposals.insert().values(
            cluster_id=cluster.id, next_year=cluster.year + 1, leader_unit_id=leader,
            deputy_unit_id=deputy, status="proposed", proposed_by=actor.username,
            proposed_at=clock.now(),
        )))
    return RotationProposal(pid, cluster.id, cluster.year + 1, leader, deputy, "proposed")


def decide_rotation(
    engine: Engine, clock: Clock, proposal_id: int, actor: Actor, *, confirm: bool
) -> int | None:
    """The council office confirms (creating or updating next year's cluster) or rejects a
    proposal; returns next year's cluster id when confirmed."""
    with write_transaction(engine) as conn:
        prop = conn.execute(sa.select(rotation_proposals).where(
            rotation_proposals.c.id == proposal_id)).first()
        if prop is None:
            raise NotFound(f"no rotation proposal {proposal_id}")
        if prop.status != "proposed":
            raise InvalidInput(f"proposal {proposal_id} is already {prop.status}")
        current = _cluster(conn, prop.cluster_id)
        if "council_secretariat" not in actor.roles_for(None, current.id, prop.next_year) | \
                actor.roles_for(None, current.id, current.year):
            raise PermissionDenied("confirming a rotation needs the role council_secretariat")
        conn.execute(rotation_proposals.update().where(
            rotation_proposals.c.id == proposal_id).values(
            status="confirmed" if confirm else "rejected", decided_by=actor.username,
            decided_at=clock.now()))
        if not confirm:
            return None
        return _apply_rotation(conn, current, prop.next_year, prop.leader_unit_id,
                               prop.deputy_unit_id)


def _apply_rotation(
    conn: Connection, current: Cluster, year: int, leader: int, deputy: int
) -> int:
    existing = conn.execute(sa.select(clusters.c.id).where(
        clusters.c.code == current.code, clusters.c.year == year)).scalar()
    if existing is None:  # next year's cluster keeps this year's members
        existing = new_id(conn.execute(clusters.insert().values(
            code=current.code, name=current.name, kind=current.kind, year=year,
            council=current.council)))
        conn.execute(cluster_members.insert(), [
            {"cluster_id": existing, "unit_id": u, "position": i}
            for i, u in enumerate(current.members)])
    members = _cluster(conn, int(existing)).members
    _check_leadership(members, leader, deputy)
    conn.execute(clusters.update().where(clusters.c.id == existing).values(
        leader_unit_id=leader, deputy_unit_id=deputy))
    return int(existing)
