"""The demo (`thidua demo`) is dated in the current year, relative to today: what it did lies in
the past, what it waits for lies ahead; each bloc has its own criteria table, and seeding again
changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from workflow import demo
from workflow.adapters.tables import deadlines, history, instances
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings


def seeded(tmp_path: Path, now: dt.datetime) -> tuple[Services, list[str]]:
    settings = load_settings(environ={}, overrides={
        "database": {"url": f"sqlite:///{tmp_path}/demo.db"},
        "app": {"documents_dir": str(tmp_path / "documents")},
        "scheduler": {"enabled": False}})
    svc = bootstrap(settings, clock=FakeClock(now))
    said: list[str] = []
    demo.run(svc, said.append)
    return svc, said


def campaigns(svc: Services) -> dict[str, dict[str, object]]:
    """Each campaign's state and data, by its criteria table."""
    found = {}
    for campaign in (i for i in map(svc.workflows.get, _ids(svc, "campaign"))):
        found[campaign.data["criteria_table"]["code"]] = {
            "state": campaign.state, "year": campaign.year, **campaign.data}
    return found


def _ids(svc: Services, workflow: str) -> list[int]:
    with svc.engine.connect() as conn:
        return list(conn.execute(sa.select(instances.c.id).where(
            instances.c.workflow == workflow)).scalars())


def open_deadlines(svc: Services) -> list[dt.date]:
    with svc.engine.connect() as conn:
        return [dt.date.fromisoformat(str(d)) for d in conn.execute(
            sa.select(deadlines.c.due_date).where(
                deadlines.c.status.not_in(("done", "cancelled")))).scalars()]


@pytest.mark.parametrize("now", [
    dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC),  # late in the year, as the issue was tried
    dt.datetime(2026, 2, 1, 3, tzinfo=dt.UTC),  # before the pledges are due
], ids=["november", "february"])
def test_the_demo_is_dated_this_year_and_waits_for_nothing_overdue(
    tmp_path: Path, now: dt.datetime
) -> None:
    svc, _ = seeded(tmp_path, now)
    try:
        found = campaigns(svc)
        pending = open_deadlines(svc)
        sheets = {code: svc.criteria.get(code) for code in found}
    finally:
        svc.close()

    assert set(found) == {"khoi_noi_chinh", "bhxh_tinh"}
    assert {c["year"] for c in found.values()} == {2026}
    noi_chinh, bhxh = found["khoi_noi_chinh"], found["bhxh_tinh"]
    assert noi_chinh["state"] == "mid_year_review"
    assert bhxh["state"] == "pledging"  # its pledges are still to sign: not yet active
    today = now.date()
    assert dt.date.fromisoformat(bhxh["dates"]["pledge_deadline"]) > today  # type: ignore[index]
    assert dt.date.fromisoformat(
        noi_chinh["dates"]["six_month_report_due"]) > today  # type: ignore[index]
    for campaign in found.values():
        assert str(campaign["launched_at"]) <= now.isoformat()
        days = [dt.date.fromisoformat(d) for d in campaign["dates"].values()]  # type: ignore[attr-defined]
        assert all(d.year == 2026 for d in days)
    assert pending
    assert min(pending) >= today
    assert sheets["bhxh_tinh"].title.vi != sheets["khoi_noi_chinh"].title.vi


def test_the_demo_takes_only_the_steps_people_take_on_the_pages(tmp_path: Path) -> None:
    svc, _ = seeded(tmp_path, dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC))
    with svc.engine.connect() as conn:
        steps = set(conn.execute(sa.select(history.c.kind, history.c.trigger)).all())
    svc.close()

    # no administrator's repair (move, suspend, …) and no deadline's timeout brought it there
    assert {kind for kind, _ in steps} <= {"start", "spawn", "fire", "document"}
    fired = {trigger for kind, trigger in steps if kind == "fire"}
    assert fired == {"launch", "save_targets", "submit", "accept", "sign", "all_signed",
                     "start_mid_year"}


def test_seeding_the_demo_again_changes_nothing(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC)
    svc, _ = seeded(tmp_path, now)
    before = len(_ids(svc, "pledge"))
    svc.close()

    again, said = seeded(tmp_path, now)
    after = len(_ids(again, "pledge"))
    again.close()

    assert before == after == 8 + 17
    assert any("already present" in line for line in said)
