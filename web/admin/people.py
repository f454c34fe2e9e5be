"""The admin's people: accounts, their roles, deactivating and resetting a password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.admin import (
    PAGE,
    Page,
    bp,
    cluster_choices,
    form_int,
    form_text,
    page_number,
    role_label,
    services,
    unit_choices,
)
from web.auth import current_actor, weak_password_text
from workflow.errors import InvalidInput, NotFound, WeakPassword, WorkflowError
from workflow.services import people
from workflow.services.read_side import UserSummary
from workflow.services.workflows import MAX_ID

# --- people ----------------------------------------------------------------------------------


def user_page() -> tuple[int, list[UserSummary], int]:
    """The page number, its users (each with its grants) and how many pages there are."""
    found = services().reads.users_page(page_number(), PAGE)
    return found.number, list(found.users), found.pages


def people_page(
    error: str | None = None, status: int = 200, reset: dict[str, str] | None = None
) -> tuple[str, int]:
    number, found, pages = user_page()
    listing = Page(found, number, pages, len(found))
    return render_template(
        "admin_people.html", listing=listing, units=unit_choices(), clusters=cluster_choices(),
        values=request.form, error=error, year=services().clock.now().year, reset=reset), status


@bp.route("/people")
def people_list() -> tuple[str, int]:
    return people_page()


def add_user() -> str:
    username, full_name = form_text("username", 100), form_text("full_name", 200)
    email, password = form_text("email", 200), request.form.get("password") or ""
    if not username or not full_name:
        raise InvalidInput(_("A user needs a username and a full name."))
    if email and "@" not in email:
        raise InvalidInput(_("The e-mail address %(email)s is not valid.", email=email))
    try:
        people.check_strength(password, username)
    except WeakPassword as exc:
        raise InvalidInput(weak_password_text(exc)) from None
    uow = services().uow()
    user = people.create_user(uow, username, full_name, email or None)
    people.set_password(uow, user, password)
    return username


@bp.route("/people/create", methods=["POST"])
def create_person() -> Response | tuple[str, int]:
    try:
        username = add_user()
    except WorkflowError as exc:
        return people_page(_("The user was not created: %(reason)s", reason=str(exc)), 400)
    flash(_("User %(username)s created.", username=username))
    return redirect(url_for("admin.people_list"))


def add_grant() -> str:
    username, role = form_text("username", 100), form_text("role", 40)
    unit_id = form_int("unit_id")
    cluster_id = form_int("cluster_id")
    year = form_int("year", 1900, 2200)
    user = people.user_id(services().uow(), username)
    people.grant(services().uow(), user, role, unit_id=unit_id, cluster_id=cluster_id,
                 year=year)
    return username


@bp.route("/people/grant", methods=["POST"])
def grant_role() -> Response | tuple[str, int]:
    try:
        username = add_grant()
    except WorkflowError as exc:
        return people_page(_("The role was not granted: %(reason)s", reason=str(exc)), 400)
    flash(_("Role %(role)s granted to %(username)s.", role=role_label(form_text("role")),
            username=username))
    return redirect(url_for("admin.people_list"))


@bp.route("/people/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int) -> Response | tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    active = request.form.get("active") == "1"
    if not active and user_id == current_actor().user_id:
        return people_page(_("You cannot deactivate your own account."), 400)
    try:
        people.set_active(services().uow(), user_id, active)
    except NotFound:
        abort(404)
    flash(_("Account activated.") if active else _("Account deactivated."))
    return redirect(url_for("admin.people_list", page=page_number()))


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> tuple[str, int]:
    """A new random password, shown once on the page (never flashed into the cookie): the
    admin hands it over, and its owner must replace it at the next sign-in."""
    if user_id > MAX_ID:
        abort(404)
    if user_id == current_actor().user_id:
        return people_page(_("Change your own password on your account page."), 400)
    username = services().reads.username(user_id)
    if username is None:
        abort(404)
    temporary = people.reset_password(services().uow(), user_id)
    return people_page(reset={"username": username, "password": temporary})
