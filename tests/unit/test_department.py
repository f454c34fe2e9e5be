"""Department figures against the units' own results (tolerance, absolute or percent) and the
mid-year pace of a pledged target: the pure rules, and the criteria file's tolerance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflow.definitions.criteria_loader import dump_criteria_yaml, load_criteria_text
from workflow.domain.criteria import Criterion, Tolerance
from workflow.domain.department import behind_pace, compare, differs, expected_by_now
from workflow.domain.labels import Label
from workflow.errors import DefinitionErrors

D = Decimal


def _criterion(tolerance: Tolerance | None) -> Criterion:
    return Criterion("ty_le", Label("Tỷ lệ", "Share"), "g", D(10), "quantitative",
                     target_required=True, unit="%", formula="ratio", tolerance=tolerance)


def test_without_a_tolerance_any_difference_is_flagged() -> None:
    assert differs(_criterion(None), D("90"), D("90.01"))
    assert not differs(_criterion(None), D("90"), D("90"))


def test_an_absolute_tolerance_is_in_the_criterions_unit() -> None:
    half = _criterion(Tolerance(D("0.5")))
    assert not differs(half, D("90"), D("90.5"))
    assert differs(half, D("90"), D("90.51"))


def test_a_percent_tolerance_is_a_share_of_the_departments_figure() -> None:
    five = _criterion(Tolerance(D(5), percent=True))
    assert not differs(five, D("80"), D("84"))  # 4 is 5% of 80
    assert differs(five, D("80"), D("84.01"))
    assert differs(five, D("80"), D("75.99"))


def test_nothing_is_flagged_without_both_figures() -> None:
    assert not differs(_criterion(None), None, D(1))
    assert not compare(_criterion(None), D(1), None).differs


def test_behind_the_pace_at_mid_year() -> None:
    half = D("0.5")
    assert expected_by_now(D(100), half) == D(50)
    assert behind_pace(D(100), D("49.99"), half)
    assert not behind_pace(D(100), D(50), half)
    # lower is better (days to process a dossier): behind when above the target itself
    assert expected_by_now(D(10), half, higher_is_better=False) == D(10)
    assert behind_pace(D(10), D(11), half, higher_is_better=False)
    assert not behind_pace(D(10), D(9), half, higher_is_better=False)


TABLE = """\
code: t
title: {vi: Bảng, en: Table}
scale: 10
appeal_days: 5
gap_threshold: 0.2
groups:
  - code: g
    title: {vi: Nhóm, en: Group}
    max_points: 10
    criteria:
      - code: ty_le
        title: {vi: Tỷ lệ, en: Share}
        max_points: 10
        kind: quantitative
        target_required: true
        unit: "%"
        formula: ratio
        tolerance: TOLERANCE
"""


def test_a_tolerance_is_read_and_written_back() -> None:
    table = load_criteria_text(TABLE.replace("TOLERANCE", "{percent: 5}"), "t.yaml")
    assert table.criterion("ty_le").tolerance == Tolerance(D(5), percent=True)
    again = load_criteria_text(dump_criteria_yaml(table), "t.yaml")
    assert again.criterion("ty_le").tolerance == Tolerance(D(5), percent=True)
    assert load_criteria_text(TABLE.replace("TOLERANCE", "{absolute: 0.5}"), "t.yaml") \
        .criterion("ty_le").tolerance == Tolerance(D("0.5"))


@pytest.mark.parametrize(("written", "message"), [
    ("{percent: 5, absolute: 1}", "tolerance: give either absolute or percent"),
    ("{}", "tolerance: give either absolute or percent"),
    ("{percent: 120}", "tolerance.percent: percent must be at most 100"),
    ("{absolute: -1}", "tolerance.absolute: must be at least 0, got -1"),
    ("{absolute: 0.001}", "a tolerance has at most 2 decimal places, got 0.001"),
    ("5", "tolerance: expected a mapping, got 5"),
])
def test_a_wrong_tolerance_is_named_with_its_line(written: str, message: str) -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_text(TABLE.replace("TOLERANCE", written), "t.yaml")
    assert "t.yaml:18 groups[0].criteria[0]." in str(caught.value)
    assert message in str(caught.value)


def test_a_tolerance_needs_a_criterion_scored_from_a_result() -> None:
    text = TABLE.replace("        target_required: true\n", "").replace(
        "TOLERANCE", "{absolute: 1}")
    with pytest.raises(DefinitionErrors) as caught:
        load_criteria_text(text, "t.yaml")
    assert "tolerance only applies to a criterion scored from a reported result" in \
        str(caught.value)


def test_a_department_holds_its_criteria_for_its_cluster_and_year_only() -> None:
    from workflow.domain.roles import Actor, RoleGrant
    from workflow.services.rules.department import granted_criteria

    actor = Actor(1, "cuc_thong_ke", (
        RoleGrant("department", cluster_id=7, year=2025, criteria=("ty_le", "so_ngay")),
        RoleGrant("unit_officer", unit_id=3, year=2025),
    ))

    assert granted_criteria(actor, 7, 2025) == {"ty_le", "so_ngay"}
    assert granted_criteria(actor, 7, 2026) == set()
    assert granted_criteria(actor, 8, 2025) == set()
