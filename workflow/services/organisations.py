"""Units, clusters and blocs per year, and the yearly rotation of their leader and deputy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.errors import InvalidInput, NotFound, PermissionDenied
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


def create_unit(uow: UnitOfWork, code: str, name: str, parent_id: int | None = None) -> int:
    """A unit (ministry, province, office inside one); codes are unique."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("code, name: a unit needs a code and a name")
    with uow:
        if uow.organisations.unit_id(code) is not None:
            raise InvalidInput(f"code: a unit with code '{code}' already exists")
        if parent_id is not None and not uow.organisations.unit_exists(parent_id):
            raise InvalidInput(f"parent_id: no unit with id {parent_id}")
        return uow.organisations.add_unit(code, name, parent_id)


def unit_id(uow: UnitOfWork, code: str) -> int:
    with uow.read():
        found = uow.organisations.unit_id(code)
    if found is None:
        raise NotFound(f"no unit with code '{code}'")
    return found


def create_cluster(
    uow: UnitOfWork, code: str, name: str, kind: str, year: int, members: Sequence[int], *,
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
    with uow:
        if uow.organisations.cluster_id(code, year) is not None:
            raise InvalidInput(f"code: cluster '{code}' already exists for {year}")
        known = uow.organisations.known_units(members)
        unknown = [m for m in members if m not in known]
        if unknown:
            raise InvalidInput(f"members: no unit with id {', '.join(map(str, unknown))}")
        return uow.organisations.add_cluster(code, name, kind, year, members, council,
                                             leader_unit_id, deputy_unit_id)


def _check_leadership(
    members: Sequence[int], leader: int | None, deputy: int | None
) -> None:
    for role, unit in (("leader_unit_id", leader), ("deputy_unit_id", deputy)):
        if unit is not None and unit not in members:
            raise InvalidInput(f"{role}: unit {unit} is not a member of the cluster")
    if leader is not None and leader == deputy:
        raise InvalidInput("deputy_unit_id: the leader cannot also be the deputy")


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
