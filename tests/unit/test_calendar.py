"""Working days skip weekends and Vietnam's public holidays, and count worked Saturdays."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from workflow.definitions.calendar_loader import load_calendar_paths
from workflow.domain.calendar import EMPTY, Holiday, HolidayCalendar, YearCalendar
from workflow.domain.labels import Label

ROOT = Path(__file__).resolve().parents[2]
CAL = load_calendar_paths([ROOT / "definitions" / "holidays"], base=ROOT)


def test_the_shipped_files_load_one_year_each_verified_only_when_checked() -> None:
    assert sorted(CAL.years) == [2025, 2026, 2027]
    for year, calendar in CAL.years.items():
        assert calendar.source_path == f"definitions/holidays/{year}.yaml"
        assert calendar.source
        assert all(h.day.year == year for h in calendar.holidays)
        assert all(h.source for h in calendar.holidays)
    # 2025 was checked against its notice; 2026 only in part; 2027 is not announced yet
    assert [CAL.years[y].verified for y in (2025, 2026, 2027)] == [True, False, False]
    assert CAL.years[2025].unverified() == ()
    assert len(CAL.years[2027].unverified()) == len(CAL.years[2027].holidays)
    assert CAL.covers(2025)
    assert CAL.covers(2027)
    assert not CAL.covers(2028)


@pytest.mark.parametrize(
    ("day", "vi", "en"),
    [
        (date(2025, 1, 1), "Tết Dương lịch", "New Year's Day"),
        (date(2025, 1, 29), "Tết Nguyên đán", "Lunar New Year"),
        (date(2025, 4, 7), "Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day"),
        (date(2025, 9, 2), "Quốc khánh", "National Day"),
        (date(2026, 2, 17), "Tết Nguyên đán", "Lunar New Year"),
    ],
)
def test_holidays_have_names_in_both_languages(day: date, vi: str, en: str) -> None:
    assert CAL.is_holiday(day)
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day) == vi
    assert CAL.holiday_name(day, "en") == en


def test_an_ordinary_day_is_no_holiday() -> None:
    assert not CAL.is_holiday(date(2025, 3, 3))
    assert CAL.holiday_name(date(2025, 3, 3)) is None
    assert CAL.is_working_day(date(2025, 3, 3))
    assert not CAL.is_working_day(date(2025, 3, 1))  # a Saturday


def test_the_day_before_tet_plus_one_is_the_monday_after_tet() -> None:
    assert CAL.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)


def test_five_working_days_across_the_30_4_break() -> None:
    # 30/4–4/5/2025 off (Friday 2/5 swapped with Saturday 26/4)
    assert CAL.add_working_days(date(2025, 4, 29), 5) == date(2025, 5, 9)
    assert CAL.working_days_between(date(2025, 4, 29), date(2025, 5, 9)) == 5


def test_hung_kings_day_is_skipped() -> None:
    assert CAL.add_working_days(date(2025, 4, 4), 1) == date(2025, 4, 8)
    # 2026: 10/3 lunar is Sunday 26 April, the day off moves to Monday 27 April
    assert CAL.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_working_days_between_across_tet() -> None:
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 1, 24)) == 0
    assert CAL.working_days_between(date(2025, 2, 7), date(2025, 1, 24)) == 0


def test_a_worked_saturday_counts() -> None:
    saturday = date(2025, 4, 26)

    assert CAL.is_working_day(saturday)
    assert not CAL.is_holiday(saturday)
    assert CAL.add_working_days(date(2025, 4, 25), 1) == saturday
    assert CAL.next_working_day(saturday) == saturday
    assert CAL.working_days_between(date(2025, 4, 25), date(2025, 4, 28)) == 2
    assert not EMPTY.is_working_day(saturday)


def test_n_zero_is_the_start_if_working_else_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2025, 3, 3), 0) == date(2025, 3, 3)
    assert CAL.add_working_days(date(2025, 3, 1), 0) == date(2025, 3, 3)  # Saturday
    assert CAL.add_working_days(date(2025, 1, 29), 0) == date(2025, 2, 3)  # Tết
    assert CAL.next_working_day(date(2025, 8, 30)) == date(2025, 9, 3)


def test_a_negative_number_of_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 0, got -1"):
        CAL.add_working_days(date(2025, 3, 3), -1)


def test_a_year_without_data_has_weekends_only_and_is_reported() -> None:
    assert not CAL.covers(2030)
    assert CAL.is_working_day(date(2030, 1, 1))  # New Year, but no data for 2030
    assert CAL.add_working_days(date(2029, 12, 28), 1) == date(2029, 12, 31)
    assert CAL.add_working_days(date(2029, 12, 31), 1) == date(2030, 1, 1)
    assert CAL.uncovered_years(date(2029, 12, 1), date(2030, 2, 1)) == [2029, 2030]
    assert CAL.uncovered_years(date(2024, 12, 1), date(2028, 1, 5)) == [2024, 2028]
    assert CAL.uncovered_years(date(2025, 1, 1), date(2026, 12, 31)) == []


def test_the_empty_calendar_knows_weekends_only() -> None:
    assert EMPTY.years == {}
    assert EMPTY.add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 27)
    assert EMPTY.working_days_between(date(2025, 1, 3), date(2025, 1, 31)) == 20
    assert EMPTY.uncovered_years(date(2025, 6, 1), date(2025, 6, 2)) == [2025]


def test_a_calendar_can_be_built_from_years_without_files() -> None:
    label = Label("Nghỉ", "Day off")
    year = YearCalendar(2031, (Holiday(date(2031, 1, 2), label),), (date(2031, 1, 4),))

    calendar = HolidayCalendar.of([year])

    assert calendar.holidays_between(date(2031, 1, 1), date(2031, 1, 31)) == [*year.holidays]
    assert calendar.add_working_days(date(2031, 1, 1), 2) == date(2031, 1, 4)  # Fri, Sat
    with pytest.raises(ValueError, match="given twice"):
        HolidayCalendar.of([year, year])
    with pytest.raises(ValueError, match="filed under 2032"):
        HolidayCalendar({2032: year})


def test_long_spans_are_cheap() -> None:
    started = time.perf_counter()
    for _ in range(100):
        due = CAL.add_working_days(date(2025, 1, 2), 400)
    elapsed = time.perf_counter() - started

    assert CAL.working_days_between(date(2025, 1, 2), due) == 400
    assert elapsed < 1.0
