"""CSRF on every form, security headers on every answer, and errors a user can act on."""

from __future__ import annotations

import re

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, default_exceptions

from workflow.bootstrap import database_errors
from workflow.config import Settings
from workflow.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleState,
    TransitionNotAllowed,
    WorkflowError,
)

csrf = CSRFProtect()

STATUS = {InvalidInput: 400, PermissionDenied: 403, NotFound: 404, StaleState: 409,
          TransitionNotAllowed: 409}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")


HSTS = "max-age=31536000; includeSubDomains"


def private(path: str) -> bool:
    """An API answer, or a page for someone signed in (the session names a user: read from
    the cookie, not the database, so that this holds even when the database is down)."""
    if path.startswith("/api/"):
        return True
    if path.startswith("/static/"):
        return False
    return bool(session.get("_user_id"))


def status_of(exc: WorkflowError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, counted without parsing it (a
    parser recurses once per level: 1,000 levels exhaust Python's stack)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot be too deep: not worth scanning
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def refuse_deep_json() -> Response | None:
    """Refuse a JSON body nested deeper than MAX_JSON_DEPTH before any view parses it."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
        return None
    if json_depth(request.get_data(cache=True)) <= MAX_JSON_DEPTH:
        return None
    response = jsonify({"error": {
        "code": "too_deep",
        "message": f"the JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels "
                   "deep; send a flatter document"}})
    response.status_code = 400
    return response


def init_app(app: Flask, settings: Settings) -> None:
    app.before_request(refuse_deep_json)  # first: before CSRF or any view looks at the body
    csrf.init_app(app)

    https = settings.app.base_url.startswith("https://")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if private(request.path):
            # a signed-in page or an API answer: never kept by a browser or a proxy, where the
            # next person at a shared computer (or the proxy's other users) could read it
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        response.headers.pop("Server", None)  # gunicorn names itself, without a version
        return response

    def http_error(exc: HTTPException) -> ResponseReturnValue:
        """Every error status in the app's own page (or JSON under /api/), never Werkzeug's
        default page; a redirect Werkzeug raises (a missing slash) stays a redirect."""
        status = exc.code or 500
        if status < 400:
            return exc
        if request.path.startswith("/api/"):
            from web.api import http_error as api_http_error

            return api_http_error(exc)
        message = {
            403: _("You do not have access to this page. Ask your unit's emulation officer or "
                   "the administrator if you need it."),
            404: _("Page not found: %(path)s", path=request.path),
            405: _("This address does not accept that kind of request (%(method)s); open it "
                   "from a link or a form of the site.", method=request.method),
            413: _("The file is too large."),
        }.get(status, _("The request could not be handled (error %(status)s); go back and try "
                        "again.", status=status))
        response = Response(render_template("error.html", message=message), status=status,
                            mimetype="text/html")
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after", "www-authenticate"):
                response.headers[name] = value
        return response

    # per status, not only per class: a handler per status (the API adds some that fall back
    # to the app's own for pages outside /api) comes before one for the class
    app.register_error_handler(HTTPException, http_error)
    for code in default_exceptions:
        if code >= 400:
            app.register_error_handler(code, http_error)

    @app.errorhandler(WorkflowError)
    def workflow_error(exc: WorkflowError) -> tuple[str, int]:
        from web.refusals import explain

        return render_template("error.html", message=page_message(exc)
                               or explain(exc)), status_of(exc)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return render_template("error.html", message=_(
            "The form expired or did not come from this site; reload the page and try again."
        )), 400

    for kind in database_errors():
        app.register_error_handler(kind, unavailable)



def page_message(exc: WorkflowError) -> str | None:
    """What a page says for an item that is not there or not the user's to see: a sentence
    in the user's language that says what to do (the engine's own message names ids and codes,
    for the log and the API). None for an error that carries its own sentence."""
    if getattr(exc, "refusal", None) is not None or not _raised_by_services(exc):
        return None  # a page's own error is already written for its reader
    if isinstance(exc, NotFound):
        current_app.logger.info("not found: %s", exc)
        return str(_("This item does not exist (any more): the link may be wrong or out of "
                     "date. Go back to the inbox and open it from the list."))
    if isinstance(exc, PermissionDenied):
        current_app.logger.info("permission denied: %s", exc)
        return str(_("You do not have access to this page. Ask your unit's emulation officer "
                     "or the administrator if you need it."))
    return None


def _raised_by_services(exc: BaseException) -> bool:
    """Whether the error was raised below the web layer (its message is the engine's)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith(
        "workflow.")


def unavailable(exc: Exception) -> Response:
    """503 with a message a user can act on: nothing was written, try again in a moment."""
    current_app.logger.warning("database unavailable: %s", exc)
    message = _("The database is unavailable for a moment; nothing was saved. "
                "Please try again shortly.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "unavailable", "message": message}})
    else:
        # rendered without Flask's context processors: they would ask the database who is
        # signed in, which is exactly what cannot be answered now
        page = current_app.jinja_env.get_template("unavailable.html").render(
            message=message, url_for=url_for, _=_)
        response = Response(page, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response
