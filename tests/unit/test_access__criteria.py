"""Who edits and publishes criteria tables: the council office and administrators, holding the
role everywhere (for one year or every year); nobody with a unit's or a cluster's role."""

from __future__ import annotations

import pytest

from workflow.domain.roles import SYSTEM_ROLE, Actor, RoleGrant
from workflow.services.access import may_edit_criteria


def actor(*grants: RoleGrant) -> Actor:
    return Actor(user_id=1, username="nguoi_dung", grants=grants)


@pytest.mark.parametrize("grant", [
    RoleGrant("admin"),
    RoleGrant("council_secretariat"),
    RoleGrant("council_secretariat", year=2026),
])
def test_the_council_office_and_admins_edit_criteria_tables(grant: RoleGrant) -> None:
    assert may_edit_criteria(actor(grant))


@pytest.mark.parametrize("grant", [
    RoleGrant("council_member"),
    RoleGrant("council_chair"),
    RoleGrant("decision_authority"),
    RoleGrant("cluster_leader", cluster_id=3, year=2026),
    RoleGrant("unit_head", unit_id=5, year=2026),
    RoleGrant("unit_officer", unit_id=5, year=2026),
    RoleGrant("council_secretariat", cluster_id=3),  # not a grant of the office
    RoleGrant(SYSTEM_ROLE),
])
def test_nobody_else_does(grant: RoleGrant) -> None:
    assert not may_edit_criteria(actor(grant))


def test_nobody_without_a_role_does() -> None:
    assert not may_edit_criteria(actor())
