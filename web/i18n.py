"""Vietnamese by default, English by a switch: Flask-Babel with a catalogue compiled at start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

from workflow.clock import Clock
from workflow.config import Settings

LOCALES = ("vi", "en")
HERE = Path(__file__).resolve().parent


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["lang"] = chosen
    return str(session.get("lang") or "vi")


def local_time(moment: dt.datetime | None) -> str:
    """A stored UTC time as the local wall clock (the clock's zone), dd/mm/yyyy hh:mm."""
    if moment is None:
        return ""
    clock: Clock = current_app.extensions["thidua"].clock
    return clock.local(moment).strftime("%d/%m/%Y %H:%M")


def init_app(app: Flask, settings: Settings) -> None:
    """Compile the .po catalogues into the instance folder and wire Flask-Babel to them."""
    target = Path(app.instance_path) / "translations"
    for po in (HERE / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(HERE / "translations").with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    app.config["BABEL_DEFAULT_LOCALE"] = settings.app.locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = settings.app.timezone
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["local_time"] = local_time
