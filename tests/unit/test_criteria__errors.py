"""Broken criteria tables are refused with every problem, each at its file, line and path."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from workflow.definitions.criteria_loader import (
    criteria_to_dict,
    dump_criteria_yaml,
    load_criteria_paths,
    load_criteria_text,
)
from workflow.domain.criteria import Adjustment, CriteriaTable
from workflow.domain.labels import Label
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken_criteria"
B = "tests/data/broken_criteria"
D = Decimal

EXPECTED: dict[str, list[str]] = {
    "group_sum.yaml": [
        f"{B}/group_sum.yaml:23 groups[1].max_points: group 'results' has max_points 12"
        " but its criteria add up to 11",
    ],
    "scale_sum.yaml": [
        f"{B}/scale_sum.yaml:3 scale: the groups add up to 20 but scale is 25",
    ],
    "unknown_key.yaml": [
        f"{B}/unknown_key.yaml:20 groups[0].criteria[0].evidance: unknown key 'evidance'"
        " (did you mean 'evidence'?)",
    ],
    "unknown_rule.yaml": [
        f"{B}/unknown_rule.yaml:49 adjustments[1].rule: unknown rule 'late_reprot'"
        " (did you mean 'late_report'?)",
    ],
    "no_zero_level.yaml": [
        f"{B}/no_zero_level.yaml:16 groups[0].criteria[0].levels: needs a level worth 0 points"
        " (for a criterion not met)",
    ],
    "duplicate_criterion.yaml": [
        f"{B}/duplicate_criterion.yaml:32 groups[1].criteria[1].code: criterion 'plan' is"
        " already defined at groups[0].criteria[0] (line 12)",
    ],
    "bad_tie_break.yaml": [
        f"{B}/bad_tie_break.yaml:6 tie_break[0]: 'result' is neither a group code nor"
        " 'penalties' (did you mean 'results'?)",
    ],
    "syntax_error.yaml": [
        f"{B}/syntax_error.yaml:3: invalid YAML: expected ',' or '}}', but got ':'"
        " (while parsing a flow mapping that starts at line 2)",
    ],
    "bad_values.yaml": [
        f"{B}/bad_values.yaml:4 appeal_days: must be at least 0, got -1",
        f"{B}/bad_values.yaml:5 gap_threshold: must be more than 0 and at most 1, got 1.5",
        f"{B}/bad_values.yaml:27 groups[1].criteria[0].max_points: points have at most"
        " 2 decimal places, got 6.555",
        f"{B}/bad_values.yaml:46 adjustments[1].kind: expected bonus or penalty, got 'malus'",
    ],
    "several_errors.yaml": [
        f"{B}/several_errors.yaml:18 groups[0].criteria[0].levels[1].points: a level worth"
        " 8 points is already defined at groups[0].criteria[0].levels[0] (line 17)",
        f"{B}/several_errors.yaml:32 groups[1].criteria[1].formula: a quantitative criterion"
        " needs a formula (ratio or threshold)",
        f"{B}/several_errors.yaml:37 groups[1].criteria[1].levels: a quantitative criterion"
        " takes no levels; its points come from its formula",
        f"{B}/several_errors.yaml:42 adjustments[0].rule: rule 'late_pledge' counts missed"
        " duties; its adjustment must be a penalty",
        f"{B}/several_errors.yaml:49 adjustments[1].max_points: max_points 0.5 is below"
        " points 1; the cap must allow at least one occurrence",
    ],
    # a folder: two files define the same table
    "duplicate_code": [
        f"{B}/duplicate_code/second.yaml:1 code: criteria table 'mini' is already defined in"
        f" {B}/duplicate_code/first.yaml",
    ],
}


def _messages(path: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_paths([path], base=ROOT)
    return [str(e) for e in caught.value.errors]


def test_every_broken_file_has_expected_messages() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir() or p.suffix == ".yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_a_broken_table_is_refused_with_exact_messages(name: str, expected: list[str]) -> None:
    assert _messages(BROKEN / name) == expected


def test_the_exception_text_lists_every_error_one_per_line() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_paths([BROKEN / "several_errors.yaml"], base=ROOT)

    assert str(caught.value).splitlines() == EXPECTED["several_errors.yaml"]


def test_errors_of_every_file_are_reported_together() -> None:
    paths = [BROKEN / "scale_sum.yaml", BROKEN / "group_sum.yaml"]

    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_paths(paths, base=ROOT)

    assert [str(e) for e in caught.value.errors] == (
        EXPECTED["group_sum.yaml"] + EXPECTED["scale_sum.yaml"]
    )


def test_a_missing_path_is_reported() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_paths([BROKEN / "nope.yaml"], base=ROOT)

    assert str(caught.value) == f"{B}/nope.yaml: no such file or directory"


VALID = """\
code: mini
title: {vi: Bảng mini, en: Mini table}
scale: 20
appeal_days: 5
gap_threshold: 0.2
tie_break: [results, penalties]
groups:
  - code: movement
    title: {vi: Phong trào, en: Movement}
    max_points: 8
    criteria:
      - code: plan
        title: {vi: Kế hoạch, en: Plan}
        max_points: 8
        kind: qualitative
        levels:
          - {points: 8, label: {vi: Tốt, en: Good}}
          - {points: 4, label: {vi: Đạt, en: Fair}}
          - {points: 0, label: {vi: Không, en: None}}
        evidence: [plan]
  - code: results
    title: {vi: Kết quả, en: Results}
    max_points: 12
    criteria:
      - code: targets_met
        title: {vi: Hoàn thành chỉ tiêu, en: Targets met}
        max_points: 7
        kind: quantitative
        target_required: true
        unit: "%"
        formula: ratio
      - code: complaints
        title: {vi: Giải quyết đơn thư, en: Complaints resolved}
        max_points: 5
        kind: quantitative
        target_required: true
        formula: threshold
adjustments:
  - code: initiative
    title: {vi: Sáng kiến, en: Initiative}
    kind: bonus
    points: 1
    max_points: 3
  - code: late_report
    title: {vi: Báo cáo chậm, en: Late report}
    kind: penalty
    points: 1
    max_points: 5
    rule: late_report
"""


def test_the_valid_sample_loads() -> None:
    table = load_criteria_text(VALID, "mini.yaml")

    assert table.source_path == "mini.yaml"
    assert [c.code for c in table.criteria] == ["plan", "targets_met", "complaints"]
    assert table.criterion("complaints").group == "results"
    assert table.automatic("late_report") == (table.adjustment("late_report"),)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("scale: 20\n", "",
         "x.yaml:1 scale: missing required key 'scale'"),
        ("scale: 20", "scale: '20'",
         "x.yaml:3 scale: expected a number, got '20'"),
        ("scale: 20", "scale: .inf",
         "x.yaml:3 scale: expected a finite number, got inf"),
        ("max_points: 8\n    criteria", "max_points: 0\n    criteria",
         "x.yaml:10 groups[0].max_points: must be more than 0, got 0"),
        ("{points: 0, label: {vi: Không", "{points: -1, label: {vi: Không",
         "x.yaml:19 groups[0].criteria[0].levels[2].points: must be at least 0, got -1"),
        ("kind: quantitative\n        target_required: true\n        unit",
         "kind: quantitive\n        target_required: true\n        unit",
         "x.yaml:28 groups[1].criteria[0].kind: expected quantitative or qualitative,"
         " got 'quantitive' (did you mean 'quantitative'?)"),
        ("{points: 8, label: {vi: Tốt", "{points: 7, label: {vi: Tốt",
         "x.yaml:16 groups[0].criteria[0].levels: the top level gives 7 points but"
         " max_points is 8"),
        ("          - {points: 4, label: {vi: Đạt, en: Fair}}\n"
         "          - {points: 0, label: {vi: Không, en: None}}\n", "",
         "x.yaml:16 groups[0].criteria[0].levels: a qualitative criterion needs at least"
         " 2 anchored levels, got 1\n"
         "x.yaml:16 groups[0].criteria[0].levels: needs a level worth 0 points"
         " (for a criterion not met)"),
        ("kind: qualitative", "kind: qualitative\n        target_required: true",
         "x.yaml:16 groups[0].criteria[0].target_required: target_required only applies to"
         " quantitative criteria"),
        ("kind: qualitative", "kind: qualitative\n        unit: '%'",
         "x.yaml:16 groups[0].criteria[0].unit: unit only applies to quantitative criteria"),
        ("rule: late_report", "rule: overdue",
         "x.yaml:49 adjustments[1].rule: unknown rule 'overdue' (known rules: late_pledge,"
         " late_report, late_score_sheet, missing_report)"),
        ("  - code: movement", "  - code: results",
         "x.yaml:21 groups[1].code: group 'results' is already defined at groups[0]"
         " (line 8)"),
        ("  - code: late_report", "  - code: initiative",
         "x.yaml:44 adjustments[1].code: adjustment 'initiative' is already defined at"
         " adjustments[0] (line 39)"),
        ("tie_break: [results, penalties]", "tie_break: [scores]",
         "x.yaml:6 tie_break[0]: 'scores' is neither a group code nor 'penalties'"
         " (choose from movement, results, penalties)"),
        ("tie_break: [results, penalties]", "tie_break: [results, results]",
         "x.yaml:6 tie_break[1]: 'results' is listed twice"),
        ("evidence: [plan]", "evidence: [plan, plan]",
         "x.yaml:20 groups[0].criteria[0].evidence[1]: 'plan' is listed twice"),
        ("gap_threshold: 0.2", "gap_threshold: 0",
         "x.yaml:5 gap_threshold: must be more than 0 and at most 1, got 0"),
        ("code: mini", "code: mini\nversion: 0",
         "x.yaml:2 version: must be at least 1, got 0"),
        ("groups:\n", "groups: []\nold_groups:\n",
         "x.yaml:7 groups: must list at least one group\n"
         "x.yaml:8 old_groups: unknown key 'old_groups' (did you mean 'groups'?)"),
    ],
)
def test_a_small_mistake_gives_precise_messages(old: str, new: str, expected: str) -> None:
    assert old in VALID
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_text(VALID.replace(old, new, 1), "x.yaml")

    assert str(caught.value) == expected


# --- round trip ---------------------------------------------------------------------------

SHIPPED = load_criteria_paths([ROOT / "definitions" / "criteria"], base=ROOT)


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_a_shipped_table_survives_dump_and_load(code: str) -> None:
    table = SHIPPED[code]

    text = yaml.safe_dump(criteria_to_dict(table), allow_unicode=True, sort_keys=False)
    again = load_criteria_text(text, table.source_path)

    assert again == table


def test_the_dump_is_readable_yaml_with_plain_numbers() -> None:
    table = SHIPPED["khoi_noi_chinh"]
    text = dump_criteria_yaml(table)

    data = yaml.safe_load(text)
    assert data["scale"] == 100
    assert data["gap_threshold"] == 0.2
    assert "\\u" not in text  # Vietnamese titles are written as they are
    assert "Decimal" not in text


def test_every_optional_field_survives_dump_and_load() -> None:
    table = load_criteria_text(VALID, "mini.yaml")
    extra = Adjustment("finding", Label("Sai phạm", "Finding"), "penalty", D("0.25"), D("0.75"))
    table = replace(table, version=3, adjustments=(*table.adjustments, extra))

    again = load_criteria_text(dump_criteria_yaml(table), "mini.yaml")

    assert again == table
    assert again.adjustment("finding").points == D("0.25")


def test_a_table_without_optional_parts_dumps_without_them() -> None:
    table = load_criteria_text(VALID, "mini.yaml")
    bare = replace(table, tie_break=(), adjustments=())

    data = criteria_to_dict(bare)

    assert "tie_break" not in data
    assert "adjustments" not in data
    assert "version" not in data
    assert load_criteria_text(dump_criteria_yaml(bare), "mini.yaml") == bare


def test_numbers_are_exact_decimals_after_loading() -> None:
    text = VALID.replace("gap_threshold: 0.2", "gap_threshold: 0.15")

    table: CriteriaTable = load_criteria_text(text, "x.yaml")

    assert table.gap_threshold == D("0.15")
    assert str(table.gap_threshold) == "0.15"

