"""The council in the JSON API: the dossiers waiting for it, its sessions (scheduled by the
council office, members invited), the attendance of any vote, its turnout, the result written
on each dossier, the deciding authority's decision (generated and attached) and its
announcement. Ballots and a vote's result use /v1/votes/... of web.api. Every check is the
access policy's, as the council's pages ask it. Registered on the API blueprint."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import (
    actor,
    load_item,
    load_json,
    load_query,
    operation,
    page_of,
    require_see,
    services,
)
from web.api.dossiers import chaired_session
from web.api.schemas import MAX_ID, REPLIES, CommitteeBody, PageQuery, PageSchema, Reply, Text
from web.api.units import paged
from web.api.versions import expected_version
from workflow.engine.instance import Instance
from workflow.errors import NotFound, PermissionDenied
from workflow.services import ballot_box as bbox
from workflow.services import council, naming, voting

COUNCIL_PEOPLE = frozenset({"council_secretariat", "council_member", "council_chair",
                            "decision_authority"})
MEETING_NAME = "Phiên họp Hội đồng Thi đua – Khen thưởng"


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def _version() -> fields.Integer:  # shared with web.api.decisions
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
    committee = fields.Nested(CommitteeBody, metadata={
        "description": "the vote-counting committee, people of the council that year: each "
                       "collects a share of the counting key before the vote opens; without "
                       "one the server counts the sealed ballots"})


class AttendanceBody(Schema):
    present = fields.List(_id(), required=True, validate=validate.Length(0, 500), metadata={
        "description": "who is present: member unit ids (a cluster's vote) or council member "
                       "user ids (a council session)"})
    version = _version()
    comment = Text(validate=validate.Length(max=5000))


class SessionsQuery(PageQuery):
    state = Text(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
                 metadata={"description": "only sessions in this state"})


class MembersQuery(PageQuery):
    votes = fields.Boolean(metadata={"description": "voting members (true) or not (false)"})


# --- replies ----------------------------------------------------------------------------------


class CouncilDossierSchema(Reply):
    id = fields.Integer()
    title = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    state = fields.String()
    version = fields.Integer()


class CouncilDossierListSchema(PageSchema):
    items = fields.List(fields.Nested(CouncilDossierSchema))


class CouncilSessionSchema(Reply):
    id = fields.Integer()
    year = fields.Integer(allow_none=True)
    state = fields.String()
    status = fields.String()
    version = fields.Integer()
    dossier_ids = fields.List(fields.Integer())
    meeting = fields.Dict(allow_none=True)
    committee = fields.Dict(allow_none=True, metadata={
        "description": "the counting committee: members (user ids) and threshold, or null"})


class CouncilSessionListSchema(PageSchema):
    items = fields.List(fields.Nested(CouncilSessionSchema))


class CouncilMemberSchema(Reply):
    user_id = fields.Integer()
    name = fields.String()
    chair = fields.Boolean()
    votes = fields.Boolean()


class CouncilMemberListSchema(PageSchema):
    items = fields.List(fields.Nested(CouncilMemberSchema))


class TurnoutSchema(Reply):
    eligible = fields.List(fields.String(), metadata={"description": "voter keys"})
    voted = fields.List(fields.String())
    as_of = fields.String(metadata={"format": "date-time"})


class DossierResultSchema(Reply):
    id = fields.Integer()
    state = fields.String()
    version = fields.Integer()
    carried = fields.Boolean()


class DossierResultListSchema(Reply):
    items = fields.List(fields.Nested(DossierResultSchema))


REPLIES.update({"CouncilDossierList": CouncilDossierListSchema,
                "CouncilSession": CouncilSessionSchema,
                "CouncilSessionList": CouncilSessionListSchema,
                "CouncilMemberList": CouncilMemberListSchema, "Turnout": TurnoutSchema,
                "DossierResultList": DossierResultListSchema})


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
            "meeting": s.data.get("meeting"), "committee": s.data.get("committee")}


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
        committee=bbox.Committee(tuple(body["committee"]["members"]),
                                 body["committee"]["threshold"])
        if body.get("committee") else None,
        base_url=svc.settings.app.base_url)
    return session_reply(session), 201


# --- any vote: attendance, turnout ------------------------------------------------------------


@operation("POST", "/v1/votes/<int:session_id>/attendance", "Record who is present and check "
           "the quorum (the chair); the vote can then be opened", (200, "CouncilSession"),
           (400, 403, 409, 412), body=AttendanceBody, tags=("votes",))
def attendance(session_id: int) -> ResponseReturnValue:
    body = load_json(AttendanceBody)
    session, who = chaired_session(session_id, "the attendance is taken by the chair of the vote")
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
