"""The marshmallow schemas of workflow definitions: they check the shape and build the spec.

Built with the toolkit of `workflow.definitions.schema`. Guards and effects are looked up in
the registry given to `build_spec`, and their parameters are loaded with the entry's own schema.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import replace
from typing import Any, Literal, cast

import marshmallow as ma

from workflow.definitions.schema import (
    LABEL,
    REQUIRED,
    SCHEMA_KEY,
    Bool,
    Choice,
    Date,
    Field,
    Int,
    LabelMap,
    LabelSchema,
    Name,
    Names,
    Nested,
    NestedList,
    Text,
    check_int,
    check_list,
    check_name,
    check_names,
    each,
    load_source,
    unknown_keys,
)
from workflow.definitions.yamlsrc import PathKey, Source, describe
from workflow.engine.registry import Entry, Registry
from workflow.engine.spec import (
    CallSpec,
    DeadlineKind,
    DeadlineSpec,
    JoinCount,
    JoinSpec,
    SpawnSpec,
    StateSpec,
    TransitionSpec,
    WorkflowSpec,
)
from workflow.errors import suggest

STAR = "*"  # as a source: every non-final state
DEADLINE_KINDS: tuple[DeadlineKind, ...] = ("date", "campaign_date", "days", "working_days")
SPAWN_PER = ("member_unit", "item")
CallKind = Literal["guard", "effect"]

_ABSENT: Any = object()
_registry: ContextVar[Registry] = ContextVar("thidua_definition_registry")


# --- fields -------------------------------------------------------------------------------


_CAMPAIGN_KEY = re.compile(r"^([a-z0-9_]|\{[a-z][a-z0-9_]*\})+$")


class CampaignKey(Field[str]):
    """A campaign date key; `{field}` takes part of it from the item's data, e.g.
    `{period}_report_due` is `six_month_report_due` for a six-month report."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if isinstance(value, str) and _CAMPAIGN_KEY.match(value) and value[0] != "_":
            return value
        raise ma.ValidationError(
            f"expected a snake_case date key, optionally with {{field}} parts, got "
            f"{describe(value)}")


class NameOrNames(Field[tuple[str, ...]]):
    """One state name or a non-empty list of them; with `star`, "*" alone is allowed too."""

    def __init__(self, *, star: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.star = star

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[str, ...]:
        if self.star and value in (STAR, [STAR]):
            return (STAR,)
        if not isinstance(value, list):
            if isinstance(value, str | int | float | bool | dt.date) or value is None:
                return (check_name(value),)
            shown = describe(value)
            raise ma.ValidationError(f"expected a state name or a list of them, got {shown}")
        if not value:
            raise ma.ValidationError("must name at least one state")
        if self.star and STAR in value:
            i = value.index(STAR)
            message = "'*' already means every non-final state; list no other state with it"
            raise ma.ValidationError(cast(dict[str, Any], {i: [message]}))
        return check_names(value)


class Remind(Field[tuple[int, ...]]):
    """Days before the due date to remind; kept sorted, largest first, without repeats."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[int, ...]:
        days = each(check_list(value), lambda v: check_int(v, 1))
        return tuple(sorted(set(days), reverse=True))


class Count(Field[JoinCount]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> JoinCount:
        if value in ("all", "any"):
            return cast(JoinCount, value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise ma.ValidationError(
            f"expected all, any or a whole number of at least 1, got {describe(value)}"
        )


class Calls(Field[tuple[CallSpec, ...]]):
    """Guards or effects: each a registered name, or {name, params}."""

    def __init__(self, kind: CallKind, **kw: Any) -> None:
        super().__init__(**kw)
        self.kind: CallKind = kind

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kw: Any
    ) -> tuple[CallSpec, ...]:
        return each(check_list(value), lambda item: load_call(self.kind, item))


# --- guards and effects -------------------------------------------------------------------


def load_call(kind: CallKind, item: Any) -> CallSpec:
    if isinstance(item, str):
        return resolve_call(kind, item, {}, in_mapping=False)
    if not isinstance(item, Mapping):
        raise ma.ValidationError(
            f"expected a {kind} name or a mapping with name and params, got {describe(item)}"
        )
    errors = unknown_keys(item, ("name", "params"))
    if "name" not in item:
        errors["name"] = [REQUIRED]
    elif not isinstance(item["name"], str):
        errors["name"] = [f"expected a {kind} name, got {describe(item['name'])}"]
    params = item.get("params") or {}
    if not isinstance(params, Mapping):
        errors["params"] = [f"expected a mapping of parameters, got {describe(params)}"]
    if errors:
        raise ma.ValidationError(errors)
    return resolve_call(kind, item["name"], params, in_mapping=True)


def resolve_call(
    kind: CallKind, name: str, params: Mapping[str, Any], in_mapping: bool
) -> CallSpec:
    """Find a guard or effect in the registry and load its parameters with its schema."""
    registry = _registry.get()
    entries = registry.guards if kind == "guard" else registry.effects
    entry = entries.get(name)
    if entry is None:
        hint = suggest(name, entries) or f" (known {kind}s: {', '.join(sorted(entries))})"
        message = f"unknown {kind} '{name}'{hint}"
        raise ma.ValidationError({"name": [message]} if in_mapping else message)
    try:
        loaded = entry.load_params(params)
    except ma.ValidationError as exc:
        messages = param_messages(exc.messages, params, kind, entry)
        raise ma.ValidationError({"params": messages}) from None
    return CallSpec(name, loaded)


def param_messages(
    messages: Any, raw: Any, kind: CallKind, entry: Entry, key: PathKey | None = None
) -> Any:
    """Rewrite an entry schema's messages in this module's style, keeping their shape."""
    if isinstance(messages, dict):
        return {
            k: param_messages(v, raw if k == SCHEMA_KEY else _child(raw, k), kind, entry, k)
            for k, v in messages.items()
        }
    if isinstance(messages, list):
        return [param_messages(m, raw, kind, entry, key) for m in messages]
    text = str(messages)
    if text == "Missing data for required field.":
        return f"missing required parameter '{key}' of {kind} '{entry.name}'"
    if text == "Unknown field.":
        known = [f.data_key or n for n, f in entry.params().load_fields.items()]
        takes = f"takes {', '.join(known)}" if known else "takes no parameters"
        hint = suggest(str(key), known) or f" ({kind} '{entry.name}' {takes})"
        return f"unknown parameter '{key}' of {kind} '{entry.name}'{hint}"
    text = text[:1].lower() + text[1:].rstrip(".")
    return text if raw is _ABSENT else f"{text} (got {describe(raw)})"


def _child(raw: Any, key: PathKey) -> Any:
    if isinstance(raw, Mapping) and key in raw:
        return raw[key]
    if isinstance(raw, list) and isinstance(key, int) and 0 <= key < len(raw):
        return raw[key]
    return _ABSENT


# --- schemas ------------------------------------------------------------------------------


class FieldPath(Field[str]):
    """A field of an item's data, or a dotted path to a nested one (`task.due`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError(f"expected a field name, got {describe(value)}")
        for part in value.split("."):
            check_name(part)
        return value


class DeadlineSchema(ma.Schema):
    date = Date()
    campaign_date = CampaignKey()
    offset_days = Int()
    days = Int(minimum=1)
    working_days = Int(minimum=1)
    remind = Remind(load_default=())
    escalate_to = Name()
    timeout = Name()
    due_field = FieldPath()

    @ma.validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        kinds = [k for k in DEADLINE_KINDS if data.get(k) is not None]
        if len(kinds) != 1:
            found = f"; found {' and '.join(kinds)}" if kinds else ""
            raise ma.ValidationError(f"give exactly one of {', '.join(DEADLINE_KINDS)}{found}")
        errors: dict[str, list[str]] = {}
        if "offset_days" in data and kinds[0] != "campaign_date":
            errors["offset_days"] = ["offset_days only applies to a campaign_date deadline"]
        after = data.get("days") or data.get("working_days")
        early = [d for d in data["remind"] if after is not None and d >= after]
        if early:
            unit = "days" if data.get("days") else "working days"
            errors["remind"] = [
                f"cannot remind {early[0]} days before a deadline that is {after} {unit} "
                "after entering the state"
            ]
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> DeadlineSpec:
        kind = next(k for k in DEADLINE_KINDS if data.get(k) is not None)
        return DeadlineSpec(
            kind=kind,
            date=data.get("date"),
            campaign_date=data.get("campaign_date"),
            offset_days=data.get("offset_days", 0),
            days=data.get("days"),
            working_days=data.get("working_days"),
            remind_days_before=data["remind"],
            escalate_to=data.get("escalate_to"),
            timeout_trigger=data.get("timeout"),
            due_field=data.get("due_field"),
        )


class StateSchema(ma.Schema):
    name = Name(required=True)
    label = Nested(LabelSchema, required=True, expected=LABEL)
    final = Bool(load_default=False)
    tags = Names(load_default=())
    deadline = Nested(DeadlineSchema, load_default=None)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> StateSpec:
        return StateSpec(**data)


class SpawnSchema(ma.Schema):
    workflow = Name(required=True)
    per = Choice(SPAWN_PER, required=True)
    items_field = Name()
    item_key = Name(load_default="item")
    data = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)

    @ma.validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data["per"] == "item" and "items_field" not in data:
            message = "missing required key 'items_field' (needed when per is item)"
            raise ma.ValidationError(message, "items_field")
        if data["per"] != "item" and "items_field" in data:
            raise ma.ValidationError("items_field only applies when per is item", "items_field")

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> SpawnSpec:
        return SpawnSpec(**data)


class JoinSchema(ma.Schema):
    workflow = Name(required=True)
    state = NameOrNames(required=True)
    count = Count(load_default="all")

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> JoinSpec:
        return JoinSpec(data["workflow"], data["state"], data["count"])


class TransitionSchema(ma.Schema):
    trigger = Name(required=True)
    source = NameOrNames(star=True, required=True)
    dest = Name(required=True)
    label = Nested(LabelSchema, required=True, expected=LABEL)
    roles = Names(
        required=True,
        min_length=1,
        empty="must list at least one role (nobody may fire a transition by default)",
        error_messages={"required": "missing required key 'roles' (nobody may fire it otherwise)"},
    )
    guards = Calls("guard", load_default=())
    effects = Calls("effect", load_default=())
    required_fields = Names(load_default=())
    required_documents = Names(load_default=())
    spawn = NestedList(SpawnSchema, load_default=())
    join = Nested(JoinSchema, load_default=None)
    auto = Bool(load_default=False)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> TransitionSpec:
        data["sources"] = data.pop("source")
        return TransitionSpec(**data)


class WorkflowSchema(ma.Schema):
    name = Name(required=True)
    version = Int(minimum=1, load_default=None)
    title = Nested(LabelSchema, required=True, expected=LABEL)
    subject = Name(required=True)
    initial = Name(required=True)
    description = Text(allow_empty=True, load_default="")
    terms = LabelMap(load_default=dict)
    states = NestedList(
        StateSchema, min_length=1, empty="must list at least one state", required=True
    )
    transitions = NestedList(
        TransitionSchema, min_length=1, empty="must list at least one transition", required=True
    )

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> WorkflowSpec:
        open_states = tuple(s.name for s in data["states"] if not s.final)
        data["transitions"] = tuple(
            replace(t, sources=open_states) if t.sources == (STAR,) else t
            for t in data["transitions"]
        )
        return WorkflowSpec(**data)


# --- entry point --------------------------------------------------------------------------


def build_spec(src: Source, registry: Registry) -> WorkflowSpec:
    """Check the shape of a parsed file and build its spec; raises DefinitionErrors."""
    token = _registry.set(registry)
    try:
        spec = load_source(WorkflowSchema, src)
    finally:
        _registry.reset(token)
    assert isinstance(spec, WorkflowSpec)
    return spec
