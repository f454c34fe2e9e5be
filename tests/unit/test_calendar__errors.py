"""Broken holiday files are refused with every problem, each at its file, line and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.definitions.calendar_loader import load_calendar_paths, load_calendar_text
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken_holidays"
B = "tests/data/broken_holidays"
LABEL = "a label like {vi: Dự thảo, en: Draft}"

EXPECTED: dict[str, list[str]] = {
    "unknown_key.yaml": [
        f"{B}/unknown_key.yaml:6 holidays[1].name: missing required key 'name'",
        f"{B}/unknown_key.yaml:6 holidays[1].nmae: unknown key 'nmae' (did you mean 'name'?)",
        f"{B}/unknown_key.yaml:7 working_day: unknown key 'working_day'"
        " (did you mean 'working_days'?)",
    ],
    "outside_year.yaml": [
        f"{B}/outside_year.yaml:5 holidays[0].date: 2024-12-31 is not in 2025,"
        " the year of this file",
        f"{B}/outside_year.yaml:6 holidays[1].to: 2026-01-01 is not in 2025, the year of this file",
        f"{B}/outside_year.yaml:8 working_days[0]: 2026-01-03 is not in 2025,"
        " the year of this file",
    ],
    "from_after_to.yaml": [
        f"{B}/from_after_to.yaml:6 holidays[1].from: from 2025-02-02 is after to 2025-01-25",
    ],
    "date_and_range.yaml": [
        f"{B}/date_and_range.yaml:5 holidays[0]: give either date (one day) or from and to"
        " (a range), not both",
        f"{B}/date_and_range.yaml:9 holidays[1]: give date (one day) or from and to (a range)",
        f"{B}/date_and_range.yaml:10 holidays[2].to: missing required key 'to'"
        " (a range needs from and to)",
    ],
    "duplicate_day.yaml": [
        f"{B}/duplicate_day.yaml:7 holidays[2]: 2025-01-29 is already a holiday at holidays[0]"
        " (line 5)",
        f"{B}/duplicate_day.yaml:8 holidays[3]: 2025-04-30 is already a holiday at holidays[1]"
        " (line 6)",
    ],
    "working_days.yaml": [
        f"{B}/working_days.yaml:7 working_days[0]: 2025-01-20 is a Monday, a working day anyway;"
        " list only the Saturdays and Sundays that are worked",
        f"{B}/working_days.yaml:8 working_days[1]: 2025-02-01 cannot be worked: it is a holiday"
        " at holidays[0] (line 5)",
        f"{B}/working_days.yaml:10 working_days[3]: 2025-04-26 is already listed at"
        " working_days[2] (line 9)",
    ],
    "bad_values.yaml": [
        f"{B}/bad_values.yaml:1 year: expected a whole number, got '2025'",
        f"{B}/bad_values.yaml:2 source: must not be empty",
        f"{B}/bad_values.yaml:3 verified: expected true or false, got 'checked'",
        f"{B}/bad_values.yaml:5 holidays[0].date: expected a date like 2025-12-31,"
        " got '2025-02-30'",
        f"{B}/bad_values.yaml:6 holidays[1].name: expected {LABEL}, got 'Giỗ Tổ Hùng Vương'",
        f"{B}/bad_values.yaml:7 holidays[2].name.en: missing required key 'en'",
        f"{B}/bad_values.yaml:8 working_days: expected a list, got 2025-04-26",
    ],
    "missing_keys.yaml": [
        f"{B}/missing_keys.yaml:1 source: missing required key 'source'",
        f"{B}/missing_keys.yaml:1 verified: missing required key 'verified'",
    ],
    "syntax_error.yaml": [
        f"{B}/syntax_error.yaml:4: invalid YAML: expected ',' or '}}', but got '<scalar>'"
        " (while parsing a flow mapping that starts at line 3)",
    ],
    # a folder: two files give the holidays of the same year
    "duplicate_year": [
        f"{B}/duplicate_year/b.yaml:2 year: the holidays of 2025 are already defined in"
        f" {B}/duplicate_year/a.yaml",
    ],
}


def _messages(path: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_paths([path], base=ROOT)
    return [str(e) for e in caught.value.errors]


def test_every_broken_file_has_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir() or p.suffix == ".yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_a_broken_file_is_refused_with_exact_messages(name: str, expected: list[str]) -> None:
    assert _messages(BROKEN / name) == expected


def test_errors_of_every_file_are_reported_together() -> None:
    paths = [BROKEN / "from_after_to.yaml", BROKEN / "duplicate_day.yaml"]

    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_paths(paths, base=ROOT)

    assert [str(e) for e in caught.value.errors] == (
        EXPECTED["duplicate_day.yaml"] + EXPECTED["from_after_to.yaml"]
    )


def test_a_missing_path_is_reported() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_paths([BROKEN / "nope.yaml"], base=ROOT)

    assert str(caught.value) == f"{B}/nope.yaml: no such file or directory"


VALID = """\
year: 2030
source: test
verified: true
holidays:
  - {date: 2030-01-01, name: {vi: Tết Dương lịch, en: New Year's Day}}
working_days: [2030-01-05]
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("2030-01-01,", "2030-01-01, to: 2030-01-02,",
         "x.yaml:5 holidays[0]: give either date (one day) or from and to (a range), not both"),
        ("{date: 2030-01-01,", "{to: 2030-01-01,",
         "x.yaml:5 holidays[0].from: missing required key 'from' (a range needs from and to)"),
        ("verified: true", "verified: 1",
         "x.yaml:3 verified: expected true or false, got 1"),
        ("year: 2030", "year: 0",
         "x.yaml:1 year: must be at least 1, got 0"),
        ("[2030-01-05]", "[2030-01-01]",
         "x.yaml:6 working_days[0]: 2030-01-01 is a Tuesday, a working day anyway;"
         " list only the Saturdays and Sundays that are worked"),
        ("[2030-01-05]", "[2030-01-05, 2030-02]",
         "x.yaml:6 working_days[1]: expected a date like 2025-12-31, got '2030-02'"),
        ("en: New Year's Day", "en: ''",
         "x.yaml:5 holidays[0].name.en: must not be empty"),
    ],
)
def test_each_mistake_in_a_text_is_named(old: str, new: str, expected: str) -> None:
    assert old in VALID
    with pytest.raises(DefinitionErrors) as caught:
        load_calendar_text(VALID.replace(old, new), "x.yaml")

    assert str(caught.value) == expected


def test_the_valid_text_loads() -> None:
    year = load_calendar_text(VALID, "x.yaml")

    assert (year.year, year.verified, year.source_path) == (2030, True, "x.yaml")
    assert [h.day.isoformat() for h in year.holidays] == ["2030-01-01"]
    assert [d.isoformat() for d in year.working_days] == ["2030-01-05"]
