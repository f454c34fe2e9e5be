"""Rules of the department figures (số liệu của cơ quan chuyên môn) and of what a score sheet
does with them: checking and recording a department's figures, the leader keeping a unit's own
result with a reason, and the verified points taking the department's figure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflow.domain.department import differs
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import DEPARTMENT_ROLE, Actor
from workflow.domain.scoring import quantitative_points, round_points
from workflow.engine.instance import Instance
from workflow.engine.registry import CallContext
from workflow.errors import InvalidInput
from workflow.services.rules.base import YEAR, decimal, port, table_of

WORKFLOW = "department_data"
MAX_FIGURE = Decimal(10) ** 12


def granted_criteria(actor: Actor, cluster_id: int | None, year: int | None) -> set[str]:
    """The criteria the actor gives the figures of, for that cluster and year."""
    return {c for g in actor.grants if g.role == DEPARTMENT_ROLE and g.criteria
            and g.covers(None, cluster_id, year) for c in g.criteria}


def figure(value: Any, where: str, ref: Ref) -> Decimal:
    """A department's figure: a number at least 0 with at most 2 decimals."""
    number = decimal(str(value).replace(",", "."), where, ref)
    if number < 0 or number >= MAX_FIGURE or number != round_points(number):
        raise InvalidInput(f"{where}: {value!r} is not a figure",
                           Refusal("department_figure_invalid", {"criterion": ref,
                                                                 "value": str(value)[:30]}))
    return number


def read_values(ctx: CallContext) -> dict[str, dict[str, Decimal]]:
    """The request's figures, {criterion: {unit id: figure}}, each checked."""
    raw = ctx.payload.get("values")
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInput("values must map criterion codes to {unit id: figure}",
                           Refusal("department_values_missing"))
    table = table_of(ctx)
    held = granted_criteria(ctx.actor, ctx.instance.cluster_id, ctx.instance.year)
    members = {str(u) for u in port(ctx).member_units(ctx.instance.cluster_id or 0)}
    out: dict[str, dict[str, Decimal]] = {}
    for code, per_unit in raw.items():
        ref = Ref("criterion", str(code)[:40])
        try:
            criterion = table.criterion(str(code))
        except KeyError:
            raise InvalidInput(f"values.{code}: not a criterion of {table.code}", Refusal(
                "department_criterion_unknown", {"criterion": ref})) from None
        if not criterion.by_result:
            raise InvalidInput(f"values.{code}: not scored from a result", Refusal(
                "department_criterion_not_by_result", {"criterion": ref}))
        if code not in held:
            raise InvalidInput(f"values.{code}: not a criterion of the actor's grant", Refusal(
                "department_criterion_not_granted", {"criterion": ref}))
        if not isinstance(per_unit, Mapping):
            raise InvalidInput(f"values.{code}: give {{unit id: figure}}",
                               Refusal("department_values_missing"))
        out[code] = {}
        for unit, value in per_unit.items():
            if str(unit) not in members:
                raise InvalidInput(f"values.{code}.{unit}: not a member unit", Refusal(
                    "department_unit_not_member", {"unit": Ref("unit", _int(unit))}))
            out[code][str(unit)] = figure(value, f"values.{code}.{unit}", ref)
    return out


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@YEAR.guard("valid_department_values")
def valid_department_values(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Figures of member units, for criteria of the table scored from a result that the
    department's grant names; numbers at least 0."""
    try:
        read_values(ctx)
    except InvalidInput as exc:
        return exc.refusal or Refusal("other", {"detail": str(exc)})
    return None


@YEAR.effect("record_department_values")
def record_department_values(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Keep the figures (a unit left out keeps its earlier one) and who entered them, when."""
    values = ctx.instance.data.setdefault("values", {})
    entered = ctx.instance.data.setdefault("entered", {})
    for code, per_unit in read_values(ctx).items():
        values.setdefault(code, {}).update({u: str(v) for u, v in per_unit.items()})
        entered[code] = {"by": ctx.actor.username, "at": ctx.now.isoformat()}
    ctx.notes.append("department figures: " + ", ".join(
        f"{code} ({len(per_unit)})" for code, per_unit in read_values(ctx).items()))


def figures_of(children: list[Instance], unit_id: int | None) -> dict[str, Decimal]:
    """The department figures of one unit among a campaign's items, by criterion."""
    out: dict[str, Decimal] = {}
    for child in children:
        if child.workflow != WORKFLOW:
            continue
        for code, per_unit in (child.data.get("values") or {}).items():
            value = per_unit.get(str(unit_id))
            if value is not None:
                out[code] = Decimal(str(value))
    return out


# --- the score sheet -------------------------------------------------------------------------


def _differing(ctx: CallContext) -> dict[str, Decimal]:
    """The criteria of this sheet whose department figure differs from the unit's result."""
    assert ctx.instance.parent_id is not None
    table = table_of(ctx)
    figures = figures_of(port(ctx).children(ctx.instance.parent_id), ctx.instance.unit_id)
    lines = port(ctx).score_lines(ctx.instance.id)
    out = {}
    for code, value in figures.items():
        line = lines.get(code)
        try:
            criterion = table.criterion(code)
        except KeyError:
            continue
        if line is not None and differs(criterion, value, line.achieved):
            out[code] = value
    return out


@YEAR.guard("department_figure_differs")
def department_figure_differs(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The leader keeps the unit's own result only where the department's figure differs."""
    code = str(ctx.payload.get("criterion") or "")
    if code in _differing(ctx):
        return None
    return Refusal("department_figure_not_differing", {"criterion": Ref("criterion", code[:40])})


@YEAR.effect("keep_unit_result")
def keep_unit_result(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Record that the unit's own result stands for the criterion, with the leader's reason
    (the step's comment, kept in the history)."""
    code = str(ctx.payload["criterion"])
    kept = ctx.instance.data.setdefault("kept_unit_results", {})
    kept[code] = str(ctx.payload.get("comment") or "")
    ctx.notes.append(f"unit's own result kept for {code}")


def department_points(ctx: CallContext) -> dict[str, Decimal]:
    """The points the department's figures give where they differ from the unit's result and
    the leader kept no reason for the unit's own: the formula on the pledged target."""
    kept = ctx.instance.data.get("kept_unit_results") or {}
    table = table_of(ctx)
    lines = port(ctx).score_lines(ctx.instance.id)
    out = {}
    for code, value in _differing(ctx).items():
        line = lines[code]
        if code in kept or line.target is None or line.target <= 0 \
                or line.verified_points is not None:
            continue  # kept, nothing to score against, or the leader already set the points
        out[code] = quantitative_points(table.criterion(code), Decimal(line.target), value)
    return out


# --- a report's results against the pledged targets (the mid-year review) --------------------


@YEAR.guard("valid_report_results")
def valid_report_results(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A report's results: figures of criteria scored from a result, at least 0."""
    raw = ctx.payload.get("results")
    if not isinstance(raw, Mapping) or not raw:
        return Refusal("report_results_missing")
    table = table_of(ctx)
    for code, value in raw.items():
        ref = Ref("criterion", str(code)[:40])
        try:
            criterion = table.criterion(str(code))
        except KeyError:
            return Refusal("department_criterion_unknown", {"criterion": ref})
        if not criterion.by_result:
            return Refusal("department_criterion_not_by_result", {"criterion": ref})
        try:
            figure(value, f"results.{code}", ref)
        except InvalidInput as exc:
            return exc.refusal
    return None
