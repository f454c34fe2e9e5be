"""The history of admin changes: who changed which person, role, token, unit or cluster, when,
and what it was before and after, in words (names, never ids)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from web.admin import Page, bp, criterion_title, page_number, role_label, services
from workflow.errors import NotFound
from workflow.services import admin_log, people
from workflow.services.workflows import MAX_ID


def action_labels() -> dict[str, str]:
    return {
        "user_created": _("created the account"),
        "user_edited": _("edited the account"),
        "user_deactivated": _("deactivated the account"),
        "user_reactivated": _("reactivated the account"),
        "grant_given": _("granted a role"),
        "grant_revoked": _("revoked a role"),
        "token_created": _("created an API token"),
        "token_revoked": _("revoked an API token"),
        "unit_created": _("created a unit"),
        "unit_edited": _("edited a unit"),
        "cluster_created": _("created a cluster"),
        "cluster_edited": _("edited a cluster"),
    }


def field_labels() -> dict[str, str]:
    return {
        "username": _("Username"), "full_name": _("Full name"), "email": _("E-mail"),
        "unit": _("Unit"), "active": _("Account"), "role": _("Role"),
        "cluster": _("Cluster"), "year": _("Held"), "name": _("Name"),
        "expires_on": _("Works through"), "code": _("Code"), "parent": _("Parent unit"),
        "council": _("Council"), "members": _("Members"), "leader": _("Leader"),
        "deputy": _("Deputy"), "source": _("Made by"), "criteria": _("Criteria"),
    }


def _date(value: Any) -> str:
    try:
        return f"{dt.date.fromisoformat(str(value)):%d/%m/%Y}"
    except ValueError:
        return str(value)


def show(key: str, value: Any, subject: str) -> str:
    """One value as a person reads it."""
    special: dict[str, Callable[[Any], str]] = {
        "active": lambda v: _("active") if v else _("deactivated"),
        "role": lambda v: role_label(str(v)),
        "expires_on": lambda v: _date(v) if v else _("until revoked"),
        "members": lambda v: ", ".join(map(str, v)) if v else "—",
        "source": lambda v: _("an import from a file") if v == "import" else str(v),
        "criteria": lambda v: "; ".join(criterion_title(str(c)) for c in v) if v else "—",
    }
    if key == "year" and subject == "grant":
        return str(_("for the year %(year)s", year=str(value)) if value else _("until revoked"))
    if key in special:
        return special[key](value)
    if value is None or value == "":
        return "—"
    return str(value)


def details(change: admin_log.Change) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) in words, for the fields the change recorded."""
    labels = field_labels()
    before: Mapping[str, Any] = change.before or {}
    after: Mapping[str, Any] = change.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    rows = []
    for key in keys:
        if change.subject == "grant" and key in ("unit", "cluster") and \
                before.get(key) is None and after.get(key) is None:
            continue
        rows.append((labels.get(key, key),
                     show(key, before[key], change.subject) if key in before else None,
                     show(key, after[key], change.subject) if key in after else None))
    return rows


def subject_text(change: admin_log.Change) -> str:
    """Whom or what the change is about."""
    if change.user_name:
        return change.user_name
    values: Mapping[str, Any] = change.after or change.before or {}
    code, name = values.get("code"), str(values.get("name") or "")
    if change.subject == "unit":
        return str(_("unit %(name)s", name=f"{code} – {name}" if code else name))
    if change.subject == "cluster":
        return str(_("cluster %(name)s", name=" ".join(str(v) for v in (
            code, values.get("year"), "–", name) if v) if code else name))
    return ""


@bp.route("/changes")
def changes() -> str:
    person_id: int | None = None
    person_name = ""
    username = (request.args.get("username") or "").strip()[:100]
    raw = request.args.get("person", "")
    error = None
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
        person_id = int(raw)
    elif username:
        try:
            person_id = people.user_id(services().uow(), username)
        except NotFound:
            error = _("Nobody has the username %(username)s.", username=username)
            person_id = -1
    if person_id is not None and person_id > 0:
        try:
            found = people.profile(services().uow(), person_id)
            person_name, username = found.full_name, found.username
        except NotFound:
            person_id = -1
    page = admin_log.changes(services().uow(), user_id=person_id, number=page_number())
    listing = Page(page.changes, page.number, page.pages, page.total)
    return render_template("admin_changes.html", listing=listing, actions=action_labels(),
                           details=details, subject_text=subject_text, error=error,
                           person_id=person_id, person_name=person_name, username=username)
