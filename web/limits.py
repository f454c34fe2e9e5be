"""Limits on attempts in the web app (workflow/services/limits.py counts them in the database,
so every process shares them): the client's address, the configured limits, the 429 answer."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from workflow.bootstrap import Services
from workflow.config import Settings
from workflow.errors import InvalidInput
from workflow.services import limits


def init_app(app: Flask, settings: Settings) -> None:
    """Check the limits' settings at start; behind `app.trusted_proxies` proxies, take the
    client's address from X-Forwarded-For (never otherwise: anyone can send that header)."""
    for name in limits.NAMES:
        limits.configured(settings, name)
    proxies = settings.app.trusted_proxies  # a whole number: the settings checked its type
    if proxies < 0:
        raise InvalidInput(f"app.trusted_proxies: a whole number of 0 or more, got {proxies!r}")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]


def _services() -> Services:
    found: Services = current_app.extensions["thidua"]
    return found


def client_address() -> str:
    return request.remote_addr or ""


def limit(name: str) -> limits.Limit:
    return limits.configured(_services().settings, name)


def hit(*checks: tuple[str, str]) -> limits.Verdict:
    """Count this request on each (key, limit name) if every limit allows it."""
    svc = _services()
    return limits.hit_all(svc.uow(), svc.clock, [(key, limit(name)) for key, name in checks])


def give_back(*, refund: Sequence[str] = (), reset: Sequence[str] = ()) -> None:
    """One attempt back on each key of refund, every attempt forgotten on each of reset."""
    limits.give_back(_services().uow(), refund=refund, reset=reset)


def refused(page: str, verdict: limits.Verdict) -> Response:
    """429 Too Many Requests with the page and when to try again."""
    return Response(page, status=429, headers={"Retry-After": str(verdict.retry_after)},
                    mimetype="text/html")
