"""Criteria tables (bảng tiêu chí, thang điểm): what a member unit is scored on each year.

A table holds groups of criteria with maximum points, and adjustments: bonus points (điểm
thưởng) and penalty points (điểm trừ), each capped. Quantitative criteria are scored by a
formula against the target the unit registered in its pledge; qualitative criteria by anchored
levels, so that "good" means the same to every scorer. Points are `Decimal`, never float.

Tables are data (definitions/criteria/*.yaml), loaded by `workflow.definitions.criteria_loader`;
the scoring rules live in `workflow.domain.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from workflow.domain.labels import Label

CriterionKind = Literal["quantitative", "qualitative"]
Formula = Literal["ratio", "threshold"]
AdjustmentKind = Literal["bonus", "penalty"]

CRITERION_KINDS: tuple[CriterionKind, ...] = ("quantitative", "qualitative")
FORMULAS: tuple[Formula, ...] = ("ratio", "threshold")
ADJUSTMENT_KINDS: tuple[AdjustmentKind, ...] = ("bonus", "penalty")
PENALTIES = "penalties"  # the tie-break entry meaning "fewer penalty points first"

# Events the system counts by itself; each occurrence costs a penalty's points.
AUTOMATIC_RULES = frozenset({"late_report", "missing_report", "late_pledge", "late_score_sheet"})


@dataclass(frozen=True, slots=True)
class Level:
    """An anchored level of a qualitative criterion, e.g. 10 = "Hoàn thành xuất sắc"."""

    points: Decimal
    label: Label


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far a professional department's figure may differ from the unit's own before the
    score sheet flags it: an absolute amount in the criterion's unit, or a percentage of the
    department's figure."""

    amount: Decimal
    percent: bool = False

    def allows(self, department: Decimal, reported: Decimal) -> bool:
        """Whether the unit's figure is within the tolerance of the department's."""
        room = abs(department) * self.amount / 100 if self.percent else self.amount
        return abs(department - reported) <= room


EXACT = Tolerance(Decimal(0))  # no tolerance set: any difference is flagged


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    title: Label
    group: str  # the code of its group
    max_points: Decimal
    kind: CriterionKind
    target_required: bool = False  # the unit registers a target in its pledge
    unit: str | None = None  # of the target and the result, e.g. "%"
    formula: Formula | None = None  # quantitative only
    higher_is_better: bool = True
    levels: tuple[Level, ...] = ()  # qualitative only
    evidence: tuple[str, ...] = ()  # document kinds required for a positive score
    tolerance: Tolerance | None = None  # against a department's figure (quantitative only)

    @property
    def by_result(self) -> bool:
        """Scored from a result against the pledged target (the unit reports a figure)."""
        return self.kind == "quantitative" and self.target_required

    @property
    def level_points(self) -> tuple[Decimal, ...]:
        return tuple(level.points for level in self.levels)


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    title: Label
    max_points: Decimal
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Bonus or penalty points per occurrence, at most `max_points` in a year.

    `rule` names an automatic rule from AUTOMATIC_RULES; None means the leader enters the
    occurrences by hand.
    """

    code: str
    title: Label
    kind: AdjustmentKind
    points: Decimal
    max_points: Decimal
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class CriteriaTable:
    code: str
    title: Label
    scale: Decimal  # the groups add up to it, e.g. 100
    groups: tuple[Group, ...]
    adjustments: tuple[Adjustment, ...]
    appeal_days: int  # days to dispute a verified score
    gap_threshold: Decimal  # share of a criterion's max; larger self/inspection gaps are flagged
    tie_break: tuple[str, ...]  # group codes and/or "penalties", applied in order
    version: int | None = None
    source_path: str = ""

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def group(self, code: str) -> Group:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def targets_required(self) -> tuple[Criterion, ...]:
        """The criteria a unit must register a target for in its pledge."""
        return tuple(c for c in self.criteria if c.target_required)

    def adjustment(self, code: str) -> Adjustment:
        for a in self.adjustments:
            if a.code == code:
                return a
        raise KeyError(code)

    def automatic(self, rule: str) -> tuple[Adjustment, ...]:
        """The adjustments counted by an automatic rule; KeyError for an unknown rule."""
        if rule not in AUTOMATIC_RULES:
            raise KeyError(rule)
        return tuple(a for a in self.adjustments if a.rule == rule)
