"""The dossier's last steps in the JSON API: the deciding authority's decision (generated and
attached), its announcement and revocation, and the appraisal's returns for supplement and
objections. The requests and replies are declared with the council's (web.api.council).
Registered on the API blueprint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import (
    actor,
    iso,
    load_item,
    load_json,
    load_query,
    operation,
    page_of,
    require_see,
    services,
)
from web.api.council import _version
from web.api.schemas import REPLIES, PageQuery, PageSchema, Reply, Text
from web.api.units import paged
from web.api.versions import expected_version
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, decisions, dossier_page, dossiers

# --- requests, replies, helpers ---------------------------------------------------------------


class DecisionBody(Schema):
    outcome = Text(required=True, validate=validate.Length(1, 40), metadata={
        "description": "approved, downgraded or rejected (or đồng ý, khen mức thấp hơn, "
                       "không đồng ý)"})
    reasons = Text(required=True, validate=validate.Length(1, 5000))
    number = Text(load_default="", validate=validate.Length(max=60),
                  metadata={"description": "the decision's number (an award needs one)"})
    date = fields.Date(allow_none=True, metadata={"description": "the decision's date"})
    granted_title = Text(load_default="", validate=validate.Length(max=80),
                         metadata={"description": "the lower title of a downgrade"})
    signer = Text(load_default="", validate=validate.Length(max=120))
    version = _version()


class ReturnBody(Schema):
    missing = fields.List(Text(validate=validate.Length(1, 300)), required=True,
                          validate=validate.Length(1, 50), metadata={
                              "description": "document codes of the title, or words for "
                                             "anything else that must be supplemented"})
    comment = Text(required=True, validate=validate.Length(1, 5000))
    version = _version()


class ObjectionsQuery(PageQuery):
    status = Text(validate=validate.OneOf(("waiting", "inadmissible", "open", "answered")),
                  metadata={"description": "waiting (to judge), inadmissible, open (to "
                                           "answer) or answered"})


class JudgeBody(Schema):
    admissible = fields.Boolean(required=True)
    reason = Text(required=True, validate=validate.Length(1, 5000))


class AnswerBody(Schema):
    answer = Text(required=True, validate=validate.Length(1, 5000))


class VersionBody(Schema):
    version = _version()
    comment = Text(validate=validate.Length(max=5000))


class DecisionSchema(Reply):
    id = fields.Integer()
    state = fields.String()
    status = fields.String()
    version = fields.Integer()
    outcome = fields.String(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True, metadata={"format": "date"})
    granted_title = fields.String(allow_none=True)


class ObjectionSchema(Reply):
    OPTIONAL = ("contact",)
    id = fields.Integer()
    dossier_id = fields.Integer()
    text = fields.String()
    contact = fields.String(allow_none=True, metadata={
        "description": "how to reach its writer: for the council office only"})
    filed_at = fields.String(metadata={"format": "date-time"})
    status = fields.String(metadata={"description": "waiting, inadmissible, open, answered"})
    holds = fields.Boolean(metadata={"description": "it holds the dossier back"})
    reason = fields.String(allow_none=True)
    judged_by = fields.String(allow_none=True)
    judged_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ObjectionPageSchema(PageSchema):
    items = fields.List(fields.Nested(ObjectionSchema))


def dossier_of(dossier_id: int) -> Instance:
    dossier = load_item(dossier_id)
    if dossier.workflow != "dossier":
        raise NotFound(f"no dossier with id {dossier_id}")
    require_see(dossier, actor())
    return dossier


def require_role(dossier: Instance, role: str, what: str) -> None:
    who = actor()
    if role not in access.roles_on(who, dossier):
        raise PermissionDenied(f"{what} needs the role {role}; '{who.username}' does not "
                               "hold it for this dossier")


def decision_reply(d: Instance) -> dict[str, Any]:
    data = d.data
    return {"id": d.id, "state": d.state, "status": d.status, "version": d.version,
            "outcome": data.get("outcome"), "decision_number": data.get("decision_number"),
            "decision_date": data.get("decision_date"),
            "granted_title": data.get("granted_title") or data.get("title")}


REPLIES.update({"Objection": ObjectionSchema, "ObjectionPage": ObjectionPageSchema,
                "Decision": DecisionSchema})


# --- the decision -----------------------------------------------------------------------------


@operation("POST", "/v1/dossiers/<int:dossier_id>/decision", "Decide on a dossier (the "
           "deciding authority); an award gets its decision (quyết định) generated and "
           "attached", (200, "Decision"), (400, 403, 409, 412), body=DecisionBody,
           tags=("dossiers",))
def decide(dossier_id: int) -> ResponseReturnValue:
    body = load_json(DecisionBody)
    dossier = dossier_of(dossier_id)
    require_role(dossier, "decision_authority", "deciding on a dossier")
    if not body["reasons"].strip():
        raise InvalidInput("reasons: write the reasons for the decision")
    svc = services()
    day: dt.date | None = body.get("date")
    done = decisions.decide(svc.workflows, dossier.id, actor(), decisions.DecisionForm(
        body["outcome"], body["reasons"], body["number"].strip(), day, body["granted_title"],
        body["signer"].strip()), svc.settings.documents_dir,
        expected_version=expected_version(body))
    return decision_reply(done)


@operation("POST", "/v1/dossiers/<int:dossier_id>/announce", "Announce a decided dossier on "
           "the public page (the council office)", (200, "Decision"), (400, 403, 409, 412),
           body=VersionBody, tags=("dossiers",))
def announce(dossier_id: int) -> ResponseReturnValue:
    body = load_json(VersionBody)
    dossier = dossier_of(dossier_id)
    require_role(dossier, "council_secretariat", "announcing a decision")
    done = decisions.announce(services().workflows, dossier.id, actor(),
                              expected_version(body))
    return decision_reply(done)


@operation("POST", "/v1/dossiers/<int:dossier_id>/revoke", "Revoke an announced award, with "
           "the reason (the deciding authority)", (200, "Decision"), (400, 403, 409, 412),
           body=VersionBody, tags=("dossiers",))
def revoke(dossier_id: int) -> ResponseReturnValue:
    body = load_json(VersionBody)
    dossier = dossier_of(dossier_id)
    require_role(dossier, "decision_authority", "revoking an award")
    done = decisions.revoke(services().workflows, dossier.id, actor(),
                            body.get("comment") or "", expected_version(body))
    return decision_reply(done)




# --- the appraisal: returns, objections --------------------------------------------------------


@operation("POST", "/v1/dossiers/<int:dossier_id>/return", "Return a dossier for supplement, "
           "naming each missing document (the council office); its appraisal clock pauses",
           (200, "Decision"), (400, 403, 409, 412), body=ReturnBody, tags=("dossiers",))
def return_dossier(dossier_id: int) -> ResponseReturnValue:
    body = load_json(ReturnBody)
    dossier = dossier_of(dossier_id)
    require_role(dossier, "council_secretariat", "returning a dossier for supplement")
    done = dossier_page.return_for_supplement(
        services().workflows, dossier.id, actor(), body["missing"], body["comment"],
        expected_version=expected_version(body))
    return decision_reply(done)


def objection_reply(o: dossiers.Objection, with_contact: bool) -> dict[str, Any]:
    out = {"id": o.id, "dossier_id": o.dossier_id, "text": o.text, "filed_at": iso(o.filed_at),
           "status": o.status, "holds": o.holds, "reason": o.reason, "judged_by": o.judged_by,
           "judged_at": iso(o.judged_at), "answer": o.answer, "answered_by": o.answered_by,
           "answered_at": iso(o.answered_at)}
    if with_contact:
        out["contact"] = o.contact
    return out


def objection_of(dossier: Instance, objection_id: int) -> dossiers.Objection:
    found = next((o for o in dossiers.objections_of(services().workflows, dossier.id)
                  if o.id == objection_id), None)
    if found is None:
        raise NotFound(f"no objection {objection_id} to dossier {dossier.id}")
    return found


@operation("GET", "/v1/dossiers/<int:dossier_id>/objections", "The objections to a posted "
           "dossier, as filed, by status", (200, "ObjectionPage"), (400, 403),
           query=ObjectionsQuery, tags=("dossiers",))
def objections(dossier_id: int) -> ResponseReturnValue:
    query = load_query(ObjectionsQuery)
    dossier = dossier_of(dossier_id)
    judge = dossiers.may_judge(actor(), dossier)
    rows = [o for o in dossiers.objections_of(services().workflows, dossier.id)
            if query.get("status", o.status) == o.status]
    items, total = paged(rows, query)
    return page_of([objection_reply(o, judge) for o in items], total, query)


@operation("POST", "/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/judge",
           "Judge an objection admissible (it holds the dossier back until answered) or not, "
           "with the reason (the council office)", (200, "Objection"), (400, 403),
           body=JudgeBody, tags=("dossiers",))
def judge_objection(dossier_id: int, objection_id: int) -> ResponseReturnValue:
    body = load_json(JudgeBody)
    dossier = dossier_of(dossier_id)
    if not dossiers.may_judge(actor(), dossier):
        raise PermissionDenied("objections are judged by the council office")
    objection_of(dossier, objection_id)
    judged = dossiers.judge_objection(services().workflows, objection_id, actor(),
                                      admissible=body["admissible"], reason=body["reason"])
    return objection_reply(judged, True)


@operation("POST", "/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/answer",
           "Answer an admissible objection (the cluster's leader or the council office)",
           (200, "Objection"), (400, 403), body=AnswerBody, tags=("dossiers",))
def answer_objection(dossier_id: int, objection_id: int) -> ResponseReturnValue:
    body = load_json(AnswerBody)
    dossier = dossier_of(dossier_id)
    if not dossiers.may_answer(actor(), dossier):
        raise PermissionDenied("objections are answered by the cluster's leader or the "
                               "council office")
    objection_of(dossier, objection_id)
    dossiers.answer_objection(services().workflows, objection_id, actor(), body["answer"])
    return objection_reply(objection_of(dossier, objection_id),
                           dossiers.may_judge(actor(), dossier))
