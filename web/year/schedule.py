"""Scheduling the cluster's year-end vote from the campaign page: the candidates proposed from
the ranking, the titles of the year's rule set, and the meeting (date, time, place, name)."""

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
from web.year import conference_links as links
from web.year.common import _load, _members, _roles, _wf, bp
from workflow.domain.roles import Actor
from workflow.engine.instance import ACTIVE, Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, conferences, voting, year
from workflow.services import ballot_box as bbox

TOP = 3  # candidates ticked in advance per title: the top of the ranking (fairness.top_rank)
TEXT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class TitleChoice:
    code: str
    label: str
    cap: int | None  # how many the cluster may propose


@dataclass(slots=True)
class ScheduleForm:
    """What the form shows and what was typed: kept when it is refused."""

    titles: set[str] = field(default_factory=set)
    candidates: dict[str, set[int]] = field(default_factory=dict)
    date: str = ""
    time: str = "08:00"
    closes: str = ""
    place: str = ""
    conference: str = ""
    conference_id: str = ""  # the year-end review conference hosting the vote, if planned
    committee: set[int] = field(default_factory=set)  # the vote-counting committee (user ids)
    threshold: str = "2"  # how many of them open the count
    errors: dict[str, str] = field(default_factory=dict)


def may_schedule(actor: Actor, campaign: Instance) -> bool:
    """The access policy's answer for the vote session of this campaign's cluster and year."""
    spec = _wf().catalog.latest("vote_session").spec
    return access.may_start(actor, spec, cluster_id=campaign.cluster_id, year=campaign.year)


def open_session(campaign_id: int) -> Instance | None:
    """The campaign's vote session that is not cancelled nor finished, if any."""
    found = [s for s in voting.campaign_sessions(_wf(), campaign_id) if s.status == ACTIVE]
    return found[-1] if found else None


def _campaign_for_scheduling(campaign_id: int) -> tuple[Instance, Actor] | Response:
    campaign = _load(campaign_id, "campaign")
    actor = current_actor()
    _roles(campaign, actor, _members(campaign.cluster_id))
    if not may_schedule(actor, campaign):
        abort(403)
    back = redirect(url_for("year.campaign", campaign_id=campaign_id))
    if campaign.state != "voting":
        flash(_("The year-end vote is scheduled once the campaign is at its vote "
                "(after “Bình xét, suy tôn”)."), "error")
        return back
    session = open_session(campaign_id)
    if session is not None:
        flash(_("The vote of this campaign is already scheduled."), "error")
        return redirect(url_for("year.vote", session_id=session.id))
    return campaign, actor


def _choices(campaign: Instance) -> tuple[list[TitleChoice], list[year.Standing]]:
    rules = voting.campaign_rules(_wf(), campaign)
    titles = [TitleChoice(t.code, t.label.get(locale()),
                          int(t.caps.per_cluster.value) if t.caps.per_cluster else None)
              for t in voting.cluster_titles(rules)]
    return titles, list(year.ranking(_wf(), campaign.id).standings)


def _proposed(campaign: Instance, titles: list[TitleChoice],
              standings: list[year.Standing]) -> ScheduleForm:
    top = {s.unit_id for s in standings[:TOP]}  # in the ranking's order (ties broken)
    today = _wf().clock.today()
    cluster = _wf().catalog.uow()
    with cluster.read() as uow:
        name = uow.organisations.cluster_name(campaign.cluster_id) or ""
    form = ScheduleForm(
        titles={t.code for t in titles}, candidates={t.code: set(top) for t in titles},
        date=today.isoformat(), closes="10:00",
        conference=_("Year-end review conference %(year)s of %(cluster)s",
                     year=campaign.year, cluster=name).strip())
    hosts = links.year_end_conferences(campaign)
    if hosts:  # the year-end review planned: its day, time, place and name
        plan = hosts[-1].data.get("plan") or {}
        form.conference_id = str(hosts[-1].id)
        form.conference = conferences.title(hosts[-1].data, hosts[-1].year, locale())
        form.date = str(plan.get("date") or form.date)
        form.time = str(plan.get("time") or form.time)
        form.place = str(plan.get("place") or "")
    return form


def _render(campaign: Instance, form: ScheduleForm, titles: list[TitleChoice],
            standings: list[year.Standing], status: int = 200) -> tuple[str, int]:
    hosts = [links.Link(c.id, "", conferences.title(c.data, c.year, locale()))
             for c in links.year_end_conferences(campaign)]
    people = services().reads.cluster_people(campaign.cluster_id, campaign.year) \
        if campaign.cluster_id is not None else []
    return render_template("year_vote_schedule.html", campaign=campaign, form=form,
                           titles=titles, standings=standings, hosts=hosts,
                           people=people), status


def _committee(form: ScheduleForm, cluster_id: int | None, year_: int | None) -> None:
    """The counting committee ticked and its threshold: none, or two or more people of the
    member units and a threshold between 2 and their number."""
    known = {p[0] for p in services().reads.cluster_people(cluster_id, year_)} \
        if cluster_id is not None else set()
    form.committee = {int(r) for r in request.form.getlist("committee")
                      if r.isdigit() and int(r) in known}
    form.threshold = request.form.get("threshold", "").strip()[:3] or "2"
    if not form.committee:
        return
    if len(form.committee) < 2:
        form.errors["committee"] = _("Tick at least two members of the counting committee, "
                                     "so that no one alone can open the count.")
    elif not form.threshold.isdigit() or not 2 <= int(form.threshold) <= len(form.committee):
        form.errors["threshold"] = _("Between 2 and %(n)s members (those ticked) open the "
                                     "count.", n=len(form.committee))


@bp.route("/campaigns/<int:campaign_id>/votes/new")
@login_required
def schedule_vote_form(campaign_id: int) -> tuple[str, int] | Response:
    found = _campaign_for_scheduling(campaign_id)
    if isinstance(found, Response):
        return found
    campaign, _actor = found
    titles, standings = _choices(campaign)
    return _render(campaign, _proposed(campaign, titles, standings), titles, standings)


def _posted(titles: list[TitleChoice], standings: list[year.Standing]) -> ScheduleForm:
    """The posted form, each field checked; the errors say what to do, per field."""
    known = {t.code for t in titles}
    ranked = {s.unit_id for s in standings}
    form = ScheduleForm(
        titles={c for c in request.form.getlist("title") if c in known},
        date=request.form.get("date", "").strip(), time=request.form.get("time", "").strip(),
        closes=request.form.get("closes", "").strip(),
        place=request.form.get("place", "").strip()[:TEXT_LIMIT],
        conference=request.form.get("conference", "").strip()[:TEXT_LIMIT],
        conference_id=request.form.get("conference_id", "").strip()[:12])
    for t in titles:
        picked = set()
        for raw in request.form.getlist(f"candidate-{t.code}"):
            if raw.isdigit() and int(raw) in ranked:
                picked.add(int(raw))
        form.candidates[t.code] = picked
    errors = form.errors
    if not form.titles:
        errors["titles"] = _("Tick at least one title to vote on.")
    for t in titles:
        if t.code in form.titles and not form.candidates[t.code]:
            errors[f"candidate-{t.code}"] = _("Tick at least one candidate for %(title)s.",
                                              title=t.label)
    day = _day(form.date)
    if day is None:
        errors["date"] = _("Enter the date of the meeting (dd/mm/yyyy).")
    elif day < _wf().clock.today():
        errors["date"] = _("The meeting cannot be in the past.")
    start = _parse(form.time, dt.time.fromisoformat)
    if start is None:
        errors["time"] = _("Enter the time the meeting starts (hh:mm).")
    closes = _parse(form.closes, dt.time.fromisoformat) if form.closes else None
    if form.closes and closes is None:
        errors["closes"] = _("Enter the time the vote closes (hh:mm), or leave it empty.")
    elif closes is not None and start is not None and closes <= start:
        errors["closes"] = _("The vote closes after the meeting starts.")
    if not form.place:
        errors["place"] = _("Enter where the meeting is held (e.g. Hà Nội).")
    if not form.conference:
        errors["conference"] = _("Enter the name of the conference.")
    return form


def _day(text: str) -> dt.date | None:
    """A date as the browser's date field sends it (yyyy-mm-dd) or as people type it."""
    for parse in (dt.date.fromisoformat,
                  lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
        found = _parse(text, parse)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def _parse(text: str, how: Any) -> Any:
    try:
        return how(text) if text else None
    except ValueError:
        return None


@bp.route("/campaigns/<int:campaign_id>/votes", methods=["POST"])
@login_required
def schedule_vote(campaign_id: int) -> tuple[str, int] | Response:
    found = _campaign_for_scheduling(campaign_id)
    if isinstance(found, Response):
        return found
    campaign, actor = found
    titles, standings = _choices(campaign)
    form = _posted(titles, standings)
    _committee(form, campaign.cluster_id, campaign.year)
    if form.errors:
        return _render(campaign, form, titles, standings, 400)
    clock = _wf().clock
    day = _day(form.date)
    assert day is not None  # checked with the form
    start = dt.time.fromisoformat(form.time)
    ends = (dt.datetime.combine(day, dt.time.fromisoformat(form.closes), tzinfo=clock.tz)
            if form.closes else None)
    order = {s.unit_id: i for i, s in enumerate(standings)}  # the ranking's order
    candidates = {t.code: sorted(form.candidates[t.code], key=lambda u: order.get(u, 0))
                  for t in titles if t.code in form.titles}
    try:
        session = voting.schedule_year_end_vote(
            _wf(), campaign_id, actor, candidates,
            voting.Meeting(day, start, form.place, form.conference,
                           int(form.conference_id) if form.conference_id.isascii()
                           and form.conference_id.isdigit() else None), ends_at=ends,
            committee=bbox.Committee(tuple(sorted(form.committee)), int(form.threshold))
            if form.committee else None)
    except (InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed) as exc:
        form.errors["titles"] = explain(exc, campaign)
        return _render(campaign, form, titles, standings, 400)
    voting.tell_committee(_wf(), session, "committee_share",
                          base_url=services().settings.app.base_url)
    flash(_("The vote is scheduled for %(date)s at %(time)s, %(place)s.",
            date=day.strftime("%d/%m/%Y"), time=start.strftime("%H:%M"), place=form.place))
    return redirect(url_for("year.vote", session_id=session.id))


@dataclass(frozen=True, slots=True)
class SessionLine:
    id: int
    state: str
    label: str
    meeting: voting.Meeting | None


def campaign_votes(campaign: Instance, actor: Actor, children: list[Instance]
                   ) -> dict[str, Any]:
    """The campaign page's vote section: its sessions, and whether this user may schedule."""
    sessions = [c for c in children if c.workflow == "vote_session"]
    lines = [SessionLine(s.id, s.state, _wf().catalog.compiled(s.definition_id).spec.state(
        s.state).label.get(locale()), voting.Meeting.of(s.data.get("meeting")))
        for s in sessions]
    can = (campaign.state == "voting" and not any(s.status == ACTIVE for s in sessions)
           and may_schedule(actor, campaign))
    return {"vote_sessions": lines, "can_schedule_vote": can}
