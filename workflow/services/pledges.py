"""The pledge's targets as its page shows them: one row per criterion that asks for a target,
with last year's signed value, this year's target, the leader's comment on it when the pledge
was returned, and what is wrong with it (every field checked, so that one wrong field keeps
the others and says which one is wrong)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflow.domain.criteria import CriteriaTable, Criterion
from workflow.domain.refusals import Refusal
from workflow.services.rules.campaign import target_refusal

MAX_COMMENT = 1000  # characters of the leader's comment on one target
RETURNED_STATES = frozenset({"returned", "amending"})


@dataclass(frozen=True, slots=True)
class TargetRow:
    criterion: Criterion
    last_year: str | None  # the unit's target in last year's signed pledge
    value: str  # this year's target: the one typed (kept when refused) or the one saved
    comment: str  # the leader's comment on this target when the pledge was returned
    problem: Refusal | None = None


def typed_targets(fields: Mapping[str, str], prefix: str = "target:") -> dict[str, str]:
    """The targets a form carries (`target:<criterion>`), as typed but trimmed; a decimal
    comma is read as the decimal point ("80,5" is 80.5). Empty fields are left out."""
    return {key[len(prefix):]: value.strip().replace(",", ".")[:50]
            for key, value in fields.items()
            if key.startswith(prefix) and value.strip()}


def target_problems(table: CriteriaTable, typed: Mapping[str, Any]) -> dict[str, Refusal]:
    """What is wrong with each typed target, by criterion (empty when all are right)."""
    return {code: refusal for code, value in typed.items()
            if (refusal := target_refusal(table, code, value)) is not None}


def target_comments(table: CriteriaTable, fields: Mapping[str, str],
                    prefix: str = "target_comment:") -> dict[str, str]:
    """The leader's comments per target from a form, for criteria of the table only."""
    wanted = {c.code for c in table.targets_required()}
    return {code: text for key, value in fields.items()
            if key.startswith(prefix) and (code := key[len(prefix):]) in wanted
            and (text := value.strip()[:MAX_COMMENT])}


def target_rows(
    table: CriteriaTable, state: str, data: Mapping[str, Any],
    last_year: Mapping[str, str] | None, typed: Mapping[str, str] | None = None,
    problems: Mapping[str, Refusal] | None = None,
) -> list[TargetRow]:
    """The rows of the pledge's targets: the typed values when a save was refused (so nothing
    typed is lost), else the saved ones; the leader's comments while it is being revised."""
    saved = _mapping(data.get("targets"))
    comments = _mapping(data.get("target_comments")) if state in RETURNED_STATES else {}
    values = typed if typed is not None else saved
    return [TargetRow(c, (last_year or {}).get(c.code), str(values.get(c.code, "")),
                      str(comments.get(c.code, "")), (problems or {}).get(c.code))
            for c in table.targets_required()]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
