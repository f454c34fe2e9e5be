"""Impediments to an award in the browser (vướng mắc, căn cứ chưa xét khen thưởng: Decree
152/2025 art. 4(4)): recorded against a dossier's nominee from the dossier's page, or against a
unit from its impediments page, and closed there (the day, the outcome, the document). Who may
is the access policy's answer (the council office, the unit's cluster leader); a refusal is said
above the form, which keeps what was typed."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import login_required, services
from web.year import dossiers
from web.year.common import _wf, bp
from web.year.impediment_view import (
    CLOSE_KEYS,
    FORM_KEYS,
    BadDate,
    parse_day,
    section,
    typed,
)
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import impediments as imps


def _record(unit_id: int, form: dict[str, str]) -> None:
    """Record one against the unit from the form; InvalidInput or BadDate say what to fix."""
    imps.record(_wf(), current_actor(), unit_id=unit_id, kind=form["kind"],
                reference=form["reference"], reference_date=parse_day(form["reference_date"]),
                start=parse_day(form["start"]), until=parse_day(form["until"]),
                note=form["note"])


def _close(impediment_id: int, form: dict[str, str]) -> imps.Impediment:
    return imps.close(_wf(), current_actor(), impediment_id,
                      closed_on=parse_day(form["closed_on"]), outcome=form["outcome"],
                      reference=form["closure_reference"], note=form["closure_note"])


# --- from the dossier's page -------------------------------------------------------------------


@bp.route("/dossiers/<int:dossier_id>/impediments", methods=["POST"])
@login_required
def dossier_impediment(dossier_id: int) -> str | Response:
    """Record an impediment against the dossier's nominee."""
    inst, actor = dossiers._dossier(dossier_id)
    if inst.unit_id is None:
        abort(404)
    form = typed(FORM_KEYS)
    try:
        _record(inst.unit_id, form)
    except PermissionDenied:
        abort(403)
    except (InvalidInput, BadDate) as exc:
        return dossiers._page(inst, actor, impediment_form=form,
                              impediment_error=explain(exc, inst))
    flash(_("The impediment was recorded; the dossier's history notes it."))
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#impediments")


@bp.route("/dossiers/<int:dossier_id>/impediments/<int:impediment_id>/close",
          methods=["POST"])
@login_required
def dossier_impediment_close(dossier_id: int, impediment_id: int) -> str | Response:
    """Record how an impediment of the dossier's nominee ended."""
    inst, actor = dossiers._dossier(dossier_id)
    form = typed(CLOSE_KEYS) | {"close_id": str(impediment_id)}
    try:
        found = imps.get(_wf(), actor, impediment_id)
        if found.unit_id is None or found.unit_id != inst.unit_id:
            abort(404)
        _close(impediment_id, form)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except (InvalidInput, BadDate) as exc:
        return dossiers._page(inst, actor, impediment_form=form,
                              impediment_error=explain(exc, inst))
    flash(_("The impediment's closure was recorded; the dossier's history notes it."))
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#impediments")


# --- the unit's impediments ------------------------------------------------------------------


def _unit_page(unit_id: int, form: dict[str, Any] | None = None, error: str = "",
               status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    try:
        found, may_keep = imps.of_subject(_wf(), actor, unit_id=unit_id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    today = services().clock.today()
    listing = imps.DossierImpediments(tuple(found), tuple(i for i in found if i.active_on(today)),
                                      may_keep, unit_id, True)
    name = services().reads.unit_names([unit_id]).get(unit_id, "")
    return render_template(
        "year_unit_impediments.html", unit_name=name, unit_id=unit_id,
        imp=section(listing, form, error, url_for("year.unit_impediments", unit_id=unit_id))
    ), status


@bp.route("/units/<int:unit_id>/impediments")
@login_required
def unit_impediments(unit_id: int) -> tuple[str, int]:
    """The impediments recorded against a unit, with the forms to add and close them."""
    return _unit_page(unit_id)


@bp.route("/units/<int:unit_id>/impediments", methods=["POST"])
@login_required
def unit_impediment(unit_id: int) -> Response | tuple[str, int]:
    form = typed(FORM_KEYS)
    try:
        _record(unit_id, form)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except (InvalidInput, BadDate) as exc:
        return _unit_page(unit_id, form, explain(exc), 422)
    flash(_("The impediment was recorded; the history of the unit's running dossiers notes "
            "it."))
    return redirect(url_for("year.unit_impediments", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/impediments/<int:impediment_id>/close", methods=["POST"])
@login_required
def unit_impediment_close(unit_id: int, impediment_id: int) -> Response | tuple[str, int]:
    form = typed(CLOSE_KEYS) | {"close_id": str(impediment_id)}
    try:
        found = imps.get(_wf(), current_actor(), impediment_id)
        if found.unit_id != unit_id:
            abort(404)
        _close(impediment_id, form)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except (InvalidInput, BadDate) as exc:
        return _unit_page(unit_id, form, explain(exc), 422)
    flash(_("The impediment's closure was recorded."))
    return redirect(url_for("year.unit_impediments", unit_id=unit_id))

