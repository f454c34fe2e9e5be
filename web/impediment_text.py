"""How a history entry of an impediment to an award reads, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from workflow.domain import impediments as imp


def _day(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return ""


def history_text(payload: Mapping[str, Any]) -> str:
    """"Impediment recorded: …, from …" or "Impediment closed on …: …"."""
    lang = str(get_locale() or "vi")
    kind = imp.KINDS.get(str(payload.get("kind")))
    what = kind.get(lang) if kind else ""
    if payload.get("event") == "closed":
        outcome = imp.OUTCOMES.get(str(payload.get("outcome")))
        return str(_("Impediment to the award closed on %(date)s: %(what)s, %(outcome)s "
                     "(%(document)s)", date=_day(payload.get("closed_on")), what=what,
                     outcome=outcome.get(lang) if outcome else "",
                     document=payload.get("closure_reference") or ""))
    if payload.get("until"):
        return str(_("Impediment to the award recorded: %(what)s (%(document)s), from "
                     "%(start)s to %(until)s", what=what, document=payload.get("reference"),
                     start=_day(payload.get("start")), until=_day(payload.get("until"))))
    return str(_("Impediment to the award recorded: %(what)s (%(document)s), from %(start)s "
                 "until resolved", what=what, document=payload.get("reference"),
                 start=_day(payload.get("start"))))
