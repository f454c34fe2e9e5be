"""Rules of a cross-inspection (kiểm tra chéo): the team records, concludes and signs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflow.domain.refusals import Ref, Refusal, refs
from workflow.domain.scoring import check_self_score
from workflow.engine.registry import CallContext
from workflow.errors import InvalidInput
from workflow.services.rules.base import YEAR, decimal, port, table_of


def _plan(ctx: CallContext) -> Mapping[str, Any]:
    plan = ctx.instance.data.get("plan")
    return plan if isinstance(plan, Mapping) else {}


def _acting_role(ctx: CallContext) -> str | None:
    return getattr(ctx, "role", None)  # set by the role check of the fire


@YEAR.guard("inspection_team_member")
def inspection_team_member(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Only a member of this inspection's team records its results."""
    if ctx.actor.username in (_plan(ctx).get("team") or []):
        return None
    return Refusal("not_in_inspection_team", {"user": Ref("user", ctx.actor.username)})


@YEAR.guard("inspection_team_lead")
def inspection_team_lead(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Only the team lead concludes the inspection."""
    lead = _plan(ctx).get("lead")
    return None if ctx.actor.username == lead else Refusal(
        "not_inspection_lead", {"lead": Ref("user", lead)})


@YEAR.guard("valid_inspection_results")
def valid_inspection_results(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Results are points per criterion of the campaign's table, within what it can give."""
    results = ctx.payload.get("results")
    if not isinstance(results, Mapping) or not results:
        return Refusal("inspection_results_invalid")
    table = table_of(ctx)
    try:
        for code, value in results.items():
            try:
                criterion = table.criterion(code)
            except KeyError:
                return Refusal("inspection_result_unknown",
                               {"criterion": str(code), "table": table.code})
            check_self_score(criterion, decimal(value, f"results.{code}", Ref("criterion", code)))
    except InvalidInput as exc:
        return exc.refusal or Refusal("other", {"detail": str(exc)})
    return _notes_refusal(ctx, table.code)


NOTE_LENGTH = 2000  # a team's note on one criterion
CONCLUSION_LENGTH = 5000


def _notes_refusal(ctx: CallContext, table: str) -> Refusal | None:
    """The team's optional notes (per criterion of the table) and conclusion are text."""
    notes = ctx.payload.get("notes") or {}
    if not isinstance(notes, Mapping):
        return Refusal("inspection_notes_invalid", {"max": NOTE_LENGTH})
    known = {c.code for c in table_of(ctx).criteria}
    for code, text in notes.items():
        if code not in known:
            return Refusal("inspection_result_unknown", {"criterion": str(code), "table": table})
        if not isinstance(text, str) or len(text) > NOTE_LENGTH:
            return Refusal("inspection_notes_invalid", {"max": NOTE_LENGTH})
    conclusion = ctx.payload.get("conclusion", "")
    if not isinstance(conclusion, str) or len(conclusion) > CONCLUSION_LENGTH:
        return Refusal("inspection_conclusion_invalid", {"max": CONCLUSION_LENGTH})
    return None


@YEAR.effect("merge_inspection_results")
def merge_inspection_results(ctx: CallContext, params: Mapping[str, Any]) -> None:
    results = dict(ctx.instance.data.get("results") or {})
    for code, value in ctx.payload["results"].items():
        results[code] = str(decimal(value, f"results.{code}"))
    ctx.instance.data["results"] = results
    # notes and the conclusion as last written: an emptied note is removed
    notes = dict(ctx.instance.data.get("notes") or {})
    for code, text in (ctx.payload.get("notes") or {}).items():
        if text.strip():
            notes[code] = text.strip()
        else:
            notes.pop(code, None)
    if notes or "notes" in ctx.instance.data:
        ctx.instance.data["notes"] = notes
    if "conclusion" in ctx.payload:
        ctx.instance.data["conclusion"] = str(ctx.payload["conclusion"]).strip()


@YEAR.guard("inspection_results_complete")
def inspection_results_complete(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Every criterion has a result before the inspection is concluded."""
    have = ctx.instance.data.get("results") or {}
    missing = [c.code for c in table_of(ctx).criteria if c.code not in have]
    if not missing:
        return None
    return Refusal("inspection_results_missing",
                   {"count": len(missing), "criteria": refs("criterion", missing)})


def _side(ctx: CallContext) -> str:
    return "team" if _acting_role(ctx) == "inspector" else "unit"


@YEAR.guard("may_sign_inspection_minutes")
def may_sign_inspection_minutes(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The minutes are signed by the team lead and by the inspected unit's head, once each."""
    side = _side(ctx)
    if side == "team" and ctx.actor.username != _plan(ctx).get("lead"):
        return Refusal("minutes_signed_by_lead")
    if side in (ctx.instance.data.get("signatures") or {}):
        return Refusal("minutes_already_signed", {"side": Ref("side", side)})
    return None


@YEAR.effect("add_minutes_signature")
def add_minutes_signature(ctx: CallContext, params: Mapping[str, Any]) -> None:
    signatures = dict(ctx.instance.data.get("signatures") or {})
    signatures[_side(ctx)] = {"by": ctx.actor.username, "at": ctx.now.isoformat()}
    ctx.instance.data["signatures"] = signatures


@YEAR.guard("inspection_minutes_signed")
def inspection_minutes_signed(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    missing = {"team", "unit"} - set(ctx.instance.data.get("signatures") or {})
    return Refusal("minutes_signatures_missing", {"sides": refs("side", sorted(missing))}) \
        if missing else None


@YEAR.effect("apply_inspection_results")
def apply_inspection_results(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Write the inspection's points where the inspected unit's score sheet will find them."""
    inst = ctx.instance
    assert inst.parent_id is not None
    assert inst.unit_id is not None
    results = {code: Decimal(v) for code, v in (inst.data.get("results") or {}).items()}
    port(ctx).write_inspection_scores(inst.id, inst.parent_id, inst.unit_id, results)
