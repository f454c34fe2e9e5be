"""Who may see an item, act on it and attach to it: one policy, pure logic over the actor's
grants, the item's unit, cluster and year, and the roles its definition gives actions to.

Pages, the API and the document use cases all ask here, so that they cannot answer differently.
The policy reads nothing itself: the member units of a cluster, when an answer depends on them,
come from the caller through `member_units` (asked for only then).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

from workflow.domain.roles import INSPECTOR_ROLE, SUPERVISOR_ROLE, SYSTEM_ROLE, Actor
from workflow.engine.spec import WorkflowSpec
from workflow.errors import PermissionDenied

MemberUnits = Callable[[int], Collection[int]]  # cluster id -> the ids of its member units


class Item(Protocol):
    """What the policy reads of an item (an engine Instance has all of it)."""

    @property
    def id(self) -> int: ...
    @property
    def workflow(self) -> str: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def cluster_id(self) -> int | None: ...
    @property
    def year(self) -> int | None: ...


INSPECTOR = INSPECTOR_ROLE


def roles_on(actor: Actor, item: Item) -> set[str]:
    """The roles the actor holds on the item: grants covering its unit or cluster and year.

    The `inspector` grant is held for a whole cluster (every officer of a member unit holds
    it), but it counts only on an inspection whose team names the actor: it never opens the
    other members' pledges, reports or score sheets. The `cluster_supervisor` grant counts on
    the items of its cluster and its one year (it gives no action: no definition names it but
    the supervision notes')."""
    roles = actor.roles_for(item.unit_id, item.cluster_id, item.year)
    if INSPECTOR in roles and not on_team(actor, item):
        roles.discard(INSPECTOR)
    if SUPERVISOR_ROLE in roles and not may_supervise(actor, item.cluster_id, item.year):
        roles.discard(SUPERVISOR_ROLE)  # a supervision holds for its one year only
    return roles


def on_team(actor: Actor, item: Item) -> bool:
    """Whether the item is an inspection whose planned team names the actor."""
    if item.workflow != "inspection":
        return False
    data = getattr(item, "data", None)
    plan = data.get("plan") if isinstance(data, dict) else None
    team = plan.get("team") if isinstance(plan, dict) else None
    return isinstance(team, list) and actor.username in team


def may_read_as_team(actor: Actor, inspection: Item, item: Item) -> bool:
    """The team of an inspection reads the inspected unit's pledge, reports and score sheet
    of the same campaign (and year: the grant's) through the inspection, and nothing of any
    other unit; the inspection's page is where they read them."""
    if INSPECTOR not in roles_on(actor, inspection):
        return False
    return (item.unit_id is not None and item.unit_id == inspection.unit_id
            and item.year == inspection.year
            and getattr(item, "parent_id", None) == getattr(inspection, "parent_id", None))


def acting_roles(spec: WorkflowSpec) -> frozenset[str]:
    """The roles the item's definition gives some action to."""
    return frozenset(role for t in spec.transitions for role in t.roles)


def is_member(actor: Actor, item: Item, member_units: MemberUnits | None) -> bool:
    """Whether the actor belongs to a member unit of the cluster a cluster-wide item (a
    campaign, a cluster vote) is for: a unit grant of the item's year (or of every year)."""
    if item.unit_id is not None or item.cluster_id is None or member_units is None:
        return False
    own = {g.unit_id for g in actor.grants
           if g.unit_id is not None and (g.year is None or g.year == item.year)}
    return bool(own) and not own.isdisjoint(member_units(item.cluster_id))


def may_see(actor: Actor, item: Item, member_units: MemberUnits | None = None) -> bool:
    """Who may open an item (its page, its history, its documents, a counted vote's result):
    whoever holds a role on it; for a cluster-wide item, also the people of its member units.
    A cluster's supervision notes are read only by those `may_read_supervision` names."""
    if item.workflow == SUPERVISION:
        return may_read_supervision(actor, item.cluster_id, item.year)
    return bool(roles_on(actor, item)) or is_member(actor, item, member_units)


def may_see_cluster(actor: Actor, cluster_id: int, year: int | None,
                    members: Collection[int]) -> bool:
    """Who may open a cluster's page: the council and administrators (roles held everywhere),
    whoever holds a role for the cluster, and the people of its member units, that year."""
    for g in actor.grants:
        if g.year is not None and g.year != year:
            continue
        if g.unit_id is None and g.cluster_id is None and g.role != SYSTEM_ROLE:
            return True
        if g.cluster_id == cluster_id or (g.unit_id is not None and g.unit_id in members):
            return True
    return False


def may_read_documents(actor: Actor, item: Item, member_units: MemberUnits | None = None) -> bool:
    """Documents are read by whoever may see the item."""
    return may_see(actor, item, member_units)


def may_act(actor: Actor, item: Item) -> bool:
    """Whether the actor holds any role on the item, which every action needs (the action's
    own roles are the engine's check)."""
    return bool(roles_on(actor, item))


def may_take(actor: Actor, spec: WorkflowSpec, trigger: str, *, unit_id: int | None = None,
             cluster_id: int | None = None, year: int | None = None) -> bool:
    """Whether the actor holds, for that scope, a role the definition gives the action, before
    any item exists: who may create a cluster's campaign is who may revise its plan."""
    roles = {r for t in spec.transitions if t.trigger == trigger for r in t.roles}
    return not actor.roles_for(unit_id, cluster_id, year).isdisjoint(roles - {SYSTEM_ROLE})


def may_take_on(actor: Actor, item: Item, spec: WorkflowSpec, trigger: str) -> bool:
    """Whether the actor holds, on the item, a role the definition gives this action (the
    deciding head's form on a dossier, the council office's announcement): the state and the
    guards are the engine's check."""
    roles = {r for t in spec.transitions if t.trigger == trigger for r in t.roles}
    return not roles_on(actor, item).isdisjoint(roles - {SYSTEM_ROLE})


def may_attach(actor: Actor, item: Item, spec: WorkflowSpec) -> bool:
    """Uploading to an item is for the people who act on it: a role its definition gives some
    action to, held on the item. Reading it (an inspector, the council) is not enough."""
    return not roles_on(actor, item).isdisjoint(acting_roles(spec))


def starting_roles(spec: WorkflowSpec) -> frozenset[str]:
    """Who may start an item of this definition: the roles of the actions of its first state
    (what Workflows.start checks)."""
    return frozenset(role for t in spec.transitions_from(spec.initial) for role in t.roles)


def may_start(actor: Actor, spec: WorkflowSpec, *, unit_id: int | None = None,
              cluster_id: int | None = None, year: int | None = None) -> bool:
    """Whether the actor may start an item of the definition for this unit or cluster and
    year (a cluster's vote session: its leader or the council office)."""
    held = actor.roles_for(unit_id, cluster_id, year)
    return not held.isdisjoint(starting_roles(spec) - {SYSTEM_ROLE})


def may_export_official(actor: Actor, item: Item, exporters: Collection[str]) -> bool:
    """Official exports of a cluster-wide item (the ranking workbook, written into its
    history) are for the roles named, held for its cluster and year (or everywhere)."""
    return not actor.roles_for(None, item.cluster_id, item.year).isdisjoint(exporters)


# --- the same answers as errors, with a message a user can act on ----------------------------


def require_see(actor: Actor, item: Item, spec: WorkflowSpec,
                member_units: MemberUnits | None = None) -> None:
    if not may_see(actor, item, member_units):
        raise PermissionDenied(_no_role(actor, item, spec))


def require_act(actor: Actor, item: Item, spec: WorkflowSpec) -> None:
    if not may_act(actor, item):
        raise PermissionDenied(_no_role(actor, item, spec))


def require_attach(actor: Actor, item: Item, spec: WorkflowSpec) -> None:
    if not may_attach(actor, item, spec):
        acting = ", ".join(sorted(acting_roles(spec) - {SYSTEM_ROLE}))
        raise PermissionDenied(
            f"'{actor.username}' takes no part in {item.workflow} {item.id} (one of "
            f"{acting} does) and cannot attach to it")


def _no_role(actor: Actor, item: Item, spec: WorkflowSpec) -> str:
    roles = ", ".join(sorted(acting_roles(spec) - {SYSTEM_ROLE}))
    scope = ", ".join(f"{k} {v}" for k, v in (
        ("unit", item.unit_id), ("cluster", item.cluster_id), ("year", item.year)) if v)
    return (f"{item.workflow} {item.id} needs a role for {scope or 'its scope'} (one of "
            f"{roles}); '{actor.username}' holds none there")


CRITERIA_EDITORS = frozenset({"admin", "council_secretariat"})


def may_edit_criteria(actor: Actor) -> bool:
    """Who may draft and publish criteria tables: the council office (Vụ Thi đua – Khen
    thưởng, the council's standing body) and administrators, each holding the role everywhere
    (a grant limited to one year counts too: the tables serve every year)."""
    return any(g.role in CRITERIA_EDITORS and g.unit_id is None and g.cluster_id is None
               for g in actor.grants)


ROLL_OVER = frozenset({"admin", "council_secretariat"})


def may_roll_over(actor: Actor) -> bool:
    """Who carries this year's clusters to the next (the year's roll-over): the council office
    and administrators, holding the role everywhere (a grant of one year counts: it is the
    year ending)."""
    return any(g.role in ROLL_OVER and g.unit_id is None and g.cluster_id is None
               for g in actor.grants)


# --- objections to a posted dossier ----------------------------------------------------------

OBJECTION_JUDGES = frozenset({"council_secretariat"})
OBJECTION_ANSWERERS = frozenset({"council_secretariat", "cluster_leader"})


def may_judge_objections(actor: Actor, item: Item) -> bool:
    """The council office judges whether an objection to a dossier is admissible, and reads
    how to reach its writer."""
    return not roles_on(actor, item).isdisjoint(OBJECTION_JUDGES)


def may_answer_objections(actor: Actor, item: Item) -> bool:
    """The council office or the cluster's leader answers an admissible objection."""
    return not roles_on(actor, item).isdisjoint(OBJECTION_ANSWERERS)


# --- the directory's import (units, clusters, people from a spreadsheet) ---------------------


def may_import_directory(actor: Actor) -> bool:
    """Administrators import units, clusters and people (they create accounts and grant
    roles, which only an administrator does in the pages)."""
    return actor.has_global_role("admin")


# --- administration through the API (units, clusters, people, roles, tokens) ----------------


def may_administer(actor: Actor) -> bool:
    """Units, clusters, people and their roles are kept by the system's administrators (the
    admin pages ask the same)."""
    return actor.has_global_role("admin")


def may_manage_tokens(actor: Actor, user_id: int) -> bool:
    """Each user keeps their own API tokens; administrators keep anyone's."""
    return actor.user_id == user_id or may_administer(actor)


# --- supervision of clusters by council members ----------------------------------------------

SUPERVISION = "supervision"  # the workflow holding a cluster's supervision notes of a year
SUPERVISION_ASSIGNERS = frozenset({"council_secretariat"})
SUPERVISION_READERS = frozenset({SUPERVISOR_ROLE, "cluster_leader", "council_secretariat"})
SUPERVISABLE = frozenset({"council_member", "council_chair"})


def may_assign_supervisors(actor: Actor, year: int | None) -> bool:
    """The council office assigns council members to supervise the clusters of a year (its
    role held everywhere, for that year or every year)."""
    return any(g.role in SUPERVISION_ASSIGNERS and g.unit_id is None and g.cluster_id is None
               and (g.year is None or g.year == year) for g in actor.grants)


def may_supervise(actor: Actor, cluster_id: int | None, year: int | None) -> bool:
    """Whether the actor is assigned to supervise the cluster that year (a grant of that one
    year: a supervision never carries over to the next)."""
    return cluster_id is not None and year is not None and any(
        g.role == SUPERVISOR_ROLE and g.cluster_id == cluster_id and g.year == year
        for g in actor.grants)


def supervised_clusters(actor: Actor, year: int) -> set[int]:
    """The clusters the actor supervises in the year."""
    return {g.cluster_id for g in actor.grants
            if g.role == SUPERVISOR_ROLE and g.cluster_id is not None and g.year == year}


def may_read_supervision(actor: Actor, cluster_id: int | None, year: int | None) -> bool:
    """A cluster's supervision notes are read by its supervising council members, its leader
    and the council office, that year; not by the other members nor the deputy."""
    if cluster_id is None:
        return False
    held = actor.roles_for(None, cluster_id, year)
    if SUPERVISOR_ROLE in held and not may_supervise(actor, cluster_id, year):
        held.discard(SUPERVISOR_ROLE)
    return not held.isdisjoint(SUPERVISION_READERS)


# --- impediments to an award (discipline, investigation, complaint: Decree 152/2025 art. 4) ---

IMPEDIMENT_KEEPERS = frozenset({"council_secretariat"})  # held everywhere
IMPEDIMENT_CLUSTER_KEEPERS = frozenset({"cluster_leader"})  # for their cluster's member units


def may_keep_impediments(actor: Actor, unit_id: int | None,
                         clusters: Collection[tuple[int, int]]) -> bool:
    """Who records an impediment against a unit (or a person of it) and records its closure:
    the council office, and the leader of a cluster the unit belongs to (`clusters`: the id
    and year of those clusters) for its members, for that cluster's year, but never for its
    own unit."""
    for g in actor.grants:
        if g.role in IMPEDIMENT_KEEPERS and g.unit_id is None and g.cluster_id is None:
            return True
    if unit_id is None or any(g.unit_id == unit_id for g in actor.grants):
        return False
    return any(g.role in IMPEDIMENT_CLUSTER_KEEPERS and g.cluster_id == cluster
               and g.year in (None, year) for g in actor.grants for cluster, year in clusters)


def may_read_impediments(actor: Actor, unit_id: int | None,
                         clusters: Collection[tuple[int, int]]) -> bool:
    """Who reads the impediments recorded against a unit or a person of it: those who keep
    them, the council and the deciding head (roles held everywhere), and the people of the
    unit itself (they must know what holds their award back)."""
    return may_keep_impediments(actor, unit_id, clusters) or any(
        (g.unit_id is None and g.cluster_id is None and g.role != SYSTEM_ROLE)
        or (unit_id is not None and g.unit_id == unit_id) for g in actor.grants)


# --- department figures (số liệu của cơ quan chuyên môn) ------------------------------------


def may_read_department_figures(actor: Actor, campaign: Item) -> bool:
    """Every member unit's figures are read by who holds a role on the campaign itself: its
    leader and deputy, the council, and the professional departments of its cluster and year
    (a member unit reads its own on its score sheet)."""
    return bool(roles_on(actor, campaign))


# --- the vote-counting committee (ban kiểm phiếu) ---------------------------------------------


class VoteItem(Item, Protocol):
    @property
    def data(self) -> dict[str, Any]: ...


def may_count(actor: Actor, session: VoteItem) -> bool:
    """The members of a vote's counting committee, named when it was scheduled, collect their
    share of the counting key and release it at the count (a duty named on the vote, like an
    assignee, not a role)."""
    committee = session.data.get("committee") or {}
    return actor.user_id is not None and actor.user_id in (committee.get("members") or ())
