"""The public page, open without signing in: announced results, dossiers under public posting
and the form to object to a posted dossier. Nothing else of a dossier is shown."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web import limits as web_limits
from web.views import page_number, services
from workflow.errors import InvalidInput, NotFound, TransitionNotAllowed
from workflow.services import dossiers, exemplary_models, limits

bp = Blueprint("public", __name__)
PAGE = 20
MAX_TEXT = 5000
MAX_CONTACT = 200


@dataclass(frozen=True, slots=True)
class Kept:
    """An objection sent back to its writer, with why: the form shows it again as typed."""

    dossier_id: int
    text: str
    contact: str
    error: str


@bp.route("/public")
def listing() -> str:
    return _listing(page_number())


def _listing(page: int | None, kept: Kept | None = None) -> str:
    """A page of the listing; with `kept`, the page of that dossier (when page is None)."""
    found = dossiers.public_listing(services().workflows)
    pages = max(1, -(-len(found) // PAGE))
    if page is None:
        at = [i for i, d in enumerate(found) if kept is not None and d.id == kept.dossier_id]
        page = at[0] // PAGE + 1 if at else 1
    page = min(page, pages)
    shown = found[(page - 1) * PAGE: page * PAGE]
    return render_template(
        "public_listing.html", posted=[d for d in shown if d.objections_open],
        announced=[d for d in shown if not d.objections_open], page=page, pages=pages,
        kept=kept, models=exemplary_models.public_models(services().reads))


def _objection_problem(text: str, contact: str) -> str | None:
    if not text:
        return str(_("Write what your objection is."))
    if len(text) > MAX_TEXT:
        return str(_("The objection is too long: at most %(n)s characters.", n=MAX_TEXT))
    if len(contact) > MAX_CONTACT:
        return str(_("The contact is too long: at most %(n)s characters.", n=MAX_CONTACT))
    return None


@bp.route("/public/dossiers/<int:dossier_id>/objections", methods=["POST"])
def object_to(dossier_id: int) -> Response:
    """Anyone may object to a dossier while it is posted (CSRF-checked like every form)."""
    text = request.form.get("text", "").strip()
    contact = request.form.get("contact", "").strip()
    problem = _objection_problem(text, contact)
    if problem is None:
        address = web_limits.client_address()  # anonymous: the address is all there is
        to_this = limits.key("objection-dossier", address, str(dossier_id))
        to_any = limits.key("objection-address", address)
        verdict = web_limits.hit((to_this, limits.OBJECTIONS_PER_DOSSIER),
                                 (to_any, limits.OBJECTIONS_PER_ADDRESS))
        if not verdict.allowed:
            error = str(_("You have sent too many objections; wait %(minutes)s min and send it "
                          "again. What you wrote is kept below.", minutes=verdict.retry_minutes))
            return web_limits.refused(_listing(None, Kept(dossier_id, text, contact, error)),
                                      verdict)
        try:
            dossiers.file_objection(services().workflows, dossier_id, text, contact or None)
        except (InvalidInput, NotFound, TransitionNotAllowed):
            web_limits.give_back(refund=[to_this, to_any])  # nothing filed: not counted
            problem = str(_("This dossier is not open to objections."))
    if problem is not None:
        flash(problem, "error")
        return redirect(url_for("public.listing", _anchor=f"d-{dossier_id}"))
    return redirect(url_for("public.thanks"))


@bp.route("/public/thanks")
def thanks() -> str:
    return render_template("public_thanks.html")
