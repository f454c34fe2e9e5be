"""Signing in and out; the signed-in user's actor, loaded once per request."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from workflow.domain.roles import Actor
from workflow.services import people

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
MAX_FAILURES = 5  # per username and address, within WINDOW seconds
WINDOW = 15 * 60


def _failures() -> dict[tuple[str, str], deque[float]]:
    found: dict[tuple[str, str], deque[float]] = current_app.extensions.setdefault(
        "thidua_login_failures", defaultdict(deque))
    return found


class User(UserMixin):  # type: ignore[misc]  # Flask-Login ships no type information
    def __init__(self, user_id: int, actor: Actor) -> None:
        self.id = str(user_id)
        self.actor = actor


def _services() -> Any:
    return current_app.extensions["thidua"]


@login_manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login: untyped
def load_user(user_id: str) -> User | None:
    """The signed-in user, unless they signed out (anywhere) since this session began."""
    actor = people.actor(_services().engine, int(user_id))
    if actor is None or session.get("epoch") != actor.extra.get("session_epoch"):
        return None
    return User(int(user_id), actor)


def current_actor() -> Actor:
    """The signed-in user as an actor (401 when nobody is signed in)."""
    if not current_user.is_authenticated:
        abort(401)
    actor: Actor = current_user.actor
    return actor


def _too_many(key: tuple[str, str]) -> bool:
    now = time.monotonic()
    attempts = _failures()[key]
    while attempts and now - attempts[0] > WINDOW:
        attempts.popleft()
    return len(attempts) >= MAX_FAILURES


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("login.html")
    username = (request.form.get("username") or "").strip()[:100]
    key = (username, request.remote_addr or "")
    if _too_many(key):
        return render_template("login.html", error=_(
            "Too many failed attempts; wait 15 minutes and try again.")), 429
    user_id = people.check_password(_services().engine, username,
                                    request.form.get("password") or "")
    if user_id is None:
        _failures()[key].append(time.monotonic())
        return render_template("login.html", error=_("Wrong username or password.")), 401
    _failures().pop(key, None)
    actor = people.actor(_services().engine, user_id)
    assert actor is not None
    session.clear()  # a fresh session at sign-in: no fixation
    session["epoch"] = actor.extra.get("session_epoch")
    login_user(User(user_id, actor))
    session.permanent = True
    return redirect(local_target(request.args.get("next")) or url_for("views.inbox"))


def local_target(target: str | None) -> str | None:
    """`next` if it is a path on this site, else None.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    `/<TAB>/evil.example` or `/<BACKSLASH>evil.example` would lead off the site as
    `//evil.example` does;
    only visible ASCII, with no backslash, is taken.
    """
    if not target or not all("!" <= c <= "~" for c in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:  # a copied cookie stops working too
        people.end_sessions(_services().engine, int(current_user.id))
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""
    app.register_blueprint(bp)

    @app.before_request
    def remember_actor() -> None:
        g.actor = current_user.actor if current_user.is_authenticated else None
