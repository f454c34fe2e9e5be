"""The generic item page in people's words: an item's data as labelled values and its history
as steps (who, in which role, did what, when), never the engine's codes or Python's reprs.

What cannot be said in words (hashes, codes of unknown fields) stays in the page's technical
details, which only administrators open.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext, lazy_gettext

from web.i18n import local_time
from web.impediment_text import history_text
from web.refusals import Namer, date_text, number
from workflow.bootstrap import Services
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.engine.instance import Instance
from workflow.errors import WorkflowError

# Data fields the definitions do not name in their terms, in words (the terms come first).
FIELDS = {
    "unsigned_units": lazy_gettext("Units that have not signed"),
    "launched_at": lazy_gettext("Launched on"),
    "submitted_at": lazy_gettext("Submitted on"),
    "posted_at": lazy_gettext("Posted on"),
    "conducted_at": lazy_gettext("Conducted on"),
    "period": lazy_gettext("Period"),
    "times_returned": lazy_gettext("Times returned"),
    "pledge_version": lazy_gettext("Pledge version"),
    "nominee_unit_id": lazy_gettext("Nominated unit"),
    "leader_unit_id": lazy_gettext("Leading unit"),
    "unit_id": lazy_gettext("Unit"),
    "year": lazy_gettext("Year"),
    "cross_checked_at": lazy_gettext("Cross-checked on"),
    "plan": lazy_gettext("Inspection plan"),
    "inspector_unit_id": lazy_gettext("Inspecting unit"),
    "team": lazy_gettext("Inspection team"),
    "lead": lazy_gettext("Team leader"),
    "unit": lazy_gettext("Inspected unit"),
    "signatures": lazy_gettext("Signatures"),
    "by": lazy_gettext("Signed by"),
    "at": lazy_gettext("At"),
    "gap_flags": lazy_gettext("Gaps flagged"),
}
USER_FIELDS = ("team", "lead", "by")
# Values that are codes of a small closed set.
VALUES = {
    "six_month": lazy_gettext("six-month review"),
    "year_end": lazy_gettext("year-end review"),
    "regular": lazy_gettext("regular campaign"),
    "thematic": lazy_gettext("thematic campaign"),
}
STEPS = {
    "start": lazy_gettext("Created"),
    "spawn": lazy_gettext("Created"),
    "document": lazy_gettext("Document attached"),
    "edit": lazy_gettext("Dates changed"),
    "suspend": lazy_gettext("Suspended by the administrator"),
    "resume": lazy_gettext("Resumed by the administrator"),
    "cancel": lazy_gettext("Cancelled"),
    "move": lazy_gettext("Moved by the administrator"),
    "migrate": lazy_gettext("Moved to a new version of the workflow"),
}
STATUSES = {
    "suspended": lazy_gettext("suspended"),
    "cancelled": lazy_gettext("cancelled"),
    "completed": lazy_gettext("completed"),
}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class Unsaid(Exception):
    """A value that cannot be put in words: it stays in the technical details."""


@dataclass(frozen=True)
class Row:
    """One labelled value; `parts` holds the labelled values of a value made of several."""

    label: str
    text: str = ""
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str
    who: str
    role: str
    step: str
    states: str
    comment: str


def _services() -> Services:
    found: Services = current_app.extensions["thidua"]
    return found


def is_unit_field(key: str) -> bool:
    return key in ("unit_id", "units") or key.endswith(("_unit_id", "_units", "_unit_ids"))


class Humanizer:
    """Words for the data and the history of one item."""

    def __init__(self, item: Instance) -> None:
        self.item = item
        self.namer = Namer(item)

    def term(self, code: str) -> str:
        """A field or document kind of the item's definition in words (its code if unnamed)."""
        try:
            return self.name_of(code)
        except Unsaid:
            return code.replace("_", " ")

    # --- data -------------------------------------------------------------------------------

    def label(self, key: str) -> str:
        spec = self.namer.spec()
        if spec is not None and key in spec.terms:
            return self.namer.label(spec.terms[key])
        if key in FIELDS:
            return str(FIELDS[key])
        raise Unsaid(key)

    def rows(self) -> list[Row]:
        """The data that can be said, each with its label; the rest is left out."""
        out = []
        for key, value in self.item.data.items():
            try:
                out.append(self.row(key, value))
            except Unsaid:
                continue
        return out

    def row(self, key: str, value: Any) -> Row:
        label = self.label(key)
        if key == "criteria_table" and isinstance(value, Mapping):
            return Row(label, self.criteria_table(value))
        if isinstance(value, Mapping):
            return Row(label, parts=tuple(self.part(k, v) for k, v in value.items()))
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            return Row(label, parts=tuple(
                (number(n), self.mapping(v)) for n, v in enumerate(value, start=1)))
        if value is None or value == "" or value == [] or value == {}:
            return Row(label, "—")
        return Row(label, self.text(key, value))

    def part(self, key: Any, value: Any) -> tuple[str, str]:
        """A value inside a mapping: its key is a term, a criterion or a unit."""
        name = self.name_of(str(key))
        text = self.text(str(key), value)
        unit = self.criterion_unit(str(key))
        if unit and isinstance(value, int | float | Decimal | str) and text:
            text = f"{text}{unit}" if unit == "%" else f"{text} {unit}"
        return name, text

    def criterion_unit(self, code: str) -> str:
        """The unit a criterion's target is counted in (%, ngày, …), or ""."""
        table = self.namer.table()
        if table is None:
            return ""
        try:
            return table.criterion(code).unit or ""
        except KeyError:
            return ""

    def name_of(self, code: str) -> str:
        if code.isdigit():
            found = self.namer.refs("unit", [int(code)]).get(int(code))
            if found:
                return found
            raise Unsaid(code)
        spec = self.namer.spec()
        if spec is not None and code in spec.terms:
            return self.namer.label(spec.terms[code])
        table = self.namer.table()
        if table is not None:
            try:
                return self.namer.label(table.criterion(code).title)
            except KeyError:
                pass
        if code in FIELDS:
            return str(FIELDS[code])
        raise Unsaid(code)

    def mapping(self, value: Mapping[str, Any]) -> str:
        """A mapping inside a value, on one line: "label: value; label: value"."""
        return "; ".join(f"{name}: {text}" for name, text in
                         (self.part(k, v) for k, v in value.items()))

    def text(self, key: str, value: Any) -> str:
        if isinstance(value, Mapping):
            return self.mapping(value)
        if key in USER_FIELDS:
            logins = [value] if isinstance(value, str) else list(value)
            if not all(isinstance(n, str) for n in logins):
                raise Unsaid(key)
            people = self.namer.refs("user", logins)
            return "; ".join(people.get(n) or n for n in logins)
        if isinstance(value, bool):
            return str(gettext("Yes") if value else gettext("No"))
        if is_unit_field(key):
            ids = value if isinstance(value, list) else [value]
            if not all(isinstance(i, int) for i in ids):
                raise Unsaid(key)
            names = self.namer.refs("unit", ids)
            return "; ".join(names.get(i) or str(gettext("(unknown)")) for i in ids)
        if isinstance(value, int | float | Decimal):
            return number(value)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list) and all(not isinstance(v, Mapping | list) for v in value):
            return "; ".join(self.text(key, v) for v in value)
        raise Unsaid(key)

    def string(self, value: str) -> str:
        if NUMBER.match(value):  # a number typed into a form, kept as its text
            return number(Decimal(value))
        if ISO_DATE.match(value):
            return date_text(dt.date.fromisoformat(value))
        if ISO_MOMENT.match(value):
            try:
                return local_time(dt.datetime.fromisoformat(value))
            except ValueError:
                raise Unsaid(value) from None
        if CODE.match(value):
            if value in VALUES:
                return str(VALUES[value])
            return self.name_of(value)
        return value

    def criteria_table(self, ref: Mapping[str, Any]) -> str:
        try:
            table = _services().criteria.get(str(ref["code"]), ref.get("version"))
        except (LookupError, WorkflowError):
            raise Unsaid("criteria_table") from None
        return self.namer.label(table.title)

    # --- history ----------------------------------------------------------------------------

    def history(self, entries: list[dict[str, Any]]) -> list[HistoryRow]:
        people = _services().reads.full_names(
            {e["actor"] for e in entries} | {e["on_behalf_of"] for e in entries
                                             if e.get("on_behalf_of")})
        return [self.history_row(e, people) for e in entries]

    def history_row(self, e: dict[str, Any], people: Mapping[str, str]) -> HistoryRow:
        who = people.get(e["actor"]) or e["actor"]
        if e["actor"] == SYSTEM_ROLE:  # the engine itself: a deadline, a join
            who = str(gettext("The system"))
        if e.get("on_behalf_of"):
            who = str(gettext("%(who)s for %(whom)s", who=who,
                              whom=people.get(e["on_behalf_of"]) or e["on_behalf_of"]))
        if e.get("trigger"):
            step = self.namer.one("trigger", e["trigger"])
        elif e.get("kind") == "impediment":
            step = history_text(e.get("payload") or {})
        else:
            step = str(STEPS.get(e.get("kind") or "", gettext("Other step")))
        before, after = e.get("from_state"), e.get("to_state")
        states = ""
        if after and before != after:
            states = (f"{self.namer.one('state', before)} → " if before else "") + \
                self.namer.one("state", after)
        at = e["at"]
        if isinstance(at, str):
            at = dt.datetime.fromisoformat(at)
        role = e.get("role") or ""
        shown = role in ROLES and role != SYSTEM_ROLE
        return HistoryRow(
            seq=e["seq"], at=local_time(at), who=who,
            role=self.namer.one("role", role) if shown else "", step=step, states=states,
            comment=e.get("comment") or "")


def status_text(status: str) -> str:
    """The item's status when it is not simply running (suspended, cancelled, completed)."""
    return str(STATUSES[status]) if status in STATUSES else ""


def raw_json(value: Any) -> str:
    """A stored value as the engine keeps it, for the technical details (letters as they are)."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def file_size(size: int) -> str:
    """A file's size as people read it: KB below a megabyte, MB above."""
    if size < 1024 * 1024:
        return str(gettext("%(n)s KB", n=number(max(1, round(size / 1024)))))
    return str(gettext("%(n)s MB", n=number(round(Decimal(size) / (1024 * 1024), 1))))
