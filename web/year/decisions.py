"""The decision on a dossier in the browser: the deciding head decides (đồng ý, không đồng ý,
khen mức thấp hơn) with reasons and the decision's number and date, the decision document is
generated; the council office announces it; the head revokes it with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import locale, login_required, services
from web.year import impediment_view
from web.year.common import _documents, _form_version, _load, _send_document, _state_label, _wf, bp
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, StaleState, TransitionNotAllowed
from workflow.services import access, decisions

OUTCOME_LABELS = {"approved": lazy_gettext("Agree (đồng ý)"),
                  "rejected": lazy_gettext("Do not agree (không đồng ý)"),
                  "downgraded": lazy_gettext("Award a lower title (khen mức thấp hơn)")}
SHOWN_STATES = ("with_authority", "decided", "announced", "archived", "revoked")
TEXT_LIMIT = 5000


@dataclass(slots=True)
class DecisionFields:
    """What the decision form shows and what was typed (kept when it is refused)."""

    outcome: str = ""
    reasons: str = ""
    number: str = ""
    date: str = ""
    granted_title: str = ""
    signer: str = ""
    error: str = ""


def _dossier(dossier_id: int, trigger: str | None = None) -> tuple[Instance, Actor]:
    """The dossier, if the reader may see it and (for a form) holds its action on it."""
    dossier = _load(dossier_id, "dossier")
    actor = current_actor()
    if not access.may_see(actor, dossier):
        abort(403)
    if trigger is not None and not access.may_take_on(
            actor, dossier, _wf().catalog.compiled(dossier.definition_id).spec, trigger):
        abort(403)
    return dossier, actor


def decision_context(dossier: Instance, actor: Actor,
                     fields: DecisionFields | None = None) -> dict[str, Any]:
    """What _decision_form.html needs: the decision as recorded, and the forms the reader may
    use (the access policy says who holds the action on the dossier, its state when)."""
    rules = decisions.rules_of(_wf(), dossier)
    data = dossier.data
    granted = data.get("granted_title") or data["title"]
    spec = _wf().catalog.compiled(dossier.definition_id).spec

    def may(trigger: str, *states: str) -> bool:
        return dossier.state in states and access.may_take_on(actor, dossier, spec, trigger)

    return {
        "council": data.get("council_result"),
        "prize": decisions.prize_of(_wf(), dossier),
        "granted": rules.title_rule(granted).label.get(locale()),
        "outcome": OUTCOME_LABELS.get(str(data.get("outcome")), ""),
        "decision_date": dt.date.fromisoformat(str(data["decision_date"]))
        if data.get("decision_date") else None,
        "may_decide": may("decide", "with_authority"),
        "may_announce": may("announce", "decided"),
        "may_revoke": may("revoke", "announced", "archived"),
        "outcomes": list(OUTCOME_LABELS.items()),
        "lower": decisions.lower_titles(_wf(), dossier),
        "fields": fields or DecisionFields(date=_wf().clock.today().isoformat()),
        "documents": _documents(dossier.id, "quyet_dinh")[-1:],
    }


@bp.route("/dossiers/<int:dossier_id>/decision")
@login_required
def decision(dossier_id: int, fields: DecisionFields | None = None) -> str:
    dossier, actor = _dossier(dossier_id)
    if fields is not None and request.form.get("back") == "dossier":
        from web.year.dossiers import dossier_page_with  # the dossier page includes the form

        return dossier_page_with(dossier, fields)
    names = services().reads.unit_names([dossier.unit_id or 0])
    rules = decisions.rules_of(_wf(), dossier)
    return render_template(
        "year_decision.html", dossier=dossier, state=_state_label(dossier),
        unit=names.get(dossier.unit_id or 0, ""),
        title=rules.title_rule(dossier.data["title"]).label.get(locale()),
        shown=dossier.state in SHOWN_STATES, imp=impediment_view.dossier_section(dossier),
        **decision_context(dossier, actor, fields))


def _back(dossier_id: int) -> Response:
    """Back to the page the form was sent from: the dossier's or the decision's."""
    if request.form.get("back") == "dossier":
        return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#decision")
    return redirect(url_for("year.decision", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/decision", methods=["POST"])
@login_required
def decide(dossier_id: int) -> str | Response:
    dossier, actor = _dossier(dossier_id, "decide")
    form = request.form
    fields = DecisionFields(
        outcome=form.get("outcome", "")[:40], reasons=form.get("reasons", "")[:TEXT_LIMIT],
        number=form.get("number", "").strip()[:60], date=form.get("date", "").strip()[:10],
        granted_title=form.get("granted_title", "")[:80], signer=form.get("signer", "")[:120])
    try:
        day = dt.date.fromisoformat(fields.date) if fields.date else None
    except ValueError:
        fields.error = _("Give the decision's date as a day of the calendar.")
        return decision(dossier_id, fields)
    if not fields.reasons.strip():
        fields.error = _("Write the reasons for the decision.")
        return decision(dossier_id, fields)
    try:
        decisions.decide(_wf(), dossier_id, actor, decisions.DecisionForm(
            fields.outcome, fields.reasons, fields.number, day, fields.granted_title,
            fields.signer.strip()), services().settings.documents_dir,
            expected_version=_form_version())
    except (InvalidInput, TransitionNotAllowed, PermissionDenied, StaleState) as exc:
        fields.error = explain(exc, dossier)
        return decision(dossier_id, fields)
    flash(_("The decision is recorded."))
    return _back(dossier_id)


@bp.route("/dossiers/<int:dossier_id>/announce", methods=["POST"])
@login_required
def announce_decision(dossier_id: int) -> Response:
    dossier, actor = _dossier(dossier_id, "announce")
    try:
        decisions.announce(_wf(), dossier_id, actor, _form_version())
    except (InvalidInput, TransitionNotAllowed, PermissionDenied, StaleState) as exc:
        flash(explain(exc, dossier, with_action=True), "error")
    else:
        flash(_("The decision is announced on the public page."))
    return _back(dossier_id)


@bp.route("/dossiers/<int:dossier_id>/revoke", methods=["POST"])
@login_required
def revoke_decision(dossier_id: int) -> Response:
    dossier, actor = _dossier(dossier_id, "revoke")
    try:
        decisions.revoke(_wf(), dossier_id, actor,
                         request.form.get("comment", "")[:TEXT_LIMIT], _form_version())
    except (InvalidInput, TransitionNotAllowed, PermissionDenied, StaleState) as exc:
        flash(explain(exc, dossier, with_action=True), "error")
    else:
        flash(_("The award is revoked."))
    return _back(dossier_id)


@bp.route("/dossiers/<int:dossier_id>/decision.docx")
@login_required
def decision_document(dossier_id: int) -> Response:
    dossier = _load(dossier_id, "dossier")
    if not access.may_read_documents(current_actor(), dossier):
        abort(403)
    found = _documents(dossier_id, "quyet_dinh")
    if not found:
        abort(404)
    return _send_document(found[-1])
