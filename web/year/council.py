"""The council's meeting in the browser: the council office's page of a year (the dossiers
waiting for the council, its members, the meetings scheduled) with the form scheduling a
meeting; on the vote page of a council session, the written votes of absent members and
writing the counted result on each dossier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import locale, login_required, services
from web.year.common import _load, _state_label, _user_names, _wf, bp
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import ballot_box as bbox
from workflow.services import council, voting
from workflow.services.rules.voting import attendees, written_votes_allowed

COUNCIL_PEOPLE = frozenset({"council_secretariat", "council_member", "council_chair",
                            "decision_authority"})
TEXT_LIMIT = 200


@dataclass(slots=True)
class MeetingForm:
    """What the scheduling form shows and what was typed (kept when it is refused)."""

    chosen: set[int] = field(default_factory=set)
    date: str = ""
    time: str = "08:00"
    place: str = ""
    committee: set[int] = field(default_factory=set)  # the vote-counting committee (user ids)
    threshold: str = "2"  # how many of them open the count
    error: str = ""


@dataclass(frozen=True, slots=True)
class WaitingDossier:
    id: int
    unit: str
    title: str
    result: str  # the council's earlier result, when it did not carry


def _may_view(actor: Actor, year: int) -> bool:
    return bool(actor.roles_for(None, None, year) & COUNCIL_PEOPLE)


def _titles(dossier: Instance) -> str:
    rulebook = _wf().rulebook
    assert rulebook is not None
    ref = dossier.data["rule_set"]
    return rulebook.get(ref["code"], ref["version"]).title_rule(
        dossier.data["title"]).label.get(locale())


def _waiting(year: int) -> list[WaitingDossier]:
    found = council.waiting(_wf(), services().reads, year)
    names = services().reads.unit_names(d.unit_id for d in found if d.unit_id is not None)
    return [WaitingDossier(d.id, names.get(d.unit_id or 0, ""), _titles(d),
                           _("not carried earlier: %(yes)s yes",
                             yes=d.data["council_result"]["yes"])
                           if d.data.get("council_result") else "") for d in found]


@bp.route("/council")
@login_required
def council_home() -> Response:
    """The council's page of the newest year the reader holds a council role for (a grant for
    every year: the year before this one, whose dossiers the council decides now)."""
    actor = current_actor()
    held = [g for g in actor.grants if g.role in COUNCIL_PEOPLE]
    if not held:
        abort(403)
    years = [g.year for g in held if g.year is not None]
    year = max(years) if years else _wf().clock.today().year - 1
    return redirect(url_for("year.council_page", year=year))


MIN_YEAR, MAX_YEAR = 1900, 2200


@bp.route("/council/<int:year>")
@login_required
def council_page(year: int, form: MeetingForm | None = None) -> str:
    """The council's year: members, dossiers waiting, meetings; the office schedules."""
    actor = current_actor()
    if not MIN_YEAR <= year <= MAX_YEAR:  # no such year: nothing to hide
        abort(404)
    if not _may_view(actor, year):
        abort(403)
    sessions = council.sessions(_wf(), services().reads, year)
    return render_template(
        "year_council.html", year=year, office=council.is_office(actor, year),
        members=council.members(services().reads, year), waiting=_waiting(year),
        sessions=[(s, _state_label(s), voting.Meeting.of(s.data.get("meeting")),
                   sum(len(v) for v in (s.data.get("candidates") or {}).values()))
                  for s in sessions],
        form=form or MeetingForm(date=(_wf().clock.today() + dt.timedelta(days=7)).isoformat()),
        decided=_after_council(year))


AFTER_COUNCIL = ("with_authority", "decided", "announced", "archived", "revoked")


def _after_council(year: int) -> list[tuple[Instance, str, str, str]]:
    """The dossiers the council carried, with the authority or decided: each links to its
    decision page (dossier, nominee, title, state)."""
    found = [_wf().get(i) for i in services().reads.items_of_year("dossier", year,
                                                                   AFTER_COUNCIL)]
    names = services().reads.unit_names(d.unit_id for d in found if d.unit_id is not None)
    return [(d, names.get(d.unit_id or 0, ""), _titles(d), _state_label(d)) for d in found]


def _meeting(form: MeetingForm) -> voting.Meeting:
    try:
        day = dt.date.fromisoformat(form.date)
        at = dt.time.fromisoformat(form.time)
    except ValueError:
        raise InvalidInput(_("Give the meeting's date and time.")) from None
    return voting.Meeting(day, at, form.place, _("Meeting of the Emulation and Commendation "
                                                 "Council"))


def _committee(form: MeetingForm) -> bbox.Committee | None:
    """The counting committee ticked, or none (the server counts the sealed ballots)."""
    if not form.committee:
        return None
    if len(form.committee) < 2:
        raise InvalidInput(_("Tick at least two members of the counting committee, so that no "
                             "one alone can open the count."))
    if not form.threshold.isdigit() or not 2 <= int(form.threshold) <= len(form.committee):
        raise InvalidInput(_("Between 2 and %(n)s members (those ticked) open the count.",
                             n=len(form.committee)))
    return bbox.Committee(tuple(sorted(form.committee)), int(form.threshold))


@bp.route("/council/<int:year>/schedule", methods=["POST"])
@login_required
def council_schedule(year: int) -> str | Response:
    actor = current_actor()
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    if not council.is_office(actor, year):
        abort(403)
    form = MeetingForm(
        chosen={int(v) for v in request.form.getlist("dossier") if v.isdigit()},
        date=request.form.get("date", "").strip()[:10],
        time=request.form.get("time", "").strip()[:5],
        place=request.form.get("place", "").strip()[:TEXT_LIMIT],
        committee={int(v) for v in request.form.getlist("committee")
                   if v.isascii() and v.isdigit() and len(v) < 10},
        threshold=request.form.get("threshold", "").strip()[:3] or "2")
    try:
        session = council.schedule(_wf(), services().reads, actor, sorted(form.chosen), year,
                                   _meeting(form), committee=_committee(form),
                                   base_url=services().settings.app.base_url)
    except (InvalidInput, TransitionNotAllowed, PermissionDenied) as exc:
        form.error = explain(exc)
        return council_page(year, form)
    flash(_("The council's meeting is scheduled; its members are invited."))
    return redirect(url_for("year.vote", session_id=session.id))


@bp.route("/votes/<int:session_id>/council-results", methods=["POST"])
@login_required
def council_results(session_id: int) -> Response:
    """Write the counted result on each dossier of a locked council session."""
    session = _load(session_id, "vote_session")
    actor = current_actor()
    if session.data.get("kind") != "council" or not council.is_office(actor, session.year or 0):
        abort(403)
    try:
        moved = council.write_results(_wf(), session_id, actor)
    except (InvalidInput, TransitionNotAllowed, PermissionDenied) as exc:
        flash(explain(exc, session, with_action=True), "error")
    else:
        on = sum(1 for d in moved if d.state == "with_authority")
        flash(_("The council's result is written on %(n)s dossier(s); %(on)s go to the "
                "deciding authority.", n=len(moved), on=on))
    return redirect(url_for("year.vote", session_id=session_id))


def council_view(session: Instance, actor: Actor, seat: str | None) -> dict[str, Any] | None:
    """What the vote page adds for a council session: the written votes of absent members,
    whether the reader votes in writing, and writing the result on the dossiers."""
    if session.data.get("kind") != "council":
        return None
    rulebook = _wf().rulebook
    assert rulebook is not None
    ref = session.data["rule_set"]
    allowed = written_votes_allowed(rulebook.get(ref["code"], ref["version"]),
                                    session.data.get("candidates") or {})
    written = [k for keys in (session.data.get("written_voters") or {}).values() for k in keys]
    ids = [int(k.removeprefix("user:")) for k in written]
    listed = session.data.get("present")
    pending = [i for i in (int(d) for d in session.data.get("candidate_units") or {})
               if _wf().get(i).state == "council_review"]
    return {
        "written_allowed": allowed,
        "written": list(_user_names(ids).values()),
        "writing": bool(seat and listed and seat not in attendees(session.data)),
        "can_write_results": session.state == "locked" and bool(pending)
        and council.is_office(actor, session.year or 0),
        "year": session.year,
    }
