"""The council in the JSON API: the dossiers waiting for it, its sessions (scheduled by the
council office, members invited), the attendance of any vote, its turnout, the result written
on each dossier, the deciding authority's decision (generated and attached) and its
announcement. Ballots and a vote's result use /v1/votes/... of web.api. Every check is the
access policy's, as the council's pages ask it. Registered on the API blueprint."""

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
from web.api.schemas import MAX_ID, REPLIES, PageQuery, Reply, Text
from web.api.units import paged
from web.api.versions import expected_version
from web.api.year import CHAIRS
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, council, decisions, dossier_page, dossiers, naming, voting

COUNCIL_PEOPLE = frozenset({"council_secretariat", "council_member", "council_chair",
                            "decision_authority"})
MEETING_NAME = "Phiên họp Hội đồng Thi đua – Khen thưởng"


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def _version() -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(0, MAX_ID), metadata={
        "description": "the item version the caller saw (or send If-Match)"})


# --- requests ---------------------------------------------------------------------------------


class CouncilMeetingBody(Schema):
    date = fields.Date(required=True)
    time = fields.Time(required=True)
    place = Text(required=True, validate=validate.Length(1, 200))
    conference = Text(validate=validate.Length(1, 200),
                      metadata={"description": "the meeting's name in the minutes"})


class CouncilSessionBody(Schema):
    dossier_ids = fields.List(_id(), required=True, validate=validate.Length(1, 200),
                              metadata={"description": "the dossiers the council votes on"})
    meeting = fields.Nested(CouncilMeetingBody, required=True)


class AttendanceBody(Schema):
    present = fields.List(_id(), required=True, validate=validate.Length(0, 500), metadata={
        "description": "who is present: member unit ids (a cluster's vote) or council member "
                       "user ids (a council session)"})
    version = _version()
    comment = Text(validate=validate.Length(max=5000))


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


class SessionsQuery(PageQuery):
    state = Text(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
                 metadata={"description": "only sessions in this state"})


class MembersQuery(PageQuery):
    votes = fields.Boolean(metadata={"description": "voting members (true) or not (false)"})


class VersionBody(Schema):
    version = _version()
    comment = Text(validate=validate.Length(max=5000))


# --- replies ----------------------------------------------------------------------------------


class CouncilDossierSchema(Reply):
    id = fields.Integer()
    title = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    state = fields.String()
    version = fields.Integer()


class CouncilDossierListSchema(Reply):
    items = fields.List(fields.Nested(CouncilDossierSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CouncilSessionSchema(Reply):
    id = fields.Integer()
    year = fields.Integer(allow_none=True)
    state = fields.String()
    status = fields.String()
    version = fields.Integer()
    dossier_ids = fields.List(fields.Integer())
    meeting = fields.Dict(allow_none=True)


class CouncilSessionListSchema(Reply):
    items = fields.List(fields.Nested(CouncilSessionSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CouncilMemberSchema(Reply):
    user_id = fields.Integer()
    name = fields.String()
    chair = fields.Boolean()
    votes = fields.Boolean()


class CouncilMemberListSchema(Reply):
    items = fields.List(fields.Nested(CouncilMemberSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TurnoutSchema(Reply):
    eligible = fields.List(fields.String(), metadata={"description": "voter keys"})
    voted = fields.List(fields.String())
    as_of = fields.String(metadata={"format": "date-time"})


class DecisionSchema(Reply):
    id = fields.Integer()
    state = fields.String()
    status = fields.String()
    version = fields.Integer()
    outcome = fields.String(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True, metadata={"format": "date"})
    granted_title = fields.String(allow_none=True)


class DossierResultSchema(Reply):
    id = fields.Integer()
    state = fields.String()
    version = fields.Integer()
    carried = fields.Boolean()


class DossierResultListSchema(Reply):
    items = fields.List(fields.Nested(DossierResultSchema))


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


class ObjectionPageSchema(Reply):
    items = fields.List(fields.Nested(ObjectionSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


REPLIES.update({"Objection": ObjectionSchema, "ObjectionPage": ObjectionPageSchema})
REPLIES.update({"CouncilDossierList": CouncilDossierListSchema,
                "CouncilSession": CouncilSessionSchema,
                "CouncilSessionList": CouncilSessionListSchema,
                "CouncilMemberList": CouncilMemberListSchema, "Turnout": TurnoutSchema,
                "Decision": DecisionSchema, "DossierResultList": DossierResultListSchema})


# --- helpers ----------------------------------------------------------------------------------


def require_council(year: int) -> None:
    who = actor()
    if not 2000 <= year <= 2100:
        raise NotFound(f"no council year {year}")
    if not who.roles_for(None, None, year) & COUNCIL_PEOPLE:
        raise PermissionDenied(f"the council's work of {year} is for its office, members, "
                               f"chair and deciding authority; '{who.username}' is none")


def require_office(year: int) -> None:
    who = actor()
    if not council.is_office(who, year):
        raise PermissionDenied("this is for the council office (council_secretariat)")


def session_reply(s: Instance) -> dict[str, Any]:
    return {"id": s.id, "year": s.year, "state": s.state, "status": s.status,
            "version": s.version,
            "dossier_ids": sorted(int(d) for d in s.data.get("candidate_units") or {}),
            "meeting": s.data.get("meeting")}


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


# --- the council ------------------------------------------------------------------------------


@operation("GET", "/v1/council/<int:year>/dossiers", "Dossiers under the council's review "
           "that no session is voting on or has carried", (200, "CouncilDossierList"),
           (400, 403), query=PageQuery, tags=("council",))
def council_dossiers(year: int) -> ResponseReturnValue:
    query = load_query(PageQuery)
    require_council(year)
    svc = services()
    found, total = paged(council.waiting(svc.workflows, svc.reads, year), query)
    names = naming.names_for(svc.reads, found)
    return page_of([{
        "id": d.id, "unit_id": d.unit_id, "state": d.state, "version": d.version,
        "unit": names.units.get(d.unit_id) if d.unit_id is not None else None,
        "title": naming.item_title(svc.workflows.catalog.compiled(d.definition_id).spec.title,
                                   d, names)} for d in found], total, query)


@operation("GET", "/v1/council/<int:year>/members", "The council's people of a year: who "
           "votes, who chairs", (200, "CouncilMemberList"), (400, 403), query=MembersQuery,
           tags=("council",))
def council_members(year: int) -> ResponseReturnValue:
    query = load_query(MembersQuery)
    require_council(year)
    rows = [m for m in council.members(services().reads, year)
            if query.get("votes", m.votes) == m.votes]
    items, total = paged(rows, query)
    return page_of([{"user_id": m.user_id, "name": m.name, "chair": m.chair, "votes": m.votes}
                    for m in items], total, query)


@operation("GET", "/v1/council/<int:year>/sessions", "The council's sessions of a year, "
           "newest first", (200, "CouncilSessionList"), (400, 403), query=SessionsQuery,
           tags=("council",))
def council_sessions(year: int) -> ResponseReturnValue:
    query = load_query(SessionsQuery)
    require_council(year)
    svc = services()
    rows = [s for s in council.sessions(svc.workflows, svc.reads, year)
            if query.get("state", s.state) == s.state]
    items, total = paged(rows, query)
    return page_of([session_reply(s) for s in items], total, query)


@operation("POST", "/v1/council/<int:year>/sessions", "Schedule a council session voting on "
           "dossiers; the voting members are invited (the council office)",
           (201, "CouncilSession"), (400, 403, 409), body=CouncilSessionBody, tags=("council",))
def schedule_council(year: int) -> ResponseReturnValue:
    require_council(year)
    require_office(year)
    body = load_json(CouncilSessionBody)
    meeting = body["meeting"]
    svc = services()
    session = council.schedule(
        svc.workflows, svc.reads, actor(), sorted(set(body["dossier_ids"])), year,
        voting.Meeting(meeting["date"], meeting["time"], meeting["place"].strip(),
                       (meeting.get("conference") or MEETING_NAME).strip()),
        base_url=svc.settings.app.base_url)
    return session_reply(session), 201


# --- any vote: attendance, turnout ------------------------------------------------------------


@operation("POST", "/v1/votes/<int:session_id>/attendance", "Record who is present and check "
           "the quorum (the chair); the vote can then be opened", (200, "CouncilSession"),
           (400, 403, 409, 412), body=AttendanceBody, tags=("votes",))
def attendance(session_id: int) -> ResponseReturnValue:
    body = load_json(AttendanceBody)
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    who = actor()
    require_see(session, who)
    if not access.roles_on(who, session) & CHAIRS:
        raise PermissionDenied("the attendance is taken by the chair of the vote")
    prefix = "user" if session.data.get("kind") == "council" else "unit"
    payload: dict[str, Any] = {"present": [f"{prefix}:{i}" for i in dict.fromkeys(
        body["present"])]}
    if (body.get("comment") or "").strip():
        payload["comment"] = body["comment"].strip()
    fired = services().workflows.fire(session.id, "check_quorum", who, payload,
                                      expected_version=expected_version(body))
    return session_reply(fired.instance)


@operation("GET", "/v1/votes/<int:session_id>/turnout", "Who has voted in the current round "
           "(never how)", (200, "Turnout"), (403,), tags=("votes",))
def turnout(session_id: int) -> ResponseReturnValue:
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    require_see(session, actor())
    found = voting.turnout(services().workflows, session.id)
    return {"eligible": [str(k) for k in found["eligible"]],
            "voted": [str(k) for k in found["voted"]], "as_of": found["as_of"]}


@operation("POST", "/v1/votes/<int:session_id>/council-results", "Write a locked council "
           "session's count on each of its dossiers; the carried ones go to the deciding "
           "authority (the council office)", (200, "DossierResultList"), (403, 409),
           tags=("council",))
def council_results(session_id: int) -> ResponseReturnValue:
    session = load_item(session_id)
    if session.workflow != "vote_session" or session.data.get("kind") != "council":
        raise NotFound(f"no council session with id {session_id}")
    require_see(session, actor())
    require_office(session.year or 0)
    moved = council.write_results(services().workflows, session.id, actor())
    return {"items": [{"id": d.id, "state": d.state, "version": d.version,
                       "carried": bool((d.data.get("council_result") or {}).get("carried"))}
                      for d in moved]}


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
