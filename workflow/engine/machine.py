"""One `transitions` machine per definition version, firing loaded instances without attaching them.

The checks of a fire run as the transition's conditions, in this order: the actor's role for the
instance's unit and year, the join on children, the named guards, then required fields and
documents. `transitions` answers a failed condition with a quiet False; a trigger the state does
not have is refused before the machine runs; both become one TransitionNotAllowed that says
which check failed and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from transitions import EventData, Machine, State, Transition

from workflow.domain.refusals import Ref, Refusal, refs
from workflow.domain.roles import Actor
from workflow.engine.instance import ACTIVE, Instance
from workflow.engine.joins import join_refusal
from workflow.engine.registry import CallContext, ChildQuery, Entry, Registry
from workflow.engine.spec import TransitionSpec, WorkflowSpec
from workflow.errors import TransitionNotAllowed

Condition = Callable[[EventData], bool]


@dataclass(slots=True)
class FireContext(CallContext):
    """One fire's context: what guards and effects see, plus what the checks found."""

    role: str | None = None  # the allowed role the actor acted in
    failure: TransitionNotAllowed | None = None


class FireResult(NamedTuple):
    transition: TransitionSpec
    from_state: str
    role: str
    notes: tuple[str, ...]


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not (isinstance(value, list | dict | tuple) and not value)


class _Step(Transition):
    """`transitions`' Transition for machines without callbacks: what `Transition.execute`
    does (its conditions in order, then the state change), without walking its empty callback
    lists (prepare, before, after, the states' enter and exit) and formatting four debug lines
    on every step. thidua's states and transitions carry no callbacks (effects run in the
    engine, after the checks); `_LeanMachine` refuses any that would be added."""

    def execute(self, event_data: EventData) -> bool:
        for cond in self.conditions:
            if not cond.check(event_data):
                return False
        if self.dest:
            event_data.machine.set_state(self.dest, event_data.model)
        return True

    def add_callback(self, trigger: str, func: Any) -> None:
        raise TypeError("thidua's machines run no transition callbacks")


class _LeanMachine(Machine):
    transition_cls = _Step


class CompiledWorkflow:
    """A definition version ready to run: its spec, its machine and its resolved guards."""

    def __init__(self, spec: WorkflowSpec, definition_id: int, version: int, registry: Registry):
        self.spec = spec
        self.definition_id = definition_id
        self.version = version
        self.registry = registry
        self.final_states = frozenset(s.name for s in spec.states if s.final)
        self.deadline_states = frozenset(s.name for s in spec.states if s.deadline is not None)
        self._index: dict[tuple[str, str], TransitionSpec] = {
            (src, t.trigger): t for t in spec.transitions for src in t.sources
        }
        self.machine = _LeanMachine(
            model=None,
            states=[State(s.name, final=s.final) for s in spec.states],
            initial=spec.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            name=f"{spec.name}@{version}",
        )
        self._auto: dict[str, tuple[TransitionSpec, ...]] = {
            s.name: tuple(t for t in spec.transitions if t.auto and s.name in t.sources)
            for s in spec.states
        }
        self._conds: dict[int, list[Condition]] = {}
        for t in spec.transitions:
            conds = self._conds[id(t)] = self._conditions(t)
            self.machine.add_transition(
                t.trigger, list(t.sources), t.dest, conditions=cast(list[Any], conds)
            )
        # What Event.trigger would look up on every fire, looked up once: the machine's state
        # and event, and the `transitions` Transitions a (state, trigger) pair may take.
        self._steps: dict[tuple[str, str], tuple[State, Any, tuple[Any, ...]]] = {
            key: (self.machine.get_state(key[0]), self.machine.events[key[1]],
                  tuple(self.machine.events[key[1]].transitions[key[0]]))
            for key in self._index
        }

    # --- conditions ---------------------------------------------------------------------

    def _conditions(self, t: TransitionSpec) -> list[Condition]:
        conds: list[Condition] = [self._role_condition(t)]
        if t.join is not None:
            conds.append(self._join_condition(t))
        for call in t.guards:
            conds.append(self._guard_condition(t, self.registry.guards[call.name], call.params))
        if t.required_fields or t.required_documents:
            conds.append(self._required_condition(t))
        return conds

    def _role_condition(self, t: TransitionSpec) -> Condition:
        allowed = t.roles

        def check(ev: EventData) -> bool:
            ctx: FireContext = ev.kwargs["ctx"]
            inst = cast(Instance, ev.model)
            held = ctx.actor.roles_for(inst.unit_id, inst.cluster_id, inst.year)
            ctx.roles = frozenset(held)
            for role in allowed:
                if role in held:
                    ctx.role = role
                    return True
            scope = _scope_text(inst)
            holds = ", ".join(g.describe() for g in ctx.actor.grants) or "no roles"
            ctx.failure = TransitionNotAllowed(
                "role",
                f"'{t.trigger}' needs the role {' or '.join(allowed)} for {scope}; "
                f"'{ctx.actor.username}' holds {holds}",
                Refusal("role_required", {"roles": refs("role", allowed), "scope": _scope(inst)}),
                t.trigger,
            )
            return False

        return check

    def _join_condition(self, t: TransitionSpec) -> Condition:
        join = t.join
        assert join is not None

        def check(ev: EventData) -> bool:
            ctx: FireContext = ev.kwargs["ctx"]
            states = ctx.query.child_states(cast(Instance, ev.model).id, join.workflow)
            refusal = join_refusal(states, join.workflow, join.states, join.count)
            if refusal is None:
                return True
            ctx.failure = TransitionNotAllowed(
                "guard", f"'{t.trigger}' must wait: {refusal.english()}", refusal, t.trigger)
            return False

        return check

    def _guard_condition(
        self, t: TransitionSpec, entry: Entry, params: Mapping[str, Any]
    ) -> Condition:
        def check(ev: EventData) -> bool:
            ctx: FireContext = ev.kwargs["ctx"]
            reason = entry.func(ctx, params)
            if reason is None:
                return True
            refusal = reason if isinstance(reason, Refusal) else Refusal(
                "other", {"detail": reason})
            ctx.failure = TransitionNotAllowed(
                "guard", f"'{t.trigger}' refused by {entry.name}: {refusal.english()}", refusal,
                t.trigger,
            )
            return False

        return check

    def _required_condition(self, t: TransitionSpec) -> Condition:
        def check(ev: EventData) -> bool:
            ctx: FireContext = ev.kwargs["ctx"]
            fields = [f for f in t.required_fields if not _present(ctx.payload.get(f))]
            documents: list[str] = []
            if t.required_documents:
                have = ctx.query.document_kinds(cast(Instance, ev.model).id)
                documents = [d for d in t.required_documents if d not in have]
            if not fields and not documents:
                return True
            missing = fields + [f"document {d}" for d in documents]
            ctx.failure = TransitionNotAllowed(
                "required", f"'{t.trigger}' needs {', '.join(missing)}",
                Refusal("required_missing", {"missing": refs("term", fields + documents)}),
                t.trigger,
            )
            return False

        return check

    # --- firing -------------------------------------------------------------------------

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        return self._index.get((state, trigger))

    def auto_from(self, state: str) -> tuple[TransitionSpec, ...]:
        """The transitions the system fires by itself from a state."""
        return self._auto.get(state, ())

    def fire(
        self,
        inst: Instance,
        trigger: str,
        actor: Actor,
        payload: Mapping[str, Any],
        now: dt.datetime,
        query: ChildQuery,
    ) -> FireResult:
        """Check and apply one transition to the instance in memory; effects run here too.

        On refusal the instance is unchanged and TransitionNotAllowed says why.
        """
        if inst.status != ACTIVE:
            raise TransitionNotAllowed(
                "status", f"{self.spec.name} {inst.id} is {inst.status}; nothing can be fired",
                Refusal("item_not_active", {"status": inst.status}), trigger,
            )
        source = inst.state
        t = self._index.get((source, trigger))
        if t is None:
            raise self._no_trigger(source, trigger)
        state, event, candidates = self._steps[source, trigger]
        ctx = FireContext(inst, self.spec, t, actor, frozenset(), payload, now, query, [])
        # What Event.trigger does for this machine (no queue, no prepare_event, finalize_event
        # or on_exception callbacks), without its per-call lookups: each Transition of the
        # source state runs its conditions, and the first that passes changes the state.
        ev = EventData(state, event, self.machine, inst, (), {"ctx": ctx})
        done = False
        for candidate in candidates:
            ev.transition = candidate
            if candidate.execute(ev):
                done = True
                break
        if not done:
            assert ctx.failure is not None
            raise ctx.failure
        if t.effects:
            saved = dict(inst.data)
            try:
                for effect in t.effects:
                    self.registry.effects[effect.name].func(ctx, effect.params)
            except Exception:
                inst.state, inst.data = source, saved
                raise
        assert ctx.role is not None
        return FireResult(t, source, ctx.role, tuple(ctx.notes))

    def _no_trigger(self, state: str, trigger: str) -> TransitionNotAllowed:
        possible = sorted({t.trigger for t in self.spec.transitions if state in t.sources})
        offered = [p for p in possible if not any(
            t.auto for t in self.spec.transitions if t.trigger == p)]
        known = any(t.trigger == trigger for t in self.spec.transitions)
        what = (
            f"'{trigger}' is not possible from state '{state}'"
            if known
            else f"'{trigger}' is not an action of {self.spec.name}"
        )
        message = f"{what}; possible: {', '.join(possible) or 'none (final state)'}"
        if not known:
            refusal = Refusal("action_unknown", {"possible": refs("trigger", offered)})
        elif offered:
            refusal = Refusal("action_not_possible", {
                "state": Ref("state", state), "possible": refs("trigger", offered)})
        else:
            refusal = Refusal("action_not_possible_final", {"state": Ref("state", state)})
        return TransitionNotAllowed("trigger", message, refusal, trigger)

    def check(
        self, inst: Instance, trigger: str, actor: Actor, payload: Mapping[str, Any],
        now: dt.datetime, query: ChildQuery,
    ) -> TransitionNotAllowed | None:
        """Whether a fire would pass, without changing the instance (for the UI's buttons)."""
        probe = Instance(
            inst.id, inst.definition_id, inst.workflow, inst.state, inst.status, inst.version,
            inst.unit_id, inst.cluster_id, inst.year, inst.parent_id, dict(inst.data),
            inst.last_hash, inst.entered_at,
        )
        t = self._index.get((inst.state, trigger))
        if t is None:
            return self._no_trigger(inst.state, trigger)
        ctx = FireContext(probe, self.spec, t, actor, frozenset(), payload, now, query, [])
        ev = EventData(None, self.machine.events[trigger], self.machine, probe, (), {"ctx": ctx})
        for cond in self._conds[id(t)]:
            if not cond(ev):
                return ctx.failure
        return None


def _scope(inst: Instance) -> Ref:
    """Where the roles of a refusal are held: the unit or the cluster, and the year."""
    return Ref("scope", (inst.unit_id, inst.cluster_id, inst.year))


def _scope_text(inst: Instance) -> str:
    parts = []
    if inst.unit_id is not None:
        parts.append(f"unit {inst.unit_id}")
    if inst.cluster_id is not None:
        parts.append(f"cluster {inst.cluster_id}")
    where = " / ".join(parts) or "this item"
    return f"{where} in {inst.year}" if inst.year is not None else where
