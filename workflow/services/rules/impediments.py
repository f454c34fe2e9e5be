"""The dossier's guard against impediments to an award (Decree 152/2025 art. 4(4)): nothing is
proposed, carried by the council or decided for a unit or person while discipline, an
investigation or an unresolved complaint recorded against them is active on that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol, cast

from workflow.domain import impediments as imp
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.rulesets import RuleSet
from workflow.engine.registry import CallContext
from workflow.services.ports import ImpedimentStatements
from workflow.services.rules.base import YEAR, local_date, port

DEFAULT_BASIS = "Nghị định 152/2025/NĐ-CP, Điều 4 khoản 4"


class ImpedimentPort(Protocol):
    def rule_set(self, code: str, version: int) -> RuleSet: ...
    def impediments(self) -> ImpedimentStatements: ...


def from_row(row: Mapping[str, Any]) -> imp.Impediment:
    """An impediment from its stored columns."""
    return imp.Impediment(
        int(row["id"]), row["unit_id"], row["user_id"], str(row["kind"]), str(row["reference"]),
        row["reference_date"], row["start"], row["until"], str(row["note"] or ""),
        str(row["recorded_by"]), row["recorded_at"], row["closed_on"], row["outcome"],
        row["closure_reference"], row["closure_note"], row["closed_by"], row["closed_at"])


def subjects_of(data: Mapping[str, Any], unit_id: int | None) -> list[tuple[str, int]]:
    """Whom a dossier nominates: its unit, and a person where the dossier names one."""
    found = [("unit", unit_id)] if unit_id is not None else []
    person = data.get("nominee_user_id")
    if isinstance(person, int):
        found.append(("user", person))
    return found


def decision_day(ctx: CallContext) -> dt.date:
    """The day the award or proposal is made: the decision's date where it is given, else
    today (local)."""
    raw = ctx.payload.get("decision_date") if ctx.transition.trigger == "decide" else None
    if raw:
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            pass  # valid_decision refuses it
    return local_date(ctx, ctx.now)


@YEAR.guard("no_award_impediment")
def no_award_impediment(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """No impediment of the rule set's kinds (discipline, investigation, unresolved
    complaint...) is active against the nominee on the day; a rejection is always allowed."""
    if ctx.transition.trigger == "decide" and ctx.payload.get("outcome") == "rejected":
        return None
    query = cast(ImpedimentPort, port(ctx))
    ref = ctx.instance.data["rule_set"]
    rule = query.rule_set(ref["code"], ref["version"]).award_impediments
    if rule is None:
        return None
    day = decision_day(ctx)
    statements = query.impediments()
    for kind, subject in subjects_of(ctx.instance.data, ctx.instance.unit_id):
        rows = statements.of_subject(subject if kind == "unit" else None,
                                     subject if kind == "user" else None)
        found = imp.blocking([from_row(r) for r in rows], day, rule.value)
        if found:
            name = Ref("unit", subject) if kind == "unit" else Ref(
                "user", statements.username(subject) or str(subject))
            return imp.refusal(found, name, rule.citation or DEFAULT_BASIS)
    return None
