"""The web app: a thin Flask layer over the services (workflow/). `create_app` builds it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from workflow.bootstrap import Services, bootstrap
from workflow.config import Settings, load_settings
from workflow.errors import InvalidInput
from workflow.secrets import configured_secret


def create_app(
    settings: Settings | None = None, services: Services | None = None, *,
    start_scheduler: bool = False, testing: bool = False,
) -> Flask:
    """The Flask app for the settings (or the given services); nothing runs at import."""
    settings = settings or (services.settings if services else load_settings())
    secret_key = configured_secret(settings, "app", "secret_key")  # never the example value
    services = services or bootstrap(settings)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.app.secure_cookies
        or settings.app.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=testing,
    )
    app.extensions["thidua"] = services
    app.wsgi_app = _ascii_query(app.wsgi_app)  # type: ignore[method-assign]
    from web import admin, api, auth, i18n, items, limits, overview, refusals, security, views, year

    limits.init_app(app, settings)  # X-Forwarded-For only behind trusted proxies
    i18n.init_app(app, settings)
    refusals.init_app(app)
    items.init_app(app)
    security.init_app(app, settings)
    auth.init_app(app)
    app.register_blueprint(views.bp)
    year.register_blueprints(app)  # the year's pages and the public page
    app.register_blueprint(admin.bp)
    app.register_blueprint(overview.bp)  # the council office's overview and fairness
    app.register_blueprint(api.bp)
    from web import criteria  # the criteria tables, for the council office
    app.register_blueprint(criteria.bp)
    from web import imports as directory_imports  # units, clusters, people from Excel
    app.register_blueprint(directory_imports.bp)
    from web import account_tokens, rollover
    app.register_blueprint(account_tokens.bp)  # each person's API tokens
    app.register_blueprint(rollover.bp)  # the year's roll-over of the clusters
    app.before_request(_no_nul_in_forms)
    app.url_value_preprocessor(_ids_in_range)
    if start_scheduler:
        _start_scheduler(app, services)
    return app


def _ids_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An id in a path beyond what the databases hold names nothing: 404 for every route at
    once, before a view hands it to a query that cannot bind it."""
    from flask import abort

    from workflow.services.workflows import MAX_ID

    if values and any(type(v) is int and v > MAX_ID for v in values.values()):
        abort(404)


def _no_nul_in_forms() -> None:
    """A NUL character has no place in a form or a file name, and PostgreSQL cannot store it
    in text: refuse such a request before any view sees it (the API checks its own fields)."""
    from flask import request

    if request.path.startswith("/api/") or request.method != "POST":
        return
    texts = [*request.form.keys(), *request.form.values(),
             *(f.filename or "" for f in request.files.values())]
    if any("\x00" in text for text in texts):
        raise InvalidInput("The form holds a NUL character, which no field accepts.")


def _ascii_query(wsgi_app: Any) -> Any:
    """Percent-encode the bytes beyond ASCII of a query string: browsers always do, but a
    hand-made request may send raw bytes that are not UTF-8, which Werkzeug cannot decode
    (a 500); encoded, they read like any other percent-encoded byte."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():  # WSGI carries the raw bytes as latin-1 characters
            environ["QUERY_STRING"] = "".join(
                c if ord(c) < 128 else f"%{ord(c) & 0xFF:02X}" for c in query)
        return wsgi_app(environ, start_response)

    return app


def _start_scheduler(app: Flask, services: Services) -> Any:
    interval = services.settings.scheduler.sweep_interval_seconds

    def tick() -> None:
        # the scheduler calls a job with no argument and nothing to return: the sweep's
        # report (None when another process leads) is the CLI's to print, not the web's
        services.tick()

    app.extensions["thidua_scheduler"] = services.start_background(tick, interval)
    return app.extensions["thidua_scheduler"]


def services_of(app: Flask) -> Services:
    found: Services = app.extensions["thidua"]
    return found
