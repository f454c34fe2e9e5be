"""Refusals in the reader's language: the catalogue's sentence with names, never codes.

`explain(x, item)` takes what a use case or the engine refused with (a TransitionNotAllowed, an
InvalidInput, a Refusal) and renders the sentence of its catalogue code, translated, with every
reference it carries named as a person reads it: a unit by its name, a criterion by its title, a
state or an action by its label in the item's definition, a role by its title, a date as
dd/mm/yyyy, a number with a decimal comma. A refusal without a code (a message written before
the catalogue) is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import current_app
from flask_babel import get_locale, gettext

from workflow.bootstrap import Services
from workflow.domain.criteria import CriteriaTable
from workflow.domain.labels import Label
from workflow.domain.refusals import Named, Ref, Refusal
from workflow.domain.roles import ROLES
from workflow.engine.instance import Instance
from workflow.engine.spec import WorkflowSpec
from workflow.errors import TransitionNotAllowed, WorkflowError


def _services() -> Services:
    from web import services_of

    return services_of(current_app)


def _english() -> bool:
    return str(get_locale() or "vi").startswith("en")


def number(value: int | Decimal | float | Fraction) -> str:
    """A number as Vietnamese write it (decimal comma, dot between thousands), or English."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = f"{Decimal(str(value)):,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if _english():
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def date_text(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


class Namer:
    """Names for the references of the refusals about one item (looked up once each)."""

    def __init__(self, item: Instance | None = None) -> None:
        self.item = item
        self._spec: WorkflowSpec | None = None
        self._table: CriteriaTable | None | bool = False
        self.other: str | None = None  # the workflow of the children a refusal counts

    def spec(self) -> WorkflowSpec | None:
        if self._spec is None and self.item is not None:
            self._spec = _services().catalog.compiled(self.item.definition_id).spec
        return self._spec

    def table(self) -> CriteriaTable | None:
        if self._table is False:
            self._table = self._find_table()
        return self._table if isinstance(self._table, CriteriaTable) else None

    def _find_table(self) -> CriteriaTable | None:
        if self.item is None:
            return None
        svc = _services()
        ref = self.item.data.get("criteria_table")
        if not isinstance(ref, Mapping) and self.item.parent_id is not None:
            try:
                ref = svc.workflows.get(self.item.parent_id).data.get("criteria_table")
            except WorkflowError:
                return None
        if not isinstance(ref, Mapping):
            return None
        try:
            table: CriteriaTable = svc.criteria.get(str(ref["code"]), ref.get("version"))
        except (WorkflowError, KeyError):
            return None
        return table

    def label(self, label: Label) -> str:
        return label.en if _english() else label.vi

    def refs(self, kind: str, codes: Iterable[Any]) -> dict[Any, str]:
        """Names for several references of one kind: one query for units, clusters, people."""
        codes = list(codes)
        svc = _services()
        if kind == "unit":
            return dict(svc.reads.unit_names(int(c) for c in codes))
        if kind == "cluster":
            return dict(svc.reads.cluster_names(int(c) for c in codes))
        if kind == "user":
            return dict(svc.reads.full_names(str(c) for c in codes))
        return {c: self.one(kind, c) for c in codes}

    def one(self, kind: str, code: Any) -> str:
        spec = self.spec()
        if kind == "role":
            info = ROLES.get(str(code))
            return (info.en if _english() else info.vi) if info else str(gettext("another role"))
        if kind == "state" and spec is not None:
            try:
                return self.label(spec.state(str(code)).label)
            except KeyError:
                pass
        if kind == "state" and self.other is not None:
            try:  # a state of the children a join waits for
                return self.label(_services().catalog.latest(self.other).spec.state(str(code))
                                  .label)
            except (WorkflowError, KeyError):
                pass
        if kind == "trigger" and spec is not None:
            found = next((t for t in spec.transitions if t.trigger == code), None)
            if found is not None:
                return self.label(found.label)
        if kind == "term" and spec is not None and code in spec.terms:
            return self.label(spec.terms[code])
        if kind == "criterion":
            table = self.table()
            if table is not None:
                try:
                    return self.label(table.criterion(str(code)).title)
                except KeyError:
                    pass
        if kind == "workflow":
            try:
                return self.label(_services().catalog.latest(str(code)).spec.title)
            except WorkflowError:
                pass
        if kind == "side":
            return str(gettext("inspection team") if code == "team" else gettext("inspected unit"))
        if kind == "item":
            return str(gettext("another dossier"))
        if kind == "scope":
            return self.scope(code)
        if kind in ("unit", "cluster", "user"):
            return self.refs(kind, [code]).get(code) or str(gettext("(unknown)"))
        return str(code).replace("_", " ")

    def scope(self, code: tuple[Any, Any, Any]) -> str:
        unit, cluster, year = code
        if unit is not None:
            where = self.one("unit", unit)
        elif cluster is not None:
            where = self.one("cluster", cluster)
        else:
            where = str(gettext("this item"))
        return str(gettext("%(where)s in %(year)s", where=where, year=year)) if year else where


def render(refusal: Refusal, namer: Namer) -> str:
    """The refusal's sentence, translated, with its references named."""
    counted = refusal.params.get("workflow")
    if isinstance(counted, Ref) and counted.kind == "workflow":
        namer.other = str(counted.code)
    values = {key: _text(value, namer) for key, value in refusal.params.items()}
    if refusal.code == "other":
        return str(values.get("detail", ""))
    return str(gettext(refusal.template, **values))


def _text(value: Any, namer: Namer) -> str:
    if isinstance(value, Ref):
        return namer.one(value.kind, value.code)
    if isinstance(value, Named):
        return value.en if _english() else value.vi
    if isinstance(value, list | tuple):
        refs = [v for v in value if isinstance(v, Ref)]
        if refs and len(refs) == len(value) and len({r.kind for r in refs}) == 1:
            named = namer.refs(refs[0].kind, [r.code for r in refs])
            # names may hold commas themselves (criteria titles do)
            return "; ".join(named.get(r.code) or namer.one(r.kind, r.code) for r in refs)
        return ", ".join(_text(v, namer) for v in value)
    if isinstance(value, bool):
        return str(gettext("yes") if value else gettext("no"))
    if isinstance(value, int | Decimal | float | Fraction):
        return number(value)
    if isinstance(value, dt.datetime):
        from web.i18n import local_time

        return local_time(value)
    if isinstance(value, dt.date):
        return date_text(value)
    return str(value)


def explain(reason: Any, item: Instance | None = None, *, with_action: bool = False) -> str:
    """What to show for a refusal: a TransitionNotAllowed, an InvalidInput, a Refusal, or a
    plain message (shown as it is). With `with_action`, the refused action's label leads."""
    if reason is None:
        return ""
    namer = Namer(item)
    refusal = reason if isinstance(reason, Refusal) else getattr(reason, "refusal", None)
    if refusal is None:
        return str(getattr(reason, "message", None) or reason)
    text = render(refusal, namer)
    trigger = getattr(reason, "trigger", None)
    if with_action and isinstance(reason, TransitionNotAllowed) and trigger:
        action = namer.one("trigger", trigger)
        return str(gettext("%(action)s: %(reason)s", action=action, reason=_capital(text)))
    return _capital(text)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def init_app(app: Any) -> None:
    app.jinja_env.filters["refusal"] = explain
    app.jinja_env.filters["number"] = number

