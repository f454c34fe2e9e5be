"""Rules of the campaign, its reports and its pledges."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import marshmallow as ma

from workflow.domain.criteria import CriteriaTable
from workflow.domain.overview import REPORT_DUE
from workflow.domain.refusals import Ref, Refusal, refs
from workflow.engine.hashing import canonical_json
from workflow.engine.registry import CallContext
from workflow.errors import InvalidInput, NotFound
from workflow.services.naming import REPORT_NOUNS
from workflow.services.rules.base import (
    CAMPAIGN_DATES,
    YEAR,
    campaign_of,
    decimal,
    due_date,
    local_date,
    penalize,
    port,
    table_of,
)

# --- campaign ------------------------------------------------------------------------------


@YEAR.guard("campaign_ready")
def campaign_ready(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """The launch names a published criteria table and the year's dates, in order."""
    code = ctx.payload.get("criteria_table")
    if not isinstance(code, str):
        return Refusal("criteria_table_missing")
    try:
        port(ctx).criteria_table(code, None)
    except NotFound:
        return Refusal("criteria_table_unknown", {"table": code})
    kind = ctx.payload.get("kind", "regular")
    if kind not in ("regular", "thematic"):
        return Refusal("campaign_kind_invalid", {"kind": str(kind)})
    dates = ctx.payload.get("dates")
    if not isinstance(dates, Mapping):
        return Refusal("campaign_dates_missing", {"keys": refs("term", list(CAMPAIGN_DATES))})
    return _dates_problem(dates) or _outside_year(dates, ctx.instance.year)


def _outside_year(dates: Mapping[str, Any], year: int | None) -> Refusal | None:
    """A campaign's dates fall in its year (the dates are known to parse here)."""
    for key in CAMPAIGN_DATES:
        day = dt.date.fromisoformat(str(dates[key]))
        if year is not None and day.year != year:
            return Refusal("campaign_date_outside_year",
                           {"key": Ref("term", key), "date": day, "year": str(year)})
    return None


@YEAR.effect("store_plan")
def store_plan(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Before the launch: keep the revised theme, kind, criteria table and dates (the table's
    version is pinned only at the launch)."""
    data = ctx.instance.data
    data.update(theme=str(ctx.payload["theme"]), kind=str(ctx.payload.get("kind") or "regular"),
                criteria_table={"code": str(ctx.payload["criteria_table"]), "version": None},
                dates={k: str(ctx.payload["dates"][k]) for k in CAMPAIGN_DATES})


class MissingParams(ma.Schema):
    workflow = ma.fields.String(required=True, validate=ma.validate.OneOf(("pledge", "report")))
    period = ma.fields.String(load_default=None, validate=ma.validate.OneOf(tuple(REPORT_DUE)))
    done = ma.fields.List(ma.fields.String(), required=True)


# The refusal that lists who is missing, by what is missing.
_MISSING = {("pledge", None): "pledges_unsigned_reason",
            ("report", "six_month"): "six_month_reports_missing_reason",
            ("report", "year_end"): "year_end_reports_missing_reason"}


@YEAR.guard("reason_if_missing", params=MissingParams)
def reason_if_missing(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Moving the campaign on while some members have not done their part (signed their
    pledge, submitted their report) lists them and needs a reason, kept in the history."""
    if str(ctx.payload.get("comment") or "").strip():
        return None
    missing = missing_units(port(ctx).children(ctx.instance.id), params["workflow"],
                            params.get("period"), params["done"])
    if not missing:
        return None
    return Refusal(_MISSING[(params["workflow"], params.get("period"))],
                   {"count": len(missing), "units": refs("unit", missing)})


def missing_units(children: Sequence[Any], workflow: str, period: str | None,
                  done: Sequence[str]) -> list[int]:
    """The member units whose item of that kind (and period) is not in a `done` state."""
    return sorted(c.unit_id for c in children
                  if c.workflow == workflow and c.unit_id is not None
                  and (period is None or c.data.get("period") == period)
                  and c.state not in done and c.status != "cancelled")


def _dates_problem(dates: Mapping[str, Any]) -> Refusal | None:
    parsed = []
    for key in CAMPAIGN_DATES:
        try:
            parsed.append((key, dt.date.fromisoformat(str(dates[key]))))
        except KeyError:
            return Refusal("campaign_date_missing", {"key": Ref("term", key)})
        except ValueError:
            return Refusal("campaign_date_invalid",
                           {"key": Ref("term", key), "value": str(dates[key])})
    for (k1, d1), (k2, d2) in zip(parsed, parsed[1:], strict=False):
        if d2 < d1 and k2 != "year_end_report_due":
            return Refusal("campaign_dates_order", {
                "later": Ref("term", k2), "later_date": d2,
                "earlier": Ref("term", k1), "earlier_date": d1})
    return None


@YEAR.effect("pin_criteria_table")
def pin_criteria_table(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Keep the version of the criteria table in force at launch, whatever is published later."""
    code = str(ctx.payload["criteria_table"])
    table = port(ctx).criteria_table(code, None)
    ctx.instance.data["criteria_table"] = {"code": code, "version": table.version}
    ctx.notes.append(f"criteria table {code} version {table.version}")


@YEAR.effect("flag_unsigned_pledges")
def flag_unsigned_pledges(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """At the pledge deadline: list the units that did not sign, and count it against them."""
    unsigned = [p for p in port(ctx).children(ctx.instance.id)
                if p.workflow == "pledge" and p.state != "signed" and p.status != "cancelled"]
    ctx.instance.data["unsigned_units"] = sorted(p.unit_id for p in unsigned if p.unit_id)
    for pledge in unsigned:
        assert pledge.unit_id is not None
        penalize(ctx, "late_pledge", pledge.unit_id, f"pledge:{pledge.id}",
                 "giao ước chưa ký khi hết hạn")


class PlanItem(ma.Schema):
    inspector_unit_id = ma.fields.Integer(required=True)
    unit_id = ma.fields.Integer(required=True)
    team = ma.fields.List(ma.fields.String(), required=True)
    lead = ma.fields.String(required=True)
    date = ma.fields.Date(load_default=None)


@YEAR.guard("valid_inspection_plan")
def valid_inspection_plan(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Every member is inspected once by another member; no pair inspects each other."""
    plan = ctx.payload.get("inspection_plan")
    if not isinstance(plan, list):
        return Refusal("inspection_plan_invalid")
    try:
        items = PlanItem(many=True).load(plan)
    except ma.ValidationError as exc:
        return Refusal("inspection_plan_shape", {"detail": str(exc.messages)})
    assert ctx.instance.cluster_id is not None
    members = set(port(ctx).member_units(ctx.instance.cluster_id))
    team = {name for item in items for name in item["team"]}
    homes = port(ctx).home_units(sorted(team), ctx.instance.year)
    return _plan_problem(items, members, homes)


def _plan_problem(items: Sequence[Mapping[str, Any]], members: set[int],
                  homes: Mapping[str, set[int]] | None = None) -> Refusal | None:
    inspected = [i["unit_id"] for i in items]
    pairs = {(i["inspector_unit_id"], i["unit_id"]) for i in items}
    for item in items:
        a, b = item["inspector_unit_id"], item["unit_id"]
        if a not in members or b not in members:
            return Refusal("inspection_plan_stranger",
                           {"unit": Ref("unit", a if a not in members else b)})
        if a == b:
            return Refusal("inspection_plan_self", {"unit": Ref("unit", a)})
        if (b, a) in pairs and len(members) > 2:
            return Refusal("inspection_plan_mutual",
                           {"unit": Ref("unit", a), "other": Ref("unit", b)})
        if not item["team"] or item["lead"] not in item["team"]:
            return Refusal("inspection_plan_team", {"unit": Ref("unit", b)})
        for name in item["team"]:  # nobody inspects their own unit
            if b in (homes or {}).get(name, set()):
                return Refusal("inspection_plan_own_unit",
                               {"user": Ref("user", name), "unit": Ref("unit", b)})
    missing = members - set(inspected)
    if missing or len(inspected) != len(set(inspected)):
        return Refusal("inspection_plan_uncovered", {"units": refs("unit", sorted(missing))})
    return None


@YEAR.effect("penalize_missing_reports", params=type("PeriodParams", (ma.Schema,), {
    "period": ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(REPORT_DUE)))}))
def penalize_missing_reports(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """When the review moves on: a report of the period not submitted counts as missing."""
    for report in port(ctx).children(ctx.instance.id):
        if report.workflow != "report" or report.data.get("period") != params["period"]:
            continue
        if report.state in ("due", "returned") and report.unit_id is not None:
            penalize(ctx, "missing_report", report.unit_id, f"report:{report.id}",
                     f"không nộp {_report_noun(params['period'])}")


# --- reports and pledges -------------------------------------------------------------------


def _report_noun(period: str) -> str:
    """The report of a period as the penalty's reason names it ("báo cáo sơ kết")."""
    noun = REPORT_NOUNS.get(period)
    return noun.vi.lower() if noun is not None else "báo cáo"


@YEAR.effect("penalize_if_late")
def penalize_if_late(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """A report submitted after its period's due date costs the late-report penalty, once."""
    campaign = campaign_of(ctx)
    due = due_date(campaign, REPORT_DUE.get(str(ctx.instance.data.get("period")), ""))
    today = local_date(ctx, ctx.now)
    if due is not None and today > due and ctx.instance.unit_id is not None:
        penalize(ctx, "late_report", ctx.instance.unit_id, f"report:{ctx.instance.id}",
                 f"nộp muộn {(today - due).days} ngày (hạn {due:%d/%m/%Y})")


@YEAR.guard("valid_targets")
def valid_targets(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Targets are a positive number per quantitative criterion of the campaign's table."""
    targets = ctx.payload.get("targets")
    if not isinstance(targets, Mapping):
        return Refusal("targets_invalid")
    table = table_of(ctx)
    for code, value in targets.items():
        if (refusal := target_refusal(table, code, value)) is not None:
            return refusal
    return None


def target_refusal(table: CriteriaTable, code: Any, value: Any) -> Refusal | None:
    """Why one target is not taken (None when it is): a positive number for a quantitative
    criterion of the table. The pledge page asks it of every field, the guard of the first."""
    try:
        criterion = table.criterion(code)
    except KeyError:
        return Refusal("target_unknown_criterion", {"criterion": str(code), "table": table.code})
    if criterion.kind != "quantitative":
        return Refusal("target_qualitative", {"criterion": Ref("criterion", code)})
    try:
        if decimal(value, f"targets.{code}", Ref("criterion", code)) <= 0:
            return Refusal("target_not_positive", {"criterion": Ref("criterion", code)})
    except InvalidInput as exc:
        return exc.refusal or Refusal("other", {"detail": str(exc)})
    return None


@YEAR.guard("pledge_targets_complete")
def pledge_targets_complete(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Every criterion that asks for a target has one."""
    targets = ctx.instance.data.get("targets") or {}
    missing = [c.code for c in table_of(ctx).targets_required() if c.code not in targets]
    if not missing:
        return None
    return Refusal("targets_missing",
                   {"count": len(missing), "criteria": refs("criterion", missing)})


@YEAR.effect("seal_pledge")
def seal_pledge(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Keep a hash of what was signed; a later change signs a new version."""
    data = ctx.instance.data
    version = int(data.get("pledge_version") or 0) + 1
    digest = hashlib.sha256(canonical_json(data.get("targets") or {}).encode()).hexdigest()
    signed = list(data.get("signed_versions") or [])
    signed.append({"version": version, "hash": digest, "at": ctx.now.isoformat()})
    data.update(pledge_version=version, signed_hash=digest, signed_versions=signed)
    ctx.notes.append(f"signed version {version}, sha256 {digest}")
