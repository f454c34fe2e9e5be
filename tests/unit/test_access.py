"""The access policy on its own: who may see an item, act on it, attach to it and read its
documents, from the actor's grants, the item's scope and its definition's roles (no database)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pytest

from workflow.domain.labels import Label
from workflow.domain.roles import SYSTEM_ACTOR, Actor, RoleGrant
from workflow.engine.spec import StateSpec, TransitionSpec, WorkflowSpec
from workflow.errors import PermissionDenied
from workflow.services import access

YEAR = 2025
BCA, BQP, OUTSIDE = 1, 2, 9
BLOC = 7
MEMBERS = {BLOC: {BCA, BQP}}


@dataclass(frozen=True)
class Item:
    id: int
    workflow: str
    unit_id: int | None
    cluster_id: int | None
    year: int | None
    data: dict[str, object] | None = None
    parent_id: int | None = None


PLEDGE = Item(10, "pledge", BCA, BLOC, YEAR)  # a unit's item
CAMPAIGN = Item(11, "campaign", None, BLOC, YEAR)  # a cluster-wide item
COUNCIL_VOTE = Item(12, "vote_session", None, None, YEAR)  # no cluster at all


def members(cluster_id: int) -> Collection[int]:
    return MEMBERS.get(cluster_id, set())


def actor(*grants: RoleGrant, name: str = "someone") -> Actor:
    return Actor(1, name, grants)


def spec(*roles: tuple[str, ...]) -> WorkflowSpec:
    """A definition whose transitions give actions to these roles."""
    label = Label("x", "x")
    states = (StateSpec("draft", label), StateSpec("done", label, final=True))
    transitions = tuple(TransitionSpec(f"t{i}", ("draft",), "done", label, roles=r)
                        for i, r in enumerate(roles))
    return WorkflowSpec("pledge", label, "unit", "draft", states, transitions)


PLEDGE_SPEC = spec(("unit_officer", "unit_head"), ("cluster_leader", "cluster_deputy"),
                   ("system",))

OFFICER = actor(RoleGrant("unit_officer", unit_id=BCA, year=YEAR))
OTHER_UNIT = actor(RoleGrant("unit_officer", unit_id=BQP, year=YEAR))
INSPECTOR = actor(RoleGrant("inspector", cluster_id=BLOC, year=YEAR))
LEADER_LAST_YEAR = actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR - 1))
COUNCIL = actor(RoleGrant("council_member", year=YEAR))
OUTSIDER = actor(RoleGrant("unit_officer", unit_id=OUTSIDE, year=YEAR), name="outsider")


def test_roles_on_an_item_are_the_grants_covering_its_scope() -> None:
    assert access.roles_on(OFFICER, PLEDGE) == {"unit_officer"}
    assert access.roles_on(INSPECTOR, PLEDGE) == set()  # only on its own inspection
    assert access.roles_on(OTHER_UNIT, PLEDGE) == set()
    assert access.roles_on(LEADER_LAST_YEAR, CAMPAIGN) == set()


def test_a_unit_item_is_seen_by_role_holders_only() -> None:
    assert access.may_see(OFFICER, PLEDGE, members)
    assert not access.may_see(INSPECTOR, PLEDGE, members)  # the grant is for inspections
    assert access.may_see(COUNCIL, PLEDGE, members)  # a grant without unit or cluster: all
    assert not access.may_see(OTHER_UNIT, PLEDGE, members)  # a member unit, not this one
    assert not access.may_see(LEADER_LAST_YEAR, PLEDGE, members)


def test_a_cluster_wide_item_is_seen_by_the_people_of_its_member_units() -> None:
    assert access.may_see(OTHER_UNIT, CAMPAIGN, members)
    assert not access.may_see(OUTSIDER, CAMPAIGN, members)
    assert not access.may_see(LEADER_LAST_YEAR, CAMPAIGN, members)


def test_membership_counts_only_for_the_items_year() -> None:
    last_year = actor(RoleGrant("unit_officer", unit_id=BQP, year=YEAR - 1))
    every_year = actor(RoleGrant("unit_officer", unit_id=BQP))

    assert not access.may_see(last_year, CAMPAIGN, members)
    assert access.may_see(every_year, CAMPAIGN, members)


def test_members_are_asked_for_only_when_the_answer_depends_on_them() -> None:
    asked: list[int] = []

    def counting(cluster_id: int) -> Collection[int]:
        asked.append(cluster_id)
        return members(cluster_id)

    access.may_see(OFFICER, PLEDGE, counting)  # holds a role
    access.may_see(OTHER_UNIT, PLEDGE, counting)  # a unit's item: membership never counts
    access.may_see(OTHER_UNIT, COUNCIL_VOTE, counting)  # no cluster
    assert asked == []

    assert access.may_see(OTHER_UNIT, CAMPAIGN, counting)
    assert asked == [BLOC]


def test_without_a_member_lookup_only_roles_count() -> None:
    assert not access.may_see(OTHER_UNIT, CAMPAIGN)
    assert access.may_see(COUNCIL, CAMPAIGN)


def test_documents_are_read_by_whoever_may_see_the_item() -> None:
    for who in (OFFICER, INSPECTOR, COUNCIL, OTHER_UNIT, OUTSIDER, LEADER_LAST_YEAR):
        for item in (PLEDGE, CAMPAIGN, COUNCIL_VOTE):
            assert access.may_read_documents(who, item, members) == \
                access.may_see(who, item, members)


def test_acting_needs_a_role_on_the_item_membership_is_not_enough() -> None:
    assert access.may_act(OFFICER, PLEDGE)
    assert not access.may_act(INSPECTOR, PLEDGE)  # the inspector grant: its inspection only
    assert not access.may_act(OTHER_UNIT, CAMPAIGN)
    assert access.may_act(SYSTEM_ACTOR, PLEDGE)


# An inspection of bca by a team of one bqp officer ("someone"), in the bloc's campaign 20.
TEAM_PLAN = {"plan": {"inspector_unit_id": BQP, "unit_id": BCA, "team": ["someone"],
                      "lead": "someone"}}
INSPECTION = Item(13, "inspection", BCA, BLOC, YEAR, TEAM_PLAN, parent_id=20)
BCA_PLEDGE = Item(14, "pledge", BCA, BLOC, YEAR, parent_id=20)
BQP_PLEDGE = Item(15, "pledge", BQP, BLOC, YEAR, parent_id=20)


def test_the_inspector_grant_counts_on_the_inspections_of_its_team_only() -> None:
    other = actor(RoleGrant("inspector", cluster_id=BLOC, year=YEAR), name="another")
    assert access.roles_on(INSPECTOR, INSPECTION) == {"inspector"}
    assert access.may_see(INSPECTOR, INSPECTION, members)
    assert access.roles_on(other, INSPECTION) == set()
    assert not access.may_see(other, INSPECTION, members)
    # of another year, the grant covers nothing at all
    last_year = actor(RoleGrant("inspector", cluster_id=BLOC, year=YEAR - 1))
    assert access.roles_on(last_year, INSPECTION) == set()


def test_the_team_reads_the_inspected_units_items_through_its_inspection_only() -> None:
    other = actor(RoleGrant("inspector", cluster_id=BLOC, year=YEAR), name="another")
    assert access.may_read_as_team(INSPECTOR, INSPECTION, BCA_PLEDGE)
    assert not access.may_read_as_team(INSPECTOR, INSPECTION, BQP_PLEDGE)  # not inspected
    assert not access.may_read_as_team(other, INSPECTION, BCA_PLEDGE)  # not on the team
    elsewhere = Item(16, "pledge", BCA, BLOC, YEAR, parent_id=21)  # another campaign
    assert not access.may_read_as_team(INSPECTOR, INSPECTION, elsewhere)


def test_official_exports_are_for_the_roles_named_on_the_cluster_and_year() -> None:
    exporters = {"cluster_leader", "council_secretariat"}
    leader = actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR))
    deputy = actor(RoleGrant("cluster_deputy", cluster_id=BLOC, year=YEAR))
    office = actor(RoleGrant("council_secretariat", year=YEAR))
    assert access.may_export_official(leader, CAMPAIGN, exporters)
    assert access.may_export_official(office, CAMPAIGN, exporters)
    assert not access.may_export_official(deputy, CAMPAIGN, exporters)
    assert not access.may_export_official(INSPECTOR, CAMPAIGN, exporters)
    assert not access.may_export_official(LEADER_LAST_YEAR, CAMPAIGN, exporters)


def test_attaching_is_for_roles_the_definition_gives_an_action_to() -> None:
    assert access.acting_roles(PLEDGE_SPEC) == {
        "unit_officer", "unit_head", "cluster_leader", "cluster_deputy", "system"}
    assert access.may_attach(OFFICER, PLEDGE, PLEDGE_SPEC)
    assert not access.may_attach(INSPECTOR, PLEDGE, PLEDGE_SPEC)  # reads it, takes no part
    assert not access.may_attach(COUNCIL, PLEDGE, PLEDGE_SPEC)
    assert not access.may_attach(OTHER_UNIT, PLEDGE, PLEDGE_SPEC)


def test_an_action_is_offered_to_the_roles_its_definition_gives_it_on_the_item() -> None:
    # t0: the unit's people, t1: the cluster's leaders, t2: the system only
    leader = actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR))
    assert access.may_take_on(OFFICER, PLEDGE, PLEDGE_SPEC, "t0")
    assert not access.may_take_on(OFFICER, PLEDGE, PLEDGE_SPEC, "t1")
    assert access.may_take_on(leader, PLEDGE, PLEDGE_SPEC, "t1")
    assert not access.may_take_on(LEADER_LAST_YEAR, PLEDGE, PLEDGE_SPEC, "t1")
    assert not access.may_take_on(OTHER_UNIT, PLEDGE, PLEDGE_SPEC, "t0")  # not on this item
    assert not access.may_take_on(COUNCIL, PLEDGE, PLEDGE_SPEC, "t0")
    assert not access.may_take_on(actor(RoleGrant("system")), PLEDGE, PLEDGE_SPEC, "t2")
    assert not access.may_take_on(OFFICER, PLEDGE, PLEDGE_SPEC, "no_such_action")


def test_a_refusal_names_the_item_its_scope_and_the_roles_that_would_do() -> None:
    with pytest.raises(PermissionDenied) as seeing:
        access.require_see(OUTSIDER, PLEDGE, PLEDGE_SPEC, members)
    with pytest.raises(PermissionDenied) as attaching:
        access.require_attach(INSPECTOR, PLEDGE, PLEDGE_SPEC)

    assert str(seeing.value) == (
        "pledge 10 needs a role for unit 1, cluster 7, year 2025 (one of cluster_deputy, "
        "cluster_leader, unit_head, unit_officer); 'outsider' holds none there")
    assert "takes no part in pledge 10" in str(attaching.value)
    assert "system" not in str(attaching.value)


def test_what_may_be_done_is_also_allowed_without_an_error() -> None:
    access.require_see(OTHER_UNIT, CAMPAIGN, PLEDGE_SPEC, members)
    access.require_act(OFFICER, PLEDGE, PLEDGE_SPEC)
    access.require_attach(OFFICER, PLEDGE, PLEDGE_SPEC)
    with pytest.raises(PermissionDenied):
        access.require_act(OTHER_UNIT, CAMPAIGN, PLEDGE_SPEC)


# --- supervision of a cluster by a council member ----------------------------------------------

NOTES = Item(13, "supervision", None, BLOC, YEAR)  # the cluster's supervision notes
SUPERVISOR = actor(RoleGrant("council_member", year=YEAR),
                   RoleGrant("cluster_supervisor", cluster_id=BLOC, year=YEAR), name="giam_sat")


def test_a_supervisor_reads_the_clusters_items_of_that_year_only() -> None:
    assert "cluster_supervisor" in access.roles_on(SUPERVISOR, PLEDGE)
    assert access.may_see(SUPERVISOR, PLEDGE)
    assert access.may_supervise(SUPERVISOR, BLOC, YEAR)
    assert not access.may_supervise(SUPERVISOR, BLOC, YEAR + 1)
    assert not access.may_supervise(SUPERVISOR, BLOC + 1, YEAR)
    assert access.supervised_clusters(SUPERVISOR, YEAR) == {BLOC}
    later = Item(20, "pledge", BCA, BLOC, YEAR + 1)
    assert "cluster_supervisor" not in access.roles_on(SUPERVISOR, later)
    # the role gives no action on the cluster's items
    assert not access.may_attach(SUPERVISOR, PLEDGE, spec(("unit_officer",),
                                                         ("cluster_leader",)))


def test_a_supervision_held_every_year_counts_in_none() -> None:
    forever = actor(RoleGrant("cluster_supervisor", cluster_id=BLOC))
    assert "cluster_supervisor" not in access.roles_on(forever, PLEDGE)
    assert not access.may_supervise(forever, BLOC, YEAR)
    assert not access.may_read_supervision(forever, BLOC, YEAR)


def test_the_notes_are_read_by_the_supervisors_the_leader_and_the_office_only() -> None:
    leader = actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR))
    deputy = actor(RoleGrant("cluster_deputy", cluster_id=BLOC, year=YEAR))
    office = actor(RoleGrant("council_secretariat", year=YEAR))
    head = actor(RoleGrant("unit_head", unit_id=BCA, year=YEAR))
    council = actor(RoleGrant("council_member"))
    for who in (SUPERVISOR, leader, office):
        assert access.may_see(who, NOTES, members)
        assert access.may_read_supervision(who, BLOC, YEAR)
    for who in (deputy, head, council):
        assert not access.may_see(who, NOTES, members)
        assert not access.may_read_supervision(who, BLOC, YEAR)
    assert not access.may_read_supervision(leader, BLOC, YEAR + 1)


def test_the_council_office_assigns_the_supervisors() -> None:
    assert access.may_assign_supervisors(actor(RoleGrant("council_secretariat", year=YEAR)),
                                         YEAR)
    assert access.may_assign_supervisors(actor(RoleGrant("council_secretariat")), YEAR)
    assert not access.may_assign_supervisors(
        actor(RoleGrant("council_secretariat", year=YEAR - 1)), YEAR)
    assert not access.may_assign_supervisors(actor(RoleGrant("admin")), YEAR)
    assert not access.may_assign_supervisors(
        actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR)), YEAR)
