"""Planning deadline rows from a definition's deadline: dates, campaign dates, working days."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ROOT
from workflow.config import DEFAULT_TIMEZONE, zone
from workflow.definitions.calendar_loader import load_calendar_paths
from workflow.engine.instance import ACTIVE, Instance
from workflow.engine.spec import DeadlineSpec
from workflow.services import deadlines

CALENDAR = load_calendar_paths([ROOT / "definitions" / "holidays"])
TZ = zone(DEFAULT_TIMEZONE)


def item(workflow: str = "pledge") -> Instance:
    return Instance(7, 1, workflow, "submitted", ACTIVE, 3, 1, 2, 2025, 9, {}, "",
                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


def local(day: str, hour: int = 9) -> dt.datetime:
    return deadlines.local_time(dt.date.fromisoformat(day), hour, TZ)


def test_working_days_skip_tet() -> None:
    spec = DeadlineSpec(kind="working_days", working_days=5, remind_days_before=(1,),
                        escalate_to="council_secretariat")

    rows = deadlines.plan(item(), "submitted", spec, local("2025-01-24"), {}, CALENDAR, TZ)

    assert {r["due_date"] for r in rows} == {dt.date(2025, 2, 7)}  # Tết: 25/1 – 2/2
    reminder, escalation = rows
    assert reminder["fire_at"] == local("2025-02-06", 8)
    assert escalation["fire_at"] == local("2025-02-08", 0)  # the day is over at midnight
    assert (escalation["role"], escalation["anchor"]) == ("council_secretariat", "working_days:5")


def test_campaign_dates_come_from_the_parent_campaign() -> None:
    spec = DeadlineSpec(kind="campaign_date", campaign_date="pledge_deadline", offset_days=-5,
                        remind_days_before=(7, 3, 1))
    dates = deadlines.campaign_dates(item(), {"dates": {"pledge_deadline": "2025-03-31"}})

    rows = deadlines.plan(item(), "draft", spec, local("2025-02-10"), dates, CALENDAR, TZ)

    assert [(r["days_before"], r["due_date"]) for r in rows] == [
        (7, dt.date(2025, 3, 26)), (3, dt.date(2025, 3, 26)), (1, dt.date(2025, 3, 26))]
    assert rows[0]["anchor"] == "campaign_date:pledge_deadline:-5"


def test_no_rows_while_the_campaign_date_is_unknown() -> None:
    spec = DeadlineSpec(kind="campaign_date", campaign_date="scoring_deadline",
                        timeout_trigger="expire")

    assert deadlines.plan(item(), "x", spec, local("2025-02-10"), {}, CALENDAR, TZ) == []


def test_reminders_already_past_at_entry_become_one_catch_up_reminder_at_entry() -> None:
    """Entered after the 7-day reminder's time: it is sent at entry, the 1-day one later."""
    spec = DeadlineSpec(kind="date", date=dt.date(2025, 3, 10), remind_days_before=(7, 1),
                        timeout_trigger="expire")

    rows = deadlines.plan(item(), "x", spec, local("2025-03-05"), {}, CALENDAR, TZ)

    assert [(r["kind"], r["days_before"]) for r in rows] == [
        ("reminder", 7), ("reminder", 1), ("timeout", 0)]
    assert rows[0]["fire_at"] == local("2025-03-05")  # at entry
    assert rows[1]["fire_at"] == local("2025-03-09", 8)
    assert rows[2]["trigger"] == "expire"


def test_a_pledge_due_ten_days_after_launch_gets_every_promised_reminder() -> None:
    """The pledge is due 5 days before a pledge deadline 10 days after launch: the 7-day
    reminder's time is already past at launch, so it goes out at launch; the 3- and 1-day
    ones at their time. Several passed reminders are one catch-up, not a pile of them."""
    spec = DeadlineSpec(kind="campaign_date", campaign_date="pledge_deadline", offset_days=-5,
                        remind_days_before=(7, 3, 1))
    dates = {"pledge_deadline": "2025-03-20"}
    launch = local("2025-03-10", 10)

    rows = deadlines.plan(item(), "draft", spec, launch, dates, CALENDAR, TZ)

    assert [(r["days_before"], r["fire_at"]) for r in rows] == [
        (7, launch), (3, local("2025-03-12", 8)), (1, local("2025-03-14", 8))]
    late = deadlines.plan(item(), "draft", spec, local("2025-03-13", 10), dates, CALENDAR, TZ)
    assert [(r["days_before"], r["fire_at"]) for r in late] == [
        (3, local("2025-03-13", 10)), (1, local("2025-03-14", 8))]  # one for 7 and 3


def test_no_catch_up_reminder_once_the_deadline_is_over() -> None:
    spec = DeadlineSpec(kind="date", date=dt.date(2025, 3, 10), remind_days_before=(3, 1),
                        escalate_to="council_secretariat")

    rows = deadlines.plan(item(), "x", spec, local("2025-03-11", 9), {}, CALENDAR, TZ)

    assert [r["kind"] for r in rows] == ["escalation"]
    on_the_day = deadlines.plan(item(), "x", spec, local("2025-03-10", 9), {}, CALENDAR, TZ)
    assert [(r["kind"], r["days_before"]) for r in on_the_day] == [
        ("reminder", 1), ("escalation", 0)]


def test_a_moved_campaign_date_keeps_each_rows_offset() -> None:
    moved = deadlines.moved_rows(
        [(1, "reminder", 3, "campaign_date:pledge_deadline:-5"),
         (2, "timeout", 0, "campaign_date:pledge_deadline:0")], dt.date(2025, 4, 15), TZ)

    assert [(m["b_id"], m["due_date"]) for m in moved] == [
        (1, dt.date(2025, 4, 10)), (2, dt.date(2025, 4, 15))]
    assert moved[0]["fire_at"] == local("2025-04-07", 8)


def test_a_reports_due_date_follows_its_period() -> None:
    spec = DeadlineSpec(kind="campaign_date", campaign_date="{period}_report_due",
                        remind_days_before=(1,))
    dates = {"six_month_report_due": "2025-07-15", "year_end_report_due": "2025-12-15"}
    six, year_end = item("report"), item("report")
    six.data, year_end.data = {"period": "six_month"}, {"period": "year_end"}

    first = deadlines.plan(six, "due", spec, local("2025-07-01"), dates, CALENDAR, TZ)
    second = deadlines.plan(year_end, "due", spec, local("2025-12-01"), dates, CALENDAR, TZ)
    unknown = deadlines.plan(item("report"), "due", spec, local("2025-07-01"), dates, CALENDAR, TZ)

    assert first[0]["due_date"] == dt.date(2025, 7, 15)
    assert second[0]["due_date"] == dt.date(2025, 12, 15)
    assert second[0]["anchor"] == "campaign_date:year_end_report_due:0"
    assert unknown == []
