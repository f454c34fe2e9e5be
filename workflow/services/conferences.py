"""Conferences (hội nghị) of a cluster and year: the forms that plan them, record who
attended and what was concluded, and the minutes (biên bản hội nghị) generated from them.

A form is read into the payload of the conference's own step; the step's guards
(workflow/services/rules/conference.py) check it in the fire's transaction, and a page says
their refusal beside the form it keeps as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.documents.conference import (
    AgendaItem,
    Attendance,
    Conclusion,
    ConferenceMinutes,
    conference_minutes,
)
from workflow.documents.generated import GeneratedDocument
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services import access, documents
from workflow.services.rules.conference import KIND_NAMES, KINDS, plan_refusal, title
from workflow.services.workflows import Workflows

MINUTES_KIND = "bien_ban_hoi_nghi"  # the generated minutes
MINUTES_STATES = frozenset({"held", "minuted", "signed"})
SIGNED_KIND = "signed_minutes"  # the scan (PDF) of the minutes as signed on paper
SCAN_STATES = frozenset({"minuted", "signed"})

__all__ = ["KINDS", "KIND_NAMES", "MINUTES_KIND", "SCAN_STATES", "SIGNED_KIND", "title"]

Get = Callable[[str], str]
GetList = Callable[[str], list[str]]


def day_of(text: str) -> str:
    """A date typed as dd/mm/yyyy (or given by a date field, yyyy-mm-dd) in ISO, or the text
    as typed when it is no date (the guard then says so)."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def read_plan(get: Get, getlist: GetList) -> dict[str, Any]:
    """The plan a form gives: kind, topic, date, time, place, host unit, agenda items with
    their presenters (empty rows left out)."""
    titles, presenters = getlist("agenda_title"), getlist("agenda_presenter")
    agenda = [{"title": t.strip(), "presenter": (presenters[i] if i < len(presenters) else "")
               .strip()} for i, t in enumerate(titles)
              if t.strip() or (i < len(presenters) and presenters[i].strip())]
    return {"kind": get("kind").strip(), "topic": get("topic").strip(),
            "date": day_of(get("date")), "time": get("time").strip(),
            "place": get("place").strip(), "host_unit_id": _int(get("host_unit_id")),
            "agenda": agenda}


def read_attendance(units: Iterable[int], get: Get) -> dict[str, dict[str, Any]]:
    """Who attended for each member unit: a tick and the names of its representatives."""
    return {str(u): {"present": get(f"present-{u}") == "1",
                     "attendees": get(f"attendees-{u}").strip()} for u in units}


def read_conclusions(getlist: GetList) -> list[dict[str, Any]]:
    """The conclusions a form gives, each with the unit it assigns a task to and its due
    date, if any (empty rows left out)."""
    texts, units, dues = getlist("conclusion_text"), getlist("conclusion_unit"), \
        getlist("conclusion_due")
    out = []
    for i, text in enumerate(texts):
        unit = _int(units[i]) if i < len(units) else None
        due = day_of(dues[i]) if i < len(dues) and dues[i].strip() else None
        if text.strip() or unit is not None or due:
            out.append({"text": text.strip(), "unit_id": unit, "due": due})
    return out


def tasks_of(workflows: Workflows, conference: Instance) -> list[Instance]:
    """The task items the conference's conclusions started, in the order they were written."""
    return sorted((c for c in workflows.children(conference.id)
                   if c.workflow == "conference_task"), key=lambda c: c.id)


def conferences_of(workflows: Workflows, campaign: Instance) -> list[Instance]:
    """A campaign's conferences, by their planned date."""
    found = [c for c in workflows.children(campaign.id) if c.workflow == "conference"]
    return sorted(found, key=lambda c: (str((c.data.get("plan") or {}).get("date") or ""), c.id))


def may_plan(workflows: Workflows, actor: Actor, campaign: Instance) -> bool:
    """Who plans a cluster's conferences: its leader or deputy that year."""
    spec = workflows.catalog.latest("conference").spec
    return access.may_start(actor, spec, cluster_id=campaign.cluster_id, year=campaign.year)


def plan(
    workflows: Workflows, actor: Actor, campaign: Instance, plan: Mapping[str, Any],
    members: Iterable[int],
) -> Instance:
    """Plan a conference of the campaign's cluster and year: created only with a whole plan
    (InvalidInput with the refusal otherwise), which its own revise_plan step stores."""
    if campaign.workflow != "campaign":
        raise InvalidInput(f"{campaign.workflow} {campaign.id} is not a campaign")
    if not may_plan(workflows, actor, campaign):
        raise PermissionDenied(
            f"'{actor.username}' is neither the leader nor the deputy of the cluster in "
            f"{campaign.year} and cannot plan its conferences")
    refusal = plan_refusal(plan, set(members), campaign.year)
    if refusal is not None:
        raise InvalidInput(refusal.english(), refusal)
    inst = workflows.start("conference", actor, cluster_id=campaign.cluster_id,
                           year=campaign.year, parent_id=campaign.id)
    return workflows.fire(inst, "revise_plan", actor, {"plan": dict(plan)}).instance


# --- the minutes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Names:
    """The names the minutes print, looked up by the caller's read side."""

    cluster: str
    units: Mapping[int, str]  # the member units, in their order
    leader: str = ""


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def minutes_document(conference: Instance, names: Names) -> GeneratedDocument:
    """The minutes of what is recorded so far."""
    plan = conference.data.get("plan") or {}
    attendance = conference.data.get("attendance") or {}
    day = _date(plan.get("date")) or dt.date(conference.year or 2000, 1, 1)
    rows = []
    for unit, name in names.units.items():
        entry = attendance.get(str(unit)) or {}
        rows.append(Attendance(name, entry.get("present") is True,
                               str(entry.get("attendees") or "")))
    conclusions = tuple(
        Conclusion(str(c.get("text") or ""),
                   names.units.get(c["unit_id"], "") if c.get("unit_id") is not None else "",
                   _date(c.get("due")) if c.get("due") else None)
        for c in conference.data.get("conclusions") or [])
    return conference_minutes(ConferenceMinutes(
        issuer=names.cluster, number=f"{conference.id}/BB-HN",
        name=title(conference.data, conference.year, "vi"), date=day,
        time=str(plan.get("time") or ""), place=str(plan.get("place") or ""),
        host=names.units.get(int(plan.get("host_unit_id") or 0), ""),
        attendance=tuple(rows),
        agenda=tuple(AgendaItem(str(a.get("title") or ""), str(a.get("presenter") or ""))
                     for a in plan.get("agenda") or []),
        conclusions=conclusions, leader=names.leader))


def draw_up_minutes(
    workflows: Workflows, folder: Path, conference: Instance, actor: Actor, names: Names,
) -> GeneratedDocument:
    """The minutes of what is recorded, attached to the conference with their hash in its
    history unless the same minutes are attached already (then it can be finalised)."""
    spec = workflows.catalog.compiled(conference.definition_id).spec
    if not access.may_take_on(actor, conference, spec, "draw_up"):
        raise PermissionDenied(
            f"'{actor.username}' does not run conference {conference.id} and cannot draw up "
            "its minutes")
    if conference.state not in MINUTES_STATES:
        raise InvalidInput("the minutes are drawn up once the conference is held")
    doc = minutes_document(conference, names)
    if conference.state == "held":  # finalised minutes stay as they were attached
        with workflows.catalog.uow().read() as uow:
            latest = uow.year.latest_document(conference.id, MINUTES_KIND)
        if latest is None or latest.get("sha256") != doc.sha256:
            documents.attach(workflows, folder, conference, actor, MINUTES_KIND, doc.filename,
                             doc.content, uploaded=False)
    return doc
