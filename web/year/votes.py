"""The vote: the ballot, confirming and casting it, the session's actions, the tally and
its minutes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.i18n import local_time
from web.refusals import explain
from web.views import locale, login_required, services
from web.year.ballot_box import sealed_view
from web.year.common import (
    CHAIRS,
    _documents,
    _fire_posted,
    _load,
    _members,
    _offered,
    _roles,
    _send_document,
    _state_label,
    _unit_names,
    _user_names,
    _vote_actions,
    _wf,
    bp,
)
from web.year.council import council_view
from web.year.dossiers import vote_dossiers
from workflow.domain import vote_text
from workflow.domain.roles import Actor
from workflow.domain.rulesets import RuleSet
from workflow.engine.instance import Instance
from workflow.errors import (
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.services import access, council, voting
from workflow.services.read_side import UnitSummary as Unit


@dataclass(frozen=True, slots=True)
class BallotTitle:
    code: str
    label: str
    cap: int
    candidates: tuple[tuple[int, str], ...]
    own: frozenset[int] = frozenset()  # shown, but the voter may not choose them


@dataclass(frozen=True, slots=True)
class TallyTitle:
    label: str
    lines: tuple[dict[str, Any], ...]  # name, yes, elected, carried, reason
    note: str


@dataclass(frozen=True, slots=True)
class TallyRound:
    number: int
    eligible: int
    ballots: int
    abstained: int
    titles: tuple[TallyTitle, ...]


def _rules(session: Instance) -> RuleSet:
    ref = session.data["rule_set"]
    rulebook = _wf().rulebook
    assert rulebook is not None  # the services always load one (voting opens no session without)
    return rulebook.get(ref["code"], ref["version"])


def _candidate_names(session: Instance) -> dict[int, str]:
    """Candidates of every round: units in a cluster vote, dossiers in a council vote."""
    data = session.data
    ids = {int(c) for cs in (data.get("candidates") or {}).values() for c in cs}
    for counted in (data.get("tally") or {}).values():
        for outcome in counted["titles"].values():
            ids |= {int(c["candidate"]) for c in outcome["candidates"]}
    if data.get("kind") != "council":
        return _unit_names(ids)
    # a council votes on dossiers: each is named by its nominee (one title per list)
    return dict(services().reads.item_unit_names(ids))


def _ballot(session: Instance, names: dict[int, str], own: set[int]) -> list[BallotTitle]:
    rules = _rules(session)
    out = []
    for code, ids in (session.data.get("candidates") or {}).items():
        title = rules.title_rule(code)
        out.append(BallotTitle(code, title.label.get(locale()), title.max_candidates_per_ballot,
                               tuple((int(i), names.get(int(i), f"#{i}")) for i in ids),
                               frozenset(own)))
    return out


def _tally(session: Instance, result: dict[str, Any], names: dict[int, str]) -> list[TallyRound]:
    """The rounds counted, each sentence in the reader's language (the catalogue's, with
    names); a count stored before the sentences had codes shows its own words."""
    rules = _rules(session)
    lang = locale()
    rounds = []
    for key, counted in sorted(result["tally"].items(), key=lambda kv: int(kv[0])):
        titles = tuple(TallyTitle(
            rules.title_rule(code).label.get(lang),
            tuple({**c, "name": names.get(c["candidate"], f"#{c['candidate']}"),
                   "reason": vote_text.render_all(c.get("rule"), lang, names) or c["reason"]}
                  for c in outcome["candidates"]),
            vote_text.render_all(outcome.get("note_rule"), lang, names)
            or outcome.get("note", "")) for code, outcome in counted["titles"].items())
        rounds.append(TallyRound(int(key), counted["eligible"], counted["ballots"],
                                 counted["abstained"], titles))
    return rounds


def _warnings(session: Instance, names: dict[int, str]) -> list[str]:
    """The fairness warnings in the reader's language, units and titles by their names."""
    stored = session.data.get("warning_rules")
    if stored is None:
        return list(session.data.get("warnings") or [])
    rules = _rules(session)
    titles = {t.code: t.label.get(locale()) for t in rules.titles}
    units = {**_unit_names(int(w["params"]["unit"]) for w in stored), **names}
    return [vote_text.Sentence.of(w).render(locale(), units, titles) for w in stored]


def _named(result: dict[str, Any], key: str, session: Instance,
           names: dict[int, str]) -> list[tuple[str, list[str]]]:
    rules = _rules(session)
    return [(rules.title_rule(code).label.get(locale()), [names.get(i, f"#{i}") for i in ids])
            for code, ids in (result.get(key) or {}).items()]


def _voter_names(keys: Iterable[str]) -> dict[str, str]:
    """Seats as people read them: a unit's name, or a council member's."""
    found = [(k, *k.split(":", 1)) for k in keys]
    unit_names = _unit_names(int(v) for _k, kind, v in found if kind == "unit")
    user_names = _user_names(int(v) for _k, kind, v in found if kind == "user")
    return {k: (unit_names if kind == "unit" else user_names).get(int(v), k)
            for k, kind, v in found}


def _seat(session: Instance, actor: Actor) -> str | None:
    if session.state != "open":
        return None
    try:
        seat = voting.voter_key(_wf(), session, actor)
    except PermissionDenied:
        return None
    # a member added after opening, or absent where no written vote is taken, has no ballot
    return seat if voting.accepts(_wf(), session, seat) else None


def _vote_session(session_id: int) -> tuple[Instance, Actor, set[str], list[Unit]]:
    session = _load(session_id, "vote_session")
    actor = current_actor()
    members = _members(session.cluster_id)
    return session, actor, _roles(session, actor, members), members


@bp.route("/votes/<int:session_id>")
@login_required
def vote(session_id: int) -> str:
    session, actor, roles, members = _vote_session(session_id)
    names = _candidate_names(session)
    seat = _seat(session, actor)
    turnout = voting.turnout(_wf(), session_id)
    counted = session.state not in voting.HIDDEN_STATES
    result = voting.result(_wf(), session_id) if counted else None
    chair = bool(roles & CHAIRS)
    voters = _voter_names([*turnout["eligible"], *turnout["voted"]]) if chair else {}
    offered = _offered(_wf().available(session, actor)) if chair else []
    # the minutes are drawn up by their own form (with the counting committee), not fired bare
    can_minute = any(t.trigger == MINUTES_TRIGGER and why is None for t, why in offered)
    actions, reasons = _vote_actions([(t, why) for t, why in offered
                                      if t.trigger != MINUTES_TRIGGER])
    # the boxes ticked when checking the quorum was refused, kept for the chair to correct
    ticked = flask_session.pop(f"present:{session_id}", None)
    return render_template(
        "year_vote.html", session=session, state=_state_label(session), ticked=ticked,
        ballot=_ballot(session, names, voting.own_candidates(session, actor, seat))
        if seat else [], seat=seat,
        voted=seat in turnout["voted"] if seat else False, turnout=turnout, chair=chair,
        voters=voters, result=result, names=names,
        rounds=_tally(session, result, names) if result else [],
        winners=_named(result, "winners", session, names) if result else [],
        warnings=_warnings(session, names) if result else [],
        runoff=_named(result, "runoff", session, names) if result else [],
        minutes=_documents(session_id, "bien_ban_kiem_phieu")[-1:],
        actions=actions, reasons=reasons,
        seats=_seats(session, members), locale=locale(),
        meeting=voting.Meeting.of(session.data.get("meeting")),
        closes_at=local_time(dt.datetime.fromisoformat(str(session.data["ends_at"])))
        if session.data.get("ends_at") else "",
        attendance=_attendance(session, members), can_minute=can_minute,
        cluster_name=services().reads.cluster_names([session.cluster_id]).get(
            session.cluster_id, "") if session.cluster_id is not None else "",
        committee=_committee_rows(actor, *_committee_named(session)),
        council=council_view(session, actor, seat),
        **sealed_view(session, actor, chair, names), **vote_dossiers(session, roles))


MINUTES_TRIGGER = "record_minutes"
COMMITTEE_ROWS = 3


def _committee_rows(actor: Actor, names: Sequence[str] = (), roles: Sequence[str] = ()
                    ) -> list[tuple[str, str]]:
    """The counting committee's rows of the minutes form: typed values, or the chair first."""
    defaults = [_("Head of the counting committee")] + [_("Member")] * (COMMITTEE_ROWS - 1)
    if not names:
        full = _user_names([actor.user_id]).get(actor.user_id or 0, "") \
            if actor.user_id is not None else ""
        names = [full]
    return [(names[i] if i < len(names) else "", roles[i] if i < len(roles) and roles[i]
             else defaults[i]) for i in range(COMMITTEE_ROWS)]


def _committee_named(session: Instance) -> tuple[list[str], list[str]]:
    """The counting committee named when the vote was scheduled, for the minutes' form."""
    named = (session.data.get("committee") or {}).get("members") or []
    people = _user_names(named)
    found = [people[m] for m in named if m in people][:COMMITTEE_ROWS]
    return found, [_("Head of the counting committee")] + [_("Member")] * (len(found) - 1) \
        if found else []


def _attendance(session: Instance, members: Sequence[Unit]) -> tuple[list[str], list[str]]:
    """Names of the members present and absent, once the quorum is checked."""
    listed = session.data.get("present")
    if not listed:
        return [], []
    present = set(listed)
    seats = _seats(session, members)
    return ([name for key, name in seats if key in present],
            [name for key, name in seats if key not in present])


def _seats(session: Instance, members: Sequence[Unit]) -> list[tuple[str, str]]:
    """Who may be ticked present: the member units, or the council's voting members by name
    (those fixed at opening once the vote is open)."""
    if session.data.get("kind") != "council":
        return [(f"unit:{u.id}", u.name) for u in members]
    fixed = session.data.get("eligible")
    if fixed:
        return list(_voter_names(fixed).items())
    return [(f"user:{m.user_id}", m.name)
            for m in council.members(services().reads, session.year or 0) if m.votes]


def _choices(titles: Sequence[BallotTitle]) -> dict[str, list[int]]:
    """The ballot's choices, checked against the candidates and each title's cap."""
    picked = {t.code: request.form.getlist(f"choice-{t.code}") for t in titles}
    if request.form.get("abstain"):
        if any(picked.values()):
            raise InvalidInput(_("Choose candidates or abstain, not both."))
        return {}
    out = {}
    for t in titles:
        allowed = {str(c) for c, _name in t.candidates}
        chosen = picked[t.code]
        own = [name for c, name in t.candidates if c in t.own and str(c) in chosen]
        if own:
            raise InvalidInput(_("Nobody votes on their own unit: leave %(name)s out or abstain.",
                                 name=", ".join(own)))
        if len(set(chosen)) != len(chosen) or not set(chosen) <= allowed:
            raise InvalidInput(_("Choose among the candidates listed."))
        if len(chosen) > t.cap:
            raise InvalidInput(_("%(title)s: choose at most %(cap)s candidate(s).",
                                 title=t.label, cap=t.cap))
        if chosen:
            out[t.code] = [int(c) for c in chosen]
    if not out:
        raise InvalidInput(_("Choose at least one candidate, or choose to abstain."))
    return out


def _ballot_or_back(session: Instance, actor: Actor) -> tuple[Any, ...] | Response:
    """The ballot's titles and the posted choices, or a redirect with the reason."""
    back = redirect(url_for("year.vote", session_id=session.id))
    seat = _seat(session, actor)
    if seat is None:
        flash(_("You have no ballot in this vote now."), "error")
        return back
    titles = _ballot(session, _candidate_names(session),
                     voting.own_candidates(session, actor, seat))
    try:
        return titles, _choices(titles)
    except InvalidInput as exc:
        flash(explain(exc, session), "error")
        return back


@bp.route("/votes/<int:session_id>/confirm", methods=["POST"])
@login_required
def confirm_ballot(session_id: int) -> str | Response:
    session, actor, _held, _members_ = _vote_session(session_id)
    found = _ballot_or_back(session, actor)
    if isinstance(found, Response):
        return found
    titles, choices = found
    picked = [(t, [name for c, name in t.candidates if c in choices.get(t.code, [])])
              for t in titles]
    return render_template("year_vote_confirm.html", session=session, picked=picked,
                           choices=choices)


@bp.route("/votes/<int:session_id>/cast", methods=["POST"])
@login_required
def cast_ballot(session_id: int) -> str | Response:
    session, actor, _held, _members_ = _vote_session(session_id)
    found = _ballot_or_back(session, actor)
    if isinstance(found, Response):
        return found
    try:
        receipt = voting.cast_ballot(_wf(), session_id, actor, found[1])
    except (TransitionNotAllowed, InvalidInput, PermissionDenied) as exc:
        flash(_("Your ballot was not counted: %(reason)s", reason=explain(exc, session)), "error")
        return redirect(url_for("year.vote", session_id=session_id))
    return render_template("year_vote_receipt.html", session=session, receipt=receipt)


@bp.route("/votes/<int:session_id>/fire", methods=["POST"])
@login_required
def vote_fire(session_id: int) -> Response:
    session, _actor, roles, _members_ = _vote_session(session_id)
    if not roles & CHAIRS:
        abort(403)
    fired = _fire_posted(session)
    if fired is not None:  # the voters are told the vote is open, the members its result
        voting.announce(_wf(), fired, base_url=services().settings.app.base_url)
    elif request.form.get("trigger") == "check_quorum":  # refused: keep what was ticked
        flask_session[f"present:{session_id}"] = request.form.getlist("present")[:500]
    return redirect(url_for("year.vote", session_id=session_id))


@bp.route("/votes/<int:session_id>/minutes", methods=["POST"])
@login_required
def draw_up_minutes(session_id: int) -> Response:
    """Generate the vote-count minutes from the count, with the committee typed in."""
    session, actor, roles, _members_ = _vote_session(session_id)
    if not roles & CHAIRS:
        abort(403)
    back = redirect(url_for("year.vote", session_id=session_id))
    offered = [t for t, why in _wf().available(session, actor)
               if t.trigger == MINUTES_TRIGGER and why is None]
    if not offered:
        flash(_("The minutes are drawn up by the chair once the votes are counted."), "error")
        return back
    names = [n.strip()[:120] for n in request.form.getlist("member_name")][:COMMITTEE_ROWS]
    titles = [r.strip()[:120] for r in request.form.getlist("member_role")][:COMMITTEE_ROWS]
    committee = [(n, titles[i] if i < len(titles) and titles[i] else _("Member"))
                 for i, n in enumerate(names) if n]
    if not committee:
        flash(_("Write the name of at least one member of the counting committee."), "error")
        return back
    try:
        voting.draw_up_minutes(_wf(), session_id, actor, services().settings.documents_dir,
                               committee)
    except (TransitionNotAllowed, InvalidInput, PermissionDenied) as exc:
        flash(explain(exc, session, with_action=True), "error")
        return back
    flash(_("The vote-count minutes are drawn up: download them below."))
    return back


@bp.route("/votes/<int:session_id>/minutes")
@login_required
def vote_minutes(session_id: int) -> Response:
    session = _load(session_id, "vote_session")
    members = _members(session.cluster_id)
    if not access.may_read_documents(current_actor(), session,
                                     lambda _cluster: {u.id for u in members}):
        abort(403)
    found = _documents(session_id, "bien_ban_kiem_phieu")
    if not found:
        abort(404)
    return _send_document(found[-1])
