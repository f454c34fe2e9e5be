"""Impediments to an award in the JSON API (Decree 152/2025 art. 4(4): discipline, an
investigation, a complaint or denunciation, a press report being verified): list, read, record
and close them. While one is active, the dossiers of its unit or person are not proposed,
carried by the council or decided (the dossier's guard says why, as a refusal). Who may is the
access policy's answer, as on the pages. Registered on the API blueprint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import actor, iso, load_json, load_query, operation, page_of, services
from web.api.schemas import MAX_ID, REPLIES, PageQuery, PageSchema, Reply, Text
from web.api.units import paged
from workflow.domain import impediments as imp
from workflow.errors import Conflict, NotFound
from workflow.services import impediments as imps

STATUSES = ("active", "upcoming", "ended", "closed")


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# --- requests ---------------------------------------------------------------------------------


def _query_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


class ImpedimentsQuery(PageQuery):
    unit_id = _query_id(metadata={"description": "only those recorded against this unit"})
    user_id = _query_id(metadata={"description": "only those recorded against this person"})
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "only those active today, starting later, whose period is over, or "
                       "closed"})


class ImpedimentBody(Schema):
    unit_id = _id(metadata={"description": "the unit it is recorded against (or user_id)"})
    user_id = _id(metadata={"description": "the person it is recorded against (or unit_id)"})
    kind = fields.String(required=True, validate=validate.OneOf(tuple(imp.KINDS)), metadata={
        "description": "discipline, investigation (or inspection, check), complaint (or "
                       "denunciation), press_report"})
    reference = Text(required=True, validate=validate.Length(1, imp.MAX_REFERENCE), metadata={
        "description": "the number and name of the document it rests on"})
    reference_date = fields.Date(metadata={"description": "the document's date"})
    start = fields.Date(required=True, metadata={"description": "the first day it holds"})
    until = fields.Date(metadata={
        "description": "a discipline's last day; absent: until its closure is recorded"})
    note = Text(validate=validate.Length(max=imp.MAX_NOTE))


class ClosureBody(Schema):
    closed_on = fields.Date(required=True, metadata={"description": "the day it ended"})
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(imp.OUTCOMES)),
                            metadata={"description": "served, no_violation, violation_found, "
                                                     "withdrawn or resolved"})
    reference = Text(required=True, validate=validate.Length(1, imp.MAX_REFERENCE), metadata={
        "description": "the conclusion or decision that ends it"})
    note = Text(validate=validate.Length(max=imp.MAX_NOTE))


# --- replies ----------------------------------------------------------------------------------


class ImpedimentSchema(Reply):
    OPTIONAL = ("closed_on", "outcome", "closure_reference", "closure_note", "closed_by",
                "closed_at")

    id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    kind = fields.String()
    kind_label = fields.String(metadata={"description": "the kind in Vietnamese"})
    reference = fields.String()
    reference_date = fields.String(allow_none=True, metadata={"format": "date"})
    start = fields.String(metadata={"format": "date"})
    until = fields.String(allow_none=True, metadata={"format": "date"})
    note = fields.String()
    status = fields.String(metadata={"description": "active, upcoming, ended or closed"})
    active = fields.Boolean(metadata={"description": "whether it holds an award back today"})
    recorded_by = fields.String()
    recorded_at = fields.String(metadata={"format": "date-time"})
    closed_on = fields.String(allow_none=True, metadata={"format": "date"})
    outcome = fields.String(allow_none=True)
    closure_reference = fields.String(allow_none=True)
    closure_note = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ImpedimentPageSchema(PageSchema):
    items = fields.List(fields.Nested(ImpedimentSchema))


REPLIES.update({"Impediment": ImpedimentSchema, "ImpedimentPage": ImpedimentPageSchema})


def reply(i: imp.Impediment, today: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": i.id, "unit_id": i.unit_id, "user_id": i.user_id, "kind": i.kind,
        "kind_label": i.label.vi, "reference": i.reference,
        "reference_date": iso(i.reference_date), "start": iso(i.start), "until": iso(i.until),
        "note": i.note, "status": i.status(today), "active": i.active_on(today),
        "recorded_by": i.recorded_by, "recorded_at": iso(i.recorded_at)}
    if i.closed_on is not None:
        out.update({"closed_on": iso(i.closed_on), "outcome": i.outcome,
                    "closure_reference": i.closure_reference,
                    "closure_note": i.closure_note, "closed_by": i.closed_by,
                    "closed_at": iso(i.closed_at)})
    return out


def _checked(impediment_id: int) -> int:
    if impediment_id > MAX_ID:
        raise NotFound(f"no impediment {impediment_id}")
    return impediment_id


# --- routes -----------------------------------------------------------------------------------


@operation("GET", "/v1/impediments", "Impediments to an award (discipline, investigation, "
           "complaint: Decree 152/2025 art. 4(4)) the caller may read, newest first, or those "
           "of one unit or person, earliest first", (200, "ImpedimentPage"), (400, 403, 404),
           query=ImpedimentsQuery, tags=("impediments",))
def list_impediments() -> ResponseReturnValue:
    query = load_query(ImpedimentsQuery)
    wf = services().workflows
    if "unit_id" in query or "user_id" in query:
        unit = query.get("unit_id")
        rows, _ = imps.of_subject(wf, actor(), unit_id=unit,
                                  user_id=None if unit is not None else query.get("user_id"))
    else:
        rows = imps.listed(wf, actor())
    today = services().clock.today()
    rows = [i for i in rows if query.get("status", i.status(today)) == i.status(today)]
    items, total = paged(rows, query)
    return page_of([reply(i, today) for i in items], total, query)


@operation("POST", "/v1/impediments", "Record an impediment against a unit or a person (the "
           "council office, or the leader of the unit's cluster); each running dossier of "
           "theirs notes it in its history", (201, "Impediment"), (400, 403, 404),
           body=ImpedimentBody, tags=("impediments",))
def record_impediment() -> ResponseReturnValue:
    body = load_json(ImpedimentBody)
    if ("unit_id" in body) == ("user_id" in body):  # OpenAPI 3.0 cannot say "one of two"
        raise Conflict("unit_id: give unit_id or user_id, one of them")
    found = imps.record(
        services().workflows, actor(), unit_id=body.get("unit_id"), user_id=body.get("user_id"),
        kind=body["kind"], reference=body["reference"],
        reference_date=body.get("reference_date"), start=body["start"],
        until=body.get("until"), note=body.get("note", ""))
    return reply(found, services().clock.today()), 201


@operation("GET", "/v1/impediments/<int:impediment_id>", "One impediment to an award",
           (200, "Impediment"), (403, 404), tags=("impediments",))
def get_impediment(impediment_id: int) -> ResponseReturnValue:
    return reply(imps.get(services().workflows, actor(), _checked(impediment_id)),
                 services().clock.today())


@operation("POST", "/v1/impediments/<int:impediment_id>/close", "Record how an impediment "
           "ended (the day, the outcome, the conclusion or decision), once; the running "
           "dossiers of its unit or person note it in their history", (200, "Impediment"),
           (400, 403, 404), body=ClosureBody, tags=("impediments",))
def close_impediment(impediment_id: int) -> ResponseReturnValue:
    body = load_json(ClosureBody)
    wf = services().workflows
    imps.get(wf, actor(), _checked(impediment_id))  # 404 / 403 before the body's checks
    closed = imps.close(wf, actor(), impediment_id, closed_on=body["closed_on"],
                        outcome=body["outcome"], reference=body["reference"],
                        note=body.get("note", ""))
    return reply(closed, services().clock.today())
