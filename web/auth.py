"""Signing in and out; the signed-in user's actor, loaded once per request."""

from __future__ import annotations

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

from web import limits as web_limits
from workflow.domain.roles import Actor
from workflow.errors import WeakPassword
from workflow.services import limits, people

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class User(UserMixin):  # type: ignore[misc]  # Flask-Login ships no type information
    def __init__(self, user_id: int, actor: Actor) -> None:
        self.id = str(user_id)
        self.actor = actor


def _services() -> Any:
    return current_app.extensions["thidua"]


@login_manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login: untyped
def load_user(user_id: str) -> User | None:
    """The signed-in user, unless they signed out (anywhere) since this session began."""
    actor = people.actor(_services().uow(), int(user_id))
    if actor is None or session.get("epoch") != actor.extra.get("session_epoch"):
        return None
    return User(int(user_id), actor)


def current_actor() -> Actor:
    """The signed-in user as an actor (401 when nobody is signed in)."""
    if not current_user.is_authenticated:
        abort(401)
    actor: Actor = current_user.actor
    return actor


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Every attempt is counted as a failure *before* the password is checked (in the
    database, shared by every process), and given back when it succeeds: a burst of parallel
    guesses gets no more tries than the limits allow, the right password included."""
    if request.method == "GET":
        return render_template("login.html")
    username = (request.form.get("username") or "").strip()[:100]
    from_here = limits.key("login-address", username, web_limits.client_address())
    anywhere = limits.key("login-user", username)
    verdict = web_limits.hit((from_here, limits.LOGIN_PER_ADDRESS),
                             (anywhere, limits.LOGIN_PER_USER))
    if not verdict.allowed:
        return web_limits.refused(render_template("login.html", username=username, error=_(
            "Too many failed sign-ins; wait %(minutes)s min and try again.",
            minutes=verdict.retry_minutes)), verdict)
    user_id = people.check_password(_services().uow(), username,
                                    request.form.get("password") or "")
    if user_id is None:  # the attempt stays counted
        return render_template("login.html", username=username,
                               error=_("Wrong username or password.")), 401
    web_limits.give_back(reset=[from_here], refund=[anywhere])
    actor = people.actor(_services().uow(), user_id)
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
        people.end_sessions(_services().uow(), int(current_user.id))
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


WEAK_PASSWORD = {
    "too_short": lambda p: _("The new password needs at least %(min)s characters.", **p),
    "only_spaces": lambda p: _("The new password cannot be only spaces."),
    "too_few_characters": lambda p: _(
        "The new password needs at least %(min)s different characters.", **p),
    "common": lambda p: _(
        "This password is among the first ones anyone guessing would try; choose another."),
    "sequence": lambda p: _(
        "A run of the keyboard or the alphabet is guessed at once; choose another password."),
    "has_username": lambda p: _("The new password must not contain your username."),
}


def weak_password_text(exc: WeakPassword) -> str:
    """The sentence for a refused password, in the page's language."""
    return str(WEAK_PASSWORD[exc.reason](exc.params))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response | tuple[str, int]:
    """Change one's own password: the current one first; other sessions are signed out."""
    if not current_user.is_authenticated:
        unauthorized: Response = login_manager.unauthorized()
        return unauthorized
    if request.method == "GET":
        return render_template("account_password.html")
    actor, user_id = current_actor(), int(current_user.id)
    uow = _services().uow()
    current = request.form.get("current_password") or ""
    new = request.form.get("new_password") or ""
    if people.check_password(uow, actor.username, current) is None:
        error = _("The current password is wrong; type the one you signed in with.")
    elif new != (request.form.get("confirm_password") or ""):
        error = _("The two new passwords differ; type the same password twice.")
    elif new == current:
        error = _("The new password is the same as the current one; choose another.")
    else:
        try:
            people.set_password(uow, user_id, new)
        except WeakPassword as exc:
            error = weak_password_text(exc)
        else:
            people.end_sessions(uow, user_id)  # a stolen session ends here too
            session["epoch"] = people.session_epoch(uow, user_id)
            flash(_("Your password is changed; your other sessions are signed out."))
            return redirect(url_for("views.inbox"))
    return render_template("account_password.html", error=error), 400


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""
    app.register_blueprint(bp)

    @app.before_request
    def remember_actor() -> Response | None:
        g.actor = current_user.actor if current_user.is_authenticated else None
        return _password_to_change(g.actor)


# What a user whose password an admin reset may still reach before choosing their own.
_OPEN_WHILE_RESET = {"auth.change_password", "auth.logout", "auth.login", "static"}


def _password_to_change(actor: Actor | None) -> Response | None:
    """After an admin's reset, every page leads to the password form until it is changed."""
    if actor is None or not actor.extra.get("must_change_password"):
        return None
    if request.endpoint in _OPEN_WHILE_RESET or request.path.startswith("/api/"):
        return None
    flash(_("An administrator reset your password: choose your own to go on."), "error")
    return redirect(url_for("auth.change_password"))
