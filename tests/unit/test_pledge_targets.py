"""The pledge's targets as its page shows them: every field checked, so that one wrong target
is named beside its field and the others are kept as typed."""

from __future__ import annotations

from pathlib import Path

from workflow.definitions.criteria_loader import load_criteria_paths
from workflow.services.pledges import target_comments, target_problems, target_rows, typed_targets

ROOT = Path(__file__).resolve().parents[2]
TABLE = load_criteria_paths([ROOT / "definitions" / "criteria"], base=ROOT)["khoi_noi_chinh"]
CODES = [c.code for c in TABLE.targets_required()]


def test_a_decimal_comma_is_read_as_a_point_and_empty_fields_are_left_out() -> None:
    form = {f"target:{CODES[0]}": " 80,5 ", f"target:{CODES[1]}": "", "comment": "x"}
    assert typed_targets(form) == {CODES[0]: "80.5"}


def test_every_wrong_target_is_named_and_the_right_ones_are_not() -> None:
    typed = {CODES[0]: "80", CODES[1]: "tám mươi", CODES[2]: "0"}
    problems = target_problems(TABLE, typed)
    assert sorted(problems) == sorted([CODES[1], CODES[2]])
    assert problems[CODES[1]].code == "not_a_number"
    assert problems[CODES[2]].code == "target_not_positive"


def test_the_rows_keep_the_typed_values_when_a_save_is_refused() -> None:
    typed = {CODES[0]: "80,5", CODES[1]: "tám mươi"}
    rows = target_rows(TABLE, "draft", {"targets": {CODES[0]: "70"}}, {CODES[0]: "65"}, typed,
                       target_problems(TABLE, {CODES[1]: "tám mươi"}))
    assert [r.criterion.code for r in rows] == CODES
    assert (rows[0].value, rows[0].last_year, rows[0].problem) == ("80,5", "65", None)
    assert rows[1].value == "tám mươi"
    assert rows[1].problem is not None


def test_the_leaders_comments_show_while_the_pledge_is_revised() -> None:
    data = {"targets": {CODES[0]: "70"}, "target_comments": {CODES[0]: "Nâng lên 95%"}}
    assert target_rows(TABLE, "returned", data, None)[0].comment == "Nâng lên 95%"
    assert target_rows(TABLE, "signed", data, None)[0].comment == ""


def test_comments_are_kept_for_the_tables_criteria_only() -> None:
    form = {f"target_comment:{CODES[0]}": " Nâng lên 95% ", "target_comment:khong_co": "x",
            f"target_comment:{CODES[1]}": "  "}
    assert target_comments(TABLE, form) == {CODES[0]: "Nâng lên 95%"}
