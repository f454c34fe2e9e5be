"""The toolkit every definition loader builds its marshmallow schemas with.

Checks of single values, fields and the loading of objects and whole files. Every field reports
in plain English and names the bad value; unknown keys are reported with the closest known key;
`load_source` turns marshmallow's messages into DefinitionErrors located at their lines.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import marshmallow as ma
from marshmallow import types as ma_types

from workflow.definitions.yamlsrc import Source, YamlPath, describe
from workflow.domain.labels import Label
from workflow.errors import DefinitionErrors, suggest

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
REQUIRED = "missing required key"  # completed with the key's name by `flatten`
LABEL = "a label like {vi: Dự thảo, en: Draft}"
SCHEMA_KEY = "_schema"  # where marshmallow keeps the messages of a whole object
T = TypeVar("T")

Problem = tuple[YamlPath, str]


# --- checks of single values --------------------------------------------------------------


def check_name(value: Any) -> str:
    if isinstance(value, str) and IDENTIFIER.match(value):
        return value
    raise ma.ValidationError(f"expected a snake_case name, got {describe(value)}")


def check_int(value: Any, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ma.ValidationError(f"expected a whole number, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise ma.ValidationError(f"must be at least {minimum}, got {value}")
    return value


def check_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ma.ValidationError(f"expected a list, got {describe(value)}")
    return value


def each(items: Sequence[Any], load: Callable[[Any], T]) -> tuple[T, ...]:
    """Load every item; errors are collected under the item's index."""
    out: list[T] = []
    errors: dict[int, Any] = {}
    for i, item in enumerate(items):
        try:
            out.append(load(item))
        except ma.ValidationError as exc:
            errors[i] = exc.messages
    if errors:
        raise ma.ValidationError(cast(dict[str, Any], errors))
    return tuple(out)


def check_names(items: list[Any]) -> tuple[str, ...]:
    """A list of snake_case names, none listed twice."""
    names = each(items, check_name)
    seen: set[str] = set()
    errors: dict[int, list[str]] = {}
    for i, name in enumerate(names):
        if name in seen:
            errors[i] = [f"'{name}' is listed twice"]
        seen.add(name)
    if errors:
        raise ma.ValidationError(cast(dict[str, Any], errors))
    return names


# --- fields -------------------------------------------------------------------------------


class Field(ma.fields.Field[T]):
    """Base of the fields below: their standard messages in plain English."""

    default_error_messages: ma_types.ErrorMessages = {
        "required": REQUIRED,
        "null": "has no value",
        "validator_failed": "invalid value",
    }


class Name(Field[str]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        return check_name(value)


class Text(Field[str]):
    def __init__(self, *, allow_empty: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.allow_empty = allow_empty

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError(f"expected text, got {describe(value)}")
        if not self.allow_empty and not value.strip():
            raise ma.ValidationError("must not be empty")
        return value


class Int(Field[int]):
    def __init__(self, *, minimum: int | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        return check_int(value, self.minimum)


class Bool(Field[bool]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        if not isinstance(value, bool):
            raise ma.ValidationError(f"expected true or false, got {describe(value)}")
        return value


class Choice(Field[str]):
    def __init__(self, choices: Sequence[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.choices = tuple(choices)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if isinstance(value, str) and value in self.choices:
            return value
        hint = suggest(value, self.choices) if isinstance(value, str) else ""
        raise ma.ValidationError(
            f"expected {' or '.join(self.choices)}, got {describe(value)}{hint}"
        )


class Date(Field[dt.date]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ma.ValidationError(f"expected a date like 2025-12-31, got {describe(value)}")


class Names(Field[tuple[str, ...]]):
    """A list of snake_case names; `empty` is the message when fewer than `min_length`."""

    def __init__(self, *, min_length: int = 0, empty: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.min_length = min_length
        self.empty = empty or f"must list at least {min_length}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[str, ...]:
        items = check_list(value)
        if len(items) < self.min_length:
            raise ma.ValidationError(self.empty)
        return check_names(items)


class Nested(Field[Any]):
    def __init__(self, schema: type[ma.Schema], *, expected: str = "a mapping", **kw: Any) -> None:
        super().__init__(**kw)
        self.schema = schema
        self.expected = expected

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        return load_object(self.schema, value, self.expected)


class NestedList(Field[tuple[Any, ...]]):
    def __init__(
        self, schema: type[ma.Schema], *, min_length: int = 0, empty: str = "", **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.schema = schema
        self.min_length = min_length
        self.empty = empty or f"must list at least {min_length}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[Any, ...]:
        items = check_list(value)
        if len(items) < self.min_length:
            raise ma.ValidationError(self.empty)
        return each(items, lambda item: load_object(self.schema, item))


class LabelMap(Field[dict[str, Any]]):
    """A mapping of snake_case names to labels: what a definition calls its fields and
    documents in words (`terms: {signed_pledge: {vi: Bản giao ước đã ký, en: Signed pledge}}`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise ma.ValidationError(
                f"expected a mapping of names to labels, got {describe(value)}")
        out: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for key, label in value.items():
            try:
                out[check_name(key)] = load_object(LabelSchema, label, LABEL)
            except ma.ValidationError as exc:
                errors[str(key)] = exc.messages
        if errors:
            raise ma.ValidationError(errors)
        return out


# --- objects ------------------------------------------------------------------------------


def unknown_keys(value: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    """An error for every key not in `known`, with the closest known key as a hint."""
    errors: dict[str, Any] = {}
    for key in value:
        if key not in known:
            hint = suggest(str(key), known) or f" (allowed keys: {', '.join(known)})"
            errors[key] = [f"unknown key '{key}'{hint}"]
    return errors


_schemas = threading.local()


def _prepared(schema_cls: type[ma.Schema]) -> tuple[ma.Schema, Sequence[str]]:
    """A schema instance and its keys, made once per class and thread: making one copies every
    declared field, which was 40% of the time to load a definition (a definition nests some 70
    objects). Loading keeps no state in the instance; a thread of its own costs nothing."""
    made: dict[type[ma.Schema], tuple[ma.Schema, Sequence[str]]]
    made = _schemas.__dict__.setdefault("made", {})
    found = made.get(schema_cls)
    if found is None:
        schema = schema_cls()
        keys = tuple(field.data_key or name for name, field in schema.load_fields.items())
        found = made[schema_cls] = (schema, keys)
    return found


def load_object(schema_cls: type[ma.Schema], value: Any, expected: str = "a mapping") -> Any:
    """Load a mapping with a schema; unknown keys are errors, collected with all the others."""
    if not isinstance(value, Mapping):
        raise ma.ValidationError(f"expected {expected}, got {describe(value)}")
    schema, known = _prepared(schema_cls)
    errors = unknown_keys(value, known)
    try:
        result = schema.load(value, unknown=ma.EXCLUDE)
    except ma.ValidationError as exc:
        errors.update(cast(dict[str, Any], exc.messages))
    if errors:
        raise ma.ValidationError(errors)
    return result


def load_source(schema_cls: type[ma.Schema], src: Source) -> Any:
    """Load a parsed file with a schema; every problem becomes a DefinitionError at its line."""
    try:
        return load_object(schema_cls, src.data)
    except ma.ValidationError as exc:
        problems = flatten(exc.messages)
        raise DefinitionErrors(src.error(path, message) for path, message in problems) from None


class LabelSchema(ma.Schema):
    vi = Text(required=True)
    en = Text(required=True)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Label:
        return Label(**data)


def flatten(messages: Any, path: YamlPath = ()) -> list[Problem]:
    """Marshmallow's nested messages as (path, message) pairs."""
    if isinstance(messages, dict):
        out: list[Problem] = []
        for key, value in messages.items():
            out += flatten(value, path if key == SCHEMA_KEY else (*path, key))
        return out
    if isinstance(messages, list | tuple):
        return [problem for m in messages for problem in flatten(m, path)]
    text = str(messages)
    if text == REQUIRED and path:
        text = f"missing required key '{path[-1]}'"
    return [(path, text)]


