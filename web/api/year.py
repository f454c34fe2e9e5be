"""A campaign's year in the JSON API: its items by kind and state, the ranking, the proposed
cross-inspection plan, each item's documents (list, download) and the documents the system
generates (the vote-count minutes, a dossier's submission letter). Every check is the access
policy's, as the year's pages ask it. Registered on the API blueprint (web.api imports this
module once its own routes are in place)."""

from __future__ import annotations

import functools
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from web.api import (
    actor,
    load_item,
    load_query,
    operation,
    page_of,
    require_see,
    services,
)
from web.api.schemas import (
    MAX_ID,
    REPLIES,
    LangQuery,
    PageQuery,
    PageSchema,
    Reply,
    Text,
)
from web.api.units import paged
from workflow.engine.instance import Instance
from workflow.errors import NotFound, TransitionNotAllowed
from workflow.services import access, naming, organisations, year

WORKFLOWS = ("pledge", "report", "inspection", "score_sheet", "vote_session", "dossier")


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def _query_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


# --- requests ---------------------------------------------------------------------------------


class ItemsQuery(PageQuery):
    workflow = Text(validate=validate.OneOf(WORKFLOWS), metadata={
        "description": "the kind of item: pledge, report, inspection, score_sheet, "
                       "vote_session or dossier"})
    state = Text(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
                 metadata={"description": "only items in this state"})
    unit_id = _query_id(metadata={"description": "only the items of this unit"})
    status = Text(validate=validate.OneOf(("active", "completed", "cancelled")))
    lang = fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]))


# --- replies ----------------------------------------------------------------------------------


class CampaignItemSchema(Reply):
    id = fields.Integer()
    workflow = fields.String()
    title = fields.String(metadata={"description": "its name, e.g. Giao ước thi đua 2026 – "
                                                   "Bộ Công an"})
    state = fields.String()
    state_label = fields.String()
    status = fields.String()
    version = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the unit's name"})
    parent_id = fields.Integer(allow_none=True)
    data = fields.Dict()


class CampaignItemPageSchema(PageSchema):
    items = fields.List(fields.Nested(CampaignItemSchema))


class StandingSchema(Reply):
    rank = fields.Integer()
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    base = fields.String(metadata={"description": "verified points, a decimal"})
    bonus = fields.String()
    penalty = fields.String()
    total = fields.String()
    gap_flags = fields.Integer(metadata={"description": "criteria whose self and inspection "
                                                        "scores differ too much"})
    groups = fields.Dict(keys=fields.String(), values=fields.String())


class RankingSchema(Reply):
    campaign_id = fields.Integer()
    criteria_table = fields.String()
    standings = fields.List(fields.Nested(StandingSchema))
    pending_units = fields.List(fields.Integer(), metadata={
        "description": "units whose score sheet is not final yet"})


class PlanPairSchema(Reply):
    inspector_unit_id = fields.Integer()
    unit_id = fields.Integer()
    team = fields.List(fields.String(), metadata={"description": "usernames of the team"})
    lead = fields.String()


class InspectionPlanSchema(Reply):
    inspection_plan = fields.List(fields.Nested(PlanPairSchema))
    repeated = fields.List(fields.List(fields.Integer()), metadata={
        "description": "pairs that repeat last year's (inspector, inspected)"})
    notes = fields.List(fields.String())


class LevelSchema(Reply):
    points = fields.String()
    label = fields.String()


class CriterionSchema(Reply):
    code = fields.String()
    title = fields.String()
    group = fields.String()
    max_points = fields.String(metadata={"description": "a decimal"})
    kind = fields.String(metadata={"description": "quantitative or qualitative"})
    target_required = fields.Boolean(metadata={"description": "a target is pledged for it"})
    unit = fields.String(allow_none=True)
    levels = fields.List(fields.Nested(LevelSchema))
    evidence = fields.List(fields.String(), metadata={
        "description": "document kinds required for a positive score (ref = the code)"})


class CriteriaSchema(Reply):
    code = fields.String()
    version = fields.Integer(allow_none=True)
    title = fields.String()
    scale = fields.String()
    appeal_days = fields.Integer()
    criteria = fields.List(fields.Nested(CriterionSchema))


REPLIES.update({"Criteria": CriteriaSchema, "CampaignItemPage": CampaignItemPageSchema,
                "Ranking": RankingSchema,
                "InspectionPlan": InspectionPlanSchema})


# --- helpers ----------------------------------------------------------------------------------


def member_units(cluster_id: int) -> list[int]:
    return list(organisations.get_cluster(services().uow(), cluster_id).members)


def campaign_of(campaign_id: int) -> Instance:
    inst = load_item(campaign_id)
    if inst.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    require_see(inst, actor())
    return inst


# --- a campaign's items and its ranking -------------------------------------------------------


@operation("GET", "/v1/campaigns/<int:campaign_id>/items", "A campaign's items (pledges, "
           "reports, inspections, score sheets, votes, dossiers) the caller may see, by kind, "
           "state and unit", (200, "CampaignItemPage"), (400, 403), query=ItemsQuery,
           tags=("campaigns",))
def campaign_items(campaign_id: int) -> ResponseReturnValue:
    query = load_query(ItemsQuery)
    campaign = campaign_of(campaign_id)
    who = actor()
    wf = services().workflows
    members = functools.cache(member_units)  # asked once, not once per item
    rows = [c for c in wf.children(campaign.id)
            if query.get("workflow", c.workflow) == c.workflow
            and query.get("state", c.state) == c.state
            and query.get("status", c.status) == c.status
            and query.get("unit_id", c.unit_id) == c.unit_id
            and access.may_see(who, c, members)]
    items, total = paged(rows, query)
    names = naming.names_for(services().reads, items)
    lang = query["lang"]
    out = []
    for c in items:
        spec = wf.catalog.compiled(c.definition_id).spec
        try:
            label = spec.state(c.state).label.get(lang)
        except KeyError:
            label = c.state
        out.append({"id": c.id, "workflow": c.workflow,
                    "title": naming.item_title(spec.title, c, names, lang), "state": c.state,
                    "state_label": label, "status": c.status, "version": c.version,
                    "unit_id": c.unit_id,
                    "unit": names.units.get(c.unit_id) if c.unit_id is not None else None,
                    "parent_id": c.parent_id, "data": c.data})
    return page_of(out, total, query)


@operation("GET", "/v1/campaigns/<int:campaign_id>/criteria", "The campaign's criteria table: "
           "what is pledged, scored and evidenced, criterion by criterion", (200, "Criteria"),
           (403, 409), query=LangQuery, tags=("campaigns",))
def campaign_criteria(campaign_id: int) -> ResponseReturnValue:
    lang = load_query(LangQuery)["lang"]
    campaign = campaign_of(campaign_id)
    ref = campaign.data.get("criteria_table")
    if not isinstance(ref, dict):
        raise TransitionNotAllowed("status", "the campaign has no criteria table yet")
    table = services().criteria.get(ref["code"], ref.get("version"))
    return {"code": table.code, "version": table.version, "title": table.title.get(lang),
            "scale": str(table.scale), "appeal_days": table.appeal_days, "criteria": [{
                "code": c.code, "title": c.title.get(lang), "group": c.group,
                "max_points": str(c.max_points), "kind": c.kind,
                "target_required": c.target_required, "unit": c.unit,
                "levels": [{"points": str(level.points), "label": level.label.get(lang)}
                           for level in c.levels],
                "evidence": list(c.evidence)} for c in table.criteria]}


@operation("GET", "/v1/campaigns/<int:campaign_id>/ranking", "The ranking (bảng xếp hạng) of "
           "the final score sheets, with the units still pending", (200, "Ranking"), (403, 409),
           tags=("campaigns",))
def campaign_ranking(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_of(campaign_id)
    found = year.ranking(services().workflows, campaign.id)
    return {"campaign_id": found.campaign_id, "criteria_table": found.criteria_table,
            "standings": [{
                "rank": s.rank, "unit_id": s.unit_id, "unit_code": s.unit_code,
                "unit_name": s.unit_name, "base": str(s.base), "bonus": str(s.bonus),
                "penalty": str(s.penalty), "total": str(s.total), "gap_flags": s.gap_flags,
                "groups": {k: str(v) for k, v in s.groups.items()}} for s in found.standings],
            "pending_units": list(found.pending_units)}


@operation("GET", "/v1/campaigns/<int:campaign_id>/inspection-plan", "A proposed cross-"
           "inspection plan (who inspects whom, each team and its lead) for the leader to "
           "record with the action plan_inspections", (200, "InspectionPlan"), (403, 409),
           tags=("campaigns",))
def inspection_plan(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_of(campaign_id)
    if campaign.state != "mid_year_review":
        raise TransitionNotAllowed("status", "the cross-inspection is planned during the "
                                   "mid-year review")
    return year.propose_inspection_plan(services().workflows, campaign.id, actor())
