"""The admin's units and clusters."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.admin import bp, cluster_choices, form_int, form_text, paginate, services, unit_choices
from web.views import form_ids
from workflow.errors import InvalidInput, WorkflowError
from workflow.services import organisations

# --- units and clusters ----------------------------------------------------------------------


def units_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    found = unit_choices()
    parents = {u.id: u.code for u in found}
    rows = [dict(asdict(u), parent=parents.get(u.parent_id or 0, "")) for u in found]
    return render_template("admin_units.html", listing=paginate(rows), units=found,
                           values=request.form, error=error), status


@bp.route("/units")
def units_list() -> tuple[str, int]:
    return units_page()


@bp.route("/units/create", methods=["POST"])
def create_unit() -> Response | tuple[str, int]:
    try:
        code = form_text("code", 64)
        organisations.create_unit(services().uow(), code, form_text("name"),
                                  form_int("parent_id"))
    except WorkflowError as exc:
        return units_page(_("The unit was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("Unit %(code)s created.", code=code))
    return redirect(url_for("admin.units_list"))


def cluster_rows() -> list[dict[str, Any]]:
    codes = {u.id: u.code for u in unit_choices()}
    return [dict(asdict(c), members=[codes.get(u, str(u)) for u in c.member_ids],
                 leader=codes.get(c.leader_unit_id or 0, ""),
                 deputy=codes.get(c.deputy_unit_id or 0, "")) for c in cluster_choices()]


def clusters_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin_clusters.html", listing=paginate(cluster_rows()), units=unit_choices(),
        kinds=organisations.KINDS, values=request.form, error=error,
        chosen=set(form_ids("members")),
        year=services().clock.now().year), status


@bp.route("/clusters")
def clusters_list() -> tuple[str, int]:
    return clusters_page()


def add_cluster() -> str:
    code, name = form_text("code", 64), form_text("name")
    year = form_int("year", 1900, 2200)
    if not code or not name or year is None:
        raise InvalidInput(_("A cluster needs a code, a name and a year."))
    members = form_ids("members")
    organisations.create_cluster(
        services().uow(), code, name, form_text("kind", 8), year, members,
        council=form_text("council") or None, leader_unit_id=form_int("leader_unit_id"),
        deputy_unit_id=form_int("deputy_unit_id"))
    return code


@bp.route("/clusters/create", methods=["POST"])
def create_cluster() -> Response | tuple[str, int]:
    try:
        code = add_cluster()
    except WorkflowError as exc:
        return clusters_page(_("The cluster was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("Cluster %(code)s created.", code=code))
    return redirect(url_for("admin.clusters_list"))
