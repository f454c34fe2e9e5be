"""Admin repair: suspend, resume, cancel and move, each with a mandatory reason in history."""

from __future__ import annotations

import pytest

from tests.conftest import YEAR, Org
from workflow.engine.instance import ACTIVE, CANCELLED, COMPLETED, SUSPENDED
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed


def _item(org: Org):
    return org.services.workflows.start(
        "approval", org.actor("officer_c"), unit_id=org.units["c"], cluster_id=org.cluster,
        year=YEAR,
    )


def test_suspended_instance_refuses_every_action_until_resumed(org: Org) -> None:
    wf = org.services.workflows
    item = _item(org)

    wf.suspend(item.id, org.actor("admin"), "Đang thanh tra")
    with pytest.raises(TransitionNotAllowed) as err:
        wf.fire(item.id, "submit", org.actor("officer_c"), {"title": "T"})
    assert err.value.check == "status"
    assert "is suspended" in str(err.value)

    wf.resume(item.id, org.actor("admin"), "Đã xong thanh tra")
    fired = wf.fire(item.id, "submit", org.actor("officer_c"), {"title": "T"})
    assert fired.instance.state == "submitted"
    kinds = [(h["kind"], h["comment"]) for h in wf.history(item.id)]
    assert kinds[1:3] == [("suspend", "Đang thanh tra"), ("resume", "Đã xong thanh tra")]


def test_repair_needs_a_reason(org: Org) -> None:
    item = _item(org)

    with pytest.raises(InvalidInput) as err:
        org.services.workflows.suspend(item.id, org.actor("admin"), "   ")

    assert "reason" in str(err.value)
    assert org.services.workflows.get(item.id).status == ACTIVE


def test_repair_is_for_admins_only(org: Org) -> None:
    item = _item(org)

    with pytest.raises(PermissionDenied):
        org.services.workflows.cancel(item.id, org.actor("head_a"), "không cần")

    assert org.services.workflows.get(item.id).status == ACTIVE


def test_cancel_is_final_and_cascades_to_running_children(org: Org) -> None:
    wf = org.services.workflows
    leader = org.actor("head_a")
    rnd = wf.start("round", leader, cluster_id=org.cluster, year=YEAR, data={"tasks": []})
    wf.fire(rnd, "open", leader)

    wf.cancel(rnd.id, org.actor("admin"), "Gộp khối")

    assert wf.get(rnd.id).status == CANCELLED
    assert {c.status for c in wf.children(rnd.id)} == {CANCELLED}
    with pytest.raises(InvalidInput):
        wf.resume(rnd.id, org.actor("admin"), "thử lại")


def test_move_puts_an_instance_in_a_named_state(org: Org) -> None:
    wf = org.services.workflows
    item = _item(org)

    wf.move_to(item.id, "approved", org.actor("admin"), "Duyệt bằng văn bản giấy")

    moved = wf.get(item.id)
    assert (moved.state, moved.status) == ("approved", COMPLETED)
    last = wf.history(item.id)[-1]
    assert (last["kind"], last["from_state"], last["to_state"], last["actor"]) == (
        "move", "draft", "approved", "admin")
    assert last["comment"] == "Duyệt bằng văn bản giấy"
    wf.move_to(item.id, "submitted", org.actor("admin"), "Mở lại")
    assert wf.get(item.id).status == ACTIVE


def test_move_to_unknown_state_is_refused(org: Org) -> None:
    item = _item(org)

    with pytest.raises(InvalidInput) as err:
        org.services.workflows.move_to(item.id, "aproved", org.actor("admin"), "x")

    assert "'aproved' is not a state of approval" in str(err.value)


def test_suspended_stays_suspended_after_a_move(org: Org) -> None:
    wf = org.services.workflows
    item = _item(org)
    wf.suspend(item.id, org.actor("admin"), "tạm dừng")

    wf.move_to(item.id, "submitted", org.actor("admin"), "sửa trạng thái")

    assert wf.get(item.id).status == SUSPENDED
