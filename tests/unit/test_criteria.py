"""The shipped criteria table adds up, and the scoring rules give exact Decimal points."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workflow.definitions.criteria_loader import load_criteria_paths
from workflow.domain.criteria import AUTOMATIC_RULES, CriteriaTable, Criterion, Formula, Level
from workflow.domain.labels import Label
from workflow.domain.scoring import (
    RankRow,
    capped_adjustments,
    check_self_score,
    gap_flag,
    quantitative_points,
    rank,
    tie_break_key,
)
from workflow.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
TABLES = load_criteria_paths([ROOT / "definitions" / "criteria"], base=ROOT)
TABLE = TABLES["khoi_noi_chinh"]
D = Decimal
L = Label("x", "x")


def _quantitative(formula: Formula = "ratio", higher: bool = True, top: str = "10") -> Criterion:
    return Criterion("rate", L, "g", D(top), "quantitative", True, "%", formula, higher)


QUALITATIVE = Criterion(
    "rating", L, "g", D(10), "qualitative",
    levels=tuple(Level(D(p), L) for p in ("10", "7", "4", "0")),
)


# --- the shipped table --------------------------------------------------------------------


def test_the_shipped_tables_remember_their_files() -> None:
    assert sorted(TABLES) == ["bhxh_tinh", "khoi_noi_chinh"]
    assert TABLE.source_path == "definitions/criteria/khoi-noi-chinh.yaml"
    assert TABLE.version == 1
    assert TABLES["bhxh_tinh"].source_path == "definitions/criteria/bhxh-tinh.yaml"


def test_the_social_security_table_adds_up_to_100_and_asks_its_own_targets() -> None:
    bhxh = TABLES["bhxh_tinh"]
    assert sum(g.max_points for g in bhxh.groups) == D(100)
    for group in bhxh.groups:
        assert sum(c.max_points for c in group.criteria) == group.max_points, group.code
    asked = {c.code for c in bhxh.targets_required()}
    assert "ty_le_thu" in asked
    assert not asked & {c.code for c in TABLE.targets_required()}


def test_the_shipped_table_adds_up_to_100() -> None:
    assert TABLE.scale == D(100)
    assert sum(g.max_points for g in TABLE.groups) == D(100)
    assert sum(c.max_points for c in TABLE.criteria) == D(100)
    for group in TABLE.groups:
        assert sum(c.max_points for c in group.criteria) == group.max_points, group.code
    assert 4 <= len(TABLE.groups) <= 5
    assert 14 <= len(TABLE.criteria) <= 20


def test_every_number_is_a_decimal_never_a_float() -> None:
    numbers = [TABLE.scale, TABLE.gap_threshold]
    numbers += [n for c in TABLE.criteria for n in (c.max_points, *c.level_points)]
    numbers += [n for a in TABLE.adjustments for n in (a.points, a.max_points)]
    assert all(type(n) is Decimal for n in numbers)


def test_qualitative_criteria_are_anchored_and_quantitative_ones_have_formulas() -> None:
    for c in TABLE.criteria:
        assert c.group in {g.code for g in TABLE.groups}
        if c.kind == "qualitative":
            assert max(c.level_points) == c.max_points, c.code
            assert D(0) in c.level_points, c.code
            assert len(set(c.level_points)) == len(c.levels) >= 2, c.code
        else:
            assert c.formula in ("ratio", "threshold"), c.code
            assert not c.levels, c.code
    assert all(c.kind == "quantitative" for c in TABLE.targets_required())
    assert TABLE.criterion("thoi_gian_giai_quyet_tthc").higher_is_better is False


def test_the_shipped_rules_penalise_late_and_missing_work() -> None:
    (late,) = TABLE.automatic("late_report")
    (missing,) = TABLE.automatic("missing_report")
    (pledge,) = TABLE.automatic("late_pledge")
    assert (late.kind, late.points, late.max_points) == ("penalty", D(1), D(5))
    assert (missing.points, missing.max_points) == (D(3), D(9))
    assert pledge.points == D(2)
    assert {a.rule for a in TABLE.adjustments} - {None} <= AUTOMATIC_RULES
    bonuses = [a for a in TABLE.adjustments if a.kind == "bonus"]
    assert sum(a.max_points for a in bonuses) == D(5)
    assert (TABLE.appeal_days, TABLE.gap_threshold) == (5, D("0.2"))
    assert TABLE.tie_break == ("nhiem_vu_chinh_tri", "penalties")


def test_lookups_raise_key_error_for_unknown_codes() -> None:
    assert TABLE.criterion("ky_giao_uoc").group == "to_chuc_phong_trao"
    assert TABLE.adjustment("sang_kien").kind == "bonus"
    with pytest.raises(KeyError):
        TABLE.criterion("nope")
    with pytest.raises(KeyError):
        TABLE.adjustment("nope")
    with pytest.raises(KeyError):
        TABLE.automatic("late_reprot")


# --- quantitative criteria ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "higher", "target", "achieved", "expected"),
    [
        ("ratio", True, "90", "81", "9"),  # 10 × 81/90
        ("ratio", True, "90", "99", "10"),  # above the target: capped at max
        ("ratio", True, "3", "1", "3.33"),  # 3.333… rounded
        ("ratio", True, "8", "1.05", "1.31"),  # 1.3125 → 1.31
        ("ratio", True, "8", "1", "1.25"),
        ("ratio", True, "16", "1", "0.63"),  # 0.625: half-up, not half-even
        ("ratio", True, "90", "0", "0"),
        ("ratio", False, "10", "16", "6.25"),  # lower is better: 10 × 10/16
        ("ratio", False, "10", "8", "10"),  # better than the target: capped
        ("ratio", False, "10", "0", "10"),  # nothing at all is the best result
        ("threshold", True, "95", "95", "10"),
        ("threshold", True, "95", "94.9", "0"),
        ("threshold", False, "5", "5", "10"),
        ("threshold", False, "5", "6", "0"),
    ],
)
def test_quantitative_points(
    formula: Formula, higher: bool, target: str, achieved: str, expected: str
) -> None:
    points = quantitative_points(_quantitative(formula, higher), D(target), D(achieved))

    assert points == D(expected)
    assert points.as_tuple().exponent == -2  # always to the hundredth


def test_a_fractional_maximum_is_rounded_half_up() -> None:
    criterion = _quantitative(top="2.5")

    assert quantitative_points(criterion, D(3), D(1)) == D("0.83")  # 0.8333…
    assert quantitative_points(criterion, D(4), D(1)) == D("0.63")  # 0.625


@pytest.mark.parametrize(
    ("target", "achieved", "message"),
    [
        ("0", "5", "criterion 'rate': the target must be more than 0, got 0"),
        ("-1", "5", "criterion 'rate': the target must be more than 0, got -1"),
        ("5", "-1", "criterion 'rate': the result must be at least 0, got -1"),
    ],
)
def test_bad_targets_and_results_are_refused(target: str, achieved: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        quantitative_points(_quantitative(), D(target), D(achieved))

    assert str(caught.value) == message


def test_a_qualitative_criterion_has_no_formula() -> None:
    with pytest.raises(InvalidInput, match="criterion 'rating' is not scored by a formula"):
        quantitative_points(QUALITATIVE, D(1), D(1))


def test_the_shipped_formulas_score_a_unit() -> None:
    disbursed = TABLE.criterion("giai_ngan_dau_tu_cong")  # 7 points, ratio
    days = TABLE.criterion("thoi_gian_giai_quyet_tthc")  # 4 points, lower is better

    assert quantitative_points(disbursed, D(95), D("85.5")) == D("6.30")
    assert quantitative_points(days, D(10), D(12)) == D("3.33")


# --- self-scores --------------------------------------------------------------------------


@pytest.mark.parametrize("points", ["0", "4", "7", "10"])
def test_a_qualitative_self_score_at_a_level_is_accepted(points: str) -> None:
    check_self_score(QUALITATIVE, D(points))


def test_a_quantitative_self_score_may_be_anything_within_bounds() -> None:
    for points in ("0", "3.33", "10", "10.00"):
        check_self_score(_quantitative(), D(points))


@pytest.mark.parametrize(
    ("criterion", "points", "message"),
    [
        (QUALITATIVE, "5", "criterion 'rating': points must be one of the levels 10, 7, 4, 0,"
         " got 5"),
        (QUALITATIVE, "-1", "criterion 'rating': points must be at least 0, got -1"),
        (QUALITATIVE, "11", "criterion 'rating': points must be at most 10, got 11"),
        (_quantitative(), "10.5", "criterion 'rate': points must be at most 10, got 10.5"),
        (_quantitative(), "1.005", "criterion 'rate': points have at most 2 decimal places,"
         " got 1.005"),
    ],
)
def test_an_impossible_self_score_is_refused(
    criterion: Criterion, points: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_self_score(criterion, D(points))

    assert str(caught.value) == message


# --- adjustments and gaps -----------------------------------------------------------------


def test_adjustments_are_capped_and_penalties_are_negative() -> None:
    counts = {"bao_cao_cham": D(7), "khong_bao_cao": D(2), "sang_kien": D(2)}

    result = capped_adjustments(TABLE, counts)

    assert result["bao_cao_cham"] == D(-5)  # 7 × 1, capped at 5
    assert result["khong_bao_cao"] == D(-6)  # 2 × 3, under the cap of 9
    assert result["sang_kien"] == D(2)
    assert result["giao_uoc_cham"] == D(0)
    assert not result["giao_uoc_cham"].is_signed()  # 0, not -0
    assert list(result) == [a.code for a in TABLE.adjustments]


def test_a_cap_applies_to_a_single_occurrence_too() -> None:
    result = capped_adjustments(TABLE, {"khong_bao_cao": D(4), "mo_hinh_nhan_rong": D(9)})

    assert (result["khong_bao_cao"], result["mo_hinh_nhan_rong"]) == (D(-9), D(2))


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"bao_cao_chm": D(1)}, "unknown adjustment 'bao_cao_chm' (did you mean 'bao_cao_cham'?)"),
        ({"sang_kien": D(-1)}, "adjustment 'sang_kien': the count must be at least 0, got -1"),
    ],
)
def test_bad_adjustment_counts_are_refused(counts: dict[str, Decimal], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        capped_adjustments(TABLE, counts)

    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("self_points", "inspection", "flagged"),
    [("10", "8", False), ("10", "7.99", True), ("4", "7", True), ("7", "7", False)],
)
def test_gaps_beyond_the_threshold_are_flagged(
    self_points: str, inspection: str, flagged: bool
) -> None:
    assert gap_flag(QUALITATIVE, D(self_points), D(inspection), D("0.2")) is flagged


# --- ranking ------------------------------------------------------------------------------

MAIN = "nhiem_vu_chinh_tri"


def _row(unit: int, total: str, main: str = "30", penalties: str = "0") -> RankRow:
    return RankRow(unit, D(total), {MAIN: D(main), "to_chuc_phong_trao": D(10)}, D(penalties))


def test_units_are_ranked_by_total_first() -> None:
    rows = [_row(1, "80"), _row(2, "92.5"), _row(3, "85")]

    assert rank(TABLE, rows) == [(2, 1), (3, 2), (1, 3)]


def test_a_tie_is_broken_by_the_main_group_then_by_fewer_penalties() -> None:
    rows = [
        _row(1, "90", main="35", penalties="2"),
        _row(2, "90", main="38", penalties="4"),  # the main group decides first
        _row(3, "90", main="35", penalties="1"),  # then fewer penalty points
        _row(4, "95"),
    ]

    assert rank(TABLE, rows) == [(4, 1), (2, 2), (3, 3), (1, 4)]


def test_units_equal_on_every_key_share_a_rank() -> None:
    rows = [
        _row(5, "90", main="35", penalties="1"),
        _row(6, "95"),
        _row(7, "90", main="35", penalties="-1"),  # the sign of penalties is ignored
        _row(8, "70"),
    ]

    assert rank(TABLE, rows) == [(6, 1), (5, 2), (7, 2), (8, 4)]


def test_without_tie_break_equal_totals_share_a_rank() -> None:
    plain = CriteriaTable(
        "plain", L, D(100), TABLE.groups, (), 5, D("0.2"), tie_break=()
    )
    rows = [_row(1, "90", main="35"), _row(2, "90", main="38"), _row(3, "80")]

    assert rank(plain, rows) == [(1, 1), (2, 1), (3, 3)]
    assert rank(plain, []) == []


def test_the_tie_break_key_follows_the_table() -> None:
    key = tie_break_key(TABLE, D(90), {MAIN: D(35)}, D(3))

    assert key == (D(-90), D(-35), D(3))
    assert tie_break_key(TABLE, D(90), {}, D(0)) == (D(-90), D(0), D(0))
