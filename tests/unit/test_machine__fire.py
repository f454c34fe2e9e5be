"""The compiled machine, without a database: one machine per version, checks in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from tests.conftest import TEST_WORKFLOWS
from workflow.definitions.workflow_loader import load_text
from workflow.domain.roles import Actor, RoleGrant
from workflow.engine import builtins
from workflow.engine.builtins import FieldParams
from workflow.engine.instance import ACTIVE, Instance
from workflow.engine.machine import CompiledWorkflow
from workflow.engine.registry import CallContext
from workflow.errors import TransitionNotAllowed

NOW = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
OFFICER = Actor(1, "officer", (RoleGrant("unit_officer", unit_id=7, year=2025),))
LEADER = Actor(2, "leader", (RoleGrant("cluster_leader", cluster_id=3, year=2025),))


class NoChildren:
    def __init__(self, documents: set[str] | None = None) -> None:
        self.documents = documents or set()

    def child_states(self, parent_id: int, workflow: str) -> list[str]:
        return []

    def document_kinds(self, instance_id: int) -> set[str]:
        return self.documents


def compiled(registry: Any = None) -> CompiledWorkflow:
    text = (TEST_WORKFLOWS / "approval.yaml").read_text(encoding="utf-8")
    registry = registry or builtins.REGISTRY.copy()
    return CompiledWorkflow(load_text(text, "approval.yaml", registry), 1, 1, registry)


def item(state: str = "draft") -> Instance:
    return Instance(1, 1, "approval", state, ACTIVE, 1, 7, 3, 2025, None, {}, "0" * 64, NOW)


def test_one_machine_serves_every_instance_without_attaching_them() -> None:
    wf = compiled()
    items = [item() for _ in range(3)]

    for it in items:
        wf.fire(it, "submit", OFFICER, {"title": "T"}, NOW, NoChildren())

    assert [it.state for it in items] == ["submitted"] * 3
    assert wf.machine.models == []
    assert not hasattr(items[0], "trigger")


def test_checks_run_in_order_trigger_role_guard_required() -> None:
    wf = compiled()
    own_leader = Actor(3, "own", (RoleGrant("cluster_leader", cluster_id=3, year=2025),
                                  RoleGrant("unit_head", unit_id=7, year=2025)))
    q = NoChildren()

    with pytest.raises(TransitionNotAllowed) as wrong_trigger:
        wf.fire(item(), "approve", LEADER, {}, NOW, q)
    with pytest.raises(TransitionNotAllowed) as wrong_role:
        wf.fire(item("submitted"), "return", OFFICER, {}, NOW, q)
    with pytest.raises(TransitionNotAllowed) as guard:
        wf.fire(item("submitted"), "return", own_leader, {}, NOW, q)
    with pytest.raises(TransitionNotAllowed) as required:
        wf.fire(item("submitted"), "return", LEADER, {}, NOW, q)

    assert [e.value.check for e in (wrong_trigger, wrong_role, guard, required)] == [
        "trigger", "role", "guard", "required"]


def test_a_refusal_leaves_the_instance_as_it_was() -> None:
    wf = compiled()
    it = item("submitted")

    with pytest.raises(TransitionNotAllowed):
        wf.fire(it, "approve", LEADER, {}, NOW, NoChildren())  # minutes missing

    assert (it.state, it.data) == ("submitted", {})


def test_a_failing_effect_restores_state_and_data() -> None:
    registry = builtins.REGISTRY.copy()

    @registry.effect("increment", FieldParams)
    def broken(ctx: CallContext, params: Mapping[str, Any]) -> None:
        ctx.instance.data["half"] = "written"
        raise RuntimeError("effect failed")

    wf = compiled(registry)
    it = item("submitted")

    with pytest.raises(RuntimeError):
        wf.fire(it, "return", LEADER, {"comment": "x"}, NOW, NoChildren())

    assert (it.state, it.data) == ("submitted", {})


def test_check_answers_without_changing_the_instance() -> None:
    wf = compiled()
    it = item("submitted")

    refusal = wf.check(it, "approve", LEADER, {}, NOW, NoChildren())
    allowed = wf.check(it, "approve", LEADER, {}, NOW, NoChildren({"minutes"}))

    assert refusal is not None
    assert refusal.message == "'approve' needs document minutes"
    assert allowed is None
    assert it.state == "submitted"


def test_a_final_state_offers_no_action() -> None:
    wf = compiled()

    with pytest.raises(TransitionNotAllowed) as err:
        wf.fire(item("approved"), "submit", OFFICER, {"title": "T"}, NOW, NoChildren())

    assert str(err.value) == "'submit' is not possible from state 'approved'; possible: none " \
        "(final state)"
