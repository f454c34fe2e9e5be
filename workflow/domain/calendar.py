"""Working days in Vietnam: weekends, public holidays (ngày nghỉ lễ, Tết) and ngày làm bù.

Deadlines such as "appraisal within 25 working days" skip Saturdays, Sundays and public
holidays, and count the weekend days the Government declares worked in exchange for a day off
(ngày làm bù). Holidays move every year (Tết Nguyên đán and Giỗ Tổ Hùng Vương follow the lunar
calendar), so they are data: one file per year in definitions/holidays/, loaded by
`workflow.definitions.calendar_loader`. A year without a file falls back to weekends only;
`uncovered_years` tells callers which years those are, so they can warn.

Pure: no I/O. Each day costs a set lookup, so a few hundred working days are cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workflow.domain.labels import Label

SATURDAY = 5  # date.weekday() of Saturday; Sunday is 6
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Holiday:
    """One day off, e.g. 2025-01-29 "Tết Nguyên đán".

    `source` names the document that announces it (e.g. "Công văn 12729/VPCP-KGVX"), and
    `verified` whether the day was checked against that document (the file's flag when the
    entry gives none).
    """

    day: dt.date
    name: Label
    source: str = ""
    verified: bool = False


@dataclass(frozen=True, slots=True)
class WorkedDay:
    """A Saturday or Sunday worked in exchange for a day off (ngày làm bù), with its source."""

    day: dt.date
    source: str = ""
    verified: bool = False


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """The holidays and worked weekend days of one year, as read from its file."""

    year: int
    holidays: tuple[Holiday, ...] = ()
    working_days: tuple[dt.date, ...] = ()  # Saturdays and Sundays that are worked (làm bù)
    source: str = ""
    verified: bool = False  # every day checked against the official notice
    source_path: str | None = None
    worked: tuple[WorkedDay, ...] = ()  # the working days with their sources

    def unverified(self) -> tuple[dt.date, ...]:
        """The days off and worked days not yet checked against their document."""
        days = [h.day for h in self.holidays if not h.verified]
        days += [w.day for w in self.worked if not w.verified]
        return tuple(sorted(days))


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Holidays of the years it covers; other years have weekends only."""

    years: Mapping[int, YearCalendar]
    _holidays: Mapping[dt.date, Holiday] = field(init=False, repr=False, compare=False)
    _worked: frozenset[dt.date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        holidays: dict[dt.date, Holiday] = {}
        worked: set[dt.date] = set()
        for year, calendar in self.years.items():
            if year != calendar.year:
                raise ValueError(f"the calendar of {calendar.year} is filed under {year}")
            holidays.update((h.day, h) for h in calendar.holidays)
            worked.update(calendar.working_days)
        object.__setattr__(self, "years", MappingProxyType(dict(self.years)))
        object.__setattr__(self, "_holidays", MappingProxyType(holidays))
        object.__setattr__(self, "_worked", frozenset(worked))

    @classmethod
    def of(cls, years: Iterable[YearCalendar]) -> HolidayCalendar:
        """A calendar of the given years; raises ValueError when a year is given twice."""
        by_year: dict[int, YearCalendar] = {}
        for calendar in years:
            if calendar.year in by_year:
                raise ValueError(f"the year {calendar.year} is given twice")
            by_year[calendar.year] = calendar
        return cls(by_year)

    # --- single days ----------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """Whether the holidays of `year` are known."""
        return year in self.years

    def is_holiday(self, d: dt.date) -> bool:
        return d in self._holidays

    def holiday_name(self, d: dt.date, locale: str = "vi") -> str | None:
        holiday = self._holidays.get(d)
        return None if holiday is None else holiday.name.get(locale)

    def is_working_day(self, d: dt.date) -> bool:
        """Monday to Friday unless a holiday, or a weekend day declared worked (làm bù)."""
        if d in self._worked:
            return True
        return d.weekday() < SATURDAY and d not in self._holidays

    def next_working_day(self, d: dt.date) -> dt.date:
        """`d` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    # --- counting -------------------------------------------------------------------------

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start`; with n = 0, `next_working_day(start)`.

        Raises ValueError when n is negative. Days of years not covered count as working
        days from Monday to Friday.
        """
        if n < 0:
            raise ValueError(f"the number of working days must be at least 0, got {n}")
        if n == 0:
            return self.next_working_day(start)
        d = start
        while n:
            d += ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days in (start, end]; 0 when end is not after start."""
        count = 0
        d = start + ONE_DAY
        while d <= end:
            count += self.is_working_day(d)
            d += ONE_DAY
        return count

    def uncovered_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years from start to end (inclusive, in either order) that have no holiday data."""
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if year not in self.years]

    def holidays_between(self, start: dt.date, end: dt.date) -> list[Holiday]:
        """The holidays from start to end inclusive, by date."""
        return sorted(
            (h for h in self._holidays.values() if start <= h.day <= end), key=lambda h: h.day
        )


EMPTY = HolidayCalendar({})  # weekends only
