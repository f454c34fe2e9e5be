"""Department figures (số liệu của cơ quan chuyên môn) against what units report, and the
pace of a pledged target at mid-year: pure rules over Decimals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workflow.domain.criteria import EXACT, Criterion


@dataclass(frozen=True, slots=True)
class Comparison:
    """A criterion of one unit's sheet: its own result and the department's figure."""

    criterion: str
    reported: Decimal | None  # the unit's own result (achieved)
    department: Decimal | None
    differs: bool  # beyond the criterion's tolerance
    kept_reason: str = ""  # the leader's reason for keeping the unit's own result


def differs(criterion: Criterion, department: Decimal | None, reported: Decimal | None) -> bool:
    """Whether the unit's result and the department's figure differ beyond the tolerance (no
    tolerance set: any difference); nothing to compare when either is missing."""
    if department is None or reported is None:
        return False
    return not (criterion.tolerance or EXACT).allows(department, reported)


def compare(criterion: Criterion, department: Decimal | None, reported: Decimal | None,
            kept_reason: str = "") -> Comparison:
    return Comparison(criterion.code, reported, department,
                      differs(criterion, department, reported), kept_reason)


# --- the pace of a pledged target at mid-year ---------------------------------------------


def expected_by_now(target: Decimal, elapsed: Decimal, higher_is_better: bool = True
                    ) -> Decimal:
    """What the unit should have reached by now on the year's pace: target × the elapsed
    fraction of the year for a figure that grows (a count, a share done); the target itself
    for one that should stay low (days of processing: lower is better)."""
    return target * elapsed if higher_is_better else target


def behind_pace(target: Decimal, reported: Decimal, elapsed: Decimal,
                higher_is_better: bool = True) -> bool:
    """Reported < target × elapsed fraction (higher is better), or reported > target (lower is
    better)."""
    expected = expected_by_now(target, elapsed, higher_is_better)
    return reported < expected if higher_is_better else reported > expected
