"""Rules of a score sheet (bảng chấm điểm): evidence, cross-check, appeal and verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from workflow.domain.criteria import Criterion
from workflow.domain.refusals import Ref, Refusal, refs
from workflow.domain.scoring import check_self_score, gap_flag, quantitative_points, show
from workflow.engine.registry import CallContext
from workflow.errors import InvalidInput
from workflow.services.rules.base import (
    YEAR,
    campaign_of,
    decimal,
    due_date,
    local_date,
    penalize,
    port,
    table_of,
)
from workflow.services.rules.exemplary import ACCEPTED as MODEL_ACCEPTED
from workflow.services.rules.exemplary import MODEL_EVIDENCE


class ScoreEntry(NamedTuple):
    points: Decimal
    target: Decimal | None
    achieved: Decimal | None


def _campaign_id(ctx: CallContext) -> int:
    assert ctx.instance.parent_id is not None
    return ctx.instance.parent_id


@YEAR.guard("all_criteria_scored")
def all_criteria_scored(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The unit scored itself on every criterion."""
    lines = port(ctx).score_lines(ctx.instance.id)
    missing = [c.code for c in table_of(ctx).criteria
               if c.code not in lines or lines[c.code].self_points is None]
    if not missing:
        return None
    return Refusal("self_scores_missing",
                   {"count": len(missing), "criteria": refs("criterion", missing)})


@YEAR.guard("evidence_for_positive_scores")
def evidence_for_positive_scores(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Every positive score of a criterion that asks for evidence has a file of a kind it
    names attached for that criterion."""
    lines = port(ctx).score_lines(ctx.instance.id)
    have = port(ctx).evidence(ctx.instance.id) | _accepted_models(ctx)
    missing = []
    for criterion in table_of(ctx).criteria:
        line = lines.get(criterion.code)
        if not criterion.evidence or line is None or not line.self_points:
            continue
        if not any((criterion.code, kind) in have for kind in criterion.evidence):
            missing.append(criterion.code)
    if not missing:
        return None
    return Refusal("evidence_missing",
                   {"count": len(missing), "criteria": refs("criterion", missing)})


def _accepted_models(ctx: CallContext) -> set[tuple[str, str]]:
    """An accepted exemplary model of the unit in the campaign is evidence of every criterion
    that names the kind exemplary_model (điển hình tiên tiến)."""
    campaign, unit = ctx.instance.parent_id, ctx.instance.unit_id
    if campaign is None or not any(c.workflow == "exemplary_model" and c.unit_id == unit
                                   and c.state in MODEL_ACCEPTED
                                   for c in port(ctx).children(campaign)):
        return set()
    return {(c.code, MODEL_EVIDENCE) for c in table_of(ctx).criteria
            if MODEL_EVIDENCE in c.evidence}


@YEAR.effect("penalize_late_score_sheet")
def penalize_late_score_sheet(ctx: CallContext, params: Mapping[str, Any]) -> None:
    due = due_date(campaign_of(ctx), "scoring_deadline")
    today = local_date(ctx, ctx.now)
    if due is not None and today > due and ctx.instance.unit_id is not None:
        penalize(ctx, "late_score_sheet", ctx.instance.unit_id,
                 f"score_sheet:{ctx.instance.id}", f"nộp bảng điểm muộn (hạn {due:%d/%m/%Y})")


@YEAR.guard("inspection_applied_for_unit")
def inspection_applied_for_unit(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    assert ctx.instance.unit_id is not None
    found = port(ctx).inspection_scores(_campaign_id(ctx), ctx.instance.unit_id)
    return None if found else Refusal("inspection_not_applied")


@YEAR.effect("cross_check_scores")
def cross_check_scores(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Put the inspection's points beside the self-scores and flag the large gaps."""
    assert ctx.instance.unit_id is not None
    table = table_of(ctx)
    found = port(ctx).inspection_scores(_campaign_id(ctx), ctx.instance.unit_id)
    lines = port(ctx).score_lines(ctx.instance.id)
    values = {}
    for criterion in table.criteria:
        line = lines.get(criterion.code)
        points = found.get(criterion.code)
        own = line.self_points if line is not None else None
        gap = own is not None and points is not None and \
            gap_flag(criterion, own, points, table.gap_threshold)
        values[criterion.code] = (points, gap)
    port(ctx).set_inspection_points(ctx.instance.id, values, ctx.actor.username, ctx.now)
    flagged = sorted(code for code, (_, gap) in values.items() if gap)
    ctx.instance.data.setdefault("cross_checked_at", ctx.now.isoformat())
    ctx.instance.data["gap_flags"] = flagged
    if flagged:
        ctx.notes.append(f"large gaps between self and inspection: {', '.join(flagged)}")


def _window_end(ctx: CallContext) -> dt.datetime | None:
    start = ctx.instance.data.get("cross_checked_at")
    if not start:
        return None
    return dt.datetime.fromisoformat(start) + dt.timedelta(days=table_of(ctx).appeal_days)


@YEAR.guard("within_appeal_window")
def within_appeal_window(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """A unit disputes its cross-checked scores within the table's appeal window."""
    end = _window_end(ctx)
    if end is None or ctx.now <= end:
        return None
    return Refusal("appeal_window_closed", {"date": local_date(ctx, end)})


@YEAR.guard("appeal_window_over")
def appeal_window_over(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Scores are verified only once the unit could no longer dispute them."""
    end = _window_end(ctx)
    if end is None or ctx.now > end:
        return None
    return Refusal("appeal_window_open", {"date": local_date(ctx, end)})


@YEAR.effect("settle_verified_scores")
def settle_verified_scores(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Verified points: what the leader set, else the department's figure where it differs
    from the unit's result (unless the leader kept the unit's with a reason), else the
    inspection's, else the self-score."""
    from workflow.services.rules.department import department_points

    found = department_points(ctx)
    if found:
        port(ctx).set_verified_points(ctx.instance.id, found, ctx.actor.username, ctx.now)
        ctx.notes.append("department figures used: " + ", ".join(
            f"{c} {show(p)}" for c, p in found.items()))
    port(ctx).settle_verified(ctx.instance.id, ctx.actor.username, ctx.now)


def _pledge_targets(ctx: CallContext) -> Mapping[str, Any]:
    for sibling in port(ctx).children(_campaign_id(ctx)):
        if sibling.workflow == "pledge" and sibling.unit_id == ctx.instance.unit_id:
            return sibling.data.get("targets") or {}
    return {}


def _scores(ctx: CallContext) -> dict[str, ScoreEntry]:
    """The request's scores, each checked and turned into points; InvalidInput names the
    first wrong one."""
    raw = ctx.payload.get("scores")
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInput("scores must map criterion codes to {points} or {achieved}")
    table = table_of(ctx)
    targets = _pledge_targets(ctx)
    out = {}
    for code, entry in raw.items():
        try:
            criterion = table.criterion(code)
        except KeyError:
            raise InvalidInput(f"scores.{code}: not a criterion of {table.code}") from None
        out[code] = _entry(criterion, entry, targets.get(code), f"scores.{code}")
    return out


def _entry(criterion: Criterion, entry: Any, target: Any, where: str) -> ScoreEntry:
    if not isinstance(entry, Mapping):
        raise InvalidInput(f"{where}: give {{points: ...}} or {{achieved: ...}}")
    if criterion.kind == "quantitative" and "achieved" in entry:
        if target is None:
            raise InvalidInput(f"{where}: no target was registered for it in the pledge")
        goal = decimal(target, f"{where}.target")
        achieved = decimal(entry["achieved"], f"{where}.achieved")
        return ScoreEntry(quantitative_points(criterion, goal, achieved), goal, achieved)
    if "points" not in entry:
        raise InvalidInput(f"{where}: give points" if criterion.kind == "qualitative"
                           else f"{where}: give achieved (the result against the target)")
    points = decimal(entry["points"], f"{where}.points")
    check_self_score(criterion, points)
    return ScoreEntry(points, None, None)


@YEAR.guard("valid_self_scores")
def valid_self_scores(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Each score is one the criterion can give: a level, or the formula on the pledge's
    target."""
    try:
        _scores(ctx)
    except InvalidInput as exc:
        return exc.refusal or Refusal("other", {"detail": str(exc)})
    return None


@YEAR.effect("record_self_scores")
def record_self_scores(ctx: CallContext, params: Mapping[str, Any]) -> None:
    table = table_of(ctx)
    assert ctx.instance.unit_id is not None
    for code, entry in _scores(ctx).items():
        port(ctx).save_self_score(
            ctx.instance.id, _campaign_id(ctx), ctx.instance.unit_id, code,
            table.criterion(code).group, entry, ctx.actor.username, ctx.now)
    ctx.notes.append("self-scores: " + ", ".join(
        f"{code} {show(e.points)}" for code, e in _scores(ctx).items()))


@YEAR.guard("valid_verified_scores")
def valid_verified_scores(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The leader's corrections are points the criterion can give."""
    try:
        _verified(ctx)
    except InvalidInput as exc:
        return exc.refusal or Refusal("other", {"detail": str(exc)})
    return None


def _verified(ctx: CallContext) -> dict[str, Decimal]:
    raw = ctx.payload.get("scores")
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInput("scores must map criterion codes to points",
                           Refusal("adjusted_scores_missing"))
    table = table_of(ctx)
    out = {}
    for code, value in raw.items():
        try:
            criterion = table.criterion(code)
        except KeyError:
            raise InvalidInput(f"scores.{code}: not a criterion of {table.code}") from None
        points = decimal(value, f"scores.{code}", Ref("criterion", code))
        check_self_score(criterion, points)
        out[code] = points
    return out


@YEAR.effect("record_verified_scores")
def record_verified_scores(ctx: CallContext, params: Mapping[str, Any]) -> None:
    values = _verified(ctx)
    port(ctx).set_verified_points(ctx.instance.id, values, ctx.actor.username, ctx.now)
    ctx.notes.append("verified: " + ", ".join(f"{c} {show(p)}" for c, p in values.items()))
