"""The dossier's page (hồ sơ đề nghị khen thưởng): the title's documents as a checklist with
upload and download, the tờ trình generated and the vote-count minutes attached in one click,
the public posting with a link to its objections, the appraisal clock and its history, returning
for supplement by naming the missing documents, the actions as buttons, and from the council's
result on, the decision (web/year/decisions.py: the deciding head's form, the generated
decision, the announcement, for whom the access policy gives each). Also opening the winners'
dossiers from the cluster's counted vote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import listed_files, title_of
from web.refusals import explain
from web.views import locale, login_required, services
from web.year import decisions, impediment_view, itempage
from web.year.common import (
    CHAIRS,
    _documents,
    _form_version,
    _load,
    _members,
    _roles,
    _state_label,
    _wf,
    bp,
)
from web.year.dossier_rules import rules_applied
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleState,
    TransitionNotAllowed,
)
from workflow.services import access, dossier_page, dossiers

# the plain actions of the page; returning has its own form, the council's steps their pages
BUTTONS = ("post", "submit", "receive", "start_appraisal", "resubmit", "to_council", "withdraw")
UPLOAD_STATES = frozenset({"draft", "posting", "returned"})
OTHER = "tai_lieu_khac"  # a document beyond the title's list
LETTER = "to_trinh"


def _dossier(dossier_id: int) -> tuple[Instance, Actor]:
    inst = _load(dossier_id, "dossier")
    actor = current_actor()
    _roles(inst, actor)
    return inst, actor


def _posting(inst: Instance) -> dict[str, Any] | None:
    """When the dossier was posted, for how long and until when."""
    posted = inst.data.get("posted_at")
    if not posted:
        return None
    rules = dossier_page.rule_set(_wf(), inst)
    day = services().clock.local(dt.datetime.fromisoformat(str(posted))).date()
    days = rules.public_posting_days.value
    working = rules.public_posting_basis == "working"
    ends = _wf().calendar.add_working_days(day, days) if working else day + dt.timedelta(days)
    return {"from": day, "to": ends, "days": days, "working": working}


def _page(inst: Instance, actor: Actor, *, error: str | None = None,
          form: dict[str, Any] | None = None,
          decision_fields: decisions.DecisionFields | None = None,
          impediment_form: dict[str, Any] | None = None, impediment_error: str = "") -> str:
    wf = _wf()
    docs = _documents(inst.id)
    files = listed_files(inst.id, docs)
    checklist = dossier_page.checklist(wf, inst, dossier_page.kinds_of(docs))
    labels = dossier_page.document_labels(wf, inst)
    lang = locale()
    actions = wf.available(inst, actor)
    buttons = [(t, why) for t, why in actions if t.trigger in BUTTONS]
    can_return = any(t.trigger == "return" and why is None for t, why in actions)
    may_attach = inst.state in UPLOAD_STATES and access.may_attach(
        actor, inst, wf.catalog.compiled(inst.definition_id).spec)
    session_id = inst.data.get("vote_session_id")
    council_id = inst.data.get("council_session_id")
    returns = dossier_page.missing_named(wf, inst, lang)
    return render_template(
        "year_dossier.html", dossier=inst, title=title_of(inst, lang), state=_state_label(inst),
        campaign=itempage.campaign_of(inst), checklist=checklist, files=files,
        by_kind={r.code: [f for f in files if f.doc.kind == r.code] for r in checklist},
        others=[f for f in files if f.doc.kind not in {r.code for r in checklist}],
        label_of=lambda code: labels[code].get(lang) if code in labels else code,
        may_attach=may_attach, may_generate=may_attach and bool(
            access.roles_on(actor, inst) & {"cluster_leader", "unit_officer"}),
        buttons=buttons, can_return=can_return, posting=_posting(inst),
        clock=dossier_page.clock(wf, inst), returns=returns,
        returned_comment=itempage.last_comment(inst, "return")
        if inst.state == "returned" else "",
        vote_url=url_for("year.vote", session_id=session_id) if session_id else None,
        council_url=url_for("year.vote", session_id=council_id) if council_id else None,
        objections_url=f"/dossiers/{inst.id}/objections",
        signer=_signer(actor), history=itempage.history(inst), error=error,
        rules_applied=rules_applied(inst),
        form=form or {}, locale=lang,
        imp=impediment_view.dossier_section(inst, impediment_form, impediment_error),
        kind_label=lambda k: labels[k].get(lang)
        if k in labels else itempage.kind_label(k),
        decision=decisions.decision_context(inst, actor, decision_fields)
        if inst.state in decisions.SHOWN_STATES else None)


def dossier_page_with(inst: Instance, fields: decisions.DecisionFields) -> str:
    """The dossier page again with the decision form as typed and why it was refused."""
    return _page(_wf().get(inst.id), current_actor(), decision_fields=fields)


def _signer(actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    return services().reads.user_names([actor.user_id]).get(actor.user_id, "")


@bp.route("/dossiers/<int:dossier_id>")
@login_required
def dossier(dossier_id: int) -> str:
    inst, actor = _dossier(dossier_id)
    return _page(inst, actor)


@bp.route("/dossiers/<int:dossier_id>/documents", methods=["POST"])
@login_required
def dossier_upload(dossier_id: int) -> Response:
    """Upload one of the title's documents (or another one) to the dossier."""
    inst, actor = _dossier(dossier_id)
    kind = request.form.get("kind", "")
    allowed = {r.code for r in dossier_page.checklist(_wf(), inst, ())} | {OTHER}
    if kind not in allowed:
        abort(400)
    if inst.state not in UPLOAD_STATES:
        flash(_("Documents are added while the dossier is drafted, posted or returned for "
                "supplement."), "error")
    else:
        try:
            itempage.upload(inst, actor, kind)
        except PermissionDenied:
            abort(403)
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#documents")


@bp.route("/dossiers/<int:dossier_id>/letter", methods=["POST"])
@login_required
def dossier_letter(dossier_id: int) -> str | Response:
    """Generate the tờ trình from the vote's count and attach it."""
    inst, actor = _dossier(dossier_id)
    if inst.state not in UPLOAD_STATES or not access.roles_on(actor, inst) & {
            "cluster_leader", "unit_officer"}:
        abort(403)
    number = request.form.get("number", "").strip()[:60]
    position = request.form.get("signer_position", "").strip()[:120]
    name = request.form.get("signer_name", "").strip()[:120]
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if not (number and position and name):
        return _page(inst, actor, error=_("Write the letter's number, the signer's position "
                                          "and full name."), form=form)
    try:
        dossiers.submission_letter(_wf(), inst.id, actor, services().settings.documents_dir,
                                   number=number, signer=(position, name))
    except (InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed) as exc:
        return _page(inst, actor, error=explain(exc, inst), form=form)
    flash(_("The submission letter was generated and attached."))
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#documents")


@bp.route("/dossiers/<int:dossier_id>/minutes", methods=["POST"])
@login_required
def dossier_minutes(dossier_id: int) -> Response:
    """Attach the vote-count minutes of the vote the dossier came from."""
    inst, actor = _dossier(dossier_id)
    if inst.state not in UPLOAD_STATES or not access.may_act(actor, inst):
        abort(403)
    found = _documents(int(inst.data["vote_session_id"]), dossier_page.VOTE_MINUTES)
    if _documents(inst.id, dossier_page.VOTE_MINUTES):
        flash(_("The vote-count minutes are already attached."), "error")
    elif not found:
        flash(_("The vote has no minutes yet: the chair draws them up on the vote's page."),
              "error")
    else:
        doc = found[-1]
        content = (services().settings.documents_dir / doc.storage_key).read_bytes()
        dossiers.attach(_wf(), inst, actor, services().settings.documents_dir, doc.kind,
                        doc.filename, content)
        flash(_("The document was attached: %(name)s", name=doc.filename))
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#documents")


@bp.route("/dossiers/<int:dossier_id>/fire", methods=["POST"])
@login_required
def dossier_fire(dossier_id: int) -> str | Response:
    inst, actor = _dossier(dossier_id)
    trigger = request.form.get("trigger", "")
    if trigger not in BUTTONS:
        abort(400)
    comment = itempage.posted_comment()
    refused = itempage.fire(inst, trigger, {"comment": comment} if comment else {})
    if refused:
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _page(_wf().get(inst.id), actor, error=refused, form=form)
    return redirect(url_for("year.dossier", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/return", methods=["POST"])
@login_required
def dossier_return(dossier_id: int) -> str | Response:
    """Return for supplement, naming each missing document (and anything else in words)."""
    inst, actor = _dossier(dossier_id)
    missing = request.form.getlist("missing")
    other = request.form.get("missing_other", "").strip()
    comment = itempage.posted_comment()
    form: dict[str, Any] = {"trigger": "return", "comment": comment, "missing": missing,
                            "missing_other": other}
    if not missing and not other:
        return _page(inst, actor, form=form, error=_(
            "Tick each document that must be supplemented, or say what else is missing."))
    if not comment:
        return _page(inst, actor, form=form, error=_(
            "Write a comment for the unit: what to supplement and how."))
    try:
        dossier_page.return_for_supplement(
            _wf(), inst.id, actor, [*missing, *([other] if other else [])], comment,
            expected_version=_form_version())
    except StaleState:
        return _page(_wf().get(inst.id), actor, form=form, error=_(
            "Someone else changed this dossier meanwhile; check it and try again."))
    except (InvalidInput, TransitionNotAllowed) as exc:
        return _page(_wf().get(inst.id), actor, error=explain(exc, inst, with_action=True),
                     form=form)
    flash(_("The dossier was returned for supplement; the appraisal clock is paused."))
    return redirect(url_for("year.dossier", dossier_id=dossier_id))


def vote_dossiers(session: Instance, roles: set[str]) -> dict[str, Any]:
    """For the vote's page: the dossiers opened from it (name and link), and whether the chair
    may open those of the winners still without one."""
    if session.data.get("kind") == "council" or session.state not in ("minuted", "locked"):
        return {"opened_dossiers": [], "may_open_dossiers": False}
    opened = dossier_page.opened_from(_wf(), session)
    waiting = dossier_page.winners_without_dossier(_wf(), session)
    return {"opened_dossiers": [(title_of(d, locale()), url_for("year.dossier", dossier_id=d.id),
                                 _state_label(d)) for d in opened],
            "may_open_dossiers": bool(waiting) and bool(roles & {"cluster_leader"})}


@bp.route("/votes/<int:session_id>/dossiers", methods=["POST"])
@login_required
def open_dossiers(session_id: int) -> Response:
    """The leader opens the dossiers of the vote's winners in one step."""
    session = _load(session_id, "vote_session")
    actor = current_actor()
    roles = _roles(session, actor, _members(session.cluster_id))
    if not roles & CHAIRS:
        abort(403)
    back = redirect(url_for("year.vote", session_id=session_id))
    try:
        opened = dossier_page.open_after_vote(_wf(), session_id, actor,
                                              services().settings.documents_dir)
    except (InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed) as exc:
        flash(explain(exc, session, with_action=True), "error")
        return back
    if not opened:
        flash(_("Every winner of this vote already has a dossier."))
        return back
    flash(_("Dossiers opened: %(names)s", names="; ".join(
        title_of(d, locale()) for d in opened)))
    return redirect(url_for("year.dossier", dossier_id=opened[0].id))
