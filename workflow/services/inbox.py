"""The inbox: every item waiting for this user's action, with its due date, in one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from workflow.domain.roles import Actor
from workflow.services import access
from workflow.services.workflows import Workflows


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
    with workflows.catalog.uow().read() as uow:
        ids = [int(r["id"]) for r in uow.definitions.rows()]
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


def _statement(workflows: Workflows, actor: Actor) -> object | None:
    """The inbox query of an actor's grants, built once per set of grants and reused."""
    acting = workflows.catalog.derived("inbox.acting", lambda: _acting(workflows))
    with workflows.catalog.uow().read() as uow:
        return uow.year.waiting_statement(acting, actor)


def waiting_for(
    workflows: Workflows, actor: Actor, *, locale: str = "vi", limit: int = 50, offset: int = 0
) -> tuple[list[WaitingItem], int]:
    """A page of the items waiting for the actor, earliest due first, and how many in all."""
    key = "inbox:" + repr(sorted(actor.grants, key=repr))
    (stmt,) = workflows.catalog.derived(key, lambda: (_statement(workflows, actor),))
    if stmt is None:
        return [], 0
    with workflows.catalog.uow().read() as uow:
        rows = uow.year.waiting(stmt, max(1, min(limit, 200)), max(0, offset))
    total = int(rows[0].total) if rows else 0
    today = workflows.clock.today()
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
