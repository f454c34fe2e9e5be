"""The sealed ballot box in the browser: the counting committee's page (collecting a share
once, releasing it at the count), the published receipts and their check, and the paper tally
the committee's chair enters instead of electronic ballots."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import login_required, services
from web.year.common import CHAIRS, _load, _members, _roles, _user_names, _wf, bp
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import access, voting
from workflow.services import ballot_box as bbox

SHARE_LIMIT = 200  # characters of a share as typed (TDKP-n-32 hex digits, with spaces)


def _session_for(session_id: int) -> tuple[Instance, Actor, bool]:
    """The session, the actor and whether they sit on its committee; 403 for anyone who
    neither sits on it nor may see the session."""
    session = _load(session_id, "vote_session")
    actor = current_actor()
    member = access.may_count(actor, session)
    if not member:
        _roles(session, actor, _members(session.cluster_id))  # 403 unless they may see it
    return session, actor, member


@bp.route("/votes/<int:session_id>/committee")
@login_required
def vote_committee(session_id: int) -> str:
    session, actor, member = _session_for(session_id)
    found = bbox.status(_wf(), session)
    if found is None:
        abort(404)
    names = _user_names(found.members)
    counting = session.state == "closed" and not found.counted
    return render_template(
        "year_vote_committee.html", session=session, status=found, names=names,
        member=member, mine=actor.user_id, counting=counting,
        to_collect=member and actor.user_id in found.waiting_to_collect,
        released=member and actor.user_id in found.released)


@bp.route("/votes/<int:session_id>/share", methods=["POST"])
@login_required
def collect_share(session_id: int) -> str | Response:
    """Hands the member their share once, on this page only: the server's copy is deleted."""
    session, actor, member = _session_for(session_id)
    if not member:
        abort(403)
    try:
        share = bbox.collect_share(_wf(), session_id, actor)
    except (TransitionNotAllowed, PermissionDenied) as exc:
        flash(explain(exc, session), "error")
        return redirect(url_for("year.vote_committee", session_id=session_id))
    page = make_response(render_template("year_vote_share.html", session=session,
                                         share=share))
    page.headers["Cache-Control"] = "no-store"
    return page


@bp.route("/votes/<int:session_id>/share.txt", methods=["POST"])
@login_required
def download_share(session_id: int) -> Response:
    """The share the member was just shown, sent back as a file to keep (echoed, not kept)."""
    _session, _actor, member = _session_for(session_id)
    if not member:
        abort(403)
    text = request.form.get("share", "")[:SHARE_LIMIT].strip()
    answer = make_response(f"{text}\r\n")
    answer.headers["Content-Type"] = "text/plain; charset=utf-8"
    answer.headers["Content-Disposition"] = \
        f'attachment; filename="manh-khoa-kiem-phieu-{session_id}.txt"'
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.route("/votes/<int:session_id>/release", methods=["POST"])
@login_required
def release_share(session_id: int) -> Response:
    session, actor, member = _session_for(session_id)
    if not member:
        abort(403)
    back = redirect(url_for("year.vote_committee", session_id=session_id))
    try:
        fired = bbox.release_share(_wf(), session_id, actor,
                                   request.form.get("share", "")[:SHARE_LIMIT])
    except InvalidInput:
        flash(_("This is not a share: it reads TDKP-, a number, a dash and 32 letters A-F "
                "or digits. Copy it again from your file."), "error")
        return back
    except (TransitionNotAllowed, PermissionDenied) as exc:
        flash(explain(exc, session), "error")
        return back
    if fired is None:
        flash(_("Your share is released. The count opens once enough members have released "
                "theirs."))
        return back
    voting.announce(_wf(), fired, base_url=services().settings.app.base_url)
    flash(_("The count is open: the votes are counted."))
    return redirect(url_for("year.vote", session_id=session_id))


@bp.route("/votes/<int:session_id>/receipts")
@login_required
def vote_receipts(session_id: int) -> str:
    """The published list of sealed ballots' receipts (once the vote is closed), and the
    check of one receipt."""
    session = _load(session_id, "vote_session")
    _roles(session, current_actor(), _members(session.cluster_id))
    if not bbox.sealed(session):
        abort(404)
    wanted = "".join(request.args.get("receipt", "")[:100].split()).lower()
    found = bbox.check_receipt(_wf(), session, wanted) if wanted else None
    published = session.state not in ("scheduled", "quorum_checked", "open")
    return render_template(
        "year_vote_receipts.html", session=session, wanted=wanted, found=found,
        receipts=bbox.receipts(_wf(), session) if published else [], published=published)


@bp.route("/votes/<int:session_id>/paper", methods=["POST"])
@login_required
def paper_tally(session_id: int) -> Response:
    """The chair enters the committee's counted paper tally (the vote was held on paper)."""
    session = _load(session_id, "vote_session")
    actor = current_actor()
    if not _roles(session, actor, _members(session.cluster_id)) & CHAIRS:
        abort(403)
    back = redirect(url_for("year.vote", session_id=session_id))
    tally = _paper_form(session)
    if tally is None:
        flash(_("Write each count as a whole number."), "error")
        return back
    try:
        fired = _wf().fire(session, "enter_paper_tally", actor,
                           {"paper_tally": tally,
                            "comment": request.form.get("comment", "").strip()[:5000]},
                           expected_version=session.version)
    except (TransitionNotAllowed, InvalidInput, PermissionDenied) as exc:
        flash(explain(exc, session, with_action=True), "error")
        return back
    voting.announce(_wf(), fired, base_url=services().settings.app.base_url)
    flash(_("The paper ballots' count is recorded."))
    return back


def _paper_form(session: Instance) -> dict[str, Any] | None:
    def number(key: str) -> int | None:
        raw = request.form.get(key, "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 7 else None

    ballots, blank = number("ballots"), number("blank")
    votes: dict[str, dict[str, int]] = {}
    for code, candidates in (session.data.get("candidates") or {}).items():
        for c in candidates:
            n = number(f"votes-{code}-{c}")
            if n is None:
                return None
            votes.setdefault(code, {})[str(c)] = n
    if ballots is None or blank is None:
        return None
    return {"ballots": ballots, "blank": blank, "votes": votes}


def sealed_view(session: Instance, actor: Actor, chair: bool, names: dict[int, str]
                ) -> dict[str, Any]:
    """The vote page's card of the sealed box: the committee and where its members stand
    (never a share), the links to the committee's page and the receipts, and for the chair
    the paper tally form while no electronic ballot is counted."""
    found = bbox.status(_wf(), session)
    paper = chair and session.state in ("open", "closed") and (
        found is None or not found.counted)
    return {
        "sealed_box": bbox.sealed(session) or found is not None, "committee_status": found,
        "committee_names": _user_names(found.members) if found else {},
        "counter": access.may_count(actor, session),
        "paper_rows": [(code, int(c), names.get(int(c), str(c)))
                       for code, cs in (session.data.get("candidates") or {}).items()
                       for c in cs] if paper else [],
        "reruns": session.data.get("reruns") or []}
