"""The inbox lists what waits for a person, the earliest pending deadline first and the items
without one last; it reads the deadlines of the items it lists, never every pending deadline
of the installation (which it once grouped again for every page)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.conftest import YEAR, Org
from workflow.adapters.tables import deadlines
from workflow.services import inbox


def _draft(org: Org) -> int:
    return org.services.workflows.start(
        "approval", org.actor("officer_c"), unit_id=org.units["c"], cluster_id=org.cluster,
        year=YEAR).id


def _deadline(org: Org, item: int, due: str, *, status: str = "pending",
              days_before: int = 0) -> None:
    with org.services.engine.begin() as conn:
        conn.execute(deadlines.insert().values(
            instance_id=item, state="draft", entry_version=1, kind="reminder",
            days_before=days_before, due_date=dt.date.fromisoformat(due),
            fire_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), anchor="test", status=status))


def test_the_earliest_pending_deadline_comes_first_and_items_without_one_last(
    org: Org,
) -> None:
    later, sooner, without, only_done = (_draft(org) for _ in range(4))
    _deadline(org, later, "2026-03-10", days_before=0)
    _deadline(org, later, "2026-03-01", days_before=9)  # its earliest pending one counts
    _deadline(org, sooner, "2026-02-01")
    _deadline(org, sooner, "2026-01-01", status="cancelled", days_before=5)  # not pending
    _deadline(org, only_done, "2026-01-15", status="done")

    items, total = inbox.waiting_for(org.services.workflows, org.actor("officer_c"))

    mine = [(i.id, i.due) for i in items if i.id in {later, sooner, without, only_done}]
    assert mine == [(sooner, dt.date(2026, 2, 1)), (later, dt.date(2026, 3, 1)),
                    (without, None), (only_done, None)]
    assert total == len(items) >= 4


def test_a_page_reads_only_the_deadlines_of_the_items_it_lists(org: Org) -> None:
    mine = _draft(org)
    others = [org.services.workflows.start(
        "approval", org.actor("officer_d"), unit_id=org.units["d"], cluster_id=org.other_cluster,
        year=YEAR).id for _ in range(3)]
    for n, item in enumerate(others):
        _deadline(org, item, f"2026-01-0{n + 1}")
    officer = org.actor("officer_c")
    inbox.waiting_for(org.services.workflows, officer)  # builds and keeps the statement
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(org.services.engine, "before_cursor_execute", seen)
    try:
        items, _ = inbox.waiting_for(org.services.workflows, officer)
    finally:
        sa.event.remove(org.services.engine, "before_cursor_execute", seen)

    assert [i.id for i in items if i.id in {mine, *others}] == [mine]
    [page] = [s for s in statements if "FROM deadlines" in s]
    # the deadlines are looked up per listed item, not grouped for the whole table
    assert "GROUP BY" not in page
    assert "deadlines.instance_id = workflow_instances.id" in page
    with org.services.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # only the plan is asked for: any value will do for each placeholder
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + page, (None,) * page.count("?")).all())
            assert "SCAN deadlines" not in plan, plan
            assert "SEARCH deadlines USING INDEX" in plan, plan

