"""Cross-inspection (kiểm tra chéo) use cases: reading the team's form per criterion, and the
minutes (biên bản kiểm tra chéo) generated from what was recorded.

The form is read field by field so that a page can say what is wrong with each criterion and
keep everything typed; recording goes through the inspection's own `record_results` step, whose
guards check the same things again in the fire's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.documents.generated import GeneratedDocument
from workflow.documents.inspection import InspectionLine, InspectionMinutes, inspection_minutes
from workflow.domain.criteria import CriteriaTable
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import Actor
from workflow.domain.scoring import check_self_score
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services import access, documents
from workflow.services.rules.base import decimal
from workflow.services.rules.inspection import CONCLUSION_LENGTH, NOTE_LENGTH
from workflow.services.workflows import Workflows

MINUTES_KIND = "bien_ban_kiem_tra"  # the generated minutes
SIGNED_KIND = "signed_minutes"  # the scan of the minutes as signed on paper


@dataclass(slots=True)
class PointsForm:
    """What a form of points per criterion says: the typed text of every field, the points
    it gives, and a refusal for each field that is wrong."""

    typed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    points: dict[str, Decimal] = field(default_factory=dict)
    errors: dict[str, Refusal] = field(default_factory=dict)
    conclusion: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def read_points(
    table: CriteriaTable, get: Callable[[str], str], *, notes: bool = False,
    prefix: str = "points",
) -> PointsForm:
    """Points per criterion from form fields `<prefix>-<code>` (a decimal comma is read as a
    point; an empty field is no answer), each checked against what the criterion can give;
    with `notes`, also `note-<code>` and the `conclusion`."""
    form = PointsForm()
    for criterion in table.criteria:
        code = criterion.code
        text = get(f"{prefix}-{code}").strip()[:32]
        form.typed[code] = text
        if notes:
            note = get(f"note-{code}").strip()
            form.notes[code] = note
            if len(note) > NOTE_LENGTH:
                form.errors[code] = Refusal("inspection_notes_invalid", {"max": NOTE_LENGTH})
                continue
        if not text:
            continue
        try:
            points = decimal(text.replace(",", "."), f"points.{code}", Ref("criterion", code))
            check_self_score(criterion, points)
        except InvalidInput as exc:
            form.errors[code] = exc.refusal or Refusal("other", {"detail": str(exc)})
            continue
        form.points[code] = points
    if notes:
        form.conclusion = get("conclusion").strip()
        if len(form.conclusion) > CONCLUSION_LENGTH:
            form.errors["conclusion"] = Refusal("inspection_conclusion_invalid",
                                                {"max": CONCLUSION_LENGTH})
    return form


def results_payload(form: PointsForm, recorded: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of `record_results` for a valid form: the points typed, the notes that
    were given or changed, the conclusion."""
    previous = recorded.get("notes") or {}
    notes = {code: text for code, text in form.notes.items()
             if text or code in previous}
    return {"results": {code: str(p) for code, p in form.points.items()},
            "notes": notes, "conclusion": form.conclusion}


# --- the minutes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Names:
    """The names the minutes print, looked up by the caller's read side."""

    cluster: str
    units: Mapping[int, str]
    people: Mapping[str, str]


def _plan(inspection: Instance) -> Mapping[str, Any]:
    plan = inspection.data.get("plan")
    return plan if isinstance(plan, Mapping) else {}


def people_of(inspection: Instance, heads: Iterable[str] = ()) -> list[str]:
    """The usernames the minutes name: the team, and the signers."""
    plan = _plan(inspection)
    names = [str(u) for u in plan.get("team") or []]
    names += [str(s.get("by")) for s in (inspection.data.get("signatures") or {}).values()
              if isinstance(s, Mapping) and s.get("by")]
    return [*names, *heads]


def minutes_document(
    inspection: Instance, table: CriteriaTable, names: Names, *, day: dt.date, year: int,
) -> GeneratedDocument:
    """The minutes of what is recorded so far (a GeneratedDocument)."""
    plan = _plan(inspection)
    results = inspection.data.get("results") or {}
    notes = inspection.data.get("notes") or {}
    signatures = inspection.data.get("signatures") or {}
    head = (signatures.get("unit") or {}).get("by") if isinstance(signatures, Mapping) else None
    lead = str(plan.get("lead") or "")
    lines = tuple(
        InspectionLine(c.title.vi, c.max_points,
                       Decimal(results[c.code]) if c.code in results else None,
                       str(notes.get(c.code, "")))
        for c in table.criteria)
    return inspection_minutes(InspectionMinutes(
        issuer=names.cluster, number=f"{inspection.id}/BB-KTC", place="Hà Nội", date=day,
        year=year,
        inspecting_unit=names.units.get(int(plan.get("inspector_unit_id") or 0), ""),
        inspected_unit=names.units.get(inspection.unit_id or 0, ""),
        team=tuple(names.people.get(str(u), str(u)) for u in plan.get("team") or []),
        lead=names.people.get(lead, lead),
        inspected_head=names.people.get(str(head), "") if head else "",
        criteria_table=f"{table.title.vi} (phiên bản {table.version})",
        lines=lines, conclusion=str(inspection.data.get("conclusion") or "")))


def draw_up_minutes(
    workflows: Workflows, folder: Path, inspection: Instance, actor: Actor, table: CriteriaTable,
    names: Names,
) -> GeneratedDocument:
    """The minutes of what is recorded, dated the day the inspection was concluded (today
    until then); attached to the inspection with their hash in its history unless the same
    minutes are attached already."""
    spec = workflows.catalog.compiled(inspection.definition_id).spec
    if not access.may_attach(actor, inspection, spec):  # the team, the unit, the leader
        raise PermissionDenied(
            f"'{actor.username}' takes no part in inspection {inspection.id} and cannot draw "
            "up its minutes")
    if not inspection.data.get("results"):
        raise InvalidInput("the minutes follow the results: record them first")
    conducted = inspection.data.get("conducted_at")
    day = workflows.clock.date_of(dt.datetime.fromisoformat(conducted)) if conducted \
        else workflows.clock.today()
    doc = minutes_document(inspection, table, names, day=day, year=inspection.year or day.year)
    with workflows.catalog.uow().read() as uow:
        latest = uow.year.latest_document(inspection.id, MINUTES_KIND)
    if latest is None or latest.get("sha256") != doc.sha256:
        documents.attach(workflows, folder, inspection, actor, MINUTES_KIND, doc.filename,
                         doc.content, uploaded=False)
    return doc
