"""Definition versions: a changed file makes a new version; running instances stay on theirs
until an admin migrates them with an explicit state mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_WORKFLOWS, YEAR, Org
from workflow.errors import DefinitionErrors, InvalidInput, MigrationRefused, PermissionDenied
from workflow.services import migration

V2 = (TEST_WORKFLOWS / "approval.yaml").read_text(encoding="utf-8").replace(
    "  - {name: approved, label: {vi: Đã duyệt, en: Approved}, final: true}",
    "  - {name: reviewing, label: {vi: Đang xem xét, en: Reviewing}}\n"
    "  - {name: approved, label: {vi: Đã duyệt, en: Approved}, final: true}",
).replace(
    "  - trigger: approve\n    source: submitted\n",
    "  - trigger: review\n    source: submitted\n    dest: reviewing\n"
    "    label: {vi: Xem xét, en: Review}\n    roles: [cluster_leader]\n"
    "  - trigger: approve\n    source: reviewing\n",
).replace(
    "  - trigger: return\n    source: submitted\n",
    "  - trigger: return\n    source: [submitted, reviewing]\n",
)

# Version 3 drops the `returned` state: instances there need a mapping.
V3 = (
    V2.replace("  - {name: returned, label: {vi: Trả lại, en: Returned}}\n", "")
    .replace("    dest: returned\n", "    dest: draft\n")
    .replace("source: [draft, returned]", "source: draft")
)


def _publish(org: Org, text: str) -> int:
    return org.services.catalog.publish_text(text, "tests/data/workflows/approval.yaml",
                                             author="admin").version


def _items(org: Org, n: int):
    wf = org.services.workflows
    return [wf.start("approval", org.actor("officer_c"), unit_id=org.units["c"],
                     cluster_id=org.cluster, year=YEAR) for _ in range(n)]


def test_unchanged_definition_keeps_its_version(org: Org) -> None:
    text = (TEST_WORKFLOWS / "approval.yaml").read_text(encoding="utf-8")

    assert _publish(org, text) == 1
    assert _publish(org, "# only a comment changed\n" + text) == 1
    assert [r["version"] for r in org.services.catalog.versions("approval")] == [1]


def test_changed_definition_becomes_a_new_version_and_old_instances_stay(org: Org) -> None:
    wf = org.services.workflows
    old = _items(org, 1)[0]

    assert _publish(org, V2) == 2
    new = _items(org, 1)[0]
    wf.fire(old, "submit", org.actor("officer_c"), {"title": "T"})
    wf.fire(new, "submit", org.actor("officer_c"), {"title": "T"})

    assert [t.trigger for t, _ in wf.available(old, org.actor("head_b"))] == ["approve", "return"]
    assert [t.trigger for t, _ in wf.available(new, org.actor("head_a"))] == ["review", "return"]
    assert org.services.catalog.compiled(old.definition_id).version == 1
    assert org.services.catalog.compiled(new.definition_id).version == 2


def test_invalid_new_version_is_refused_and_the_old_one_stays(org: Org) -> None:
    broken = V2.replace("dest: reviewing", "dest: reviewin")

    with pytest.raises(DefinitionErrors) as err:
        _publish(org, broken)

    assert "unknown state 'reviewin' (did you mean 'reviewing'?)" in str(err.value)
    assert [r["version"] for r in org.services.catalog.versions("approval")] == [1]


def test_dry_run_reports_where_each_instance_would_go(org: Org) -> None:
    wf = org.services.workflows
    a, b, c = _items(org, 3)
    wf.fire(b, "submit", org.actor("officer_c"), {"title": "T"})
    wf.fire(c, "submit", org.actor("officer_c"), {"title": "T"})
    wf.fire(c, "return", org.actor("head_a"), {"comment": "x"})
    _publish(org, V2)
    _publish(org, V3)

    plan = migration.plan(wf, "approval", 3, {"returned": "draft"})

    assert plan.ok
    assert plan.summary() == ["v1 draft → v3 draft: 1", "v1 returned → v3 draft: 1",
                              "v1 submitted → v3 submitted: 1"]
    assert wf.get(c.id).state == "returned"  # a dry run changes nothing


def test_dry_run_refuses_when_an_active_state_has_no_mapping(org: Org) -> None:
    wf = org.services.workflows
    item = _items(org, 1)[0]
    wf.fire(item, "submit", org.actor("officer_c"), {"title": "T"})
    wf.fire(item, "return", org.actor("head_a"), {"comment": "x"})
    _publish(org, V2)
    _publish(org, V3)

    plan = migration.plan(wf, "approval", 3, {})

    assert not plan.ok
    assert plan.problems == [
        f"instance {item.id} (version 1) is in state 'returned', which version 3 does not "
        "have, and the mapping does not say where it goes"]
    with pytest.raises(MigrationRefused):
        migration.migrate(wf, "approval", 3, {}, org.actor("admin"), "Bỏ bước trả lại")


def test_migration_moves_instances_and_records_it(org: Org) -> None:
    wf = org.services.workflows
    a, b = _items(org, 2)
    wf.fire(b, "submit", org.actor("officer_c"), {"title": "T"})
    wf.fire(b, "return", org.actor("head_a"), {"comment": "x"})
    _publish(org, V2)
    _publish(org, V3)

    plan = migration.migrate(wf, "approval", 3, {"returned": "draft"}, org.actor("admin"),
                             "Bỏ bước trả lại")

    assert len(plan.moves) == 2
    moved = wf.get(b.id)
    assert moved.state == "draft"
    assert org.services.catalog.compiled(moved.definition_id).version == 3
    last = wf.history(b.id)[-1]
    assert (last["kind"], last["from_state"], last["to_state"], last["comment"]) == (
        "migrate", "returned", "draft", "Bỏ bước trả lại")
    assert last["payload"]["from_version"] == 1
    assert last["payload"]["to_version"] == 3
    wf.fire(moved, "submit", org.actor("officer_c"), {"title": "T"})
    assert [t.trigger for t, _ in wf.available(moved, org.actor("head_a"))] == ["review", "return"]


def test_migration_is_for_admins_and_checks_the_mapping(org: Org) -> None:
    wf = org.services.workflows
    _items(org, 1)
    _publish(org, V2)

    with pytest.raises(PermissionDenied):
        migration.migrate(wf, "approval", 2, {}, org.actor("office"), "x")
    with pytest.raises(InvalidInput) as err:
        migration.plan(wf, "approval", 2, {"draft": "drafts"})
    assert "'drafts' is not a state of approval version 2" in str(err.value)


def test_files_on_disk_sync_to_new_versions(org: Org, tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    for name in ("approval", "round", "task"):
        (folder / f"{name}.yaml").write_text(
            (TEST_WORKFLOWS / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "approval.yaml").write_text(V2, encoding="utf-8")

    results = {r.name: (r.version, r.created) for r in
               org.services.catalog.sync([folder], base=tmp_path)}

    assert results["approval"] == (2, True)
    assert results["task"] == (1, False)
