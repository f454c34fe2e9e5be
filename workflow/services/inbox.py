"""The inbox: every item waiting for this user's action, with its due date, in one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workflow.adapters import repository as repo
from workflow.adapters.db import read_connection
from workflow.adapters.tables import deadlines, instances, units
from workflow.domain.roles import Actor, RoleGrant
from workflow.services import access
from workflow.services.deadlines import LOCAL
from workflow.services.workflows import Workflows

_I = instances.c


@dataclass(frozen=True, slots=True)
class WaitingItem:
    id: int
    workflow: str
    title: str
    state: str
    state_label: str
    unit: str | None
    campaign_id: int | None  # the campaign it belongs to (itself for a campaign)
    due: dt.date | None
    overdue: bool
    actions: tuple[str, ...]  # labels of what this user can do now


def _acting(workflows: Workflows) -> dict[str, dict[int, dict[str, tuple[bool, list[str]]]]]:
    """role -> definition id -> state -> (only on other units' items?, action labels)."""
    table: dict[str, dict[int, dict[str, tuple[bool, list[str]]]]] = defaultdict(
        lambda: defaultdict(dict))
    with read_connection(workflows.engine) as conn:
        ids = [int(r["id"]) for r in repo.definition_rows(conn)]
    for definition_id in ids:
        spec = workflows.catalog.compiled(definition_id).spec
        for t in spec.transitions:
            if t.auto:
                continue
            not_own = any(g.name == "not_own_unit" for g in t.guards)
            for role in t.roles:
                for state in t.sources:
                    own_only, labels = table[role][definition_id].get(state, (True, []))
                    table[role][definition_id][state] = (own_only and not_own, labels + [
                        t.trigger])
    return table


def _grant_condition(
    grant: RoleGrant, by_definition: dict[int, dict[str, tuple[bool, list[str]]]],
    own_units: set[int],
) -> Any:
    scope = []
    if grant.unit_id is not None:
        scope.append(_I.unit_id == grant.unit_id)
    elif grant.cluster_id is not None:
        scope.append(_I.cluster_id == grant.cluster_id)
    if grant.year is not None:
        scope.append(_I.year == grant.year)
    states = []
    for definition_id, by_state in by_definition.items():
        for state, (not_own, _) in by_state.items():
            cond = sa.and_(_I.definition_id == definition_id, _I.state == state)
            if not_own and own_units:
                cond = sa.and_(cond, sa.or_(_I.unit_id.is_(None),
                                            sa.not_(_I.unit_id.in_(sorted(own_units)))))
            states.append(cond)
    if not states:
        return None
    return sa.and_(*scope, sa.or_(*states))


def _statement(workflows: Workflows, actor: Actor) -> Any:
    """The inbox query of an actor's grants, built once per set of grants and reused."""
    acting = workflows.catalog.derived("inbox.acting", lambda: _acting(workflows))
    own_units = {g.unit_id for g in actor.grants if g.unit_id is not None}
    conditions = [c for g in actor.grants if g.role in acting
                  for c in [_grant_condition(g, acting[g.role], own_units)] if c is not None]
    if not conditions:
        return None
    due = sa.select(deadlines.c.instance_id, sa.func.min(deadlines.c.due_date).label("due")).where(
        deadlines.c.status == "pending").group_by(deadlines.c.instance_id).subquery()
    where = sa.and_(_I.status == "active", sa.or_(*conditions))
    return (sa.select(_I.id, _I.definition_id, _I.workflow, _I.state, _I.parent_id, units.c.name,
                      due.c.due, _I.unit_id, _I.cluster_id, _I.year,
                      sa.func.count().over().label("total"))
            .outerjoin(units, units.c.id == _I.unit_id)
            .outerjoin(due, due.c.instance_id == _I.id)
            .where(where)
            .order_by(sa.case((due.c.due.is_(None), 1), else_=0), due.c.due, _I.id)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


def waiting_for(
    workflows: Workflows, actor: Actor, *, locale: str = "vi", limit: int = 50, offset: int = 0
) -> tuple[list[WaitingItem], int]:
    """A page of the items waiting for the actor, earliest due first, and how many in all."""
    key = "inbox:" + repr(sorted(actor.grants, key=repr))
    (stmt,) = workflows.catalog.derived(key, lambda: (_statement(workflows, actor),))
    if stmt is None:
        return [], 0
    with read_connection(workflows.engine) as conn:
        rows = conn.execute(stmt, {"limit": max(1, min(limit, 200)),
                                   "offset": max(0, offset)}).all()
    total = int(rows[0].total) if rows else 0
    today = workflows.clock.now().astimezone(LOCAL).date()
    items = []
    for r in rows:
        spec = workflows.catalog.compiled(r.definition_id).spec
        roles = access.roles_on(actor, r)
        labels = tuple(t.label.get(locale) for t in spec.transitions_from(r.state)
                       if not t.auto and roles & set(t.roles))
        items.append(WaitingItem(
            r.id, r.workflow, spec.title.get(locale), r.state, spec.state(r.state).label.get(
                locale), r.name, r.id if r.workflow == "campaign" else r.parent_id, r.due,
            r.due is not None and r.due < today, labels))
    return items, total
