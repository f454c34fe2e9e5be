"""Which rule set a dossier follows and why, as its page says it, and the prize money of its
decision: "Áp dụng quy định trước 01/10/2026 vì hồ sơ nhận ngày 15/09/2026"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from web.views import locale
from web.year.common import _wf
from workflow.domain.rulesets import Prize
from workflow.engine.instance import Instance
from workflow.services import decisions, dossier_page


@dataclass(frozen=True, slots=True)
class RulesApplied:
    """The rule set's name, why the dossier follows it, and the prize money once awarded."""

    name: str
    why: str
    prize: Prize | None


def _day(raw: object) -> str:
    return dt.date.fromisoformat(str(raw)).strftime("%d/%m/%Y")


def why_text(data: dict[str, object]) -> str:
    """The reason for the rule set, in the reader's language."""
    choice = data.get("rules_choice")
    received = data.get("received_on")
    if not isinstance(choice, dict) or not received:
        return str(_("The rules of the vote that opened the dossier apply; the date it is "
                     "received is recorded when it is submitted."))
    why, boundary = choice.get("why"), choice.get("boundary")
    if why == "received_before" and boundary:
        return str(_("The rules before %(date)s apply because the dossier was received on "
                     "%(received)s.", date=_day(boundary), received=_day(received)))
    if why == "received_from" and boundary:
        return str(_("The rules from %(date)s apply because the dossier was received on "
                     "%(received)s.", date=_day(boundary), received=_day(received)))
    if why == "more_favourable" and boundary:
        return str(_("The rules from %(date)s apply, although the dossier was received on "
                     "%(received)s, because they are more favourable to it.",
                     date=_day(boundary), received=_day(received)))
    return str(_("The rules of the vote that opened the dossier apply (received on "
                 "%(received)s).", received=_day(received)))


def rules_applied(dossier: Instance) -> RulesApplied:
    rules = dossier_page.rule_set(_wf(), dossier)
    return RulesApplied(rules.title.get(locale()), why_text(dossier.data),
                        decisions.prize_of(_wf(), dossier))
