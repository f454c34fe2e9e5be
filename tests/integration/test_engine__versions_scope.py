"""A migration limited to a campaign (an item and everything under it), a cluster or a year."""

from __future__ import annotations

from tests.conftest import YEAR, Org
from tests.integration.test_engine__versions import V2, _publish
from workflow.services import migration
from workflow.services.ports import MigrationScope


def _start(org: Org, code: str, parent_id: int | None = None) -> int:
    cluster = org.cluster if code != "d" else org.other_cluster
    return org.services.workflows.start(
        "approval", org.actor(f"officer_{code}"), unit_id=org.units[code], cluster_id=cluster,
        year=YEAR, parent_id=parent_id).id


def test_a_cluster_scope_moves_only_that_clusters_items(org: Org) -> None:
    mine, theirs = _start(org, "c"), _start(org, "d")
    _publish(org, V2)

    dry = migration.plan(org.services.workflows, "approval", 2, {},
                         scope=MigrationScope(cluster_id=org.cluster))
    moved = migration.migrate(org.services.workflows, "approval", 2, {}, org.actor("admin"),
                              "Thêm bước xem xét", scope=MigrationScope(cluster_id=org.cluster))

    assert [m.instance_id for m in dry.moves] == [mine]
    assert [m.instance_id for m in moved.moves] == [mine]
    version = org.services.catalog.compiled
    wf = org.services.workflows
    assert version(wf.get(mine).definition_id).version == 2
    assert version(wf.get(theirs).definition_id).version == 1


def test_a_campaign_scope_takes_the_item_and_all_under_it(org: Org) -> None:
    root = _start(org, "c")
    child = _start(org, "c", parent_id=root)
    grandchild = _start(org, "c", parent_id=child)
    other = _start(org, "c")
    _publish(org, V2)

    plan = migration.plan(org.services.workflows, "approval", 2, {},
                          scope=MigrationScope(campaign_id=root))
    everything = migration.plan(org.services.workflows, "approval", 2, {})

    assert sorted(m.instance_id for m in plan.moves) == [root, child, grandchild]
    assert len(everything.moves) == 4
    assert other in [m.instance_id for m in everything.moves]


def test_a_year_scope_leaves_the_other_years(org: Org) -> None:
    _start(org, "c")
    _publish(org, V2)

    assert len(migration.plan(org.services.workflows, "approval", 2, {},
                              scope=MigrationScope(year=YEAR)).moves) == 1
    assert migration.plan(org.services.workflows, "approval", 2, {},
                          scope=MigrationScope(year=YEAR + 1)).moves == []
