"""The public page, open without signing in: announced results, dossiers under public posting
and the form to object to a posted dossier. Nothing else of a dossier is shown."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.views import page_number, services
from workflow.errors import InvalidInput, NotFound, TransitionNotAllowed
from workflow.services import dossiers

bp = Blueprint("public", __name__)
PAGE = 20
MAX_TEXT = 5000
MAX_CONTACT = 200


@bp.route("/public")
def listing() -> str:
    found = dossiers.public_listing(services().workflows)
    pages = max(1, -(-len(found) // PAGE))
    page = min(page_number(), pages)
    shown = found[(page - 1) * PAGE: page * PAGE]
    return render_template(
        "public_listing.html", posted=[d for d in shown if d.objections_open],
        announced=[d for d in shown if not d.objections_open], page=page, pages=pages)


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
        try:
            dossiers.file_objection(services().workflows, dossier_id, text, contact or None)
        except (InvalidInput, NotFound, TransitionNotAllowed):
            problem = str(_("This dossier is not open to objections."))
    if problem is not None:
        flash(problem, "error")
        return redirect(url_for("public.listing", _anchor=f"d-{dossier_id}"))
    return redirect(url_for("public.thanks"))


@bp.route("/public/thanks")
def thanks() -> str:
    return render_template("public_thanks.html")
