"""The objections to a dossier, for the people who handle it: the council office reads each one
(with how to reach its writer), judges it admissible or not with a reason, and answers it; the
cluster's leader answers the admissible ones; the nominee's unit reads the judgements and the
answers. Only an admissible objection not yet answered holds the dossier back."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import item_url, title_of
from web.views import locale, login_required, member_units, services
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, dossiers

bp = Blueprint("objections", __name__)


@dataclass(frozen=True, slots=True)
class Kept:
    """What was typed into one objection's form, sent back with why it was refused."""

    objection_id: int
    error: str
    values: dict[str, str] = field(default_factory=dict)


def _dossier(dossier_id: int) -> Instance:
    """The dossier, if the signed-in user may see it (403 otherwise, 404 when there is none:
    nothing about it is said before the permission is checked)."""
    try:
        inst: Instance = services().workflows.get(dossier_id)
    except NotFound:
        abort(404)
    if inst.workflow != "dossier":
        abort(404)
    if not access.may_see(current_actor(), inst, member_units):
        abort(403)
    return inst


@bp.route("/dossiers/<int:dossier_id>/objections")
@login_required
def listing(dossier_id: int) -> str:
    return _page(_dossier(dossier_id))


def _page(dossier: Instance, kept: Kept | None = None) -> str:
    actor = current_actor()
    wf = services().workflows
    found = dossiers.objections_of(wf, dossier.id)
    people = services().reads.full_names(
        {o.judged_by for o in found if o.judged_by} | {o.answered_by for o in found
                                                         if o.answered_by})
    period = dossiers.posting_period(wf, dossier)
    spec = wf.catalog.compiled(dossier.definition_id).spec
    return render_template(
        "dossier_objections.html", dossier=dossier, title=title_of(dossier, locale()),
        dossier_url=item_url("dossier", dossier.id),
        state=spec.state(dossier.state).label.get(locale()), objections=found, people=people,
        period=period, may_judge=dossiers.may_judge(actor, dossier),
        may_answer=dossiers.may_answer(actor, dossier),
        holding=sum(1 for o in found if o.holds),
        waiting=sum(1 for o in found if o.status == "waiting"), kept=kept)


def _objection(dossier: Instance, objection_id: int) -> dossiers.Objection:
    found = next((o for o in dossiers.objections_of(services().workflows, dossier.id)
                  if o.id == objection_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/dossiers/<int:dossier_id>/objections/<int:objection_id>/judge", methods=["POST"])
@login_required
def judge(dossier_id: int, objection_id: int) -> Response | tuple[str, int]:
    dossier = _dossier(dossier_id)
    actor = current_actor()
    if not dossiers.may_judge(actor, dossier):
        abort(403)
    _objection(dossier, objection_id)
    verdict = request.form.get("admissible", "")
    reason = request.form.get("reason", "").strip()
    values = {"admissible": verdict, "reason": reason}
    if verdict not in ("yes", "no"):
        return _refused(dossier, objection_id, values,
                        _("Choose whether the objection is admissible."))
    if not reason:
        return _refused(dossier, objection_id, values,
                        _("Write the reason for your judgement."))
    try:
        dossiers.judge_objection(services().workflows, objection_id, actor,
                                 admissible=verdict == "yes", reason=reason)
    except PermissionDenied:
        abort(403)
    except InvalidInput:
        return _refused(dossier, objection_id, values, _(
            "This objection was judged already (perhaps by a colleague); see the judgement "
            "below."))
    flash(_("The objection is judged admissible: it holds the dossier back until it is "
            "answered.") if verdict == "yes" else
          _("The objection is judged not admissible; the reason is recorded."), "success")
    return redirect(url_for("objections.listing", dossier_id=dossier.id,
                            _anchor=f"o-{objection_id}"))


@bp.route("/dossiers/<int:dossier_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(dossier_id: int, objection_id: int) -> Response | tuple[str, int]:
    dossier = _dossier(dossier_id)
    actor = current_actor()
    if not dossiers.may_answer(actor, dossier):
        abort(403)
    found = _objection(dossier, objection_id)
    text = request.form.get("answer", "").strip()
    values = {"answer": text}
    if not text:
        return _refused(dossier, objection_id, values, _("Write the answer."))
    if len(text) > dossiers.MAX_OBJECTION:
        return _refused(dossier, objection_id, values, _(
            "The answer is too long: at most %(n)s characters.", n=dossiers.MAX_OBJECTION))
    if found.status != "open":
        why = {"waiting": _("The council office has not judged this objection yet; it is "
                            "answered once judged admissible."),
               "inadmissible": _("This objection was judged not admissible: it needs no "
                                 "answer."),
               "answered": _("This objection is answered already.")}[found.status]
        return _refused(dossier, objection_id, values, why)
    try:
        dossiers.answer_objection(services().workflows, objection_id, actor, text)
    except PermissionDenied:
        abort(403)
    except InvalidInput:
        return _refused(dossier, objection_id, values,
                        _("This objection is answered already."))
    flash(_("The answer is recorded; it is shown on the public page."), "success")
    return redirect(url_for("objections.listing", dossier_id=dossier.id,
                            _anchor=f"o-{objection_id}"))


def _refused(dossier: Instance, objection_id: int, values: dict[str, str], error: str
             ) -> tuple[str, int]:
    """The page again, with the form as typed and why it was refused."""
    return _page(dossier, Kept(objection_id, error, values)), 400
