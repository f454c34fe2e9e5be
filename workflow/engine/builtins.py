"""Built-in guards and effects that any definition may name.

A plug-in of the engine: the composition root (`workflow.bootstrap.default_registry`) adds
`REGISTRY` to the registry the definitions are loaded with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from workflow.domain.refusals import Ref, Refusal, refs
from workflow.engine.joins import join_refusal
from workflow.engine.registry import CallContext, Registry

REGISTRY = Registry()

_identifier = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="must be a snake_case name")


def _names() -> fields.List[str]:
    return fields.List(
        fields.String(validate=_identifier), required=True, validate=validate.Length(min=1)
    )


class FieldsParams(ma.Schema):
    # Shadows Schema.fields on the class only for mypy; marshmallow keeps declared fields apart.
    fields = _names()  # type: ignore[assignment]


class FieldValueParams(ma.Schema):
    field = fields.String(required=True, validate=_identifier)
    value = fields.Raw(required=True, allow_none=True)


class FieldParams(ma.Schema):
    field = fields.String(required=True, validate=_identifier)


class KindsParams(ma.Schema):
    kinds = _names()


class ChildrenParams(ma.Schema):
    workflow = fields.String(required=True, validate=_identifier)
    states = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    count = fields.Raw(load_default="all")

    @ma.validates("count")
    def _count(self, value: Any, **_: Any) -> None:
        if value in ("all", "any"):
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ma.ValidationError("must be 'all', 'any' or a whole number of at least 1")


class TextParams(ma.Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))


# --- guards -------------------------------------------------------------------------------


@REGISTRY.guard("not_own_unit")
def not_own_unit(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Refuse an actor who belongs to the item's own unit (separation of duties)."""
    unit = ctx.instance.unit_id
    if unit is None:
        return None
    own = any(g.unit_id == unit for g in ctx.actor.grants)
    if not own:
        return None
    return Refusal("own_unit", {"user": Ref("user", ctx.actor.username), "unit": Ref("unit", unit)})


@REGISTRY.guard("data_present", FieldsParams)
def data_present(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Pass when every named field of the item's data is filled in."""
    missing = [f for f in params["fields"] if ctx.instance.data.get(f) in (None, "", [], {})]
    return Refusal("data_missing", {"fields": refs("term", missing)}) if missing else None


@REGISTRY.guard("data_equals", FieldValueParams)
def data_equals(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Pass when a field of the item's data holds the given value."""
    actual = ctx.instance.data.get(params["field"])
    if actual == params["value"]:
        return None
    return Refusal("data_not_equal", {"field": Ref("term", params["field"]),
                                      "actual": repr(actual), "expected": repr(params["value"])})


@REGISTRY.guard("documents_present", KindsParams)
def documents_present(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Pass when documents of every named kind are attached to the item."""
    have = ctx.query.document_kinds(ctx.instance.id)
    missing = [k for k in params["kinds"] if k not in have]
    return Refusal("documents_missing", {"documents": refs("term", missing)}) if missing else None


@REGISTRY.guard("children_in_state", ChildrenParams)
def children_in_state(ctx: CallContext, params: Mapping[str, Any]) -> Refusal | None:
    """Pass when all, any or k children of a workflow are in one of the given states."""
    states = ctx.query.child_states(ctx.instance.id, params["workflow"])
    return join_refusal(states, params["workflow"], params["states"], params["count"])


# --- effects ------------------------------------------------------------------------------


@REGISTRY.effect("set_data", FieldValueParams)
def set_data(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Set a field of the item's data to a fixed value."""
    ctx.instance.data[params["field"]] = params["value"]


@REGISTRY.effect("copy_payload", FieldsParams)
def copy_payload(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Copy the named fields of the request into the item's data."""
    for name in params["fields"]:
        if name in ctx.payload:
            ctx.instance.data[name] = ctx.payload[name]


@REGISTRY.effect("record_time", FieldParams)
def record_time(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Store the time of this step in a field of the item's data."""
    ctx.instance.data[params["field"]] = ctx.now.isoformat()


@REGISTRY.effect("increment", FieldParams)
def increment(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Add one to a counter in the item's data (e.g. how many times it was returned)."""
    ctx.instance.data[params["field"]] = int(ctx.instance.data.get(params["field"]) or 0) + 1


@REGISTRY.effect("note", TextParams)
def note(ctx: CallContext, params: Mapping[str, Any]) -> None:
    """Write a fixed note into the history entry of this step."""
    ctx.notes.append(params["text"])
