"""Supervision of the clusters (giám sát cụm, khối thi đua) by council members: the council
office assigns members of the council to the clusters of a year; each supervising member reads
their clusters' year, is invited to their conferences and records supervision notes.

An assignment is a grant of the role `cluster_supervisor` for the cluster and its one year
(workflow/services/access.py says what it opens), written with the history of admin changes.
The notes are the `supervision` item of the cluster and year (definitions/supervision.yaml),
started by the first note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import SUPERVISOR_ROLE, Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, admin_log
from workflow.services.conferences import conferences_of
from workflow.services.ports import UnitOfWork
from workflow.services.read_side import ReadSide
from workflow.services.rules.conference import send_invitation, supervisors_scope
from workflow.services.rules.supervision import note_refusal
from workflow.services.workflows import Fired, Workflows

WORKFLOW = access.SUPERVISION


@dataclass(frozen=True, slots=True)
class Assignment:
    """A council member supervising a cluster in a year."""

    grant_id: int
    user_id: int
    full_name: str
    cluster_id: int


@dataclass(frozen=True, slots=True)
class Note:
    """A supervision note as recorded."""

    day: dt.date
    content: str
    recommendations: str
    author: str  # username
    recorded_at: dt.datetime


def _values(uow: UnitOfWork, cluster_id: int, year: int) -> dict[str, object]:
    record = uow.organisations.cluster(cluster_id)
    cluster = None if record is None else f"{record.code} {record.year} – {record.name}"
    return {"role": SUPERVISOR_ROLE, "unit": None, "cluster": cluster, "year": year}


def assign(uow: UnitOfWork, by: Actor, user_id: int, cluster_id: int,
           at: dt.datetime | None = None) -> int:
    """Assign a council member to supervise a cluster for the cluster's year: the council
    office does it; the person must hold a council role that year and not supervise it yet."""
    with uow:
        cluster = uow.organisations.cluster(cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster with id {cluster_id}")
        year = cluster.year
        if not access.may_assign_supervisors(by, year):
            raise PermissionDenied(
                f"'{by.username}' is not the council office for {year} and cannot assign "
                "the clusters' supervisors")
        person = uow.users.actor(user_id)
        if person is None or not uow.users.is_active(user_id):
            raise NotFound(f"no active user with id {user_id}")
        if not any(g.role in access.SUPERVISABLE and g.unit_id is None and g.cluster_id is None
                   and (g.year is None or g.year == year) for g in person.grants):
            raise InvalidInput(
                f"user_id: '{person.username}' is not a member of the council in {year}",
                Refusal("supervisor_not_council", {"user": Ref("user", person.username),
                                                   "year": str(year)}))
        if access.may_supervise(person, cluster_id, year):
            raise InvalidInput(
                f"user_id: '{person.username}' already supervises this cluster in {year}",
                Refusal("supervisor_already_assigned", {
                    "user": Ref("user", person.username), "cluster": Ref("cluster", cluster_id),
                    "year": str(year)}))
        grant_id = uow.users.add_grant(user_id, SUPERVISOR_ROLE, None, cluster_id, year)
        admin_log.record(uow, by, "grant_given", "grant", grant_id, user_id=user_id, at=at,
                         after=_values(uow, cluster_id, year))
        return grant_id


def unassign(uow: UnitOfWork, by: Actor, grant_id: int, at: dt.datetime | None = None) -> None:
    """End a supervision assignment (the council office of its year)."""
    with uow:
        row = uow.users.grant_row(grant_id)
        if row is None or row["role"] != SUPERVISOR_ROLE or row["cluster_id"] is None:
            raise NotFound(f"no supervision assignment {grant_id}")
        if not access.may_assign_supervisors(by, row["year"]):
            raise PermissionDenied(
                f"'{by.username}' is not the council office for {row['year']} and cannot end "
                "a supervision")
        before = _values(uow, int(row["cluster_id"]), int(row["year"]))
        uow.users.remove_grant(grant_id)
        admin_log.record(uow, by, "grant_revoked", "grant", grant_id,
                         user_id=int(row["user_id"]), at=at, before=before)


def invite_to_called_conferences(workflows: Workflows, reads: ReadSide, cluster_id: int,
                                 year: int, user_id: int) -> int:
    """A member assigned once a conference's invitations went out is invited too: to each
    conference of the cluster and year called and not yet held, from today on. How many
    invitations were written."""
    today = workflows.clock.today()
    called = []
    for summary in reads.cluster_campaigns(cluster_id):
        if summary.year != year:
            continue
        for conf in conferences_of(workflows, workflows.get(summary.id)):
            plan = conf.data.get("plan") or {}
            if conf.state == "invited" and str(plan.get("date") or "") >= today.isoformat():
                called.append(conf)
    if not called:
        return 0
    with workflows.store.write() as tx:
        queries = workflows.catalog.uow().in_engine_tx(tx)
        scope: Any = supervisors_scope(cluster_id, year)
        rows = [r for r in queries.recipients(scope, {SUPERVISOR_ROLE}) if r[0] == user_id]
        for row in rows[:1]:
            for conf in called:
                send_invitation(queries, conf, row, workflows.clock.now(), personal=True)
    return len(called) if rows else 0


def assignments(rows: list[tuple[int, int, str, int]]) -> list[Assignment]:
    """The read side's rows (`reads.supervisors(year)`) as assignments."""
    return [Assignment(*row) for row in rows]


# --- the notes -------------------------------------------------------------------------------


def item_of(workflows: Workflows, reads: ReadSide, cluster_id: int, year: int
            ) -> Instance | None:
    """The cluster's supervision item of the year, once a note started it (the oldest, should
    two first notes have raced)."""
    for item_id in reads.items_of_year(WORKFLOW, year, ("open", "closed"), finished=True):
        item = workflows.get(item_id)
        if item.cluster_id == cluster_id:
            return item
    return None


def notes_of(item: Instance | None) -> list[Note]:
    """The notes recorded, newest first."""
    out = []
    for n in (item.data.get("notes") or []) if item is not None else []:
        if not isinstance(n, Mapping):
            continue
        out.append(Note(dt.date.fromisoformat(str(n.get("date"))), str(n.get("content") or ""),
                        str(n.get("recommendations") or ""), str(n.get("author") or ""),
                        dt.datetime.fromisoformat(str(n.get("recorded_at")))))
    return sorted(out, key=lambda n: (n.day, n.recorded_at), reverse=True)


def read_notes(workflows: Workflows, reads: ReadSide, actor: Actor, cluster_id: int,
               year: int) -> list[Note]:
    """The cluster's notes for those who may read them (PermissionDenied otherwise)."""
    if not access.may_read_supervision(actor, cluster_id, year):
        raise PermissionDenied(
            f"'{actor.username}' neither supervises nor leads cluster {cluster_id} in {year} "
            "and is not the council office: the supervision notes are not theirs to read")
    return notes_of(item_of(workflows, reads, cluster_id, year))


def record_note(workflows: Workflows, reads: ReadSide, actor: Actor, cluster_id: int, year: int,
                note: Mapping[str, Any], expected_version: int | None = None) -> Fired:
    """Record a supervision note on the cluster's year (its supervising member only); the
    first note starts the item. A note the guard refuses raises TransitionNotAllowed with the
    refusal, and nothing is started."""
    if not access.may_supervise(actor, cluster_id, year):
        raise PermissionDenied(
            f"'{actor.username}' does not supervise cluster {cluster_id} in {year}")
    payload = {"note": {"date": str(note.get("date") or ""),
                        "content": str(note.get("content") or ""),
                        "recommendations": str(note.get("recommendations") or "")}}
    item = item_of(workflows, reads, cluster_id, year)
    if item is None:
        refusal = note_refusal(payload["note"], year, workflows.clock.today())
        if refusal is not None:
            raise InvalidInput(refusal.english(), refusal)
        item = workflows.start(WORKFLOW, actor, cluster_id=cluster_id, year=year)
        expected_version = None
    return workflows.fire(item, "record_note", actor, payload,
                          expected_version=expected_version)
