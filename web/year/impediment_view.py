"""What the pages show of the impediments to an award (discipline, investigation, complaint:
Decree 152/2025 art. 4(4)): rows in the reader's language, the kinds and outcomes to choose
from, and the forms' dates (dd/mm/yyyy typed, or yyyy-mm-dd from a date field)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _

from web.auth import current_actor
from web.views import locale, services
from workflow.domain import impediments as imp
from workflow.engine.instance import Instance
from workflow.services import impediments as imps
from workflow.services.impediments import DossierImpediments, Impediment

FORM_KEYS = ("kind", "reference", "reference_date", "start", "until", "note")
CLOSE_KEYS = ("close_id", "closed_on", "outcome", "closure_reference", "closure_note")


@dataclass(frozen=True, slots=True)
class Row:
    """One impediment as a page shows it."""

    id: int
    kind: str
    reference: str
    reference_date: str
    start: str
    until: str
    note: str
    recorded: str  # by whom and when
    status: str  # in words
    active: bool
    closed: str  # how it ended, in words ("" while open)
    closable: bool


def shown(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def rows(items: Iterable[Impediment]) -> list[Row]:
    """The impediments in the reader's language, with people's names."""
    items = list(items)
    lang = locale()
    names = services().reads.full_names(
        {i.recorded_by for i in items} | {i.closed_by for i in items if i.closed_by})
    today = services().clock.today()
    out = []
    for i in items:
        status = i.status(today)
        words = {"active": _("active: holds the award back"), "upcoming": _("starts later"),
                 "ended": _("period over"), "closed": _("closed (resolved)")}[status]
        closed = ""
        if i.closed_on is not None:
            outcome = imp.OUTCOMES[i.outcome].get(lang) if i.outcome in imp.OUTCOMES else ""
            closed = _("Closed on %(date)s: %(outcome)s (%(document)s), by %(name)s",
                       date=shown(i.closed_on), outcome=outcome,
                       document=i.closure_reference or "",
                       name=names.get(i.closed_by or "", i.closed_by or ""))
            if i.closure_note:
                closed += ". " + i.closure_note
        out.append(Row(
            i.id, i.label.get(lang), i.reference, shown(i.reference_date), shown(i.start),
            shown(i.until), i.note,
            _("%(name)s, %(date)s", name=names.get(i.recorded_by, i.recorded_by),
              date=services().clock.local(i.recorded_at).strftime("%d/%m/%Y")),
            words, i.active_on(today), closed, i.closed_on is None))
    return out


def choices() -> dict[str, Any]:
    """The kinds and outcomes to choose from, in the reader's language."""
    lang = locale()
    return {"kinds": [(k, v.get(lang)) for k, v in imp.KINDS.items()],
            "outcomes": [(k, v.get(lang)) for k, v in imp.OUTCOMES.items()]}


def section(found: DossierImpediments | None, form: Mapping[str, Any] | None = None,
            error: str = "", target: str = "") -> dict[str, Any]:
    """The context of the impediments' section (templates/_impediments.html)."""
    if found is None or not found.readable:
        return {"shown": False}
    return {"shown": True, "rows": rows(found.all), "active": rows(found.active),
            "may_keep": found.may_keep, "form": dict(form or {}), "error": error,
            "target": target, **choices()}


def typed(keys: Iterable[str]) -> dict[str, str]:
    """What the form sent, as typed (kept when the form is shown again)."""
    return {k: (request.form.get(k) or "").strip()[:2000] for k in keys}


class BadDate(ValueError):
    """A date the reader typed that is not one; its message says so in their language."""


def parse_day(raw: str) -> dt.date | None:
    """A day typed as dd/mm/yyyy (or yyyy-mm-dd from a date field); None when empty."""
    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise BadDate(_("%(value)s is not a date; write it as dd/mm/yyyy.", value=raw))


def dossier_section(inst: Instance, form: Mapping[str, Any] | None = None,
                    error: str = "") -> dict[str, Any]:
    """The dossier page's section: its nominee's impediments, for whoever may read them."""
    found = imps.for_dossier(services().workflows, current_actor(), inst)
    return section(found, form, error, url_for("year.dossier_impediment", dossier_id=inst.id)) | {
        "unit_url": url_for("year.unit_impediments", unit_id=inst.unit_id)
        if inst.unit_id is not None else ""}
