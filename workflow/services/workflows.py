"""Use cases of the engine: start, fire, repair and migrate instances; each one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from workflow.clock import Clock
from workflow.domain.roles import SYSTEM_ACTOR, Actor
from workflow.domain.rulesets import RuleBook
from workflow.engine.hashing import GENESIS, HistoryChain, json_safe
from workflow.engine.instance import ACTIVE, CANCELLED, COMPLETED, SUSPENDED, Instance
from workflow.engine.machine import CompiledWorkflow
from workflow.engine.spec import SpawnSpec, TransitionSpec
from workflow.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleState,
    TransitionNotAllowed,
)
from workflow.services import access, deadlines
from workflow.services.catalog import DefinitionCatalog
from workflow.services.ports import EngineStore, EngineTx

# Auto transitions may set off others (a child completes its parent, which completes its own
# parent...); a definition that loops would never end, so the chain is cut here.
MAX_AUTO_STEPS = 50
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases; a larger one names nothing
# A start retried this many times because definitions were being published meanwhile goes on
# with the version it has (a publish is seen at the next one).
START_ATTEMPTS = 3


class _CatalogMoved(Exception):
    """A start read the catalog's revision and found a newer one than its version came from."""


class Step(NamedTuple):
    """What one history entry says, before it is chained and written."""

    kind: str
    from_state: str | None
    trigger: str | None
    role: str | None
    comment: str | None
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AutoStep:
    """An automatic transition that a fire set off, on the item or on its parent."""

    instance_id: int
    trigger: str
    from_state: str
    to_state: str


@dataclass(frozen=True, slots=True)
class Fired:
    """What a fire did: the item after it (and after the automatic steps that followed), the
    transition fired, the state it left and the one it entered, the role it was fired in."""

    instance: Instance
    transition: TransitionSpec
    from_state: str
    to_state: str
    role: str
    auto: tuple[AutoStep, ...] = ()

    def label(self, locale: str) -> str:
        """The action's name in a language, as the page showed it."""
        return self.transition.label.get(locale)


class Workflows:
    """The engine's use cases; every method takes the actor explicitly."""

    def __init__(
        self, store: EngineStore, catalog: DefinitionCatalog, clock: Clock, chain: HistoryChain,
        calendar: deadlines.WorkingDays | None = None,
        rulebook: RuleBook | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.chain = chain
        self.calendar = calendar or deadlines.WeekendsOnly()
        self.rulebook = rulebook

    # --- reading -------------------------------------------------------------------------

    def get(self, instance_id: int) -> Instance:
        if not 0 < instance_id <= MAX_ID:
            raise NotFound(f"no workflow instance with id {instance_id}")
        inst = self.store.get(instance_id)
        if inst is None:
            raise NotFound(f"no workflow instance with id {instance_id}")
        return inst

    def history(self, instance_id: int) -> list[dict[str, Any]]:
        return self.store.history(instance_id)

    def children(self, parent_id: int) -> list[Instance]:
        return self.store.children(parent_id)

    def available(
        self, inst: Instance, actor: Actor
    ) -> list[tuple[TransitionSpec, TransitionNotAllowed | None]]:
        """The actions of the instance's state that the actor holds a role for, each with the
        refusal it would meet now (None when it can be fired; fields and documents the form
        itself asks for are not counted)."""
        wf = self.catalog.compiled(inst.definition_id)
        held = access.roles_on(actor, inst)
        out = []
        with self.store.read() as query:  # the same port the fire's checks use
            for t in wf.spec.transitions_from(inst.state):
                if t.auto or not held.intersection(t.roles):
                    continue
                refusal = wf.check(inst, t.trigger, actor, {}, self.clock.now(), query)
                out.append((t, None if refusal is None or refusal.check == "required"
                            else refusal))
        return out

    # --- starting and firing --------------------------------------------------------------

    def start(
        self,
        workflow: str,
        actor: Actor,
        *,
        unit_id: int | None = None,
        cluster_id: int | None = None,
        year: int | None = None,
        data: Mapping[str, Any] | None = None,
        comment: str | None = None,
        parent_id: int | None = None,
    ) -> Instance:
        """Start an instance of the newest version, if the actor may act in its first state.

        The newest version known to this process is checked against the catalog's revision in
        the transaction (its INSERT returns it): if another process published since, the start
        is rolled back and made again on the version now newest.
        """
        clean = json_safe(data or {})
        for attempt in range(1, START_ATTEMPTS + 1):
            wf, revision = self.catalog.latest_at(workflow)
            held = actor.roles_for(unit_id, cluster_id, year)
            first = wf.spec.transitions_from(wf.spec.initial)
            allowed = {r for t in first for r in t.roles}
            if not held & allowed:
                raise PermissionDenied(
                    f"starting {workflow} needs the role {' or '.join(sorted(allowed))} for "
                    f"{_scope(unit_id, cluster_id, year)}"
                )
            try:
                with self.store.write() as tx:
                    return self._create(
                        tx, wf, actor, unit_id=unit_id, cluster_id=cluster_id, year=year,
                        parent_id=parent_id, data=dict(clean), comment=comment, kind="start",
                        role=sorted(held & allowed)[0],
                        revision=revision if attempt < START_ATTEMPTS else None,
                    )
            except _CatalogMoved:
                continue
        raise AssertionError("unreachable: the last attempt does not check the revision")

    def fire(
        self,
        item: int | Instance,
        trigger: str,
        actor: Actor,
        payload: Mapping[str, Any] | None = None,
        *,
        expected_version: int | None = None,
    ) -> Fired:
        """Fire a trigger on an item, in one transaction: load it (by id), check the version
        the caller saw, check the action, write it and the automatic steps that follow.

        By id, the row is loaded and locked (PostgreSQL) in the transaction itself. A loaded
        instance is updated in place, its own version the one expected (unless given).
        Raises NotFound, StaleState when it changed since `expected_version`,
        TransitionNotAllowed when a check fails (the actor's role among them); in every case
        nothing is written and a loaded instance is unchanged.
        """
        clean = _payload(payload)
        if isinstance(item, int):
            if not 0 < item <= MAX_ID:
                raise NotFound(f"no workflow instance with id {item}")
            # One BEGIN/COMMIT; the SELECT also brings the catalog's revision.
            with self.store.write() as tx:
                loaded = tx.load_for_fire(item)
                if loaded is None:
                    raise NotFound(f"no workflow instance with id {item}")
                self.catalog.seen(tx.revision)
                _expect(actor, loaded, expected_version)
                return self._fire(tx, loaded, trigger, actor, clean, depth=0)
        _expect(actor, item, expected_version)
        saved = _snapshot(item)
        try:
            with self.store.write() as tx:
                return self._fire(tx, item, trigger, actor, clean, depth=0, revision=True)
        except BaseException:
            _restore(item, saved)
            raise

    def fire_in(
        self, tx: EngineTx, inst: Instance, trigger: str, actor: Actor,
        payload: Mapping[str, Any] | None = None,
    ) -> Fired:
        """Fire inside a transaction the caller holds (the sweep's timeouts)."""
        return self._fire(tx, inst, trigger, actor, _payload(payload), depth=0, revision=True)

    def _fire(
        self, tx: EngineTx, inst: Instance, trigger: str, actor: Actor,
        payload: dict[str, Any], depth: int, revision: bool = False,
        auto: list[AutoStep] | None = None,
    ) -> Fired:
        """With revision, the write also reads the catalog's revision, before anything that
        depends on which versions are published (spawns, joins) runs. The automatic steps
        that follow are gathered in `auto` (a fresh list for the first step)."""
        wf = self.catalog.compiled(inst.definition_id)
        now = self.clock.now()
        expected = inst.version
        result = wf.fire(inst, trigger, actor, payload, now, tx)
        t = result.transition
        to_state = inst.state
        comment = payload.pop("comment", None)
        if result.notes:
            payload["notes"] = list(result.notes)
        step = Step("fire", result.from_state, trigger, result.role, comment, payload)
        self.record_step(tx, wf, inst, expected, actor, step, now, data_changed=bool(t.effects),
                         revision=revision)
        if revision:
            self.catalog.seen(tx.revision)
        for spawn in t.spawn:
            self._spawn(tx, inst, spawn, actor)
        steps: list[AutoStep] = [] if auto is None else auto
        if auto is not None:  # an automatic step, listed in the fire that set it off
            auto.append(AutoStep(inst.id, trigger, result.from_state, to_state))
        self._after_change(tx, inst, depth, wf, steps)
        return Fired(inst, t, result.from_state, to_state, result.role, tuple(steps))

    def _after_change(
        self, tx: EngineTx, inst: Instance, depth: int, wf: CompiledWorkflow | None = None,
        auto: list[AutoStep] | None = None,
    ) -> None:
        """Let auto transitions of this instance and of its parent go, if their time has come;
        each one is listed in `auto`."""
        steps = [] if auto is None else auto
        self._run_auto(tx, inst, depth, steps, wf)
        if inst.parent_id is not None and self.catalog.is_joined(inst.workflow):
            # Locked, so that two children finishing at once cannot both miss the other.
            parent = tx.load_instance(inst.parent_id, lock=True)
            if parent is not None:
                self._run_auto(tx, parent, depth, steps)

    def _run_auto(
        self, tx: EngineTx, inst: Instance, depth: int, auto: list[AutoStep],
        wf: CompiledWorkflow | None = None,
    ) -> None:
        if inst.status != ACTIVE or depth >= MAX_AUTO_STEPS:
            return
        wf = wf or self.catalog.compiled(inst.definition_id)
        for t in wf.auto_from(inst.state):
            now = self.clock.now()
            if wf.check(inst, t.trigger, SYSTEM_ACTOR, {}, now, tx) is None:
                self._fire(tx, inst, t.trigger, SYSTEM_ACTOR, {}, depth + 1, auto=auto)
                return

    # --- writing -------------------------------------------------------------------------

    def record_step(
        self, tx: EngineTx, wf: CompiledWorkflow, inst: Instance, expected: int,
        actor: Actor, step: Step, now: dt.datetime, *, data_changed: bool = True,
        definition_changed: bool = False, status_changed: bool = False, revision: bool = False,
    ) -> None:
        """Chain and write one history entry and the instance's new state, or raise StaleState."""
        if step.from_state != inst.state:
            inst.entered_at = now
        status_before = inst.status
        if inst.status == ACTIVE and inst.state in wf.final_states:
            inst.status = COMPLETED
        inst.version = expected + 1
        entry = {
            "instance_id": inst.id,
            "seq": inst.version,
            "definition_id": inst.definition_id,
            "kind": step.kind,
            "from_state": step.from_state,
            "to_state": inst.state,
            "trigger": step.trigger,
            "actor": actor.username,
            "on_behalf_of": actor.on_behalf_of,
            "role": step.role,
            "at": now,
            "comment": step.comment,
            "payload": step.payload,
            "prev_hash": inst.last_hash,
        }
        inst.last_hash = entry["hash"] = self.chain.entry_hash(inst.last_hash, entry)
        if not tx.update_and_record(
            inst, expected, entry, data_changed=data_changed,
            definition_changed=definition_changed,
            status_changed=status_changed or inst.status != status_before, revision=revision,
        ):
            raise StaleState(
                f"{inst.workflow} {inst.id} was changed by someone else since version {expected}; "
                "reload it and try again"
            )
        if step.from_state != inst.state or inst.status != status_before or status_changed:
            self._reschedule(tx, wf, inst, step, now)

    def _reschedule(
        self, tx: EngineTx, wf: CompiledWorkflow, inst: Instance, step: Step, now: dt.datetime
    ) -> None:
        """Deadlines follow the state: those of the state left go, those of the state entered
        are planned, in the transaction of the step itself."""
        # A plain step only has rows to cancel if the state it left had a deadline; repairs and
        # migrations may come from anywhere (the sweep also skips rows of a state left behind).
        if step.from_state in wf.deadline_states or step.kind not in ("fire", "start", "spawn"):
            tx.cancel_deadlines(inst.id, now)
        if inst.status != ACTIVE or inst.state not in wf.deadline_states:
            return
        spec = wf.spec.state(inst.state).deadline
        assert spec is not None
        parent = tx.instance_data(inst.parent_id) if inst.parent_id is not None else None
        rows = deadlines.plan(inst, inst.state, spec, now, deadlines.campaign_dates(inst, parent),
                              self.calendar, self.clock.tz)
        tx.insert_deadlines(rows)

    def _create(
        self, tx: EngineTx, wf: CompiledWorkflow, actor: Actor, *, unit_id: int | None,
        cluster_id: int | None, year: int | None, parent_id: int | None,
        data: dict[str, Any], comment: str | None, kind: str, role: str | None,
        revision: int | None = None,
    ) -> Instance:
        """With revision, the catalog must still be at it (the INSERT reads it), or
        _CatalogMoved is raised: the version `wf` may no longer be the newest."""
        now = self.clock.now()
        inst = Instance(
            0, wf.definition_id, wf.spec.name, wf.spec.initial, ACTIVE, 0, unit_id, cluster_id,
            year, parent_id, data, GENESIS, now,
        )
        # Inserted at version 0 to get its id, which the first history entry's hash covers.
        inst.id = tx.insert_instance(inst, now, revision=revision is not None)
        if revision is not None and tx.revision != revision:
            self.catalog.seen(tx.revision)
            raise _CatalogMoved
        step = Step(kind, None, None, role, comment, {"data": data} if data else {})
        self.record_step(tx, wf, inst, 0, actor, step, now, data_changed=False)
        return inst

    def _spawn(self, tx: EngineTx, parent: Instance, spawn: SpawnSpec, actor: Actor) -> None:
        wf = self.catalog.latest(spawn.workflow)
        for unit_id, data in self._spawn_targets(tx, parent, spawn):
            self._create(
                tx, wf, actor, unit_id=unit_id, cluster_id=parent.cluster_id, year=parent.year,
                parent_id=parent.id, data=data, comment=None, kind="spawn", role=None,
            )

    @staticmethod
    def _spawn_targets(
        tx: EngineTx, parent: Instance, spawn: SpawnSpec
    ) -> list[tuple[int | None, dict[str, Any]]]:
        if spawn.per == "member_unit":
            if parent.cluster_id is None:
                raise InvalidInput(
                    f"{parent.workflow} {parent.id} has no cluster, so it cannot start "
                    f"one {spawn.workflow} per member unit"
                )
            return [(u, dict(spawn.data)) for u in tx.member_units(parent.cluster_id)]
        items = parent.data.get(spawn.items_field or "")
        if not isinstance(items, list):
            raise InvalidInput(
                f"{parent.workflow} {parent.id}: data field '{spawn.items_field}' must be a list "
                f"to start one {spawn.workflow} per item"
            )
        targets = []
        for item in items:
            unit = item.get("unit_id") if isinstance(item, dict) else None
            targets.append((unit if isinstance(unit, int) else parent.unit_id,
                            {**spawn.data, spawn.item_key: item}))
        return targets

    def note_document(
        self, tx: EngineTx, inst: Instance, actor: Actor, kind: str, filename: str, sha256: str
    ) -> None:
        """Record in an item's history, in the caller's transaction (the one that stores the
        document), that a document was attached, with its hash; the item is loaded locked."""
        held = access.roles_on(actor, inst)
        wf = self.catalog.compiled(inst.definition_id)
        step = Step("document", inst.state, None, min(held) if held else None, None,
                    {"kind": kind, "filename": filename, "sha256": sha256})
        self.record_step(tx, wf, inst, inst.version, actor, step, self.clock.now(),
                         data_changed=False)

    def note(
        self, tx: EngineTx, inst: Instance, actor: Actor, kind: str,
        payload: Mapping[str, Any], comment: str | None = None,
    ) -> None:
        """Record in an item's history, in the caller's transaction, something that happened
        to it outside its transitions (an impediment to its award recorded or closed); the
        item is loaded locked."""
        held = access.roles_on(actor, inst)
        wf = self.catalog.compiled(inst.definition_id)
        step = Step(kind, inst.state, None, min(held) if held else None, comment, dict(payload))
        self.record_step(tx, wf, inst, inst.version, actor, step, self.clock.now(),
                         data_changed=False)

    # --- admin repair --------------------------------------------------------------------

    def suspend(self, instance_id: int, actor: Actor, reason: str) -> Instance:
        """Stop an active instance from moving until it is resumed."""
        return self._repair(instance_id, actor, reason, "suspend", {ACTIVE}, SUSPENDED)

    def resume(self, instance_id: int, actor: Actor, reason: str) -> Instance:
        return self._repair(instance_id, actor, reason, "resume", {SUSPENDED}, ACTIVE)

    def cancel(self, instance_id: int, actor: Actor, reason: str) -> Instance:
        """Cancel an instance and every child of it that is still running."""
        return self._repair(instance_id, actor, reason, "cancel", {ACTIVE, SUSPENDED}, CANCELLED)

    def move_to(self, instance_id: int, state: str, actor: Actor, reason: str) -> Instance:
        """Put an instance in a named state of its definition, outside the normal flow."""
        return self._repair(instance_id, actor, reason, "move", {ACTIVE, SUSPENDED, COMPLETED},
                            None, state=state)

    def _repair(
        self, instance_id: int, actor: Actor, reason: str, kind: str, from_status: set[str],
        to_status: str | None, state: str | None = None,
    ) -> Instance:
        if not actor.has_global_role("admin"):
            raise PermissionDenied(f"'{kind}' is an admin repair; '{actor.username}' is not admin")
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(f"reason: a reason is required to {kind} an instance")
        with self.store.write() as tx:
            inst = tx.load_instance(instance_id, lock=True)
            if inst is None:
                raise NotFound(f"no workflow instance with id {instance_id}")
            self._repair_one(tx, inst, actor, reason, kind, from_status, to_status, state)
            self._after_change(tx, inst, depth=0)
        return inst

    def _repair_one(
        self, tx: EngineTx, inst: Instance, actor: Actor, reason: str, kind: str,
        from_status: set[str], to_status: str | None, state: str | None,
    ) -> None:
        if inst.status not in from_status:
            raise InvalidInput(f"status: {inst.workflow} {inst.id} is {inst.status}; cannot {kind}")
        wf = self.catalog.compiled(inst.definition_id)
        source = inst.state
        payload: dict[str, Any] = {}
        if state is not None:
            if state not in wf.spec.state_names:
                raise InvalidInput(
                    f"state: '{state}' is not a state of {wf.spec.name} version {wf.version}"
                )
            inst.state = state
            payload["status_before"] = inst.status
            to_status = COMPLETED if state in wf.final_states else (
                SUSPENDED if inst.status == SUSPENDED else ACTIVE)
        assert to_status is not None
        inst.status = to_status
        step = Step(kind, source, None, "admin", reason, payload)
        self.record_step(tx, wf, inst, inst.version, actor, step, self.clock.now(),
                         data_changed=False, status_changed=True)
        if kind == "cancel":
            for child in tx.children(inst.id):
                if child.status in (ACTIVE, SUSPENDED):
                    self._repair_one(tx, child, actor, reason, kind, from_status, to_status,
                                     None)


def _expect(actor: Actor, inst: Instance, expected_version: int | None) -> None:
    """Before a fire: the item is still at the version the caller saw. Someone who holds no
    role on it learns nothing of its versions: the engine refuses them the action."""
    if expected_version is not None and expected_version != inst.version \
            and access.may_act(actor, inst):
        raise StaleState(
            f"{inst.workflow} {inst.id} is at version {inst.version}, not {expected_version}: "
            "it changed since you read it; reload it"
        )


def _payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload: must be an object of named fields")
    try:
        return json_safe(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"payload: {exc}") from None


def _snapshot(inst: Instance) -> tuple[Any, ...]:
    return (inst.state, inst.status, inst.version, dict(inst.data), inst.last_hash,
            inst.entered_at, inst.definition_id)


def _restore(inst: Instance, saved: tuple[Any, ...]) -> None:
    (inst.state, inst.status, inst.version, inst.data, inst.last_hash, inst.entered_at,
     inst.definition_id) = saved


def _scope(unit_id: int | None, cluster_id: int | None, year: int | None) -> str:
    parts = [f"unit {unit_id}" if unit_id is not None else "",
             f"cluster {cluster_id}" if cluster_id is not None else ""]
    where = " / ".join(p for p in parts if p) or "everywhere"
    return f"{where} in {year}" if year is not None else where
