"""Pure scoring rules of a criteria table: formulas, self-score checks, caps, ranking, gaps.

Every amount is a `Decimal` rounded to 2 places half-up; wrong input raises InvalidInput with
a message naming the criterion or adjustment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from workflow.domain.criteria import PENALTIES, CriteriaTable, Criterion
from workflow.domain.refusals import Ref, Refusal
from workflow.errors import InvalidInput, suggest

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def show(value: Decimal) -> str:
    """Decimal("10.00") -> "10", Decimal("2.50") -> "2.5", without exponents."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantitative_points(criterion: Criterion, target: Decimal, achieved: Decimal) -> Decimal:
    """The points of a quantitative criterion for a unit's result against its target.

    ratio: max × achieved/target (max × target/achieved when lower is better), capped at max;
    threshold: max when the target is met, else 0.
    """
    name = f"criterion '{criterion.code}'"
    if criterion.kind != "quantitative" or criterion.formula is None:
        raise InvalidInput(f"{name} is not scored by a formula")
    if target <= 0:
        raise InvalidInput(f"{name}: the target must be more than 0, got {show(target)}")
    if achieved < 0:
        raise InvalidInput(f"{name}: the result must be at least 0, got {show(achieved)}")
    top = criterion.max_points
    if criterion.formula == "threshold":
        met = achieved >= target if criterion.higher_is_better else achieved <= target
        return round_points(top if met else ZERO)
    if criterion.higher_is_better:
        share = achieved / target
    else:
        share = target / achieved if achieved > 0 else Decimal(1)
    return round_points(min(top, top * share))


def check_self_score(criterion: Criterion, points: Decimal) -> None:
    """Refuse a score the criterion cannot give; qualitative scores must be a level's points."""
    name = f"criterion '{criterion.code}'"
    ref = Ref("criterion", criterion.code)
    if not points.is_finite() or points != round_points(points):
        raise InvalidInput(f"{name}: points have at most 2 decimal places, got {points}",
                           Refusal("points_decimals", {"criterion": ref, "points": points}))
    if points < 0:
        raise InvalidInput(f"{name}: points must be at least 0, got {show(points)}",
                           Refusal("points_negative", {"criterion": ref, "points": points}))
    if points > criterion.max_points:
        top = show(criterion.max_points)
        raise InvalidInput(f"{name}: points must be at most {top}, got {show(points)}",
                           Refusal("points_above_max", {"criterion": ref, "points": points,
                                                        "max": criterion.max_points}))
    if criterion.kind == "qualitative" and points not in criterion.level_points:
        levels = ", ".join(show(p) for p in criterion.level_points)
        raise InvalidInput(
            f"{name}: points must be one of the levels {levels}, got {show(points)}",
            Refusal("points_not_a_level", {"criterion": ref, "points": points,
                                           "levels": list(criterion.level_points)}))


def capped_adjustments(table: CriteriaTable, counts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Points of every adjustment of the table for the given occurrence counts, capped.

    Bonuses are positive, penalties negative; adjustments without a count give 0.
    """
    known = [a.code for a in table.adjustments]
    for code, count in counts.items():
        if code not in known:
            raise InvalidInput(f"unknown adjustment '{code}'{suggest(code, known)}")
        if count < 0:
            raise InvalidInput(f"adjustment '{code}': the count must be at least 0, got {count}")
    out: dict[str, Decimal] = {}
    for a in table.adjustments:
        value = round_points(min(a.max_points, a.points * counts.get(a.code, ZERO)))
        out[a.code] = value if a.kind == "bonus" else ZERO - value
    return out


def gap_flag(
    criterion: Criterion, self_points: Decimal, inspection_points: Decimal, threshold: Decimal
) -> bool:
    """Whether self-score and inspection differ by more than `threshold` × max points."""
    return abs(self_points - inspection_points) > threshold * criterion.max_points


# --- ranking ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankRow:
    """A unit's final result: its total, its total per group and its penalty points."""

    unit_id: int
    total: Decimal
    group_totals: Mapping[str, Decimal] = field(default_factory=dict)
    penalties: Decimal = ZERO  # points deducted; the sign is ignored


def tie_break_key(
    table: CriteriaTable,
    total: Decimal,
    group_totals: Mapping[str, Decimal],
    penalties: Decimal,
) -> tuple[Decimal, ...]:
    """A key that sorts the best unit first: total, then each entry of `table.tie_break`.

    A group code prefers the higher group total; "penalties" prefers fewer penalty points.
    """
    key = [-total]
    for entry in table.tie_break:
        if entry == PENALTIES:
            key.append(abs(penalties))
        else:
            key.append(-group_totals.get(entry, ZERO))
    return tuple(key)


def rank(table: CriteriaTable, rows: Iterable[RankRow]) -> list[tuple[int, int]]:
    """(unit_id, rank) best first; units equal on every key share a rank: 1, 2, 2, 4."""
    keyed = sorted(
        (tie_break_key(table, r.total, r.group_totals, r.penalties), r.unit_id) for r in rows
    )
    out: list[tuple[int, int]] = []
    for position, (key, unit_id) in enumerate(keyed, start=1):
        if out and keyed[position - 2][0] == key:
            out.append((unit_id, out[-1][1]))
        else:
            out.append((unit_id, position))
    return out
