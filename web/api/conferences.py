"""The API's conferences (hội nghị) of a campaign: the list with their tasks, and planning one.
Their next steps (invitations, attendance, conclusions, minutes' finalisation and signature)
are the conference's own actions, done through /v1/items/{id}/fire like any other item's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import (
    ApiError,
    actor,
    load_item,
    load_json,
    load_query,
    operation,
    require_see,
    services,
)
from web.api.schemas import (
    MAX_ID,
    REPLIES,
    LangQuery,
    Reply,
    Text,
    _int,
    _int_or_null,
    _str,
    _str_or_null,
)
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound
from workflow.services import conferences, voting


class AgendaBody(Schema):
    title = Text(required=True, validate=validate.Length(1, 300), blank=False)
    presenter = Text(load_default="", validate=validate.Length(max=300))


class ConferenceBody(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(conferences.KINDS),
                         metadata={"description": "pledge_signing | six_month | year_end | "
                                                  "thematic"})
    topic = Text(load_default="", validate=validate.Length(max=300))
    date = fields.Date(required=True, metadata={"description": "the day, in the campaign's year"})
    time = Text(load_default="", validate=validate.Length(max=20))
    place = Text(required=True, validate=validate.Length(1, 300), blank=False)
    host_unit_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID),
                                  metadata={"description": "a member unit of the cluster"})
    agenda = fields.List(fields.Nested(AgendaBody), required=True,
                         validate=validate.Length(1, 50))


class AgendaItemSchema(Reply):
    title = _str()
    presenter = _str()


class ConferenceTaskSchema(Reply):
    id = _int()
    unit_id = _int_or_null()
    unit = _str(description="the unit's name")
    text = _str()
    due = _str_or_null(description="the due date (ISO)")
    state = _str()
    state_label = _str()


class ConferenceSchema(Reply):
    id = _int()
    campaign_id = _int()
    name = _str(description="Hội nghị sơ kết 6 tháng 2025, …")
    kind = _str_or_null()
    date = _str_or_null(description="ISO date")
    time = _str()
    place = _str()
    host_unit_id = _int_or_null()
    host_unit = _str()
    agenda = fields.List(fields.Nested(AgendaItemSchema))
    state = _str()
    state_label = _str()
    version = _int()
    tasks = fields.List(fields.Nested(ConferenceTaskSchema))
    pledges_signed_here = fields.List(fields.Integer(), metadata={
        "description": "the pledges signed at it (a pledge-signing conference)"})
    vote_sessions = fields.List(fields.Integer(), metadata={
        "description": "the cluster votes it hosts (a year-end review)"})


class ConferenceListSchema(Reply):
    items = fields.List(fields.Nested(ConferenceSchema))


REPLIES.update({"Conference": ConferenceSchema, "ConferenceList": ConferenceListSchema})
_NOWHERE = voting.Meeting(dt.date(2000, 1, 1), dt.time(0), "", "")  # a vote with no meeting


def _campaign(campaign_id: int) -> Instance:
    campaign = load_item(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    require_see(campaign, actor())
    return campaign


def _label(inst: Instance, lang: str) -> str:
    spec = services().workflows.catalog.compiled(inst.definition_id).spec
    return spec.state(inst.state).label.get(lang)


def conference_reply(inst: Instance, units: dict[int, str], lang: str) -> dict[str, Any]:
    wf = services().workflows
    plan = inst.data.get("plan") or {}
    host = plan.get("host_unit_id")
    tasks = []
    for t in conferences.tasks_of(wf, inst):
        task = t.data.get("task") or {}
        tasks.append({"id": t.id, "unit_id": t.unit_id, "unit": units.get(t.unit_id or 0, ""),
                      "text": str(task.get("text") or ""), "due": task.get("due"),
                      "state": t.state, "state_label": _label(t, lang)})
    return {"id": inst.id, "campaign_id": inst.parent_id, "name": conferences.title(
                inst.data, inst.year, lang),
            "kind": plan.get("kind"), "date": plan.get("date"), "time": plan.get("time") or "",
            "place": plan.get("place") or "", "host_unit_id": host,
            "host_unit": units.get(host, "") if isinstance(host, int) else "",
            "agenda": [{"title": a.get("title", ""), "presenter": a.get("presenter", "")}
                       for a in plan.get("agenda") or []],
            "state": inst.state, "state_label": _label(inst, lang), "version": inst.version,
            "tasks": tasks, **_hosted(inst)}


def _hosted(inst: Instance) -> dict[str, list[int]]:
    """What the conference hosts: the pledges signed at it, the votes held at it."""
    siblings = services().workflows.children(inst.parent_id) if inst.parent_id else []
    pledges = [p.id for p in siblings if p.workflow == "pledge"
               and p.data.get("conference_id") == inst.id and "signed_hash" in p.data]
    votes = [v.id for v in siblings if v.workflow == "vote_session"
             and (voting.Meeting.of(v.data.get("meeting")) or _NOWHERE).conference_id == inst.id]
    return {"pledges_signed_here": pledges, "vote_sessions": votes}


def _units(campaign: Instance) -> dict[int, str]:
    if campaign.cluster_id is None:
        return {}
    return {u.id: u.name for u in services().reads.cluster_units(campaign.cluster_id)}


@operation("GET", "/v1/campaigns/<int:campaign_id>/conferences", "A campaign's conferences, "
           "by date, each with the tasks its conclusions assigned", (200, "ConferenceList"),
           (400, 403), query=LangQuery, tags=("conferences",))
def campaign_conferences(campaign_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    campaign = _campaign(campaign_id)
    units = _units(campaign)
    return {"items": [conference_reply(c, units, query["lang"])
                      for c in conferences.conferences_of(services().workflows, campaign)]}


@operation("POST", "/v1/campaigns/<int:campaign_id>/conferences", "Plan a conference of the "
           "campaign's cluster and year (its leader or deputy)", (201, "Conference"),
           (400, 403), body=ConferenceBody, tags=("conferences",))
def plan_conference(campaign_id: int) -> ResponseReturnValue:
    body = load_json(ConferenceBody)
    campaign = _campaign(campaign_id)
    units = _units(campaign)
    day: dt.date = body["date"]
    plan = {"kind": body["kind"], "topic": body["topic"].strip(), "date": day.isoformat(),
            "time": body["time"].strip(), "place": body["place"].strip(),
            "host_unit_id": body["host_unit_id"],
            "agenda": [{"title": a["title"].strip(), "presenter": a["presenter"].strip()}
                       for a in body["agenda"]]}
    try:
        inst = conferences.plan(services().workflows, actor(), campaign, plan, units)
    except InvalidInput as exc:
        if exc.refusal is None:
            raise
        # the date outside the campaign's year, a host not a member: the data refuses it
        status = 409 if exc.refusal.code in ("conference_date_invalid",
                                             "conference_host_invalid") else 400
        raise ApiError(status, "invalid_input", "the conference's plan has a problem; see "
                       "'fields'", fields={"plan": [str(exc)]},
                       refusals={"plan": exc.refusal.as_json()}) from None
    return conference_reply(inst, units, "vi"), 201
