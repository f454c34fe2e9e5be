"""What the rules of the cluster year share: their registry, their port and small helpers.

The rules read and write through the engine's transaction (YearPort), so every check and every
penalty happens in the same transaction as the step that caused it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, cast

from workflow.domain.campaigns import DATE_KEYS
from workflow.domain.criteria import CriteriaTable
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.engine.registry import CallContext, Registry
from workflow.errors import InvalidInput
from workflow.services.ports import EngineTxQueries

YEAR = Registry()
CAMPAIGN_DATES = DATE_KEYS


class YearPort(Protocol):
    """What the cluster-year rules use of the engine's transaction (adapters/store.WriteTx)."""

    def instance_data(self, instance_id: int) -> dict[str, Any] | None: ...
    def children(self, parent_id: int) -> list[Instance]: ...
    def member_units(self, cluster_id: int) -> list[int]: ...
    def home_units(self, usernames: Sequence[str], year: int | None) -> dict[str, set[int]]:
        """The units each user holds a unit role for in the year (or in every year)."""
        ...
    def criteria_table(self, code: str, version: int | None) -> CriteriaTable: ...
    def score_lines(self, sheet_id: int) -> Mapping[str, Any]: ...
    def set_inspection_points(
        self, sheet_id: int, values: Mapping[str, tuple[Decimal | None, bool]], by: str,
        at: dt.datetime,
    ) -> None: ...
    def settle_verified(self, sheet_id: int, by: str, at: dt.datetime) -> None: ...
    def save_self_score(
        self, sheet_id: int, campaign_id: int, unit_id: int, criterion: str, group_code: str,
        entry: Any, by: str, at: dt.datetime,
    ) -> None: ...
    def set_verified_points(
        self, sheet_id: int, values: Mapping[str, Decimal], by: str, at: dt.datetime
    ) -> None: ...
    def add_adjustment(
        self, campaign_id: int, unit_id: int, code: str, kind: str, points: Decimal,
        source: str, reason: str, by: str, at: dt.datetime,
    ) -> bool: ...
    def write_inspection_scores(
        self, inspection_id: int, campaign_id: int, unit_id: int,
        results: Mapping[str, Decimal],
    ) -> None: ...
    def inspection_scores(self, campaign_id: int, unit_id: int) -> dict[str, Decimal]: ...
    def evidence(self, instance_id: int) -> set[tuple[str, str]]: ...
    def engine_queries(self) -> EngineTxQueries:
        """The year's statements on this transaction (recipients, the outbox)."""
        ...
    @property
    def tz(self) -> dt.tzinfo: ...


def port(ctx: CallContext) -> YearPort:
    return cast(YearPort, ctx.query)


def local_date(ctx: CallContext, moment: dt.datetime) -> dt.date:
    """The local date of a moment, in the installation's zone (a due date ends at local
    midnight)."""
    return moment.astimezone(port(ctx).tz).date()


def campaign_of(ctx: CallContext) -> dict[str, Any]:
    """The data of the campaign an item belongs to (its parent), or the campaign's own."""
    if ctx.spec.name == "campaign":
        return ctx.instance.data
    parent = ctx.instance.parent_id
    data = port(ctx).instance_data(parent) if parent is not None else None
    if data is None:
        raise InvalidInput(f"{ctx.instance.id} does not belong to a campaign")
    return data


def table_of(ctx: CallContext, campaign: Mapping[str, Any] | None = None) -> CriteriaTable:
    ref = (campaign or campaign_of(ctx)).get("criteria_table") or {}
    return port(ctx).criteria_table(ref["code"], ref["version"])


def due_date(campaign: Mapping[str, Any], key: str) -> dt.date | None:
    raw = (campaign.get("dates") or {}).get(key)
    return dt.date.fromisoformat(raw) if raw else None


def penalize(ctx: CallContext, rule: str, unit_id: int, source: str, reason: str) -> list[str]:
    """Add the table's automatic penalties for one occurrence; once per source."""
    campaign_id = ctx.instance.id if ctx.spec.name == "campaign" else ctx.instance.parent_id
    assert campaign_id is not None
    table = table_of(ctx)
    added = []
    for adj in table.automatic(rule):
        if port(ctx).add_adjustment(campaign_id, unit_id, adj.code, adj.kind, adj.points, source,
                                    reason, ctx.actor.username, ctx.now):
            added.append(f"{adj.code} -{show(adj.points)} ({reason})")
    ctx.notes.extend(f"penalty {a}" for a in added)
    return added


# A number as people write it, in ASCII digits: Decimal alone would also take other scripts'
# digits, underscores and exponents too large for any later arithmetic.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?", re.ASCII)
LIMIT = Decimal(10) ** 15


def decimal(value: Any, what: str, ref: Ref | None = None) -> Decimal:
    """The number a person typed; InvalidInput names `what` (and, for the pages, `ref`)."""
    text = str(value).strip()
    refusal = Refusal("not_a_number", {"what": ref or what, "value": str(value)[:50]})
    if isinstance(value, bool) or not NUMBER.fullmatch(text):
        raise InvalidInput(f"{what}: {value!r} is not a number", refusal)
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what}: {value!r} is not a number", refusal) from None
    if not number.is_finite() or abs(number) >= LIMIT:
        raise InvalidInput(f"{what}: {value!r} is not a number in range", refusal)
    return number


