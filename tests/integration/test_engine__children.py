"""Child workflows: one per member unit or per listed item, and joins that wait for them."""

from __future__ import annotations

import pytest

from tests.conftest import YEAR, Org
from workflow.errors import TransitionNotAllowed
from workflow.services import documents

PDF = b"%PDF-1.4\nminutes\n"


def _open_round(org: Org, tasks: list | None = None):
    wf = org.services.workflows
    leader = org.actor("head_a")
    rnd = wf.start("round", leader, cluster_id=org.cluster, year=YEAR,
                   data={"tasks": tasks or []})
    wf.fire(rnd, "open", leader)
    return rnd


def _approve(org: Org, item, approver: str = "head_a") -> None:
    wf = org.services.workflows
    officer = org.actor(f"officer_{_code(org, item.unit_id)}")
    wf.fire(item, "submit", officer, {"title": "T"})
    documents.attach(wf, org.services.settings.documents_dir, item, officer, "minutes", "m.pdf",
                     PDF)
    wf.fire(item, "approve", org.actor(approver))


def _code(org: Org, unit_id: int) -> str:
    return next(code for code, uid in org.units.items() if uid == unit_id)


def test_opening_spawns_one_approval_per_member_unit(org: Org) -> None:
    rnd = _open_round(org)

    children = org.services.workflows.children(rnd.id)

    approvals = [c for c in children if c.workflow == "approval"]
    assert sorted(c.unit_id for c in approvals) == sorted(
        [org.units["a"], org.units["b"], org.units["c"]])
    assert all(c.state == "draft" and c.cluster_id == org.cluster and c.year == YEAR
               for c in approvals)
    spawn = org.services.workflows.history(approvals[0].id)[0]
    assert (spawn["kind"], spawn["actor"], spawn["to_state"]) == ("spawn", "head_a", "draft")


def test_spawn_per_item_gives_each_child_its_item(org: Org) -> None:
    rnd = _open_round(org, tasks=[{"name": "Kiểm tra", "unit_id": org.units["b"]},
                                  {"name": "Báo cáo"}])

    tasks = [c for c in org.services.workflows.children(rnd.id) if c.workflow == "task"]

    assert [t.data["task"]["name"] for t in tasks] == ["Kiểm tra", "Báo cáo"]
    assert tasks[0].unit_id == org.units["b"]


def test_join_on_k_children_waits_and_says_how_many(org: Org) -> None:
    wf = org.services.workflows
    rnd = _open_round(org)
    approvals = [c for c in wf.children(rnd.id) if c.workflow == "approval"]
    _approve(org, next(a for a in approvals if a.unit_id == org.units["b"]))

    with pytest.raises(TransitionNotAllowed) as err:
        wf.fire(wf.get(rnd.id), "two_approved", org.actor("head_a"))

    assert err.value.check == "guard"
    assert "1 of 3 approval items are approved; at least 2 must be" in str(err.value)
    _approve(org, next(a for a in approvals if a.unit_id == org.units["c"]))
    rnd = wf.fire(rnd.id, "two_approved", org.actor("head_a")).instance
    assert rnd.state == "quorum"


def test_join_on_any_child(org: Org) -> None:
    wf = org.services.workflows
    rnd = _open_round(org, tasks=[{"name": "x"}, {"name": "y"}])
    with pytest.raises(TransitionNotAllowed):
        wf.fire(rnd.id, "any_task_done", org.actor("head_a"))
    task = next(c for c in wf.children(rnd.id) if c.workflow == "task")

    wf.fire(task, "finish", org.actor("head_a"))

    assert wf.fire(rnd.id, "any_task_done", org.actor("head_a")).instance.state == "open"


def test_parent_moves_by_itself_when_all_children_are_done(org: Org) -> None:
    wf = org.services.workflows
    rnd = _open_round(org)
    approvals = [c for c in wf.children(rnd.id) if c.workflow == "approval"]
    _approve(org, approvals[1])
    _approve(org, approvals[2])
    assert wf.get(rnd.id).state == "open"

    _approve(org, approvals[0], approver="head_b")  # unit a is the leader's own

    rnd = wf.get(rnd.id)
    assert rnd.state == "done"
    last = wf.history(rnd.id)[-1]
    assert (last["trigger"], last["actor"], last["role"]) == ("all_approved", "system", "system")


def test_cancelled_children_do_not_hold_up_the_join(org: Org) -> None:
    wf = org.services.workflows
    rnd = _open_round(org)
    approvals = [c for c in wf.children(rnd.id) if c.workflow == "approval"]
    wf.cancel(approvals[0].id, org.actor("admin"), "Đơn vị giải thể")
    _approve(org, approvals[1])

    _approve(org, approvals[2])

    assert wf.get(rnd.id).state == "done"
