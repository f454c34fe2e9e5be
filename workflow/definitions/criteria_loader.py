"""Load criteria tables from YAML, report every problem of a file at once, and dump them back.

    tables = load_criteria_paths(["definitions/criteria"], base=ROOT)

Errors read like those of workflow definitions, `<file>:<line> <path>: <message>`, e.g.
`definitions/criteria/x.yaml:12 groups[1].max_points: group 'nhiem_vu' has max_points 40 but
its criteria add up to 35`. The shape is checked with marshmallow (the field types of
workflow.definitions.schema), then the meaning (sums, levels, codes, references).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import marshmallow as ma
from marshmallow import types as ma_types

from workflow.definitions import yamlsrc
from workflow.definitions.files import CheckedMemo, checked_sources
from workflow.definitions.schema import (
    LABEL,
    REQUIRED,
    Bool,
    Choice,
    Int,
    LabelSchema,
    Name,
    Names,
    Nested,
    NestedList,
    Text,
    load_source,
)
from workflow.definitions.yamlsrc import Source, YamlPath, describe
from workflow.domain.criteria import (
    ADJUSTMENT_KINDS,
    AUTOMATIC_RULES,
    CRITERION_KINDS,
    FORMULAS,
    PENALTIES,
    Adjustment,
    CriteriaTable,
    Criterion,
    Group,
    Level,
    Tolerance,
)
from workflow.domain.labels import Label
from workflow.domain.scoring import show
from workflow.errors import DefinitionError, DefinitionErrors, suggest

PLACES = 2  # points are given to the hundredth at most

# --- fields -------------------------------------------------------------------------------


def to_decimal(value: Any) -> Decimal:
    """A YAML number as an exact Decimal (0.1 stays 0.1); anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ma.ValidationError(f"expected a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ma.ValidationError(f"expected a finite number, got {describe(value)}")
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


class _Number(ma.fields.Field[Decimal]):
    default_error_messages: ma_types.ErrorMessages = {
        "required": REQUIRED,
        "null": "has no value",
        "validator_failed": "invalid value",
    }


class Points(_Number):
    """Points: a number with at most 2 decimals, at least 0 (more than 0 with `positive`)."""

    def __init__(self, *, positive: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.positive = positive

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        number = to_decimal(value)
        if self.positive and number <= 0:
            raise ma.ValidationError(f"must be more than 0, got {describe(value)}")
        if number < 0:
            raise ma.ValidationError(f"must be at least 0, got {describe(value)}")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -PLACES:
            raise ma.ValidationError(
                f"points have at most {PLACES} decimal places, got {describe(value)}"
            )
        return number


class Share(_Number):
    """A share of a whole: more than 0 and at most 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        number = to_decimal(value)
        if not 0 < number <= 1:
            raise ma.ValidationError(f"must be more than 0 and at most 1, got {describe(value)}")
        return number


class Rule(ma.fields.Field[str]):
    """The name of an automatic rule."""

    default_error_messages: ma_types.ErrorMessages = _Number.default_error_messages

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if isinstance(value, str) and value in AUTOMATIC_RULES:
            return value
        rules = sorted(AUTOMATIC_RULES)
        if not isinstance(value, str):
            raise ma.ValidationError(f"expected a rule name, got {describe(value)}")
        hint = suggest(value, rules) or f" (known rules: {', '.join(rules)})"
        raise ma.ValidationError(f"unknown rule '{value}'{hint}")


class Amount(_Number):
    """An amount at least 0 with at most 2 decimals (a tolerance)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Decimal:
        number = to_decimal(value)
        if number < 0:
            raise ma.ValidationError(f"must be at least 0, got {describe(value)}")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -PLACES:
            raise ma.ValidationError(
                f"a tolerance has at most {PLACES} decimal places, got {describe(value)}")
        return number


# --- schemas ------------------------------------------------------------------------------


class ToleranceSchema(ma.Schema):
    """`tolerance: {absolute: 0.5}` (in the criterion's unit) or `{percent: 5}` (of the
    department's figure): one of the two."""

    absolute = Amount(load_default=None)
    percent = Amount(load_default=None)

    @ma.validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        given = [k for k in ("absolute", "percent") if data.get(k) is not None]
        if len(given) != 1:
            raise ma.ValidationError("give either absolute or percent (one of the two)")
        if data.get("percent") is not None and data["percent"] > 100:
            raise ma.ValidationError("percent must be at most 100", "percent")

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Tolerance:
        if data.get("percent") is not None:
            return Tolerance(data["percent"], percent=True)
        return Tolerance(data["absolute"])


class LevelSchema(ma.Schema):
    points = Points(required=True)
    label = Nested(LabelSchema, required=True, expected=LABEL)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Level:
        return Level(**data)


class CriterionSchema(ma.Schema):
    code = Name(required=True)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    max_points = Points(required=True, positive=True)
    kind = Choice(CRITERION_KINDS, required=True)
    target_required = Bool(load_default=False)
    unit = Text(load_default=None)
    formula = Choice(FORMULAS, load_default=None)
    higher_is_better = Bool(load_default=True)
    levels = NestedList(LevelSchema, load_default=())
    evidence = Names(load_default=())
    tolerance = Nested(ToleranceSchema, load_default=None, expected="a mapping")

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Criterion:
        return Criterion(group="", **data)  # the group schema fills in its code


class GroupSchema(ma.Schema):
    code = Name(required=True)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    max_points = Points(required=True, positive=True)
    criteria = NestedList(
        CriterionSchema, required=True, min_length=1, empty="must list at least one criterion"
    )

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Group:
        data["criteria"] = tuple(replace(c, group=data["code"]) for c in data["criteria"])
        return Group(**data)


class AdjustmentSchema(ma.Schema):
    code = Name(required=True)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    kind = Choice(ADJUSTMENT_KINDS, required=True)
    points = Points(required=True, positive=True)
    max_points = Points(required=True, positive=True)
    rule = Rule(load_default=None)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Adjustment:
        return Adjustment(**data)


class TableSchema(ma.Schema):
    code = Name(required=True)
    version = Int(minimum=1, load_default=None)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    scale = Points(required=True, positive=True)
    appeal_days = Int(required=True, minimum=0)
    gap_threshold = Share(required=True)
    tie_break = Names(load_default=())
    groups = NestedList(
        GroupSchema, required=True, min_length=1, empty="must list at least one group"
    )
    adjustments = NestedList(AdjustmentSchema, load_default=())

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CriteriaTable:
        return CriteriaTable(**data)


def build_table(src: Source) -> CriteriaTable:
    """Check the shape of a parsed file and build its table; raises DefinitionErrors."""
    table = load_source(TableSchema, src)
    assert isinstance(table, CriteriaTable)
    return table


# --- checks of meaning --------------------------------------------------------------------


def check_table(table: CriteriaTable, src: Source) -> list[DefinitionError]:
    """Every problem of meaning in one table: sums, duplicate codes, levels, references."""
    checks = (_sums, _duplicate_codes, _criteria, _adjustments, _tie_break)
    return [error for check in checks for error in check(table, src)]


def _sums(table: CriteriaTable, src: Source) -> Iterator[DefinitionError]:
    for i, group in enumerate(table.groups):
        total = sum((c.max_points for c in group.criteria), Decimal(0))
        if total != group.max_points:
            message = (
                f"group '{group.code}' has max_points {show(group.max_points)} but its "
                f"criteria add up to {show(total)}"
            )
            yield src.error(("groups", i, "max_points"), message)
    total = sum((g.max_points for g in table.groups), Decimal(0))
    if total != table.scale:
        message = f"the groups add up to {show(total)} but scale is {show(table.scale)}"
        yield src.error(("scale",), message)


def _duplicate_codes(table: CriteriaTable, src: Source) -> Iterator[DefinitionError]:
    groups = [(("groups", i), g.code) for i, g in enumerate(table.groups)]
    criteria = [
        (("groups", i, "criteria", j), c.code)
        for i, g in enumerate(table.groups)
        for j, c in enumerate(g.criteria)
    ]
    adjustments = [(("adjustments", k), a.code) for k, a in enumerate(table.adjustments)]
    for what, items in (("group", groups), ("criterion", criteria), ("adjustment", adjustments)):
        first: dict[str, YamlPath] = {}
        for path, code in items:
            if code in first:
                message = f"{what} '{code}' is already defined at {src.where(first[code])}"
                yield src.error((*path, "code"), message)
            else:
                first[code] = path


def _criteria(table: CriteriaTable, src: Source) -> Iterator[DefinitionError]:
    for i, group in enumerate(table.groups):
        for j, criterion in enumerate(group.criteria):
            base: YamlPath = ("groups", i, "criteria", j)
            if criterion.kind == "quantitative":
                yield from _quantitative(criterion, base, src)
            else:
                yield from _qualitative(criterion, base, src)


def _quantitative(criterion: Criterion, base: YamlPath, src: Source) -> Iterator[DefinitionError]:
    if criterion.formula is None:
        message = f"a quantitative criterion needs a formula ({' or '.join(FORMULAS)})"
        yield src.error((*base, "formula"), message)
    if criterion.levels:
        message = "a quantitative criterion takes no levels; its points come from its formula"
        yield src.error((*base, "levels"), message)
    if criterion.tolerance is not None and not criterion.target_required:
        message = ("tolerance only applies to a criterion scored from a reported result "
                   "(target_required: true)")
        yield src.error((*base, "tolerance"), message)


def _qualitative(criterion: Criterion, base: YamlPath, src: Source) -> Iterator[DefinitionError]:
    misplaced = {
        "target_required": criterion.target_required,
        "unit": criterion.unit is not None,
        "formula": criterion.formula is not None,
        "higher_is_better": not criterion.higher_is_better,
        "tolerance": criterion.tolerance is not None,
    }
    for key, present in misplaced.items():
        if present:
            yield src.error((*base, key), f"{key} only applies to quantitative criteria")
    yield from _levels(criterion, (*base, "levels"), src)


def _levels(criterion: Criterion, path: YamlPath, src: Source) -> Iterator[DefinitionError]:
    points = criterion.level_points
    if len(points) < 2:
        got = len(points) or "none"
        message = f"a qualitative criterion needs at least 2 anchored levels, got {got}"
        yield src.error(path, message)
    first: dict[Decimal, int] = {}
    for k, value in enumerate(points):
        if value in first:
            where = src.where((*path, first[value]))
            message = f"a level worth {show(value)} points is already defined at {where}"
            yield src.error((*path, k, "points"), message)
        first.setdefault(value, k)
    if points and max(points) != criterion.max_points:
        message = (
            f"the top level gives {show(max(points))} points but max_points is "
            f"{show(criterion.max_points)}"
        )
        yield src.error(path, message)
    if points and 0 not in points:
        yield src.error(path, "needs a level worth 0 points (for a criterion not met)")


def _adjustments(table: CriteriaTable, src: Source) -> Iterator[DefinitionError]:
    for k, a in enumerate(table.adjustments):
        base: YamlPath = ("adjustments", k)
        if a.max_points < a.points:
            message = (
                f"max_points {show(a.max_points)} is below points {show(a.points)}; "
                "the cap must allow at least one occurrence"
            )
            yield src.error((*base, "max_points"), message)
        if a.rule is not None and a.kind != "penalty":
            message = f"rule '{a.rule}' counts missed duties; its adjustment must be a penalty"
            yield src.error((*base, "rule"), message)


def _tie_break(table: CriteriaTable, src: Source) -> Iterator[DefinitionError]:
    allowed = [*dict.fromkeys(g.code for g in table.groups), PENALTIES]
    for k, entry in enumerate(table.tie_break):
        if entry not in allowed:
            hint = suggest(entry, allowed) or f" (choose from {', '.join(allowed)})"
            message = f"'{entry}' is neither a group code nor '{PENALTIES}'{hint}"
            yield src.error(("tie_break", k), message)


# --- loading ------------------------------------------------------------------------------


def _check(src: Source) -> CriteriaTable:
    table = build_table(src)
    errors = check_table(table, src)
    if errors:
        raise DefinitionErrors(errors)
    return replace(table, source_path=src.file)


_MEMO = CheckedMemo(_check)  # unchanged texts are not parsed again


def load_criteria_text(text: str, file: str) -> CriteriaTable:
    """Load one criteria table; raises DefinitionErrors with all of its problems."""
    return _MEMO(text, file)[1]


def load_criteria_paths(
    paths: Iterable[Path | str], base: Path | None = None
) -> dict[str, CriteriaTable]:
    """Load criteria files and folders (their *.yaml and *.yml), keyed by table code.

    Raises DefinitionErrors with every problem of every file, including a code used by two
    files. File names in messages are relative to `base`, or as given.
    """
    errors: list[DefinitionError] = []
    tables: dict[str, CriteriaTable] = {}
    for src, table in checked_sources(paths, base, _check, errors, _MEMO):
        if table.code in tables:
            other = tables[table.code].source_path
            message = f"criteria table '{table.code}' is already defined in {other}"
            errors.append(src.error(("code",), message))
        else:
            tables[table.code] = table
    if errors:
        raise DefinitionErrors(errors)
    return tables


# --- dumping ------------------------------------------------------------------------------


def criteria_to_dict(table: CriteriaTable) -> dict[str, Any]:
    """The table in the shape of a criteria file; loading it gives the same table back."""
    out: dict[str, Any] = {"code": table.code}
    if table.version is not None:
        out["version"] = table.version
    out["title"] = _label(table.title)
    out["scale"] = _number(table.scale)
    out["appeal_days"] = table.appeal_days
    out["gap_threshold"] = _number(table.gap_threshold)
    if table.tie_break:
        out["tie_break"] = list(table.tie_break)
    out["groups"] = [_group(g) for g in table.groups]
    if table.adjustments:
        out["adjustments"] = [_adjustment(a) for a in table.adjustments]
    return out


def dump_criteria_yaml(table: CriteriaTable) -> str:
    return yamlsrc.dump(criteria_to_dict(table))


def _number(value: Decimal) -> int | float:
    """A Decimal as a YAML number; at most 2 decimals, so the float reads back exactly."""
    return int(value) if value == value.to_integral_value() else float(value)


def _label(label: Label) -> dict[str, str]:
    return {"vi": label.vi, "en": label.en}


def _group(group: Group) -> dict[str, Any]:
    return {
        "code": group.code,
        "title": _label(group.title),
        "max_points": _number(group.max_points),
        "criteria": [_criterion(c) for c in group.criteria],
    }


def _criterion(c: Criterion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": c.code,
        "title": _label(c.title),
        "max_points": _number(c.max_points),
        "kind": c.kind,
    }
    if c.target_required:
        out["target_required"] = True
    optional = {"unit": c.unit, "formula": c.formula}
    out.update((key, value) for key, value in optional.items() if value is not None)
    if not c.higher_is_better:
        out["higher_is_better"] = False
    if c.levels:
        out["levels"] = [
            {"points": _number(level.points), "label": _label(level.label)} for level in c.levels
        ]
    if c.evidence:
        out["evidence"] = list(c.evidence)
    if c.tolerance is not None:
        key = "percent" if c.tolerance.percent else "absolute"
        out["tolerance"] = {key: _number(c.tolerance.amount)}
    return out


def _adjustment(a: Adjustment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": a.code,
        "title": _label(a.title),
        "kind": a.kind,
        "points": _number(a.points),
        "max_points": _number(a.max_points),
    }
    if a.rule is not None:
        out["rule"] = a.rule
    return out
