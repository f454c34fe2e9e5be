"""API tokens in the pages: each person's own ("Mã truy cập API", under their account), and an
administrator's for anyone (on the person's admin page, web/admin/people.py).

A token is shown once, on the page answering its creation (never flashed into the cookie);
only its hash is kept. Listing shows name, dates and state, never the token.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager
from workflow.bootstrap import Services
from workflow.errors import InvalidInput, NotFound
from workflow.services import api_tokens
from workflow.services.workflows import MAX_ID

bp = Blueprint("account", __name__, url_prefix="/account")


def services() -> Services:
    return cast(Services, current_app.extensions["thidua"])


@bp.before_request
def signed_in_only() -> Response | None:
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    return None


def form_expiry() -> dt.date:
    """The last day a new token works, from the form (yyyy-mm-dd from a date field, or
    dd/mm/yyyy typed by hand)."""
    raw = (request.form.get("expires_on") or "").strip()[:20]
    if not raw:
        raise InvalidInput(_("Choose the last day the token works."))
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise InvalidInput(_("%(value)s is not a date; write it as dd/mm/yyyy.", value=raw))


def create_from_form(user_id: int) -> tuple[str, str, dt.date]:
    """Create a token from the form for `user_id`, by the signed-in person: (token, name,
    last day). InvalidInput says in the page's language what to fix."""
    name = (request.form.get("name") or "").strip()[:200]
    if not name or len(name) > 100:
        raise InvalidInput(_("Name the token (1 to 100 characters), e.g. the program using it."))
    last_day = form_expiry()
    today = services().clock.today()
    if last_day < today:
        raise InvalidInput(_("%(date)s is already past; choose a later day.",
                             date=f"{last_day:%d/%m/%Y}"))
    if last_day > today + dt.timedelta(days=api_tokens.MAX_DAYS):
        raise InvalidInput(_("A token works at most %(days)s days; choose an earlier day.",
                             days=api_tokens.MAX_DAYS))
    token = api_tokens.create_token(services().uow(), services().clock, user_id, name,
                                    expires_on=last_day, by=current_actor())
    return token, name, last_day


def token_context(user_id: int) -> dict[str, object]:
    """What the tokens' part of a page shows: the tokens, now, and the default last day."""
    clock = services().clock
    return {"tokens": api_tokens.tokens_of(services().uow(), user_id), "now": clock.now(),
            "default_expiry": clock.today() + dt.timedelta(days=api_tokens.DEFAULT_DAYS),
            "max_expiry": clock.today() + dt.timedelta(days=api_tokens.MAX_DAYS),
            "today": clock.today(), "last_day": last_day}


def last_day(token: api_tokens.TokenInfo) -> str:
    """The last local day a token works (it stops at the next midnight), dd/mm/yyyy."""
    if token.expires_at is None:
        return ""
    return f"{services().clock.local(token.expires_at - dt.timedelta(seconds=1)):%d/%m/%Y}"


def own_page(error: str | None = None, status: int = 200,
             created: dict[str, str] | None = None) -> tuple[str, int]:
    user_id = int(current_user.id)
    return render_template("account_tokens.html", error=error, created=created,
                           values=request.form, **token_context(user_id)), status


@bp.route("/tokens")
def tokens() -> tuple[str, int]:
    return own_page()


@bp.route("/tokens", methods=["POST"])
def create_token() -> tuple[str, int]:
    try:
        token, name, last_day = create_from_form(int(current_user.id))
    except InvalidInput as exc:
        return own_page(_("The token was not created: %(reason)s", reason=str(exc)), 400)
    return own_page(created={"token": token, "name": name, "until": f"{last_day:%d/%m/%Y}"})


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Response:
    if token_id > MAX_ID:
        abort(404)
    try:
        api_tokens.revoke(services().uow(), services().clock, token_id,
                          owner=int(current_user.id), by=current_actor())
    except NotFound:
        abort(404)
    flash(_("The token is revoked: it no longer works."))
    return redirect(url_for("account.tokens"))
