"""The inbox: every item waiting for this user's action, with its due date, in one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import PermissionDenied
from workflow.services import access, voting
from workflow.services.naming import Names, item_title, mentioned_units
from workflow.services.ports import UnitOfWork
from workflow.services.workflows import Workflows


@dataclass(frozen=True, slots=True)
class WaitingItem:
    id: int
    workflow: str
    title: str  # what the item is, its year and whose: "Giao ước thi đua 2026 – Bộ Công an"
    state: str
    state_label: str
    unit: str | None
    campaign_id: int | None  # the campaign it belongs to (itself for a campaign)
    due: dt.date | None
    overdue: bool
    actions: tuple[str, ...]  # labels of what this user can do now
    due_at: dt.datetime | None = None  # the local time it is due, when it has one (a vote)


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
    if any(g.role == access.INSPECTOR for g in actor.grants):
        key += ":" + actor.username  # the statement names the user for their inspections
    (stmt,) = workflows.catalog.derived(key, lambda: (_statement(workflows, actor),))
    if stmt is None:
        return [], 0
    with workflows.catalog.uow().read() as uow:  # the page and the open votes, read together
        rows = uow.year.waiting(stmt, max(1, min(limit, 200)), max(0, offset))
        seats = _seats(workflows, actor, uow)
    total = int(rows[0].total) if rows else 0
    today = workflows.clock.today()
    names = _names(workflows, rows)
    items: list[WaitingItem] = []
    for r in rows:
        spec = workflows.catalog.compiled(r.definition_id).spec
        roles = access.roles_on(actor, r)
        labels = tuple(t.label.get(locale) for t in spec.transitions_from(r.state)
                       if not t.auto and roles & set(t.roles))
        items.append(WaitingItem(
            r.id, r.workflow, item_title(spec.title, _Named(r), names, locale), r.state,
            spec.state(r.state).label.get(locale), r.name,
            r.id if r.workflow == "campaign" else r.parent_id, r.due,
            r.due is not None and r.due < today, labels))
    return _with_ballots(_ballot_items(workflows, locale, seats), items, total,
                         first=offset <= 0)


@dataclass(frozen=True, slots=True)
class _Named:
    """An inbox row as naming reads an item."""

    row: Any

    @property
    def id(self) -> int:
        return int(self.row.id)

    @property
    def workflow(self) -> str:
        return str(self.row.workflow)

    @property
    def unit_id(self) -> int | None:
        return self.row.unit_id  # type: ignore[no-any-return]

    @property
    def cluster_id(self) -> int | None:
        return self.row.cluster_id  # type: ignore[no-any-return]

    @property
    def year(self) -> int | None:
        return self.row.year  # type: ignore[no-any-return]

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.row.data
        return data if isinstance(data, Mapping) else {}


def _names(workflows: Workflows, rows: Sequence[Any]) -> Names:
    """The unit and cluster names of a page of the inbox: those the rows carry, and the
    inspecting units of inspections, asked once."""
    units = {r.unit_id: r.name for r in rows if r.unit_id is not None and r.name}
    clusters = {r.cluster_id: r.cluster_name for r in rows
                if r.cluster_id is not None and r.cluster_name}
    wanted = set().union(*(mentioned_units(_Named(r)) for r in rows)) - set(units) \
        if rows else set()
    if wanted:
        with workflows.catalog.uow().read() as uow:
            found = uow.year.unit_codes_and_names(sorted(wanted))
        units |= {unit_id: name for unit_id, (_code, name) in found.items()}
    return Names(units, clusters)


BALLOT = {"vi": "Bỏ phiếu", "en": "Cast your ballot"}


def ballots_waiting(workflows: Workflows, actor: Actor, locale: str = "vi"
                    ) -> list[WaitingItem]:
    """The open votes in which the actor holds a seat (their unit's, as its head or delegate,
    or their own in a council) and has not voted yet in this round. Casting a ballot is no
    transition of the session, so the inbox's query of actions does not find them."""
    with workflows.catalog.uow().read() as uow:
        seats = _seats(workflows, actor, uow)
    return _ballot_items(workflows, locale, seats)


_Seats = tuple[list[tuple[Instance, str]], Names]


def _seats(workflows: Workflows, actor: Actor, uow: UnitOfWork) -> _Seats:
    """Each open vote with the actor's seat in it, not yet voted with, and the names to show."""
    sessions = uow.year.open_votes()
    found = []  # (session, the actor's seat in it)
    for session in sessions:
        try:
            seat = voting.voter_key(workflows, session, actor)
        except PermissionDenied:
            continue
        if seat not in uow.year.voted(session.id, int(session.data.get("round", 1))) and (
                voting.accepts(workflows, session, seat)):
            found.append((session, seat))
    names = Names(uow.organisations.unit_names(), {
        s.cluster_id: uow.organisations.cluster_name(s.cluster_id) or ""
        for s, _seat in found if s.cluster_id is not None}) if found else Names()
    return found, names


def _ballot_items(workflows: Workflows, locale: str, seats: _Seats) -> list[WaitingItem]:
    found, names = seats
    items = []
    for session, seat in found:
        spec = workflows.catalog.compiled(session.definition_id).spec
        ends = session.data.get("ends_at")
        due_at = workflows.clock.local(dt.datetime.fromisoformat(str(ends))) if ends else None
        unit = names.units.get(int(seat.removeprefix("unit:"))) if seat.startswith(
            "unit:") else None
        items.append(WaitingItem(
            session.id, session.workflow, item_title(spec.title, session, names, locale),
            session.state,
            spec.state(session.state).label.get(locale), unit, session.parent_id,
            due_at.date() if due_at else None,
            due_at is not None and due_at < workflows.clock.local(), (BALLOT.get(
                locale[:2], BALLOT["en"]),), due_at))
    return items


def _with_ballots(
    ballots: list[WaitingItem], items: list[WaitingItem], total: int, first: bool,
) -> tuple[list[WaitingItem], int]:
    """The page with the voter's open ballots first (on the first page), counted in the
    total; a session the actor also chairs is one row with both."""
    if not ballots:
        return items, total
    chaired = {i.id: i for i in items}
    extra = []
    for b in ballots:
        if b.id in chaired:
            both = chaired[b.id]
            items[items.index(both)] = replace(both, actions=b.actions + both.actions,
                                               due=b.due, due_at=b.due_at, overdue=b.overdue)
        else:
            extra.append(b)
    return (extra + items if first else items), total + len(extra)
