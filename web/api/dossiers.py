"""The dossiers in the JSON API: opening the winners' dossiers of a counted cluster vote, and
a dossier's appraisal clock (working days used, paused, due) with its history. Registered on
the API blueprint (web.api imports this module once its own routes are in place)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from marshmallow import fields

from web.api import actor, load_item, operation, require_see, services
from web.api.schemas import REPLIES, Reply
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, dossier_page, naming

CHAIRS = frozenset({"cluster_leader", "cluster_deputy", "council_secretariat", "council_chair"})


def chaired_session(session_id: int, refusal: str) -> tuple[Instance, Actor]:
    """A vote session the caller may see and chairs (the leader, the deputy, the council
    office or chair); 404 for anything else, 403 with `refusal` for a reader who is no chair."""
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    who = actor()
    require_see(session, who)
    if not access.roles_on(who, session) & CHAIRS:
        raise PermissionDenied(refusal)
    return session, who


class OpenedDossierSchema(Reply):
    id = fields.Integer()
    title = fields.String(metadata={"description": "the dossier's name, in Vietnamese"})
    unit_id = fields.Integer()
    state = fields.String()


class OpenedDossiersSchema(Reply):
    items = fields.List(fields.Nested(OpenedDossierSchema))


class ClockSpanSchema(Reply):
    OPTIONAL = ("stopped", "stopped_by")
    started = fields.Date()
    stopped = fields.Date(allow_none=True)
    days = fields.Integer()
    stopped_by = fields.String(allow_none=True,
                               metadata={"description": "return or to_council"})


class AppraisalClockSchema(Reply):
    OPTIONAL = ("due",)
    dossier_id = fields.Integer()
    started = fields.Boolean(metadata={"description": "whether the appraisal has begun"})
    period = fields.Integer(metadata={"description": "working days the rule set allows"})
    used = fields.Integer()
    left = fields.Integer()
    running = fields.Boolean()
    paused = fields.Boolean()
    due = fields.Date(allow_none=True)
    spans = fields.List(fields.Nested(ClockSpanSchema))


REPLIES.update({"OpenedDossiers": OpenedDossiersSchema, "AppraisalClock": AppraisalClockSchema})


@operation("POST", "/v1/votes/<int:session_id>/dossiers", "Open the dossiers of the winners of "
           "a counted cluster vote, its minutes attached (the cluster's leader); the vote is "
           "locked", (201, "OpenedDossiers"), (403, 409), tags=("dossiers",))
def open_vote_dossiers(session_id: int) -> ResponseReturnValue:
    session, who = chaired_session(session_id, "the dossiers of a vote are opened by the "
                                   "cluster's leader")
    svc = services()
    if session.state == "locked" and not dossier_page.winners_without_dossier(svc.workflows,
                                                                              session):
        raise TransitionNotAllowed("open_dossiers", "every winner of this vote already has "
                                   "a dossier")
    opened = dossier_page.open_after_vote(svc.workflows, session_id, who,
                                          svc.settings.documents_dir)
    names = naming.names_for(svc.reads, opened)
    return {"items": [{
        "id": d.id, "unit_id": d.unit_id, "state": d.state,
        "title": naming.item_title(svc.workflows.catalog.compiled(d.definition_id).spec.title,
                                   d, names)} for d in opened]}, 201


@operation("GET", "/v1/dossiers/<int:dossier_id>/clock", "A dossier's appraisal clock: "
           "working days used and left, paused or running, the due date and each stretch",
           (200, "AppraisalClock"), (403,), tags=("dossiers",))
def dossier_clock(dossier_id: int) -> ResponseReturnValue:
    dossier = load_item(dossier_id)
    if dossier.workflow != "dossier":
        raise NotFound(f"no dossier with id {dossier_id}")
    require_see(dossier, actor())
    wf = services().workflows
    clock = dossier_page.clock(wf, dossier)
    if clock is None:
        period = dossier_page.rule_set(wf, dossier).appraisal_working_days.value
        return {"dossier_id": dossier_id, "started": False, "period": period, "used": 0,
                "left": period, "running": False, "paused": False, "due": None, "spans": []}
    return {"dossier_id": dossier_id, "started": True, "period": clock.period,
            "used": clock.used, "left": clock.left, "running": clock.running,
            "paused": clock.paused, "due": clock.due,
            "spans": [{"started": s.started, "stopped": s.stopped, "days": s.days,
                       "stopped_by": s.stopped_by} for s in clock.spans]}
