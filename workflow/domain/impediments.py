"""Impediments to an award (căn cứ chưa xét khen thưởng): discipline, an investigation or a
complaint recorded against a unit or a person.

Decree 152/2025/NĐ-CP art. 4 clause 4: no award is made or proposed to a person or collective
while a competent body is considering discipline, or investigating, inspecting or checking them
on signs of a violation, or while a complaint or denunciation about them (or a corruption report
in the press) is being verified. A discipline counts for its period; the others until their
closure is recorded (the conclusion that clears them, or the outcome that ends them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from workflow.domain.labels import Label
from workflow.domain.refusals import Named, Ref, Refusal

# kind -> its name; the rule set names which kinds hold an award back (`award_impediments`)
KINDS: dict[str, Label] = {
    "discipline": Label("kỷ luật, đang xem xét thi hành kỷ luật",
                        "discipline, or discipline under consideration"),
    "investigation": Label("đang bị điều tra, thanh tra, kiểm tra",
                           "under investigation, inspection or check"),
    "complaint": Label("đơn thư khiếu nại, tố cáo chưa được giải quyết",
                       "a complaint or denunciation not yet resolved"),
    "press_report": Label("vấn đề tham nhũng, tiêu cực được báo chí nêu đang được xác minh",
                          "corruption or misconduct reported by the press, being verified"),
}

# how an impediment ended, recorded with its closure
OUTCOMES: dict[str, Label] = {
    "served": Label("đã chấp hành xong kỷ luật", "discipline served"),
    "no_violation": Label("kết luận không có sai phạm", "concluded: no violation"),
    "violation_found": Label("kết luận có sai phạm", "concluded: a violation"),
    "withdrawn": Label("đơn thư đã được rút, đình chỉ giải quyết", "withdrawn or dismissed"),
    "resolved": Label("đã giải quyết xong", "resolved"),
}

MAX_REFERENCE = 200
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Impediment:
    """One impediment as recorded, with its closure once recorded."""

    id: int
    unit_id: int | None  # the collective it is against, or
    user_id: int | None  # the person
    kind: str
    reference: str  # the document (số văn bản) that opened it
    reference_date: dt.date | None
    start: dt.date  # from this day
    until: dt.date | None  # a discipline's last day; None: until its closure
    note: str
    recorded_by: str
    recorded_at: dt.datetime
    closed_on: dt.date | None = None
    outcome: str | None = None
    closure_reference: str | None = None
    closure_note: str | None = None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None

    def active_on(self, day: dt.date) -> bool:
        """Whether it holds an award back on that day: started, its period not over, and
        its closure not recorded as of an earlier day."""
        if day < self.start:
            return False
        if self.until is not None and day > self.until:
            return False
        return self.closed_on is None or day < self.closed_on

    def status(self, today: dt.date) -> str:
        """closed, ended (its period is over), upcoming or active."""
        if self.closed_on is not None and self.closed_on <= today:
            return "closed"
        if self.until is not None and today > self.until:
            return "ended"
        return "upcoming" if today < self.start else "active"

    @property
    def label(self) -> Label:
        return KINDS[self.kind]


def blocking(impediments: Iterable[Impediment], on: dt.date,
             kinds: Collection[str]) -> list[Impediment]:
    """The impediments of the kinds named that are active on the day, earliest first."""
    return sorted((i for i in impediments if i.kind in kinds and i.active_on(on)),
                  key=lambda i: (i.start, i.id))


def refusal(found: Sequence[Impediment], subject: Ref, basis: str) -> Refusal:
    """Why an award or a proposal is refused: the first impediment (what, since when, which
    document; `others` counts the rest, which the pages list) and what to do."""
    first = found[0]
    params = {"subject": subject, "kind": Named(first.kind, first.label.vi, first.label.en),
              "reference": first.reference, "since": first.start, "basis": basis,
              "others": len(found) - 1}
    if first.until is not None:
        return Refusal("award_impediment_until", {**params, "until": first.until})
    return Refusal("award_impediment", params)


def problem_of_new(kind: str, reference: str, start: dt.date | None, until: dt.date | None,
                   note: str) -> Refusal | None:
    """What is wrong with an impediment about to be recorded, or None."""
    if kind not in KINDS:
        return Refusal("impediment_kind_unknown")
    if not reference.strip() or len(reference) > MAX_REFERENCE:
        return Refusal("impediment_reference_missing", {"max": MAX_REFERENCE})
    if start is None:
        return Refusal("impediment_start_missing")
    if until is not None and until < start:
        return Refusal("impediment_until_before_start", {"start": start, "until": until})
    if len(note) > MAX_NOTE:
        return Refusal("impediment_note_too_long", {"max": MAX_NOTE})
    return None


def problem_of_closure(found: Impediment, on: dt.date | None, outcome: str,
                       reference: str) -> Refusal | None:
    """What is wrong with a closure about to be recorded, or None."""
    if found.closed_on is not None:
        return Refusal("impediment_closed_already", {"date": found.closed_on})
    if outcome not in OUTCOMES:
        return Refusal("impediment_outcome_unknown")
    if on is None:
        return Refusal("impediment_closure_date_missing")
    if on < found.start:
        return Refusal("impediment_closed_before_start", {"date": on, "start": found.start})
    if not reference.strip() or len(reference) > MAX_REFERENCE:
        return Refusal("impediment_closure_reference_missing", {"max": MAX_REFERENCE})
    return None
