"""The API's supervision of the clusters: the council office's assignments of council members
to the clusters of a year, and a cluster's supervision notes (read by its supervising members,
its leader and the council office; written by its supervising members). The notes are the
`supervision` item of the cluster and year: /v1/items/{item_id} gives its history and ETag."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import ApiError, actor, load_json, load_query, operation, services
from web.api.schemas import MAX_ID, REPLIES, Reply, Text, _int, _int_or_null, _str
from workflow.domain.records import ClusterSummary
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, supervision


class SupervisionYearQuery(Schema):
    year = fields.Integer(strict=False, required=True, validate=validate.Range(1900, 2999),
                          metadata={"description": "the year of the clusters"})


class SupervisionAssignmentBody(Schema):
    user_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID),
                             metadata={"description": "a council member of the cluster's year"})
    cluster_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID),
                                metadata={"description": "a cluster (of one year)"})


class SupervisionNoteBody(Schema):
    date = fields.Date(required=True, metadata={"description": "the day of the supervision, "
                                                               "in the cluster's year"})
    content = Text(required=True, validate=validate.Length(1, 5000),
                   metadata={"description": "what the supervision found"})
    recommendations = Text(load_default="", validate=validate.Length(max=5000))
    version = fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=validate.Range(1, MAX_ID),
                             metadata={"description": "the notes' version the client saw"})


class SupervisionAssignmentSchema(Reply):
    id = _int(description="the assignment (a role grant)")
    user_id = _int()
    full_name = _str()
    cluster_id = _int()
    cluster = _str(description="the cluster's name")
    year = _int()


class SupervisionAssignmentListSchema(Reply):
    items = fields.List(fields.Nested(SupervisionAssignmentSchema))


class SupervisionNoteSchema(Reply):
    date = _str(description="ISO date")
    content = _str()
    recommendations = _str()
    author = _str(description="the supervising member's username")
    author_name = _str()
    recorded_at = _str(description="ISO timestamp (UTC)")


class SupervisionNotesSchema(Reply):
    cluster_id = _int()
    year = _int()
    item_id = _int_or_null(description="the supervision item, once a note started it")
    version = _int_or_null()
    items = fields.List(fields.Nested(SupervisionNoteSchema))


REPLIES.update({"SupervisionAssignment": SupervisionAssignmentSchema,
                "SupervisionAssignmentList": SupervisionAssignmentListSchema,
                "SupervisionNotes": SupervisionNotesSchema})


def _cluster(cluster_id: int) -> ClusterSummary:
    found = next((c for c in services().reads.clusters() if c.id == cluster_id), None)
    if found is None:
        raise NotFound(f"no cluster with id {cluster_id}")
    return found


def _assignments(year: int) -> list[dict[str, Any]]:
    names = {c.id: c.name for c in services().reads.clusters() if c.year == year}
    return [{"id": a.grant_id, "user_id": a.user_id, "full_name": a.full_name,
             "cluster_id": a.cluster_id, "cluster": names.get(a.cluster_id, ""), "year": year}
            for a in supervision.assignments(services().reads.supervisors(year))]


@operation("GET", "/v1/supervision/assignments", "The council members supervising each "
           "cluster of a year (the council office: all; a supervising member: their own)",
           (200, "SupervisionAssignmentList"), (400, 403), query=SupervisionYearQuery,
           tags=("supervision",))
def supervision_assignments() -> ResponseReturnValue:
    year = load_query(SupervisionYearQuery)["year"]
    who = actor()
    rows = _assignments(year)
    if access.may_assign_supervisors(who, year):
        return {"items": rows}
    mine = access.supervised_clusters(who, year)
    if not mine:
        raise PermissionDenied(f"'{who.username}' is neither the council office of {year} nor "
                               "a supervising council member that year")
    return {"items": [r for r in rows if r["cluster_id"] in mine]}


@operation("POST", "/v1/supervision/assignments", "Assign a council member to supervise a "
           "cluster for its year (the council office)", (201, "SupervisionAssignment"),
           (400, 403), body=SupervisionAssignmentBody, tags=("supervision",))
def assign_supervisor() -> ResponseReturnValue:
    body = load_json(SupervisionAssignmentBody)
    cluster = _cluster(body["cluster_id"])
    grant_id = supervision.assign(services().uow(), actor(), body["user_id"], cluster.id,
                                  at=services().clock.now())
    supervision.invite_to_called_conferences(services().workflows, services().reads,
                                             cluster.id, cluster.year, body["user_id"])
    return next(r for r in _assignments(cluster.year) if r["id"] == grant_id), 201


@operation("DELETE", "/v1/supervision/assignments/<int:grant_id>", "End a supervision "
           "assignment (the council office of its year)", (200, "SupervisionAssignment"),
           (403,), tags=("supervision",))
def end_supervision(grant_id: int) -> ResponseReturnValue:
    svc = services()
    with svc.uow().read() as uow:
        row = uow.users.grant_row(grant_id)
    if row is None or row["role"] != "cluster_supervisor" or row["year"] is None:
        raise NotFound(f"no supervision assignment {grant_id}")
    ended = next((r for r in _assignments(int(row["year"])) if r["id"] == grant_id), None)
    supervision.unassign(svc.uow(), actor(), grant_id, at=svc.clock.now())
    if ended is None:
        raise NotFound(f"no supervision assignment {grant_id}")
    return ended


def _notes(cluster: ClusterSummary) -> dict[str, Any]:
    wf, reads = services().workflows, services().reads
    notes = supervision.read_notes(wf, reads, actor(), cluster.id, cluster.year)
    item = supervision.item_of(wf, reads, cluster.id, cluster.year)
    names = reads.full_names({n.author for n in notes})
    return {"cluster_id": cluster.id, "year": cluster.year,
            "item_id": item.id if item is not None else None,
            "version": item.version if item is not None else None,
            "items": [{"date": n.day.isoformat(), "content": n.content,
                       "recommendations": n.recommendations, "author": n.author,
                       "author_name": names.get(n.author, n.author),
                       "recorded_at": n.recorded_at.isoformat()} for n in notes]}


@operation("GET", "/v1/clusters/<int:cluster_id>/supervision-notes", "A cluster's supervision "
           "notes of its year, newest first (its supervising members, leader, council office)",
           (200, "SupervisionNotes"), (403,), tags=("supervision",))
def supervision_notes(cluster_id: int) -> ResponseReturnValue:
    return _notes(_cluster(cluster_id))


@operation("POST", "/v1/clusters/<int:cluster_id>/supervision-notes", "Record a supervision "
           "note (a council member supervising the cluster that year); the leader is told",
           (201, "SupervisionNotes"), (400, 403, 409), body=SupervisionNoteBody,
           tags=("supervision",))
def record_supervision_note(cluster_id: int) -> ResponseReturnValue:
    body = load_json(SupervisionNoteBody)
    cluster = _cluster(cluster_id)
    note = {"date": body["date"].isoformat(), "content": body["content"].strip(),
            "recommendations": body["recommendations"].strip()}
    try:
        supervision.record_note(services().workflows, services().reads, actor(), cluster.id,
                                cluster.year, note, expected_version=body["version"])
    except InvalidInput as exc:
        if exc.refusal is None:
            raise
        raise ApiError(400, "invalid_input", "the note has a problem; see 'fields'",
                       fields={"note": [str(exc)]},
                       refusals={"note": exc.refusal.as_json()}) from None
    return _notes(cluster), 201
