"""The cluster year in the browser: the campaign page, the score sheet editor, the ranking and
the vote, one module each. Every page reads through the services, names and files through the
read side."""

from __future__ import annotations

from flask import Flask

from web.year import (  # noqa: F401  (their routes)
    ballot_box,
    campaign,
    conferences,
    council,
    decisions,
    department,
    documents,
    dossiers,
    evidence,
    impediments,
    inspection,
    lagging,
    model_adoptions,
    model_citations,
    models,
    pledges,
    ranking,
    reports,
    schedule,
    scoring,
    setup,
    supervision,
    votes,
)
from web.year.common import bp


def register_blueprints(app: Flask) -> None:
    """The year's pages, the public page (no sign-in) and a dossier's objections."""
    from web import objections, public

    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(objections.bp)
