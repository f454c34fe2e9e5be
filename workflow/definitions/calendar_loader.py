"""Load the holiday calendar from YAML, one file per year, reporting every problem at once.

    calendar = load_calendar_paths(["definitions/holidays"], base=ROOT)

Errors read like those of workflow definitions, `<file>:<line> <path>: <message>`, e.g.
`definitions/holidays/2025.yaml:9 holidays[1].from: from 2025-02-02 is after to 2025-01-25`.
The shape is checked with marshmallow (the field types of workflow.definitions.schema), then the
meaning: every day in the file's year, no day listed twice, worked days on weekends only.

Each entry may name its `source` (the document announcing it, e.g. "Công văn 12729/VPCP-KGVX")
and say whether it was `verified` against it; without them it takes the file's. A file marked
verified cannot hold an entry that is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import marshmallow as ma
from marshmallow import types as ma_types

from workflow.definitions import yamlsrc
from workflow.definitions.files import CheckedMemo, checked_sources
from workflow.definitions.schema import (
    LABEL,
    REQUIRED,
    Bool,
    Date,
    Int,
    LabelSchema,
    Nested,
    NestedList,
    Text,
    check_list,
    each,
    load_source,
    unknown_keys,
)
from workflow.definitions.yamlsrc import Source, YamlPath
from workflow.domain.calendar import SATURDAY, Holiday, HolidayCalendar, WorkedDay, YearCalendar
from workflow.domain.labels import Label
from workflow.errors import DefinitionError, DefinitionErrors

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# --- shape --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """One entry of `holidays`: a single day (`single`) or a range from `first` to `last`."""

    first: dt.date
    last: dt.date
    name: Label
    single: bool
    source: str | None = None
    verified: bool | None = None

    def days(self) -> Iterator[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Worked:
    day: dt.date
    source: str | None = None
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class _Year:
    year: int
    source: str
    verified: bool
    holidays: tuple[_Entry, ...]
    worked: tuple[_Worked, ...]

    @property
    def working_days(self) -> tuple[dt.date, ...]:
        return tuple(w.day for w in self.worked)


class WorkedSchema(ma.Schema):
    date = Date(required=True)
    source = Text()
    verified = Bool()

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> _Worked:
        return _Worked(data["date"], data.get("source"), data.get("verified"))


class Dates(ma.fields.Field[tuple[_Worked, ...]]):
    """A list of dates like 2025-04-26, or of {date, source, verified}."""

    default_error_messages: ma_types.ErrorMessages = {
        "required": REQUIRED,
        "null": "has no value",
        "validator_failed": "invalid value",
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kw: Any
    ) -> tuple[_Worked, ...]:
        return each(check_list(value), _worked)


WORKED_KEYS = ("date", "source", "verified")


def _worked(value: Any) -> _Worked:
    if not isinstance(value, dict):
        return _Worked(Date().deserialize(value))
    errors = unknown_keys(value, WORKED_KEYS)
    if errors:
        raise ma.ValidationError(errors)
    loaded = WorkedSchema().load(value)
    assert isinstance(loaded, _Worked)
    return loaded


class HolidaySchema(ma.Schema):
    date = Date()
    from_ = Date(data_key="from")
    to = Date()
    name = Nested(LabelSchema, required=True, expected=LABEL)
    source = Text()
    verified = Bool()

    @ma.validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        day: dt.date | None = data.get("date")
        first: dt.date | None = data.get("from_")
        last: dt.date | None = data.get("to")
        if day is not None and (first is not None or last is not None):
            raise ma.ValidationError(
                "give either date (one day) or from and to (a range), not both"
            )
        if day is not None:
            return
        if first is None and last is None:
            raise ma.ValidationError("give date (one day) or from and to (a range)")
        if first is None or last is None:
            missing = "from" if first is None else "to"
            message = f"missing required key '{missing}' (a range needs from and to)"
            raise ma.ValidationError({missing: [message]})
        if first > last:
            message = f"from {first.isoformat()} is after to {last.isoformat()}"
            raise ma.ValidationError({"from": [message]})

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> _Entry:
        day = data.get("date")
        sourced = {"source": data.get("source"), "verified": data.get("verified")}
        if day is not None:
            return _Entry(day, day, data["name"], single=True, **sourced)
        return _Entry(data["from_"], data["to"], data["name"], single=False, **sourced)


class YearSchema(ma.Schema):
    year = Int(required=True, minimum=1)
    source = Text(required=True)
    verified = Bool(required=True)
    holidays = NestedList(HolidaySchema, required=True)
    working_days = Dates(load_default=())

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> _Year:
        worked = data.pop("working_days")
        return _Year(**data, worked=worked)


def _build(src: Source) -> _Year:
    loaded = load_source(YearSchema, src)
    assert isinstance(loaded, _Year)
    return loaded


# --- meaning ------------------------------------------------------------------------------


def _outside(day: dt.date, year: int) -> str:
    return f"{day.isoformat()} is not in {year}, the year of this file"


def _check_holidays(y: _Year, src: Source) -> tuple[list[DefinitionError], dict[dt.date, int]]:
    """Days outside the year and days given twice; returns the errors and each day's entry."""
    errors: list[DefinitionError] = []
    owner: dict[dt.date, int] = {}
    for i, entry in enumerate(y.holidays):
        base: YamlPath = ("holidays", i)
        if entry.single:
            ends = [("date", entry.first)]
        else:
            ends = [("from", entry.first), ("to", entry.last)]
        outside = [(key, day) for key, day in ends if day.year != y.year]
        for key, day in outside:
            errors.append(src.error((*base, key), _outside(day, y.year)))
        if outside:
            continue
        clash = next((day for day in entry.days() if day in owner), None)
        if clash is not None:
            where = src.where(("holidays", owner[clash]))
            message = f"{clash.isoformat()} is already a holiday at {where}"
            errors.append(src.error(base, message))
        for day in entry.days():
            owner.setdefault(day, i)
    return errors, owner


def _check_working_days(
    y: _Year, src: Source, holidays: dict[dt.date, int]
) -> Iterator[DefinitionError]:
    first: dict[dt.date, int] = {}
    for k, day in enumerate(y.working_days):
        path: YamlPath = ("working_days", k)
        shown = day.isoformat()
        if day.year != y.year:
            yield src.error(path, _outside(day, y.year))
        elif day in first:
            where = src.where(("working_days", first[day]))
            yield src.error(path, f"{shown} is already listed at {where}")
        elif day.weekday() < SATURDAY:
            message = (
                f"{shown} is a {WEEKDAYS[day.weekday()]}, a working day anyway; list only the "
                "Saturdays and Sundays that are worked"
            )
            yield src.error(path, message)
        elif day in holidays:
            where = src.where(("holidays", holidays[day]))
            yield src.error(path, f"{shown} cannot be worked: it is a holiday at {where}")
        first.setdefault(day, k)


def _check_verified(y: _Year, src: Source) -> Iterator[DefinitionError]:
    """A file marked verified holds no entry marked otherwise."""
    if not y.verified:
        return
    for i, entry in enumerate(y.holidays):
        if entry.verified is False:
            yield src.error(("holidays", i, "verified"), "the file is marked verified, "
                            "so every day in it must be; set the file's verified to false")
    for k, worked in enumerate(y.worked):
        if worked.verified is False:
            yield src.error(("working_days", k, "verified"), "the file is marked verified, "
                            "so every day in it must be; set the file's verified to false")


def _check(src: Source) -> YearCalendar:
    y = _build(src)
    errors, owner = _check_holidays(y, src)
    errors += _check_working_days(y, src, owner)
    errors += _check_verified(y, src)
    if errors:
        raise DefinitionErrors(errors)

    def holiday(day: dt.date, entry: _Entry) -> Holiday:
        verified = y.verified if entry.verified is None else entry.verified
        return Holiday(day, entry.name, entry.source or y.source, verified)

    holidays = tuple(holiday(day, y.holidays[i]) for day, i in sorted(owner.items()))
    worked = tuple(sorted(
        (WorkedDay(w.day, w.source or y.source, y.verified if w.verified is None else w.verified)
         for w in y.worked), key=lambda w: w.day))
    return YearCalendar(
        year=y.year,
        holidays=holidays,
        working_days=tuple(w.day for w in worked),
        source=y.source,
        verified=y.verified,
        source_path=src.file,
        worked=worked,
    )


_MEMO = CheckedMemo(_check)  # unchanged files are not parsed again


# --- loading ------------------------------------------------------------------------------


def load_calendar_text(text: str, file: str) -> YearCalendar:
    """Load the holidays of one year; raises DefinitionErrors with all of its problems."""
    return _check(yamlsrc.parse(text, file))


def load_calendar_paths(paths: Iterable[Path | str], base: Path | None = None) -> HolidayCalendar:
    """Load holiday files and folders (their *.yaml and *.yml) into one calendar.

    Raises DefinitionErrors with every problem of every file, including a year given by two
    files. File names in messages are relative to `base`, or as given.
    """
    errors: list[DefinitionError] = []
    years: dict[int, YearCalendar] = {}
    for src, calendar in checked_sources(paths, base, _check, errors, _MEMO):
        if calendar.year in years:
            other = years[calendar.year].source_path
            message = f"the holidays of {calendar.year} are already defined in {other}"
            errors.append(src.error(("year",), message))
        else:
            years[calendar.year] = calendar
    if errors:
        raise DefinitionErrors(errors)
    return HolidayCalendar(years)

