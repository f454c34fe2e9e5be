"""Load workflow definitions from YAML, report every problem at once, and dump specs back.

    specs = load_paths(["definitions"], workflow.bootstrap.default_registry())

Errors read `<file>:<line> <path>: <message>`, e.g.
`definitions/dossier.yaml:42 transitions[7].dest: unknown state 'aproved' (did you mean
'approved'?)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from workflow.definitions import workflow_checks, workflow_schema, yamlsrc
from workflow.definitions.files import CheckedMemo, read_source, source_files
from workflow.domain.labels import Label
from workflow.engine.registry import Registry
from workflow.engine.spec import (
    CallSpec,
    DeadlineSpec,
    SpawnSpec,
    StateSpec,
    TransitionSpec,
    WorkflowSpec,
)
from workflow.errors import DefinitionError, DefinitionErrors


def _check(src: yamlsrc.Source, registry: Registry) -> WorkflowSpec:
    spec = workflow_schema.build_spec(src, registry)
    errors = workflow_checks.check_workflow(spec, src)
    if errors:
        raise DefinitionErrors(errors)
    return replace(spec, source_path=src.file)


# Each process (and each set of services in the tests) compiles the stored versions it runs:
# the same texts checked against the same guards and effects give the same specs.
_MEMOS: dict[Any, CheckedMemo[WorkflowSpec]] = {}


def load_text(text: str, file: str, registry: Registry,
              max_nodes: int = yamlsrc.MAX_NODES) -> WorkflowSpec:
    """Load one definition; raises DefinitionErrors with all of its problems.

    Checks that need other workflows (children, their states, cycles) are not made.
    """
    if max_nodes != yamlsrc.MAX_NODES:
        return _check(yamlsrc.parse(text, file, max_nodes), registry)
    key = registry.fingerprint()
    memo = _MEMOS.get(key)
    if memo is None:
        if len(_MEMOS) > 8:
            _MEMOS.clear()
        memo = _MEMOS.setdefault(key, CheckedMemo(lambda src: _check(src, registry), size=256))
    return memo(text, file)[1]


def load_paths(
    paths: Iterable[Path | str], registry: Registry, base: Path | None = None
) -> dict[str, WorkflowSpec]:
    """Load definition files and directories (their *.yaml and *.yml, not subfolders).

    Raises DefinitionErrors with every problem of every file, including those between
    workflows. File names in messages are relative to `base`, or as given.
    """
    errors: list[DefinitionError] = []
    checked: list[workflow_checks.Checked] = []
    broken: set[str] = set()
    for path, file in source_files(paths, base, errors):
        try:
            src = yamlsrc.parse(read_source(path, file), file)
        except DefinitionErrors as exc:
            errors += exc.errors
            continue
        try:
            checked.append((_check(src, registry), src))
        except DefinitionErrors as exc:
            errors += exc.errors
            if isinstance(src.data.get("name"), str):
                broken.add(src.data["name"])
    errors += workflow_checks.check_catalog(checked, broken)
    if errors:
        raise DefinitionErrors(errors)
    return {spec.name: spec for spec, _ in checked}


# --- dumping ------------------------------------------------------------------------------


def spec_to_dict(spec: WorkflowSpec) -> dict[str, Any]:
    """The spec in the shape of a definition file; loading it gives the same spec back."""
    out: dict[str, Any] = {"name": spec.name}
    if spec.version is not None:
        out["version"] = spec.version
    out["title"] = _label(spec.title)
    out["subject"] = spec.subject
    out["initial"] = spec.initial
    if spec.description:
        out["description"] = spec.description
    if spec.terms:
        out["terms"] = {name: _label(label) for name, label in spec.terms.items()}
    out["states"] = [_state(s) for s in spec.states]
    out["transitions"] = [_transition(t) for t in spec.transitions]
    return out


def dump_yaml(spec: WorkflowSpec) -> str:
    return yamlsrc.dump(spec_to_dict(spec))


def _label(label: Label) -> dict[str, str]:
    return {"vi": label.vi, "en": label.en}


def _state(state: StateSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": state.name, "label": _label(state.label)}
    if state.final:
        out["final"] = True
    if state.tags:
        out["tags"] = list(state.tags)
    if state.deadline is not None:
        out["deadline"] = _deadline(state.deadline)
    return out


def _deadline(d: DeadlineSpec) -> dict[str, Any]:
    out: dict[str, Any] = {d.kind: getattr(d, d.kind)}
    if d.offset_days:
        out["offset_days"] = d.offset_days
    if d.remind_days_before:
        out["remind"] = list(d.remind_days_before)
    if d.escalate_to is not None:
        out["escalate_to"] = d.escalate_to
    if d.timeout_trigger is not None:
        out["timeout"] = d.timeout_trigger
    if d.due_field is not None:
        out["due_field"] = d.due_field
    return out


def _transition(t: TransitionSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "trigger": t.trigger,
        "source": list(t.sources),
        "dest": t.dest,
        "label": _label(t.label),
        "roles": list(t.roles),
    }
    optional: dict[str, Any] = {
        "guards": [_call(c) for c in t.guards],
        "required_fields": list(t.required_fields),
        "required_documents": list(t.required_documents),
        "effects": [_call(c) for c in t.effects],
        "spawn": [_spawn(s) for s in t.spawn],
    }
    out.update((key, value) for key, value in optional.items() if value)
    if t.join is not None:
        out["join"] = {
            "workflow": t.join.workflow,
            "state": list(t.join.states),
            "count": t.join.count,
        }
    if t.auto:
        out["auto"] = True
    return out


def _call(call: CallSpec) -> str | dict[str, Any]:
    if not call.params:
        return call.name
    return {"name": call.name, "params": _plain(call.params)}


def _spawn(s: SpawnSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"workflow": s.workflow, "per": s.per}
    if s.items_field is not None:
        out["items_field"] = s.items_field
    if s.item_key != "item":
        out["item_key"] = s.item_key
    if s.data:
        out["data"] = _plain(s.data)
    return out


def _plain(value: Any) -> Any:
    """Parameters as YAML-safe data: mappings as dicts, tuples and sets as lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value
