"""Units, clusters and blocs per year, and the yearly rotation of their leader and deputy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from workflow.services import access, admin_log
from workflow.services.ports import UnitOfWork

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


def create_unit(uow: UnitOfWork, code: str, name: str, parent_id: int | None = None, *,
                by: Actor | None = None, at: dt.datetime | None = None) -> int:
    """A unit (ministry, province, office inside one); codes are unique."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("code, name: a unit needs a code and a name")
    with uow:
        if uow.organisations.unit_id(code) is not None:
            raise Conflict(f"code: a unit with code '{code}' already exists")
        if parent_id is not None and not uow.organisations.unit_exists(parent_id):
            raise Conflict(f"parent_id: no unit with id {parent_id}")
        unit = uow.organisations.add_unit(code, name, parent_id)
        admin_log.record(uow, by, "unit_created", "unit", unit, at=at, after={
            "code": code, "name": name, "parent": _unit_label(uow, parent_id)})
        return unit


def edit_unit(uow: UnitOfWork, unit_id: int, name: str, parent_id: int | None, *,
              by: Actor | None = None, at: dt.datetime | None = None) -> bool:
    """Rename a unit or hang it elsewhere (its code stays); False when nothing changed."""
    name = name.strip()
    if not name:
        raise InvalidInput("name: a unit needs a name")
    if parent_id == unit_id:
        raise InvalidInput("parent_id: a unit cannot be its own parent")
    with uow:
        row = uow.organisations.unit(unit_id)
        if row is None:
            raise NotFound(f"no unit with id {unit_id}")
        if parent_id is not None and not uow.organisations.unit_exists(parent_id):
            raise Conflict(f"parent_id: no unit with id {parent_id}")
        before = {"name": row["name"], "parent": _unit_label(uow, row["parent_id"])}
        after = {"name": name, "parent": _unit_label(uow, parent_id)}
        if before == after:
            return False
        uow.organisations.update_unit(unit_id, name, parent_id)
        admin_log.record(uow, by, "unit_edited", "unit", unit_id, at=at,
                         before={k: v for k, v in before.items() if after[k] != v},
                         after={k: v for k, v in after.items() if before[k] != v})
        return True


def _unit_label(uow: UnitOfWork, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    row = uow.organisations.unit(unit_id)
    return None if row is None else f"{row['code']} – {row['name']}"


def _labels(uow: UnitOfWork, ids: Sequence[int]) -> list[str]:
    return [_unit_label(uow, u) or str(u) for u in ids]


def _cluster_values(uow: UnitOfWork, name: str, council: str | None, members: Sequence[int],
                    leader: int | None, deputy: int | None) -> dict[str, object]:
    return {"name": name, "council": council, "members": _labels(uow, members),
            "leader": _unit_label(uow, leader), "deputy": _unit_label(uow, deputy)}


def unit_id(uow: UnitOfWork, code: str) -> int:
    with uow.read():
        found = uow.organisations.unit_id(code)
    if found is None:
        raise NotFound(f"no unit with code '{code}'")
    return found


def create_cluster(
    uow: UnitOfWork, code: str, name: str, kind: str, year: int, members: Sequence[int], *,
    council: str | None = None, leader_unit_id: int | None = None,
    deputy_unit_id: int | None = None, by: Actor | None = None, at: dt.datetime | None = None,
) -> int:
    """A cluster (cụm) or bloc (khối) of one year, with its member units in the order given
    (the rotation's order: kept as given, never sorted).

    Each year has its own row and membership, so a re-formed cluster leaves past years intact.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind: must be 'cum' or 'khoi', not {kind!r}")
    if len(set(members)) != len(members):
        raise InvalidInput("members: a unit is listed twice")
    _check_leadership(members, leader_unit_id, deputy_unit_id)
    with uow:
        if uow.organisations.cluster_id(code, year) is not None:
            raise Conflict(f"code: cluster '{code}' already exists for {year}")
        _check_known(uow, members)
        cluster = uow.organisations.add_cluster(code, name, kind, year, members, council,
                                                leader_unit_id, deputy_unit_id)
        admin_log.record(uow, by, "cluster_created", "cluster", cluster, at=at, after={
            "code": code, "year": year,
            **_cluster_values(uow, name, council, members, leader_unit_id, deputy_unit_id)})
        return cluster


def _check_known(uow: UnitOfWork, members: Sequence[int]) -> None:
    known = uow.organisations.known_units(members)
    unknown = [m for m in members if m not in known]
    if unknown:
        raise Conflict(f"members: no unit with id {', '.join(map(str, unknown))}")


def edit_cluster(
    uow: UnitOfWork, cluster_id: int, name: str, members: Sequence[int], *,
    council: str | None = None, leader_unit_id: int | None = None,
    deputy_unit_id: int | None = None, by: Actor | None = None, at: dt.datetime | None = None,
) -> bool:
    """Change a cluster's name, council, members (in rotation order) and leadership; False
    when nothing changed."""
    name = name.strip()
    if not name:
        raise InvalidInput("name: a cluster needs a name")
    if len(set(members)) != len(members):
        raise InvalidInput("members: a unit is listed twice")
    _check_leadership(members, leader_unit_id, deputy_unit_id)
    with uow:
        current = _cluster(uow, cluster_id)
        _check_known(uow, members)
        if set(members) != set(current.members) and uow.year.cluster_campaigns(cluster_id):
            raise InvalidInput(
                "members: the cluster has a campaign, whose pledges, inspections and vote "
                "are its members'; change the order and the leadership, or form next year's "
                "cluster")
        before = _cluster_values(uow, current.name, current.council, current.members,
                                 current.leader_unit_id, current.deputy_unit_id)
        after = _cluster_values(uow, name, council, members, leader_unit_id, deputy_unit_id)
        if before == after:
            return False
        uow.organisations.update_cluster(cluster_id, name, council, members, leader_unit_id,
                                         deputy_unit_id)
        admin_log.record(uow, by, "cluster_edited", "cluster", cluster_id, at=at,
                         before={k: v for k, v in before.items() if after[k] != v},
                         after={k: v for k, v in after.items() if before[k] != v})
        return True


def _check_leadership(
    members: Sequence[int], leader: int | None, deputy: int | None
) -> None:
    for role, unit in (("leader_unit_id", leader), ("deputy_unit_id", deputy)):
        if unit is not None and unit not in members:
            raise Conflict(f"{role}: unit {unit} is not a member of the cluster")
    if leader is not None and leader == deputy:
        raise Conflict("deputy_unit_id: the leader cannot also be the deputy")


def get_cluster(uow: UnitOfWork, cluster_id: int) -> Cluster:
    with uow.read():
        return _cluster(uow, cluster_id)


def find_cluster(uow: UnitOfWork, code: str, year: int) -> Cluster:
    with uow.read():
        found = uow.organisations.cluster_id(code, year)
        if found is None:
            raise NotFound(f"no cluster '{code}' in {year}")
        return _cluster(uow, found)


def _cluster(uow: UnitOfWork, cluster_id: int) -> Cluster:
    row = uow.organisations.cluster(cluster_id)
    if row is None:
        raise NotFound(f"no cluster with id {cluster_id}")
    return Cluster(row.id, row.code, row.name, row.kind, row.year, row.council,
                   row.leader_unit_id, row.deputy_unit_id, row.members)


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
    uow: UnitOfWork, clock: Clock, cluster_id: int, actor: Actor
) -> RotationProposal:
    """Propose next year's leader and deputy by the rotation rule, for the council office."""
    cluster = get_cluster(uow, cluster_id)
    held = actor.roles_for(None, cluster.id, cluster.year)
    if not held & {"cluster_leader", "council_secretariat", "admin"}:
        raise PermissionDenied(
            f"proposing the rotation needs the role cluster_leader or council_secretariat for "
            f"cluster '{cluster.code}' in {cluster.year}"
        )
    leader, deputy = next_leadership(cluster)
    with uow:
        pending = uow.organisations.pending_rotation(cluster.id)
        if pending is not None:
            raise InvalidInput(f"a rotation of '{cluster.code}' is already proposed "
                               f"(proposal {pending})")
        pid = uow.organisations.add_rotation(cluster.id, cluster.year + 1, leader, deputy,
                                             actor.username, clock.now())
    return RotationProposal(pid, cluster.id, cluster.year + 1, leader, deputy, "proposed")


def decide_rotation(
    uow: UnitOfWork, clock: Clock, proposal_id: int, actor: Actor, *, confirm: bool
) -> int | None:
    """The council office confirms (creating or updating next year's cluster) or rejects a
    proposal; returns next year's cluster id when confirmed."""
    with uow:
        prop = uow.organisations.rotation(proposal_id)
        if prop is None:
            raise NotFound(f"no rotation proposal {proposal_id}")
        if prop["status"] != "proposed":
            raise InvalidInput(f"proposal {proposal_id} is already {prop['status']}")
        current = _cluster(uow, prop["cluster_id"])
        if "council_secretariat" not in actor.roles_for(None, current.id, prop["next_year"]) | \
                actor.roles_for(None, current.id, current.year):
            raise PermissionDenied("confirming a rotation needs the role council_secretariat")
        uow.organisations.decide_rotation(
            proposal_id, "confirmed" if confirm else "rejected", actor.username, clock.now())
        if not confirm:
            return None
        return _apply_rotation(uow, current, prop["next_year"], prop["leader_unit_id"],
                               prop["deputy_unit_id"])


def _apply_rotation(
    uow: UnitOfWork, current: Cluster, year: int, leader: int, deputy: int
) -> int:
    existing = uow.organisations.cluster_id(current.code, year)
    if existing is None:  # next year's cluster keeps this year's members
        existing = uow.organisations.add_cluster(
            current.code, current.name, current.kind, year, current.members, current.council,
            None, None)
    members = _cluster(uow, existing).members
    _check_leadership(members, leader, deputy)
    uow.organisations.set_leadership(existing, leader, deputy)
    return existing


# --- the year's roll-over: next year's clusters from this year's ----------------------------


@dataclass(frozen=True, slots=True)
class NextYearCluster:
    """Next year's cluster as proposed (or as the council office edited it)."""

    code: str
    name: str
    kind: str
    council: str | None
    members: tuple[int, ...]
    leader_unit_id: int | None
    deputy_unit_id: int | None
    source_id: int | None = None  # this year's cluster it comes from
    exists: bool = False  # next year already has a cluster with this code (it is kept)
    include: bool = True  # to be created (the council office may leave one out)


def propose_next_year(uow: UnitOfWork, year: int) -> list[NextYearCluster]:
    """Every cluster of `year` carried to `year + 1`: the same members in the same order, this
    year's deputy leads, the member after it in the rotation order is deputy (a cluster without
    a deputy keeps no leadership: the council office chooses)."""
    with uow.read():
        ids = uow.organisations.cluster_ids_of_year(year)
        current = [_cluster(uow, i) for i in ids]
        taken = set(uow.organisations.cluster_ids_of_year(year + 1))
        existing = {_cluster(uow, i).code for i in taken}
    proposals = []
    for c in current:
        leader: int | None
        deputy: int | None
        try:
            leader, deputy = next_leadership(c)
        except InvalidInput:
            leader = deputy = None
        proposals.append(NextYearCluster(c.code, c.name, c.kind, c.council, c.members,
                                         leader, deputy, c.id, c.code in existing))
    return proposals


def confirm_next_year(
    uow: UnitOfWork, year: int, clusters: Sequence[NextYearCluster], *, by: Actor,
    at: dt.datetime | None = None,
) -> list[int]:
    """Create next year's clusters as confirmed, all or none (one transaction); a code that
    next year already has is refused, so confirming twice cannot duplicate a cluster."""
    if not access.may_roll_over(by):
        raise PermissionDenied("the year's roll-over is for the council office or an admin")
    codes = [c.code for c in clusters]
    if len(set(codes)) != len(codes):
        raise InvalidInput("code: a cluster is listed twice")
    created = []
    with uow:
        for c in clusters:
            created.append(create_cluster(
                uow, c.code, c.name, c.kind, year + 1, c.members, council=c.council,
                leader_unit_id=c.leader_unit_id, deputy_unit_id=c.deputy_unit_id, by=by, at=at))
    return created
