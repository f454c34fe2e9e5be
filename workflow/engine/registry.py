"""The registry of guards and effects that definitions may name.

A definition refers to a guard or an effect by its registered name, with parameters checked by
the entry's marshmallow schema. Nothing in a definition is ever imported or evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import marshmallow as ma

from workflow.domain.refusals import Refusal

if TYPE_CHECKING:
    from workflow.domain.roles import Actor
    from workflow.engine.spec import TransitionSpec, WorkflowSpec


class InstanceView(Protocol):
    """What guards and effects may read of an instance."""

    id: int
    state: str
    unit_id: int | None
    cluster_id: int | None
    year: int | None
    parent_id: int | None
    data: dict[str, Any]


class ChildQuery(Protocol):
    """Read access for guards that look at an instance's children."""

    def child_states(self, parent_id: int, workflow: str) -> list[str]: ...

    def document_kinds(self, instance_id: int) -> set[str]: ...


@dataclass(slots=True)
class CallContext:
    """Everything a guard or an effect may look at; effects may change `instance.data`."""

    instance: InstanceView
    spec: WorkflowSpec
    transition: TransitionSpec
    actor: Actor
    roles: frozenset[str]
    payload: Mapping[str, Any]
    now: dt.datetime
    query: ChildQuery
    # effects append human-readable notes here; they go into the history entry's payload
    notes: list[str] = field(default_factory=list)


# A guard returns None when it passes, or why it does not: a Refusal (a catalogue code and its
# parameters; a plain English sentence is still taken, shown as it is).
Guard = Callable[[CallContext, Mapping[str, Any]], Refusal | str | None]
Effect = Callable[[CallContext, Mapping[str, Any]], None]


class NoParams(ma.Schema):
    """Parameter schema of an entry that takes none."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    func: Callable[..., Any]
    params: type[ma.Schema]
    doc: str

    def load_params(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate parameters; raises marshmallow.ValidationError naming each bad field."""
        loaded = self.params().load(dict(raw or {}))
        return dict(loaded)


class Registry:
    """Named guards and effects, registered in code by decorators."""

    def __init__(self) -> None:
        self.guards: dict[str, Entry] = {}
        self.effects: dict[str, Entry] = {}

    def guard(
        self, name: str, params: type[ma.Schema] = NoParams
    ) -> Callable[[Guard], Guard]:
        def register(func: Guard) -> Guard:
            self.guards[name] = Entry(name, func, params, (func.__doc__ or "").strip())
            return func

        return register

    def effect(
        self, name: str, params: type[ma.Schema] = NoParams
    ) -> Callable[[Effect], Effect]:
        def register(func: Effect) -> Effect:
            self.effects[name] = Entry(name, func, params, (func.__doc__ or "").strip())
            return func

        return register

    def copy(self) -> Registry:
        """A registry that starts with these entries; tests add their own to it."""
        other = Registry()
        other.include(self)
        return other

    def include(self, other: Registry) -> None:
        """Add every guard and effect of `other`; its entries win over ones of the same name."""
        self.guards.update(other.guards)
        self.effects.update(other.effects)

    def fingerprint(self) -> tuple[frozenset[tuple[str, Entry]], frozenset[tuple[str, Entry]]]:
        """Equal for registries holding the same entries (a key for what was checked
        against them)."""
        return frozenset(self.guards.items()), frozenset(self.effects.items())

    def __iter__(self) -> Iterator[Entry]:
        yield from self.guards.values()
        yield from self.effects.values()

