"""Moving running instances to a newer version of their definition, with an explicit mapping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from workflow.domain.roles import Actor
from workflow.engine.instance import ACTIVE, COMPLETED, SUSPENDED
from workflow.errors import InvalidInput, MigrationRefused, PermissionDenied
from workflow.services.ports import MigrationScope
from workflow.services.workflows import Step, Workflows


@dataclass(frozen=True, slots=True)
class Move:
    instance_id: int
    from_version: int
    from_state: str
    to_state: str


@dataclass(slots=True)
class MigrationPlan:
    workflow: str
    to_version: int
    moves: list[Move] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        """One line per (version, from state → to state) with how many instances move so."""
        counts = Counter((m.from_version, m.from_state, m.to_state) for m in self.moves)
        return [
            f"v{v} {src} → v{self.to_version} {dst}: {n}"
            for (v, src, dst), n in sorted(counts.items())
        ]


def plan(
    workflows: Workflows, workflow: str, to_version: int, mapping: Mapping[str, str],
    from_version: int | None = None, scope: MigrationScope | None = None,
) -> MigrationPlan:
    """What a migration would do: where each running instance would go, and what blocks it
    (only the instances inside `scope`, when given: one campaign, cluster or year)."""
    target = workflows.catalog.version(workflow, to_version)
    targets = set(target.spec.state_names)
    result = MigrationPlan(workflow, to_version)
    for old, new in mapping.items():
        if new not in targets:
            raise InvalidInput(
                f"mapping.{old}: '{new}' is not a state of {workflow} version {to_version}"
            )
    with workflows.catalog.uow().read() as uow:
        running = uow.year.running_elsewhere(workflow, (ACTIVE, SUSPENDED),
                                             target.definition_id, scope or None)
    for inst in running:
        source = workflows.catalog.compiled(inst.definition_id)
        if from_version is not None and source.version != from_version:
            continue
        if source.version > to_version:
            result.problems.append(
                f"instance {inst.id} runs version {source.version}, newer than {to_version}"
            )
            continue
        dest = mapping.get(inst.state, inst.state if inst.state in targets else None)
        if dest is None:
            result.problems.append(
                f"instance {inst.id} (version {source.version}) is in state '{inst.state}', which "
                f"version {to_version} does not have, and the mapping does not say where it goes"
            )
            continue
        result.moves.append(Move(inst.id, source.version, inst.state, dest))
    return result


def migrate(
    workflows: Workflows, workflow: str, to_version: int, mapping: Mapping[str, str],
    actor: Actor, reason: str, from_version: int | None = None,
    scope: MigrationScope | None = None,
) -> MigrationPlan:
    """Move every running instance (inside `scope` when given) as planned, each with a history
    entry, in one transaction."""
    if not actor.has_global_role("admin"):
        raise PermissionDenied(f"migrating instances is for admins; '{actor.username}' is not one")
    if not (reason or "").strip():
        raise InvalidInput("reason: a reason is required to migrate instances")
    result = plan(workflows, workflow, to_version, mapping, from_version, scope)
    if not result.ok:
        raise MigrationRefused("migration refused:\n" + "\n".join(result.problems))
    target = workflows.catalog.version(workflow, to_version)
    now = workflows.clock.now()
    with workflows.store.write() as tx:
        for move in result.moves:
            inst = tx.load_instance(move.instance_id, lock=True)
            if inst is None or inst.state != move.from_state:
                raise MigrationRefused(
                    f"instance {move.instance_id} changed while migrating; run it again"
                )
            inst.definition_id = target.definition_id
            inst.state = move.to_state
            if move.to_state in target.final_states and inst.status == ACTIVE:
                inst.status = COMPLETED
            step = Step(
                "migrate", move.from_state, None, "admin", reason.strip(),
                {"from_version": move.from_version, "to_version": to_version,
                 "mapping": dict(mapping)},
            )
            workflows.record_step(tx, target, inst, inst.version, actor, step, now,
                                  definition_changed=True, status_changed=True)
    return result
