"""The admin's people: search and filter them, create, edit, (de)activate, reset a password,
grant and revoke roles (for a year or until revoked), their API tokens; every change goes to
the history of admin changes (web/admin/changes.py shows it)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.account_tokens import create_from_form, token_context
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
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.errors import InvalidInput, NotFound, WeakPassword, WorkflowError
from workflow.services import api_tokens, people
from workflow.services.read_side import UserPage
from workflow.services.workflows import MAX_ID

# --- the list, with its filters ----------------------------------------------------------------


def filters() -> dict[str, Any]:
    """The list's filters from the query string (kept by the pager's links)."""
    unit = request.args.get("unit", "")
    role = request.args.get("has_role", "")  # not "role": the grant form's field
    active = request.args.get("active", "")
    return {
        "q": (request.args.get("q") or "").strip()[:100],
        "unit": int(unit) if unit.isascii() and unit.isdigit() and int(unit) <= MAX_ID
        else None,
        "role": role if role in ROLES and role != SYSTEM_ROLE else None,
        "active": {"1": True, "0": False}.get(active),
    }


def user_page() -> UserPage:
    f = filters()
    return services().reads.users_page(page_number(), PAGE, query=f["q"], unit_id=f["unit"],
                                       role=f["role"], active=f["active"])


def people_page(
    error: str | None = None, status: int = 200, reset: dict[str, str] | None = None
) -> tuple[str, int]:
    found = user_page()
    listing = Page(found.users, found.number, found.pages, found.total)
    return render_template(
        "admin_people.html", listing=listing, units=unit_choices(), clusters=cluster_choices(),
        values=request.form, error=error, year=services().clock.now().year, reset=reset,
        filters=filters(), args=request.args.to_dict()), status


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
    user = people.create_user(uow, username, full_name, email or None,
                              unit_id=form_int("unit_id"), by=current_actor(),
                              at=services().clock.now())
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


# --- roles ---------------------------------------------------------------------------------


def held_year() -> int | None:
    """The year a role is granted for, or None: held until revoked. The form says which
    (`held`: year | always); a form without the choice keeps the old rule (empty year:
    every year)."""
    held = form_text("held", 10)
    year = form_int("year", 1900, 2200)
    if held == "always":
        return None
    if held == "year" and year is None:
        raise InvalidInput(_("Type the year the role is held for, or choose until revoked."))
    return year


def add_grant() -> str:
    username, role = form_text("username", 100), form_text("role", 40)
    if not role:
        raise InvalidInput(_("Choose the role to grant."))
    unit_id = form_int("unit_id")
    cluster_id = form_int("cluster_id")
    year = held_year()
    user = people.user_id(services().uow(), username)
    people.grant(services().uow(), user, role, unit_id=unit_id, cluster_id=cluster_id,
                 year=year, by=current_actor(), at=services().clock.now(),
                 criteria=[c[:40] for c in request.form.getlist("criteria")[:20]])
    return username


def back_to(default: str, **args: Any) -> Response:
    """Back to the person's page when the form came from it, else to `default`."""
    person = form_int("person")
    if person is not None:
        return redirect(url_for("admin.person", user_id=person))
    return redirect(url_for(default, **args))


@bp.route("/people/grant", methods=["POST"])
def grant_role() -> Response | tuple[str, int]:
    try:
        username = add_grant()
    except WorkflowError as exc:
        message = _("The role was not granted: %(reason)s", reason=str(exc))
        person = form_int("person") if form_text("person") else None
        return person_page(person, message, 400) if person else people_page(message, 400)
    flash(_("Role %(role)s granted to %(username)s.", role=role_label(form_text("role")),
            username=username))
    return back_to("admin.people_list")


@bp.route("/people/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
def revoke_grant(user_id: int, grant_id: int) -> Response | tuple[str, int]:
    if user_id > MAX_ID or grant_id > MAX_ID:
        abort(404)
    try:
        people.revoke_grant(services().uow(), grant_id, user_id=user_id, by=current_actor(),
                            at=services().clock.now())
    except NotFound:
        abort(404)
    except InvalidInput:
        return person_page(user_id, _("You cannot revoke your own administrator role; "
                                      "another administrator can."), 400)
    flash(_("The role is revoked."))
    return redirect(url_for("admin.person", user_id=user_id))


# --- one person ------------------------------------------------------------------------------


def person_page(user_id: int, error: str | None = None, status: int = 200,
                created: dict[str, str] | None = None,
                reset: dict[str, str] | None = None) -> tuple[str, int]:
    try:
        profile = people.profile(services().uow(), user_id)
    except NotFound:
        abort(404)
    summary = services().reads.user(user_id)
    grants = summary.grants if summary is not None else ()
    return render_template(
        "admin_person.html", person=profile, grants=grants, units=unit_choices(),
        clusters=cluster_choices(), values=request.form, error=error, created=created,
        reset=reset, year=services().clock.now().year, **token_context(user_id)), status


@bp.route("/people/<int:user_id>")
def person(user_id: int) -> tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    return person_page(user_id)


@bp.route("/people/<int:user_id>/edit", methods=["POST"])
def edit_person(user_id: int) -> Response | tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    try:
        email = form_text("email", 200)
        if email and "@" not in email:
            raise InvalidInput(_("The e-mail address %(email)s is not valid.", email=email))
        changed = people.edit_user(services().uow(), user_id, form_text("full_name", 200),
                                   email or None, form_int("unit_id"), by=current_actor(),
                                   at=services().clock.now())
    except NotFound:
        abort(404)
    except WorkflowError as exc:
        return person_page(user_id, _("The changes were not saved: %(reason)s",
                                      reason=str(exc)), 400)
    flash(_("The changes are saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("admin.person", user_id=user_id))


@bp.route("/people/<int:user_id>/tokens", methods=["POST"])
def create_person_token(user_id: int) -> tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    try:
        token, name, last_day = create_from_form(user_id)
    except InvalidInput as exc:
        return person_page(user_id, _("The token was not created: %(reason)s",
                                      reason=str(exc)), 400)
    return person_page(user_id, created={"token": token, "name": name,
                                         "until": f"{last_day:%d/%m/%Y}"})


@bp.route("/people/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_person_token(user_id: int, token_id: int) -> Response:
    if user_id > MAX_ID or token_id > MAX_ID:
        abort(404)
    try:
        api_tokens.revoke(services().uow(), services().clock, token_id, owner=user_id,
                          by=current_actor())
    except NotFound:
        abort(404)
    flash(_("The token is revoked: it no longer works."))
    return redirect(url_for("admin.person", user_id=user_id))


@bp.route("/people/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int) -> Response | tuple[str, int]:
    if user_id > MAX_ID:
        abort(404)
    active = request.form.get("active") == "1"
    if not active and user_id == current_actor().user_id:
        return people_page(_("You cannot deactivate your own account."), 400)
    try:
        people.set_active(services().uow(), user_id, active, by=current_actor(),
                          at=services().clock.now())
    except NotFound:
        abort(404)
    flash(_("Account activated.") if active else _("Account deactivated."))
    return back_to("admin.people_list", **request.args.to_dict())


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
    reset = {"username": username, "password": temporary}
    if form_text("person"):
        return person_page(user_id, reset=reset)
    return people_page(reset=reset)
