"""Who may fire what: roles are held for a unit or cluster and a year, and deny by default."""

from __future__ import annotations

import pytest

from tests.conftest import YEAR, Org
from workflow.errors import PermissionDenied, TransitionNotAllowed


def _submitted(org: Org, unit: str = "c"):
    wf = org.services.workflows
    item = wf.start("approval", org.actor(f"officer_{unit}"), unit_id=org.units[unit],
                    cluster_id=org.cluster, year=YEAR)
    wf.fire(item, "submit", org.actor(f"officer_{unit}"), {"title": "Báo cáo"})
    return item


def test_officer_of_the_unit_submits_its_own_item(org: Org) -> None:
    item = _submitted(org)

    assert item.state == "submitted"
    entry = org.services.workflows.history(item.id)[-1]
    assert (entry["actor"], entry["role"], entry["trigger"]) == (
        "officer_c", "unit_officer", "submit")


def test_officer_of_another_unit_cannot_submit(org: Org) -> None:
    wf = org.services.workflows
    item = wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                    cluster_id=org.cluster, year=YEAR)

    with pytest.raises(TransitionNotAllowed) as err:
        wf.fire(item, "submit", org.actor("officer_b"), {"title": "x"})

    assert err.value.check == "role"
    assert "needs the role unit_officer or unit_head for unit" in str(err.value)
    assert "officer_b" in str(err.value)
    assert wf.get(item.id).state == "draft"


def test_wrong_role_for_the_right_unit_is_refused(org: Org) -> None:
    item = _submitted(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "approve", org.actor("head_c"))

    assert err.value.check == "role"
    assert "cluster_leader or cluster_deputy" in str(err.value)


def test_leader_of_last_year_cannot_act_this_year(org: Org) -> None:
    item = _submitted(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("leader_2024"), {"comment": "x"})

    assert err.value.check == "role"
    assert f"in {YEAR}" in str(err.value)
    assert "in 2024" in str(err.value)


def test_leader_of_another_cluster_cannot_act(org: Org) -> None:
    item = _submitted(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("leader_k2"), {"comment": "x"})

    assert err.value.check == "role"


def test_admin_holds_no_workflow_role_by_default(org: Org) -> None:
    item = _submitted(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("admin"), {"comment": "x"})

    assert err.value.check == "role"


def test_leader_returns_an_item_of_another_unit(org: Org) -> None:
    item = _submitted(org)

    org.services.workflows.fire(item, "return", org.actor("head_a"), {"comment": "Thiếu số liệu"})

    assert item.state == "returned"
    assert item.data["times_returned"] == 1
    entry = org.services.workflows.history(item.id)[-1]
    assert entry["comment"] == "Thiếu số liệu"
    assert entry["role"] == "cluster_leader"


def test_leader_cannot_approve_its_own_units_item(org: Org) -> None:
    item = _submitted(org, unit="a")

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("head_a"), {"comment": "x"})

    assert err.value.check == "guard"
    assert "not_own_unit" in str(err.value)
    org.services.workflows.fire(item, "return", org.actor("head_b"), {"comment": "Bổ sung"})
    assert item.state == "returned"


def test_starting_needs_a_role_in_the_first_state(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        org.services.workflows.start("approval", org.actor("officer_b"), unit_id=org.units["c"],
                                     cluster_id=org.cluster, year=YEAR)
