"""Impediments to an award as people keep them (Decree 152/2025 art. 4(4)): the council office,
or the leader of the unit's cluster, records discipline, an investigation or a complaint against
a unit or a person, and later its closure; each is noted, with its document, in the history of
every running dossier of theirs (hash-chained like every step). The dossier's guard
(rules/impediments.py) then refuses to propose, carry or decide while one is active.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workflow.domain import impediments as imp
from workflow.domain.refusals import Refusal
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access
from workflow.services.ports import EngineTx, ImpedimentStatements
from workflow.services.rules.impediments import from_row, subjects_of
from workflow.services.workflows import Workflows

LIST_LIMIT = 500
Impediment = imp.Impediment


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom an impediment is against: a unit, or a person (with the unit they belong to)."""

    unit_id: int | None
    user_id: int | None
    home_unit: int | None  # the unit itself, or the person's unit
    clusters: tuple[tuple[int, int], ...]  # (id, year) of the home unit's clusters


@dataclass(frozen=True, slots=True)
class DossierImpediments:
    """What a dossier's page shows: the impediments of its nominee, those active today, and
    whether the reader may record and close them."""

    all: tuple[Impediment, ...]
    active: tuple[Impediment, ...]
    may_keep: bool
    unit_id: int | None
    readable: bool  # whether the reader may read the nominee's impediments at all


def _refused(refusal: Refusal) -> InvalidInput:
    return InvalidInput(refusal.english(), refusal)


def _subject(q: ImpedimentStatements, unit_id: int | None, user_id: int | None) -> Subject:
    if (unit_id is None) == (user_id is None):
        raise _refused(Refusal("impediment_subject_missing"))
    if unit_id is not None:
        if not q.unit_exists(unit_id):
            raise NotFound(f"no unit {unit_id}")
        return Subject(unit_id, None, unit_id, tuple(q.clusters_of_unit(unit_id)))
    assert user_id is not None
    exists, home = q.unit_of_user(user_id)
    if not exists:
        raise NotFound(f"no person {user_id}")
    return Subject(None, user_id, home, tuple(q.clusters_of_unit(home)) if home else ())


def _require_keep(actor: Actor, subject: Subject) -> None:
    if not access.may_keep_impediments(actor, subject.home_unit, subject.clusters):
        raise PermissionDenied("impediments are recorded by the council office, or by the "
                               "leader of the unit's cluster for its member units")


def record(workflows: Workflows, actor: Actor, *, unit_id: int | None = None,
           user_id: int | None = None, kind: str, reference: str,
           reference_date: dt.date | None = None, start: dt.date | None, until: dt.date | None,
           note: str = "") -> Impediment:
    """Record an impediment against a unit or a person, and note it in the history of each of
    their running dossiers, in one transaction."""
    reference, note = (reference or "").strip(), (note or "").strip()
    problem = imp.problem_of_new(kind, reference, start, until, note)
    with workflows.store.write() as tx:
        q = tx.impediments()
        subject = _subject(q, unit_id, user_id)
        _require_keep(actor, subject)
        if problem is not None:
            raise _refused(problem)
        assert start is not None
        new_id = q.add({
            "unit_id": subject.unit_id, "user_id": subject.user_id, "kind": kind,
            "reference": reference, "reference_date": reference_date, "start": start,
            "until": until, "note": note, "recorded_by": actor.username,
            "recorded_at": workflows.clock.now()})
        row = q.get(new_id)
        assert row is not None
        found = from_row(row)
        _note_dossiers(workflows, tx, actor, found, "recorded")
    return found


def close(workflows: Workflows, actor: Actor, impediment_id: int, *, closed_on: dt.date | None,
          outcome: str, reference: str, note: str = "") -> Impediment:
    """Record how an impediment ended (the day, the outcome, the conclusion or decision), and
    note it in the history of each running dossier of its subject."""
    reference, note = (reference or "").strip(), (note or "").strip()
    with workflows.store.write() as tx:
        q = tx.impediments()
        found = _get(q, impediment_id)
        _require_keep(actor, _subject(q, found.unit_id, found.user_id))
        problem = imp.problem_of_closure(found, closed_on, outcome, reference)
        if problem is None and len(note) > imp.MAX_NOTE:
            problem = Refusal("impediment_note_too_long", {"max": imp.MAX_NOTE})
        if problem is not None:
            raise _refused(problem)
        if not q.close(impediment_id, {
                "closed_on": closed_on, "outcome": outcome, "closure_reference": reference,
                "closure_note": note, "closed_by": actor.username,
                "closed_at": workflows.clock.now()}):  # a colleague was first
            raise _refused(Refusal("impediment_closed_already", {"date": closed_on}))
        closed = _get(q, impediment_id)
        _note_dossiers(workflows, tx, actor, closed, "closed")
    return closed


def _get(q: ImpedimentStatements, impediment_id: int) -> Impediment:
    row = q.get(impediment_id)
    if row is None:
        raise NotFound(f"no impediment {impediment_id}")
    return from_row(row)


def history_payload(found: Impediment, event: str) -> dict[str, Any]:
    """What a dossier's history keeps of an impediment recorded or closed."""
    payload: dict[str, Any] = {
        "event": event, "impediment_id": found.id, "kind": found.kind,
        "reference": found.reference, "start": found.start.isoformat(),
        "until": found.until.isoformat() if found.until else None}
    if event == "closed":
        assert found.closed_on is not None
        payload.update({"closed_on": found.closed_on.isoformat(), "outcome": found.outcome,
                        "closure_reference": found.closure_reference})
    return payload


def _note_dossiers(workflows: Workflows, tx: EngineTx, actor: Actor, found: Impediment,
                   event: str) -> None:
    q = tx.impediments()
    comment = found.note if event == "recorded" else (found.closure_note or "")
    for dossier_id in q.live_dossiers(found.unit_id, found.user_id):
        inst = tx.load_instance(dossier_id, lock=True)
        if inst is not None:
            workflows.note(tx, inst, actor, "impediment", history_payload(found, event),
                           comment or None)


# --- reading ---------------------------------------------------------------------------------


def get(workflows: Workflows, actor: Actor, impediment_id: int) -> Impediment:
    """One impediment, for whoever may read those of its subject."""
    with workflows.store.read() as tx:
        q = tx.impediments()
        found = _get(q, impediment_id)
        subject = _subject(q, found.unit_id, found.user_id)
    if not access.may_read_impediments(actor, subject.home_unit, subject.clusters):
        raise PermissionDenied("impediments are read by the council office, the unit's "
                               "cluster leader and the unit itself")
    return found


def of_subject(workflows: Workflows, actor: Actor, *, unit_id: int | None = None,
               user_id: int | None = None) -> tuple[list[Impediment], bool]:
    """The impediments recorded against a unit or a person, earliest first, and whether the
    reader may record and close them."""
    with workflows.store.read() as tx:
        q = tx.impediments()
        subject = _subject(q, unit_id, user_id)
        rows = q.of_subject(subject.unit_id, subject.user_id)
    if not access.may_read_impediments(actor, subject.home_unit, subject.clusters):
        raise PermissionDenied("impediments are read by the council office, the unit's "
                               "cluster leader and the unit itself")
    return ([from_row(r) for r in rows],
            access.may_keep_impediments(actor, subject.home_unit, subject.clusters))


def listed(workflows: Workflows, actor: Actor) -> list[Impediment]:
    """The latest impediments the reader may read (all of them for the council office)."""
    with workflows.store.read() as tx:
        q = tx.impediments()
        rows = [from_row(r) for r in q.listed(LIST_LIMIT)]
        seen: dict[tuple[int | None, int | None], Subject] = {}
        out = []
        for found in rows:
            key = (found.unit_id, found.user_id)
            if key not in seen:
                seen[key] = _subject(q, found.unit_id, found.user_id)
            subject = seen[key]
            if access.may_read_impediments(actor, subject.home_unit, subject.clusters):
                out.append(found)
    return out


def for_dossier(workflows: Workflows, actor: Actor, dossier: Instance) -> DossierImpediments:
    """The impediments of a dossier's nominee (the unit, and a person it names), those active
    today, and whether the reader may keep them; nothing when they may not read them."""
    today = workflows.clock.today()
    found: list[Impediment] = []
    may_keep = readable = False
    with workflows.store.read() as tx:
        q = tx.impediments()
        for kind, subject_id in subjects_of(dossier.data, dossier.unit_id):
            subject = _subject(q, subject_id if kind == "unit" else None,
                               subject_id if kind == "user" else None)
            if not access.may_read_impediments(actor, subject.home_unit, subject.clusters):
                continue
            readable = True
            may_keep = may_keep or access.may_keep_impediments(
                actor, subject.home_unit, subject.clusters)
            found += [from_row(r) for r in q.of_subject(subject.unit_id, subject.user_id)]
    return DossierImpediments(tuple(found), tuple(i for i in found if i.active_on(today)),
                              may_keep, dossier.unit_id, readable)

