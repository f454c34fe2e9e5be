"""The admin's units and clusters."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.admin import bp, cluster_choices, form_int, form_text, paginate, services, unit_choices
from web.auth import current_actor
from web.views import form_ids
from workflow.errors import InvalidInput, NotFound, WorkflowError
from workflow.services import organisations
from workflow.services.workflows import MAX_ID

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
                                  form_int("parent_id"), by=current_actor(),
                                  at=services().clock.now())
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
    members = typed_members(form_text("member_order", 5000), form_ids("members"))
    organisations.create_cluster(
        services().uow(), code, name, form_text("kind", 8), year, members,
        council=form_text("council") or None, leader_unit_id=form_int("leader_unit_id"),
        deputy_unit_id=form_int("deputy_unit_id"), by=current_actor(),
        at=services().clock.now())
    return code


def typed_members(typed: str, chosen: list[int]) -> list[int]:
    """The members in the rotation order typed (unit codes separated by commas, semicolons or
    new lines), saved as typed; without it, the units chosen in the list (in the list's
    order, which is by code). Units chosen in the list must all be in the typed order."""
    codes = [c.strip() for c in re.split(r"[,;\n]", typed) if c.strip()]
    if not codes:
        return chosen
    by_code = {u.code.casefold(): u.id for u in unit_choices()}
    unknown = [c for c in codes if c.casefold() not in by_code]
    if unknown:
        raise InvalidInput(_("No unit has the code %(codes)s; type the codes shown in the "
                             "list of units.", codes=", ".join(unknown)))
    members = [by_code[c.casefold()] for c in codes]
    if len(set(members)) != len(members):
        raise InvalidInput(_("A unit is typed twice in the rotation order."))
    missing = [u for u in chosen if u not in members]
    if missing:
        names = {u.id: u.code for u in unit_choices()}
        raise InvalidInput(_("The rotation order leaves out %(codes)s, chosen as members; "
                             "add them to the order or unselect them.",
                             codes=", ".join(names[u] for u in missing)))
    return members


@bp.route("/clusters/create", methods=["POST"])
def create_cluster() -> Response | tuple[str, int]:
    try:
        code = add_cluster()
    except WorkflowError as exc:
        return clusters_page(_("The cluster was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("Cluster %(code)s created.", code=code))
    return redirect(url_for("admin.clusters_list"))


# --- editing a unit or a cluster ----------------------------------------------------------------


def unit_page(unit_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    found = next((u for u in unit_choices() if u.id == unit_id), None)
    if found is None:
        abort(404)
    return render_template("admin_unit.html", unit=found, units=unit_choices(),
                           values=request.form, error=error), status


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> tuple[str, int]:
    if unit_id > MAX_ID:
        abort(404)
    return unit_page(unit_id)


@bp.route("/units/<int:unit_id>", methods=["POST"])
def edit_unit(unit_id: int) -> Response | tuple[str, int]:
    if unit_id > MAX_ID:
        abort(404)
    try:
        changed = organisations.edit_unit(services().uow(), unit_id, form_text("name"),
                                          form_int("parent_id"), by=current_actor(),
                                          at=services().clock.now())
    except NotFound:
        abort(404)
    except WorkflowError as exc:
        return unit_page(unit_id, _("The changes were not saved: %(reason)s",
                                    reason=str(exc)), 400)
    flash(_("The changes are saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("admin.units_list"))


def cluster_page(cluster_id: int, error: str | None = None, status: int = 200
                 ) -> tuple[str, int]:
    try:
        found = organisations.get_cluster(services().uow(), cluster_id)
    except NotFound:
        abort(404)
    codes = {u.id: u.code for u in unit_choices()}
    return render_template(
        "admin_cluster.html", cluster=found, units=unit_choices(), kinds=organisations.KINDS,
        order=", ".join(codes.get(u, "") for u in found.members), values=request.form,
        error=error), status


@bp.route("/clusters/<int:cluster_id>")
def cluster(cluster_id: int) -> tuple[str, int]:
    if cluster_id > MAX_ID:
        abort(404)
    return cluster_page(cluster_id)


@bp.route("/clusters/<int:cluster_id>", methods=["POST"])
def edit_cluster(cluster_id: int) -> Response | tuple[str, int]:
    if cluster_id > MAX_ID:
        abort(404)
    try:
        members = typed_members(form_text("member_order", 5000), [])
        if not members:
            raise InvalidInput(_("Type the members' unit codes in the rotation order."))
        current = organisations.get_cluster(services().uow(), cluster_id)
        if set(members) != set(current.members) and \
                services().reads.cluster_campaigns(cluster_id):
            raise InvalidInput(_(
                "The cluster already has a campaign, run by its members: change their order "
                "and the leadership here, and other members in next year's cluster."))
        changed = organisations.edit_cluster(
            services().uow(), cluster_id, form_text("name"), members,
            council=form_text("council") or None, leader_unit_id=form_int("leader_unit_id"),
            deputy_unit_id=form_int("deputy_unit_id"), by=current_actor(),
            at=services().clock.now())
    except NotFound:
        abort(404)
    except WorkflowError as exc:
        return cluster_page(cluster_id, _("The changes were not saved: %(reason)s",
                                          reason=str(exc)), 400)
    flash(_("The changes are saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("admin.clusters_list"))
