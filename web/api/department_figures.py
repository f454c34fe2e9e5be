"""The API's professional departments' figures (số liệu của cơ quan chuyên môn) of a campaign:
reading them, a department recording those of its criteria, and the six-month review's pace of
every unit against its pledged targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import ApiError, actor, load_item, load_json, operation, services
from web.api.schemas import REPLIES, Reply, _int, _int_or_null, _str, _str_or_null
from workflow.domain.criteria import CriteriaTable
from workflow.engine.instance import Instance
from workflow.errors import NotFound
from workflow.services import access, department


class FiguresBody(Schema):
    # keys are checked by the use case (409 for a criterion or unit it does not know): an
    # OpenAPI 3.0 document cannot constrain an object's keys
    values = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(),
                           values=fields.String(validate=validate.Length(1, 30))),
        required=True, validate=validate.Length(1, 12), metadata={
            "description": "{criterion code: {member unit id: figure}}; a figure is a number "
                           "of at least 0 with at most 2 decimals, as text (\"91.5\")"})
    version = fields.Integer(strict=True, load_default=None, metadata={
        "description": "the figures' version read (409 when someone recorded since)"})


class DepartmentFigureSchema(Reply):
    criterion = _str()
    unit_id = _int()
    unit = _str(description="the unit's name")
    value = _str(description="the figure, as a decimal number in text")


class DepartmentCriterionSchema(Reply):
    code = _str()
    title = _str()
    unit = _str_or_null(description="of the figure, e.g. %")
    tolerance = _str_or_null(description="e.g. 5% or 0.5; none: any difference is flagged")
    mine = fields.Boolean(metadata={"description": "the caller records this criterion"})


class DepartmentFiguresSchema(Reply):
    campaign_id = _int()
    version = _int_or_null(description="the figures' version, to send back when recording")
    criteria = fields.List(fields.Nested(DepartmentCriterionSchema))
    figures = fields.List(fields.Nested(DepartmentFigureSchema))


class MidYearPaceRowSchema(Reply):
    unit_id = _int()
    unit = _str()
    criterion = _str()
    target = _str_or_null(description="pledged")
    reported = _str_or_null(description="in the six-month report")
    expected = _str_or_null(description="what the year's pace asks for by now")
    behind = fields.Boolean(metadata={"description": "behind the year's pace"})


class MidYearPaceSchema(Reply):
    rule = _str(description="how 'behind' is decided")
    items = fields.List(fields.Nested(MidYearPaceRowSchema))


REPLIES.update({"DepartmentFigures": DepartmentFiguresSchema, "MidYearPace": MidYearPaceSchema})
RULE = ("behind when the six-month result is below the pledged target × 0.5 (half the year "
        "elapsed); for a criterion where lower is better, when it is above the target")


def _campaign(campaign_id: int) -> tuple[Instance, CriteriaTable]:
    campaign = load_item(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    if not access.may_read_department_figures(actor(), campaign):
        raise ApiError(403, "forbidden", "every unit's figures are read by the campaign's "
                       "leader and deputy, the council and its professional departments")
    ref = campaign.data.get("criteria_table")
    if not isinstance(ref, dict):
        raise NotFound(f"campaign {campaign_id} has no criteria table yet")
    return campaign, services().criteria.get(ref["code"], ref.get("version"))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _reply(campaign: Instance, table: CriteriaTable) -> dict[str, Any]:
    wf = services().workflows
    names = {u.id: u.name for u in services().reads.cluster_units(campaign.cluster_id or 0)}
    values = department.values_of(wf, campaign)
    mine = {c.code for c in department.criteria_for(actor(), campaign, table)}
    item = department.item_of(wf, campaign)
    criteria = [{"code": c.code, "title": c.title.vi, "unit": c.unit,
                 "tolerance": None if c.tolerance is None else
                 f"{c.tolerance.amount:f}{'%' if c.tolerance.percent else ''}",
                 "mine": c.code in mine}
                for c in table.criteria if c.by_result and (c.code in values or c.code in mine)]
    figures = [{"criterion": code, "unit_id": unit, "unit": names.get(unit, ""),
                "value": _text(value)}
               for code, per_unit in values.items() for unit, value in sorted(per_unit.items())]
    return {"campaign_id": campaign.id, "version": item.version if item else None,
            "criteria": criteria, "figures": figures}


@operation("GET", "/v1/campaigns/<int:campaign_id>/department-figures", "The professional "
           "departments' figures of every member unit, per criterion", (200,
           "DepartmentFigures"), (403, 404), tags=("department figures",))
def department_figures(campaign_id: int) -> ResponseReturnValue:
    return _reply(*_campaign(campaign_id))


@operation("POST", "/v1/campaigns/<int:campaign_id>/department-figures", "Record figures of "
           "the caller's criteria (a professional department granted them for the cluster and "
           "year); units left out keep their figures", (200, "DepartmentFigures"),
           (400, 403, 404, 409), body=FiguresBody, tags=("department figures",))
def record_department_figures(campaign_id: int) -> ResponseReturnValue:
    body = load_json(FiguresBody)
    campaign, table = _campaign(campaign_id)
    if not department.criteria_for(actor(), campaign, table):
        raise ApiError(403, "forbidden", "only a professional department granted criteria of "
                       "this campaign's cluster and year records figures")
    department.record(services().workflows, actor(), campaign, body["values"], body["version"])
    return _reply(campaign, table)


@operation("GET", "/v1/campaigns/<int:campaign_id>/mid-year-pace", "The six-month review: "
           "each member unit's pledged target, six-month result and whether it is behind the "
           "year's pace, per criterion", (200, "MidYearPace"), (403, 404),
           tags=("department figures",))
def mid_year_pace(campaign_id: int) -> ResponseReturnValue:
    campaign, table = _campaign(campaign_id)
    units = services().reads.cluster_units(campaign.cluster_id or 0)
    names = {u.id: u.name for u in units}
    rows = department.mid_year_pace(services().workflows, campaign, table, [u.id for u in units])
    return {"rule": RULE, "items": [
        {"unit_id": r.unit_id, "unit": names.get(r.unit_id, ""), "criterion": r.criterion,
         "target": _text(r.target), "reported": _text(r.reported),
         "expected": _text(r.expected), "behind": r.behind} for r in rows]}
