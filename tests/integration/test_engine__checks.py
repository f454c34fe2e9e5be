"""The order and wording of fire checks: trigger, role, guards, required fields and documents."""

from __future__ import annotations

import pytest

from tests.conftest import YEAR, Org
from workflow.engine.instance import COMPLETED
from workflow.errors import TransitionNotAllowed
from workflow.services import documents

PDF = b"%PDF-1.4\nminutes\n"


def _item(org: Org):
    return org.services.workflows.start(
        "approval", org.actor("officer_c"), unit_id=org.units["c"], cluster_id=org.cluster,
        year=YEAR,
    )


def test_unknown_trigger_lists_what_is_possible(org: Org) -> None:
    item = _item(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "approve", org.actor("head_a"))

    assert err.value.check == "trigger"
    assert str(err.value) == "'approve' is not possible from state 'draft'; possible: submit"


def test_trigger_is_checked_before_role(org: Org) -> None:
    item = _item(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "fly", org.actor("officer_b"))

    assert err.value.check == "trigger"
    assert "'fly' is not an action of approval" in str(err.value)


def test_required_field_missing_is_named(org: Org) -> None:
    item = _item(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "submit", org.actor("officer_c"), {"title": "  "})

    assert err.value.check == "required"
    assert str(err.value) == "'submit' needs title"
    assert org.services.workflows.get(item.id).version == 1


def test_return_requires_a_comment(org: Org) -> None:
    item = _item(org)
    org.services.workflows.fire(item, "submit", org.actor("officer_c"), {"title": "T"})

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("head_a"))

    assert str(err.value) == "'return' needs comment"


def test_role_is_checked_before_required_fields(org: Org) -> None:
    item = _item(org)

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "submit", org.actor("officer_b"))

    assert err.value.check == "role"


def test_guard_is_checked_before_required_fields(org: Org) -> None:
    item = org.services.workflows.start(
        "approval", org.actor("officer_a"), unit_id=org.units["a"], cluster_id=org.cluster,
        year=YEAR,
    )
    org.services.workflows.fire(item, "submit", org.actor("officer_a"), {"title": "T"})

    with pytest.raises(TransitionNotAllowed) as err:
        org.services.workflows.fire(item, "return", org.actor("head_a"))  # no comment either

    assert err.value.check == "guard"


def test_approval_needs_the_minutes_document(org: Org, tmp_path) -> None:
    wf = org.services.workflows
    item = _item(org)
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "T"})

    with pytest.raises(TransitionNotAllowed) as err:
        wf.fire(item, "approve", org.actor("head_a"))
    assert str(err.value) == "'approve' needs document minutes"

    documents.attach(wf, tmp_path, item, org.actor("officer_c"), "minutes", "bien-ban.pdf", PDF)
    wf.fire(item, "approve", org.actor("head_a"))

    assert item.state == "approved"
    assert item.status == COMPLETED
    assert wf.get(item.id).status == COMPLETED


def test_effects_write_into_the_item_data(org: Org) -> None:
    item = _item(org)

    org.services.workflows.fire(item, "submit", org.actor("officer_c"), {"title": "Báo cáo năm"})

    assert org.services.workflows.get(item.id).data == {"title": "Báo cáo năm"}


def test_available_actions_show_only_what_the_user_may_do(org: Org) -> None:
    wf = org.services.workflows
    item = _item(org)
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "T"})

    leader = {t.trigger: why for t, why in wf.available(item, org.actor("head_a"))}
    officer = wf.available(item, org.actor("officer_c"))

    assert set(leader) == {"approve", "return"}
    assert leader["return"] is None
    assert officer == []


def test_a_refused_fire_writes_nothing(org: Org) -> None:
    wf = org.services.workflows
    item = _item(org)
    before = wf.history(item.id)

    with pytest.raises(TransitionNotAllowed):
        wf.fire(item, "submit", org.actor("officer_c"), {})

    assert item.state == "draft"
    assert item.version == 1
    assert wf.history(item.id) == before
