"""The holiday files agree with the law and the lunar calendar, and carry their sources.

The `holidays` package (whose Vietnam calendar the issue suggested as a cross-check) is not a
dependency of the project; the lunar holidays are checked against tests/data/lunar_holidays.yaml
instead, itself recomputed here with tests/lunar.py. Our files add what no package knows: the
swapped days off and the worked Saturdays the Government announces each year.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from tests.lunar import solar
from workflow.definitions.calendar_loader import load_calendar_paths, load_calendar_text
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]
CAL = load_calendar_paths([ROOT / "definitions" / "holidays"], base=ROOT)
LUNAR = yaml.safe_load((ROOT / "tests" / "data" / "lunar_holidays.yaml").read_text("utf-8"))
FIXED = ((1, 1), (4, 30), (5, 1), (9, 2))  # Bộ luật Lao động 2019, Điều 112 khoản 1
YEARS = sorted(CAL.years)


@pytest.mark.parametrize("year", sorted(LUNAR["tet"]))
def test_the_lunar_table_is_what_the_lunar_calendar_computes(year: int) -> None:
    assert solar(1, 1, year) == LUNAR["tet"][year]
    assert solar(10, 3, year) == LUNAR["hung_kings"][year]


def test_the_table_agrees_with_the_announced_tet() -> None:
    assert [LUNAR["tet"][y] for y in (2025, 2026, 2027)] == [
        date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6)]


@pytest.mark.parametrize("year", YEARS)
def test_every_file_holds_the_fixed_holidays(year: int) -> None:
    for month, day in FIXED:
        assert CAL.is_holiday(date(year, month, day)), f"{day}/{month}/{year}"


@pytest.mark.parametrize("year", YEARS)
def test_every_file_holds_the_lunar_holidays(year: int) -> None:
    tet, hung = LUNAR["tet"][year], LUNAR["hung_kings"][year]
    tet_days = [h.day for h in CAL.years[year].holidays if h.name.vi == "Tết Nguyên đán"]

    assert CAL.holiday_name(hung) == "Giỗ Tổ Hùng Vương"
    # the last day of the old year and the first three of the new are always off
    for offset in (-1, 0, 1, 2, 3):
        assert tet + timedelta(days=offset) in tet_days
    assert len(tet_days) >= 5  # Tết Âm lịch: 05 ngày


@pytest.mark.parametrize("year", YEARS)
def test_a_holiday_on_a_weekend_gives_a_day_off_after_it(year: int) -> None:
    singles = [date(year, m, d) for m, d in FIXED[:3]] + [LUNAR["hung_kings"][year]]
    for day in singles:
        if day.weekday() >= 5:
            after = [day + timedelta(days=n) for n in (1, 2)]
            assert any(d.weekday() < 5 and CAL.is_holiday(d) for d in after), day


def test_2026_has_the_announced_swaps_and_the_culture_day() -> None:
    assert CAL.holiday_name(date(2026, 1, 2)).startswith("Nghỉ hoán đổi")  # type: ignore[union-attr]
    assert CAL.is_working_day(date(2026, 1, 10))  # Saturday, worked for Friday 2/1
    assert CAL.holiday_name(date(2026, 8, 31)).startswith("Nghỉ hoán đổi")  # type: ignore[union-attr]
    assert CAL.is_working_day(date(2026, 8, 22))  # Saturday, worked for Monday 31/8
    assert CAL.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert CAL.holiday_name(date(2026, 11, 24), "en") == "Vietnamese Culture Day"
    # 29/8 – 2/9/2026: five days off in a row
    assert CAL.next_working_day(date(2026, 8, 29)) == date(2026, 9, 3)
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert CAL.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert CAL.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


def test_each_day_names_its_source_and_whether_it_was_checked() -> None:
    y2026 = CAL.years[2026]
    by_day = {h.day: h for h in y2026.holidays}
    worked = {w.day: w for w in y2026.worked}

    assert "12729/VPCP-KGVX" in by_day[date(2026, 1, 2)].source
    assert by_day[date(2026, 1, 2)].verified
    assert "12729/VPCP-KGVX" in worked[date(2026, 1, 10)].source
    assert "9441/TB-BNV" in by_day[date(2026, 2, 17)].source
    assert "9859/VPCP-KGVX" in by_day[date(2026, 8, 31)].source
    assert "9859/VPCP-KGVX" in worked[date(2026, 8, 22)].source
    assert "28/2026/QH16" in by_day[date(2026, 11, 24)].source
    assert date(2026, 11, 24) in y2026.unverified()
    assert "6150/TB-BLĐTBXH" in CAL.years[2025].source
    assert CAL.years[2027].holidays[0].source == CAL.years[2027].source  # the file's


def test_2027_follows_the_lunar_calendar_and_is_unverified() -> None:
    y2027 = CAL.years[2027]

    assert not y2027.verified
    assert CAL.holiday_name(date(2027, 2, 6)) == "Tết Nguyên đán"
    assert CAL.holiday_name(date(2027, 4, 16)) == "Giỗ Tổ Hùng Vương"
    assert CAL.holiday_name(date(2027, 5, 3)) == "Nghỉ bù Ngày Quốc tế Lao động"
    assert set(y2027.unverified()) == {h.day for h in y2027.holidays}


HEAD = "year: 2030\nsource: Thông báo\n"


def test_a_verified_file_cannot_hold_an_unverified_day() -> None:
    text = HEAD + (
        "verified: true\n"
        "holidays:\n"
        "  - {date: 2030-01-01, name: {vi: Tết, en: New Year}, verified: false}\n"
        "working_days:\n"
        "  - {date: 2030-01-05, source: CV 1, verified: false}\n"
    )
    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_text(text, "x.yaml")

    assert [str(e) for e in caught.value.errors] == [
        "x.yaml:5 holidays[0].verified: the file is marked verified, so every day in it must"
        " be; set the file's verified to false",
        "x.yaml:7 working_days[0].verified: the file is marked verified, so every day in it"
        " must be; set the file's verified to false",
    ]


def test_a_worked_day_takes_a_source_or_the_files() -> None:
    text = HEAD + (
        "verified: false\n"
        "holidays: []\n"
        "working_days:\n"
        "  - 2030-01-05\n"
        "  - {date: 2030-01-12, source: CV 2, verified: true}\n"
    )
    year = load_calendar_text(text, "x.yaml")

    assert [(w.day.day, w.source, w.verified) for w in year.worked] == [
        (5, "Thông báo", False), (12, "CV 2", True)]
    assert year.working_days == (date(2030, 1, 5), date(2030, 1, 12))
    assert year.unverified() == (date(2030, 1, 5),)


def test_a_worked_day_with_an_unknown_key_is_refused() -> None:
    text = HEAD + "verified: false\nholidays: []\nworking_days:\n  - {date: 2030-01-05, sorce: x}\n"
    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_text(text, "x.yaml")

    assert "unknown key 'sorce' (did you mean 'source'?)" in str(caught.value)
