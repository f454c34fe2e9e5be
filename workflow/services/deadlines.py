"""Deadline rows: planned when an instance enters a state that has a deadline, in the same
transaction; cancelled when it leaves; moved when the campaign date they derive from moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from workflow.engine.instance import Instance
from workflow.engine.spec import DeadlineSpec

REMIND_HOUR = 8  # reminders go out at the start of the office day, local time


class WorkingDays(Protocol):
    def add_working_days(self, start: dt.date, n: int) -> dt.date: ...

    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...


class WeekendsOnly:
    """Working days without a holiday calendar: Monday to Friday."""

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1))
        return sum(1 for d in days if d.weekday() < 5)


def local_time(day: dt.date, hour: int, tz: dt.tzinfo) -> dt.datetime:
    """A wall-clock time on a day in the zone `tz` (the clock's), as UTC."""
    return dt.datetime.combine(day, dt.time(hour), tz).astimezone(dt.UTC)


def end_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The moment a due date is over: local midnight after it."""
    return local_time(day + dt.timedelta(days=1), 0, tz)


def campaign_dates(inst: Instance, parent_data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    data = inst.data if inst.workflow == "campaign" else (parent_data or {})
    dates = data.get("dates")
    return dates if isinstance(dates, Mapping) else {}


def campaign_key(template: str, data: Mapping[str, Any]) -> str | None:
    """`{period}_report_due` with data {period: six_month} -> six_month_report_due; None when
    a field is missing. The template was checked to hold only names and {name} parts."""
    try:
        return template.format_map({k: str(v) for k, v in data.items()})
    except KeyError:
        return None


def _field(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of an item's data, or None."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def due_date(
    spec: DeadlineSpec, entered: dt.datetime, dates: Mapping[str, Any], calendar: WorkingDays,
    data: Mapping[str, Any] | None = None, *, tz: dt.tzinfo,
) -> tuple[dt.date, str] | None:
    """The local date a state is due, and what it derives from; None when its campaign date
    is not set (the deadline cannot be known yet). A date an effect wrote in the spec's
    `due_field` (a clock that pauses and resumes; a dotted path reads a nested field, e.g.
    `task.due` of an item spawned with its task) comes first."""
    start = entered.astimezone(tz).date()
    held = _field(data or {}, spec.due_field) if spec.due_field else None
    if held:
        return dt.date.fromisoformat(str(held)), f"field:{spec.due_field}"
    if spec.kind == "date" and spec.date is not None:
        return spec.date, "date"
    if spec.kind == "campaign_date" and spec.campaign_date:
        key = campaign_key(spec.campaign_date, data or {})
        raw = dates.get(key) if key else None
        if not raw:
            return None
        day = dt.date.fromisoformat(str(raw)) + dt.timedelta(days=spec.offset_days)
        return day, f"campaign_date:{key}:{spec.offset_days}"
    if spec.kind == "days" and spec.days is not None:
        return start + dt.timedelta(days=spec.days), f"days:{spec.days}"
    if spec.kind == "working_days" and spec.working_days is not None:
        return calendar.add_working_days(start, spec.working_days), \
            f"working_days:{spec.working_days}"
    return None


def fire_time(kind: str, due: dt.date, days_before: int, tz: dt.tzinfo) -> dt.datetime:
    if kind == "reminder":
        return local_time(due - dt.timedelta(days=days_before), REMIND_HOUR, tz)
    return end_of(due, tz)


def plan(
    inst: Instance, state: str, spec: DeadlineSpec, now: dt.datetime,
    dates: Mapping[str, Any], calendar: WorkingDays, tz: dt.tzinfo,
) -> list[dict[str, Any]]:
    """The rows for an instance that just entered `state` (version inst.version); due dates
    and fire times are local to `tz` (the clock's)."""
    found = due_date(spec, now, dates, calendar, inst.data, tz=tz)
    if found is None:
        return []
    due, anchor = found
    wanted: list[tuple[str, int, str | None, str | None]] = [
        ("reminder", n, None, None) for n in spec.remind_days_before
    ]
    if spec.escalate_to:
        wanted.append(("escalation", 0, spec.escalate_to, None))
    if spec.timeout_trigger:
        wanted.append(("timeout", 0, None, spec.timeout_trigger))
    rows = []
    for kind, days_before, role, trigger in wanted:
        fire_at = fire_time(kind, due, days_before, tz)
        if kind == "reminder" and fire_at < now:
            # entered after this reminder's time: while the deadline is still ahead, ONE
            # catch-up reminder goes out at entry for all the reminders already passed (not
            # one per passed reminder, which would arrive together); it carries the last
            # passed one's days_before, so it is unique beside the reminders still to come
            if now >= end_of(due, tz) or catch_up_of(wanted, due, now, tz) != days_before:
                continue
            fire_at = now
        rows.append({
            "instance_id": inst.id, "state": state, "entry_version": inst.version,
            "kind": kind, "days_before": days_before, "due_date": due, "fire_at": fire_at,
            "anchor": anchor, "role": role, "trigger": trigger, "status": "pending",
        })
    return rows


def catch_up_of(
    wanted: list[tuple[str, int, str | None, str | None]], due: dt.date, now: dt.datetime,
    tz: dt.tzinfo,
) -> int | None:
    """The days_before of the reminder that stands for all those whose time has passed at
    `now`: the last of them to have fallen due (the fewest days before); None if none has."""
    passed = [n for kind, n, _r, _t in wanted
              if kind == "reminder" and fire_time(kind, due, n, tz) < now]
    return min(passed) if passed else None


def moved_rows(
    rows: list[tuple[int, str, int, str]], new_day: dt.date, tz: dt.tzinfo
) -> list[dict[str, Any]]:
    """New due date and fire time of pending rows (id, kind, days_before, anchor) whose
    campaign date moved to `new_day`; the anchor keeps the row's offset from that date."""
    out = []
    for row_id, kind, days_before, anchor in rows:
        offset = int(anchor.rsplit(":", 1)[1])
        due = new_day + dt.timedelta(days=offset)
        out.append({"b_id": row_id, "due_date": due,
                    "fire_at": fire_time(kind, due, days_before, tz)})
    return out
