"""What a dossier's page shows and does beyond firing: opening the winners' dossiers from a
counted cluster vote in one step, the title's documents as a checklist, the appraisal clock
with its history (working days used, paused, due), and returning for supplement by naming the
documents that are missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from workflow.domain.labels import Label
from workflow.domain.roles import Actor
from workflow.domain.rulesets import RuleSet, Title
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import dossiers
from workflow.services.rules.dossier import DossierPort
from workflow.services.workflows import Workflows

# steps after which the appraisal clock runs, and those that stop it
CLOCK_RUNS = frozenset({"start_appraisal", "resubmit"})
CLOCK_STOPS = frozenset({"return", "to_council"})
VOTE_MINUTES = "bien_ban_kiem_phieu"


def rule_set(workflows: Workflows, dossier: Instance) -> RuleSet:
    if workflows.rulebook is None:
        raise InvalidInput("no rule book is loaded (definitions/rules)")
    ref = dossier.data["rule_set"]
    return workflows.rulebook.get(ref["code"], ref["version"])


def title_rule(workflows: Workflows, dossier: Instance) -> Title:
    return rule_set(workflows, dossier).title_rule(dossier.data["title"])


# --- opening the dossiers of a vote ----------------------------------------------------------


def opened_from(workflows: Workflows, session: Instance) -> list[Instance]:
    """The dossiers opened from this vote session and not withdrawn, oldest first."""
    if session.year is None:
        return []
    with workflows.store.read() as query:  # the port the dossier rules read dossiers through
        found = cast(DossierPort, query).dossiers_of_year(session.year)
    return [workflows.get(i) for i, state, _status, data, _cluster in sorted(found)
            if data.get("vote_session_id") == session.id and state != "withdrawn"]


def winners_without_dossier(workflows: Workflows, session: Instance) -> list[tuple[str, int]]:
    """(title, unit) of each winner of the vote that has no dossier from it yet."""
    have = {(d.data.get("title"), d.unit_id) for d in opened_from(workflows, session)}
    return [(title, int(unit)) for title, units in (session.data.get("winners") or {}).items()
            for unit in units if (title, int(unit)) not in have]


def open_after_vote(
    workflows: Workflows, session_id: int, actor: Actor, folder: Path
) -> list[Instance]:
    """The leader opens the winners' dossiers in one step: the minuted vote is locked (its
    result can no longer change), then one dossier per winner without one, each with the
    vote-count minutes attached and the title's name kept for its heading."""
    session = workflows.get(session_id)
    if session.workflow != "vote_session" or session.data.get("kind") == "council":
        raise TransitionNotAllowed("status", "dossiers are opened from a cluster's vote")
    if session.state == "minuted":
        session = workflows.fire(session, "lock", actor).instance
    skip = {unit for _title, unit in _opened_pairs(workflows, session)}
    return dossiers.open_dossiers(workflows, session.id, actor, folder, skip_units=skip)


def _opened_pairs(workflows: Workflows, session: Instance) -> set[tuple[str, int]]:
    return {(str(d.data.get("title")), int(d.unit_id)) for d in opened_from(workflows, session)
            if d.unit_id is not None}


# --- the documents of the title --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Required:
    """One document the title requires, and whether one is attached."""

    code: str
    label: Label
    attached: bool


def checklist(workflows: Workflows, dossier: Instance, kinds: Collection[str]) -> list[Required]:
    """The title's required documents in the rule set's order, each ticked when attached."""
    return [Required(d.code, d.label, d.code in kinds)
            for d in title_rule(workflows, dossier).required_documents.value]


def document_labels(workflows: Workflows, dossier: Instance) -> dict[str, Label]:
    """Every document kind the dossier's rule set names, by code."""
    return {d.code: d.label for d in rule_set(workflows, dossier).documents}


def return_for_supplement(
    workflows: Workflows, dossier_id: int, actor: Actor, missing: Sequence[str], comment: str,
    *, expected_version: int | None = None,
) -> Instance:
    """Return a dossier naming what must be supplemented: documents of the title by code,
    or a line of free text; the clock pauses (the definition's effect)."""
    dossier = workflows.get(dossier_id)
    known = {d.code for d in title_rule(workflows, dossier).required_documents.value}
    named = [m.strip()[:300] for m in missing if m and m.strip()]
    if not named:
        raise InvalidInput("missing: tick at least one document that must be supplemented")
    if not comment.strip():
        raise InvalidInput("comment: say what must be supplemented")
    # documents of the title by code, anything else as the line of text the office wrote
    named = [m for m in named if m in known] + [m for m in named if m not in known]
    return workflows.fire(dossier_id, "return", actor,
                          {"comment": comment.strip()[:5000], "missing": named},
                          expected_version=expected_version).instance


def missing_named(workflows: Workflows, dossier: Instance, locale: str = "vi"
                  ) -> list[tuple[str, list[str]]]:
    """Each return for supplement: its date (ISO) and what it named, documents by label."""
    labels = document_labels(workflows, dossier)
    out = []
    for r in dossier.data.get("returns") or []:
        named = [labels[m].get(locale) if m in labels else str(m)
                 for m in r.get("missing") or []]
        out.append((str(r.get("on", "")), named))
    return out


# --- the appraisal clock ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockSpan:
    """A stretch of the appraisal clock: from the day it ran to the day it stopped (None while
    it runs), and the working days counted in it."""

    started: dt.date
    stopped: dt.date | None
    days: int
    stopped_by: str | None  # the trigger that stopped it


@dataclass(frozen=True, slots=True)
class Clock:
    period: int  # working days the rule set allows
    used: int  # counted so far, today included while it runs
    running: bool
    paused: bool  # returned for supplement, or put to the council
    due: dt.date | None
    spans: tuple[ClockSpan, ...]

    @property
    def left(self) -> int:
        return max(0, self.period - self.used)


def clock(workflows: Workflows, dossier: Instance, today: dt.date | None = None) -> Clock | None:
    """The appraisal clock as its history tells it; None before the appraisal starts."""
    if "appraisal_resumed_on" not in dossier.data:
        return None
    calendar = workflows.calendar
    today = today or workflows.clock.today()
    spans: list[ClockSpan] = []
    started: dt.date | None = None
    for h in workflows.history(dossier.id):
        trigger = h.get("trigger")
        on = _local_day(workflows, h["at"])
        if trigger in CLOCK_RUNS and started is None:
            started = on
        elif trigger in CLOCK_STOPS and started is not None:
            spans.append(ClockSpan(started, on, calendar.working_days_between(started, on),
                                   str(trigger)))
            started = None
    running = started is not None and dossier.state == "appraising"
    if running and started is not None:
        spans.append(ClockSpan(started, None, calendar.working_days_between(started, today),
                               None))
    due = dossier.data.get("appraisal_due")
    return Clock(
        period=rule_set(workflows, dossier).appraisal_working_days.value,
        used=sum(s.days for s in spans), running=running,
        paused=not running and dossier.state in ("returned", "council_review"),
        due=dt.date.fromisoformat(str(due)) if due and running else None,
        spans=tuple(spans))


def _local_day(workflows: Workflows, at: Any) -> dt.date:
    when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(workflows.clock.tz).date()


def kinds_of(docs: Iterable[Any]) -> set[str]:
    """The kinds of a list of documents (DocumentInfo)."""
    return {str(d.kind) for d in docs}


def title_label(workflows: Workflows, data: Mapping[str, Any]) -> Label | None:
    """The label of a dossier's title, from its rule set."""
    if workflows.rulebook is None or "rule_set" not in data:
        return None
    ref = data["rule_set"]
    return workflows.rulebook.get(ref["code"], ref["version"]).title_rule(data["title"]).label
