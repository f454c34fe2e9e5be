"""Checks of meaning that run once a workflow definition has the right shape.

`check_workflow` looks at one spec (states, transitions, roles, deadlines, automatic steps);
`check_catalog` looks across workflows (child workflows, their states, spawn cycles, names).
Each check returns every problem it finds, located by the file's line map.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from workflow.definitions.yamlsrc import Source, YamlPath
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.engine.spec import TransitionSpec, WorkflowSpec
from workflow.errors import DefinitionError, suggest

Checked = tuple[WorkflowSpec, Source]


def item_path(src: Source, base: YamlPath, name: str) -> YamlPath:
    """The path of `name` inside a key that holds one name or a list of them."""
    raw: Any = src.get(base)
    if isinstance(raw, list) and name in raw:
        return (*base, raw.index(name))
    return base


def _unknown_state(spec: WorkflowSpec, name: str) -> str:
    return f"unknown state '{name}'{suggest(name, spec.state_names)}"


def check_workflow(spec: WorkflowSpec, src: Source) -> list[DefinitionError]:
    """Every problem of meaning in one workflow; cross-workflow checks are not made here."""
    checks = (
        _duplicate_states,
        _state_references,
        _reachability,
        _exits,
        _duplicate_triggers,
        _roles,
        _deadlines,
        _automatic,
    )
    return [error for check in checks for error in check(spec, src)]


def _duplicate_states(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    first: dict[str, int] = {}
    for i, state in enumerate(spec.states):
        if state.name in first:
            where = src.where(("states", first[state.name]))
            message = f"state '{state.name}' is already defined at {where}"
            yield src.error(("states", i, "name"), message)
        else:
            first[state.name] = i


def _state_references(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    names = set(spec.state_names)
    if spec.initial not in names:
        yield src.error(("initial",), _unknown_state(spec, spec.initial))
    for j, t in enumerate(spec.transitions):
        for name in t.sources:
            if name not in names:
                path = item_path(src, ("transitions", j, "source"), name)
                yield src.error(path, _unknown_state(spec, name))
        if t.dest not in names:
            yield src.error(("transitions", j, "dest"), _unknown_state(spec, t.dest))


def _reachability(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    if spec.initial not in spec.state_names:
        return  # already reported; every state would look unreachable
    reached = {spec.initial}
    todo = [spec.initial]
    while todo:
        for t in spec.transitions_from(todo.pop()):
            if t.dest not in reached:
                reached.add(t.dest)
                todo.append(t.dest)
    for i, state in enumerate(spec.states):
        if state.name not in reached:
            message = (
                f"state '{state.name}' cannot be reached from the initial state '{spec.initial}'"
            )
            yield src.error(("states", i), message)


def _exits(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    """Open states need a way out; final states must have none."""
    for i, state in enumerate(spec.states):
        leaving = [t for t in spec.transitions_from(state.name) if t.dest != state.name]
        if not state.final and not leaving:
            message = (
                f"state '{state.name}' is not final but no transition leaves it "
                "(add one, or mark it final: true)"
            )
            yield src.error(("states", i), message)
    finals = {s.name for s in spec.states if s.final}
    for j, t in enumerate(spec.transitions):
        for name in t.sources:
            if name in finals:
                path = item_path(src, ("transitions", j, "source"), name)
                yield src.error(path, f"'{name}' is a final state; no transition may leave it")


def _duplicate_triggers(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    """One trigger may not lead two ways from the same state."""
    for j, t in enumerate(spec.transitions):
        for i, earlier in enumerate(spec.transitions[:j]):
            if earlier.trigger != t.trigger:
                continue
            shared = [s for s in t.sources if s in earlier.sources]
            if shared:
                states = ", ".join(f"'{s}'" for s in shared)
                where = src.where(("transitions", i))
                message = f"trigger '{t.trigger}' from {states} is already defined at {where}"
                yield src.error(("transitions", j, "trigger"), message)
                break


def _roles(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    for j, t in enumerate(spec.transitions):
        for k, role in enumerate(t.roles):
            if role not in ROLES:
                yield src.error(("transitions", j, "roles", k), _unknown_role(role))


def _unknown_role(role: str) -> str:
    return f"unknown role '{role}'{suggest(role, ROLES)}"


def _deadlines(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    for i, state in enumerate(spec.states):
        deadline = state.deadline
        if deadline is None:
            continue
        base: YamlPath = ("states", i, "deadline")
        if deadline.escalate_to is not None and deadline.escalate_to not in ROLES:
            yield src.error((*base, "escalate_to"), _unknown_role(deadline.escalate_to))
        trigger = deadline.timeout_trigger
        if trigger is None:
            continue
        leaving = [t for t in spec.transitions_from(state.name) if t.dest != state.name]
        match = next((t for t in leaving if t.trigger == trigger), None)
        if match is None:
            triggers = [t.trigger for t in leaving]
            hint = suggest(trigger, triggers) or (
                f" (triggers that leave it: {', '.join(triggers)})" if triggers else ""
            )
            message = f"no transition with trigger '{trigger}' leaves state '{state.name}'{hint}"
            yield src.error((*base, "timeout"), message)
        elif SYSTEM_ROLE not in match.roles:
            j = spec.transitions.index(match)
            message = (
                f"transition '{trigger}' is the timeout of state '{state.name}' and must list "
                f"the role '{SYSTEM_ROLE}' (the system fires it when the deadline passes)"
            )
            yield src.error(("transitions", j, "roles"), message)


def _automatic(spec: WorkflowSpec, src: Source) -> Iterator[DefinitionError]:
    for j, t in enumerate(spec.transitions):
        if not t.auto:
            continue
        if t.join is None and not t.guards:
            message = (
                "an automatic transition needs a join or a guard; without one it would fire "
                "as soon as its source state is entered"
            )
            yield src.error(("transitions", j, "auto"), message)
        if SYSTEM_ROLE not in t.roles:
            message = f"an automatic transition must list the role '{SYSTEM_ROLE}'"
            yield src.error(("transitions", j, "roles"), message)


# --- across workflows ---------------------------------------------------------------------


def check_catalog(
    checked: Sequence[Checked], broken: Collection[str] = ()
) -> list[DefinitionError]:
    """Problems between workflows: names defined twice, unknown children, spawn cycles.

    `broken` names workflows whose files failed their own checks: they exist, but their
    states are unknown, so references to them are not reported.
    """
    errors: list[DefinitionError] = []
    catalog: dict[str, Checked] = {}
    for spec, src in checked:
        if spec.name in catalog:
            other = catalog[spec.name][1].file
            message = f"workflow '{spec.name}' is already defined in {other}"
            errors.append(src.error(("name",), message))
        else:
            catalog[spec.name] = (spec, src)
    known = set(catalog) | set(broken)
    for spec, src in catalog.values():
        errors += _children(spec, src, catalog, known)
    errors += _spawn_cycles(catalog)
    return errors


def _children(
    spec: WorkflowSpec, src: Source, catalog: dict[str, Checked], known: set[str]
) -> Iterator[DefinitionError]:
    for j, t in enumerate(spec.transitions):
        for m, spawn in enumerate(t.spawn):
            if spawn.workflow not in known:
                path: YamlPath = ("transitions", j, "spawn", m, "workflow")
                yield src.error(path, _unknown_workflow(spawn.workflow, known))
        if t.join is not None:
            yield from _join(t, ("transitions", j, "join"), src, catalog, known)


def _unknown_workflow(name: str, known: Collection[str]) -> str:
    hint = suggest(name, sorted(known))
    if not hint:
        hint = f" (known workflows: {', '.join(sorted(known))})" if known else " (none is known)"
    return f"unknown workflow '{name}'{hint}"


def _join(
    t: TransitionSpec, base: YamlPath, src: Source, catalog: dict[str, Checked], known: set[str]
) -> Iterator[DefinitionError]:
    assert t.join is not None
    child = t.join.workflow
    if child not in known:
        yield src.error((*base, "workflow"), _unknown_workflow(child, known))
        return
    if child not in catalog:
        return
    child_states = catalog[child][0].state_names
    for name in t.join.states:
        if name not in child_states:
            message = f"workflow '{child}' has no state '{name}'{suggest(name, child_states)}"
            yield src.error(item_path(src, (*base, "state"), name), message)


def _spawn_cycles(catalog: dict[str, Checked]) -> list[DefinitionError]:
    """Depth-first search; the spawn entry that returns to the current path closes a cycle."""
    errors: list[DefinitionError] = []
    done: set[str] = set()
    stack: list[str] = []

    def visit(name: str) -> None:
        stack.append(name)
        spec, src = catalog[name]
        for j, t in enumerate(spec.transitions):
            for m, spawn in enumerate(t.spawn):
                child = spawn.workflow
                if child in stack:
                    cycle = " → ".join([*stack[stack.index(child):], child])
                    message = f"spawning '{child}' closes a cycle: {cycle}"
                    errors.append(src.error(("transitions", j, "spawn", m, "workflow"), message))
                elif child in catalog and child not in done:
                    visit(child)
        stack.pop()
        done.add(name)

    for name in sorted(catalog):
        if name not in done:
            visit(name)
    return errors
