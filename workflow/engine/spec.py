"""Workflow specifications: what can happen, kept apart from instances (what is happening).

A spec is built by the loader from a validated definition file and never changes afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workflow.domain.labels import Label

JoinCount = Literal["all", "any"] | int
SpawnPer = Literal["member_unit", "item"]
DeadlineKind = Literal["date", "campaign_date", "days", "working_days"]


@dataclass(frozen=True, slots=True)
class CallSpec:
    """A guard or effect named in a definition, with its validated parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeadlineSpec:
    """When a state is due, who is reminded and when, who is told when it is missed.

    Exactly one way to compute the due time: an absolute `date`, a `campaign_date` key of the
    campaign (plus `offset_days`), calendar `days` after entry, or `working_days` after entry.
    """

    kind: DeadlineKind
    date: dt.date | None = None
    campaign_date: str | None = None
    offset_days: int = 0
    days: int | None = None
    working_days: int | None = None
    remind_days_before: tuple[int, ...] = ()
    escalate_to: str | None = None  # a role
    timeout_trigger: str | None = None
    # A field of the instance's data holding the due date (ISO) when an effect computes it,
    # e.g. the appraisal clock that resumes with the working days left; the kind above is the
    # fallback while the field is unset.
    due_field: str | None = None


@dataclass(frozen=True, slots=True)
class SpawnSpec:
    """Start child workflows: one per member unit of the cluster, or one per item of a list."""

    workflow: str
    per: SpawnPer
    items_field: str | None = None  # with per=item: the list in the parent's data
    item_key: str = "item"  # with per=item: where the child keeps its item in its data
    data: Mapping[str, Any] = field(default_factory=dict)  # fixed data every child starts with


@dataclass(frozen=True, slots=True)
class JoinSpec:
    """Wait until `count` children of `workflow` are in one of `states`."""

    workflow: str
    states: tuple[str, ...]
    count: JoinCount = "all"


@dataclass(frozen=True, slots=True)
class StateSpec:
    name: str
    label: Label
    final: bool = False
    tags: tuple[str, ...] = ()
    deadline: DeadlineSpec | None = None


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    label: Label
    roles: tuple[str, ...]
    guards: tuple[CallSpec, ...] = ()
    required_fields: tuple[str, ...] = ()
    required_documents: tuple[str, ...] = ()
    effects: tuple[CallSpec, ...] = ()
    spawn: tuple[SpawnSpec, ...] = ()
    join: JoinSpec | None = None
    auto: bool = False  # fired by the system as soon as its join and guards allow


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    name: str
    title: Label
    subject: str
    initial: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    version: int | None = None  # the version the file asks for; the store assigns one if None
    description: str = ""
    source_path: str = ""
    # what the definition calls its fields and documents in words, by their names
    terms: Mapping[str, Label] = field(default_factory=dict)

    def state(self, name: str) -> StateSpec:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    def transitions_from(self, state: str) -> tuple[TransitionSpec, ...]:
        return tuple(t for t in self.transitions if state in t.sources)

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        for t in self.transitions:
            if t.trigger == trigger and state in t.sources:
                return t
        return None

    def child_workflows(self) -> set[str]:
        """Names of every workflow this one spawns."""
        return {s.workflow for t in self.transitions for s in t.spawn}
