"""Parse YAML text into plain Python data, remembering the line of every node.

Only the safe loader's composer is used: the text becomes a node tree, and the tree becomes
dicts, lists and scalars (str, int, float, bool, None, date). No tag ever constructs an object.
Every node's 1-based line is recorded under its path, e.g. ("transitions", 7, "dest"), so that
later checks can point a human at the line to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workflow.errors import DefinitionError, DefinitionErrors

PathKey = str | int
YamlPath = tuple[PathKey, ...]

_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "str", "timestamp"))
MAX_NODES = 200_000  # aliases can multiply a small text into a huge tree ("billion laughs")
# Deeper nesting would overflow the composer's stack (libyaml segfaults near 40,000 levels) or
# Python's recursion limit; definition files nest less than 15 levels.
MAX_DEPTH = 100


def format_path(path: Iterable[PathKey]) -> str:
    """("transitions", 7, "dest") -> "transitions[7].dest"."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else key
    return out


def describe(value: Any) -> str:
    """A short human rendering of a YAML value for messages: 'abc', 5, true, a list."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed definition file: its plain data and the line of every path in it."""

    file: str
    data: dict[str, Any]
    lines: Mapping[YamlPath, int]

    def line(self, path: YamlPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that exists (for missing keys)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def get(self, path: YamlPath) -> Any:
        """The raw value at `path`, or None when there is nothing there."""
        node: Any = self.data
        for key in path:
            in_list = isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node)
            in_dict = isinstance(key, str) and isinstance(node, dict) and key in node
            if not (in_list or in_dict):
                return None
            node = node[key]
        return node

    def error(self, path: YamlPath, message: str) -> DefinitionError:
        return DefinitionError(self.file, self.line(path), format_path(path), message)

    def where(self, path: YamlPath) -> str:
        """`path (line n)`, to point from one error at another place of the file."""
        return f"{format_path(path)} (line {self.line(path)})"


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _too_deep(file: str, line: int) -> DefinitionErrors:
    message = f"the document nests deeper than {MAX_DEPTH} levels"
    return DefinitionErrors([DefinitionError(file, line, "", message)])


class _Converter:
    """Turns a composed node tree into plain data, recording lines and collecting errors."""

    def __init__(self, file: str, max_nodes: int = MAX_NODES) -> None:
        self.file = file
        self.max_nodes = max_nodes
        self.lines: dict[YamlPath, int] = {}
        self.errors: list[DefinitionError] = []
        self._scalars = SafeConstructor()
        self._open: set[int] = set()  # ids of collection nodes being converted (alias loops)
        self._count = 0

    def error(self, line: int, path: YamlPath, message: str) -> None:
        self.errors.append(DefinitionError(self.file, line, format_path(path), message))

    def convert(self, node: Node, path: YamlPath, line: int) -> Any:
        self.lines[path] = line
        self._count += 1
        if self._count > self.max_nodes:
            raise _TooLarge
        if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
            raise _TooDeep(line)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._open:
            self.error(line, path, "an alias refers to the node that contains it")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            self.error(line, path, f"unsupported YAML node {type(node).__name__}")
            return None
        finally:
            self._open.discard(id(node))

    def _tag_ok(self, node: Node, path: YamlPath, expected: str) -> bool:
        if node.tag == expected:
            return True
        self.error(_line(node), path, f"unsupported tag '{_tag(node)}'")
        return False

    def _scalar(self, node: ScalarNode, path: YamlPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.error(_line(node), path, f"unsupported tag '{_tag(node)}'")
            return None
        kind = _tag(node).removeprefix("!!")
        try:
            return self._scalars.construct_object(node)
        except (ConstructorError, ValueError) as exc:
            self.error(_line(node), path, f"invalid {kind}: {exc}")
        except (KeyError, IndexError, AttributeError):  # e.g. `!!bool maybe`, `!!int ''`
            self.error(_line(node), path, f"invalid {kind}: {describe(node.value)}")
        return None

    def _sequence(self, node: SequenceNode, path: YamlPath) -> list[Any] | None:
        if not self._tag_ok(node, path, _TAG + "seq"):
            return None
        return [self.convert(item, (*path, i), _line(item)) for i, item in enumerate(node.value)]

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any] | None:
        if not self._tag_ok(node, path, _TAG + "map"):
            return None
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            line = _line(key_node)
            if key in first_line:
                message = f"duplicate key '{key}' (first at line {first_line[key]})"
                self.error(line, (*path, key), message)
                continue
            first_line[key] = line
            out[key] = self.convert(value_node, (*path, key), line)
        return out

    def _key(self, node: Node, path: YamlPath) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _TAG + "merge":
            self.error(_line(node), path, "merge keys ('<<') are not supported; write the keys out")
            return None
        if not isinstance(node, ScalarNode):
            shown = "a collection"
        elif node.tag == _TAG + "str":
            return str(node.value)
        elif node.tag in _SCALAR_TAGS:
            shown = describe(self._scalar(node, path))
        else:
            shown = f"a value tagged '{_tag(node)}'"
        self.error(_line(node), path, f"keys must be text, got {shown} (quote it)")
        return None


def _tag(node: Node) -> str:
    """A tag as written: '!!python/object' rather than 'tag:yaml.org,2002:python/object'."""
    tag = str(node.tag)
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _syntax_error(text: str, file: str, exc: yaml.YAMLError) -> DefinitionError:
    """One error for invalid YAML; the pure-Python parser's wording, whichever parser failed."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as pure:
        exc = pure
    except RecursionError:
        pass
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return DefinitionError(file, None, "", f"invalid YAML: {exc}")
    line = exc.problem_mark.line + 1
    if isinstance(exc, ComposerError) and "another document" in str(exc.problem):
        message = "a definition file holds one YAML document; another one starts here"
        return DefinitionError(file, line, "", f"invalid YAML: {message}")
    message = f"invalid YAML: {exc.problem}"
    start = exc.context_mark.line + 1 if exc.context_mark is not None else line
    if exc.context and start != line:
        message += f" ({exc.context} that starts at line {start})"
    return DefinitionError(file, line, "", message)


# libyaml's emitter when PyYAML has it (as for reading): the pure-Python one takes seconds on a
# long text, a tenth of a second per kilobyte of a single-quoted scalar.
FAST_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(FAST_SAFE_DUMPER):  # type: ignore[valid-type,misc]  # chosen at import
    """SafeDumper that double-quotes text holding U+0085 (NEL).

    With allow_unicode, PyYAML may write NEL raw in a plain, single-quoted or block scalar,
    where YAML reads it as a line break: 'a\x85b' would load back as 'a b'. Double-quoted, it
    is escaped as \\N.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar(_TAG + "str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """Plain data as YAML that `parse` reads back as the same data; keys keep their order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def _depth_line(text: str) -> int | None:
    """The line where the text first nests deeper than MAX_DEPTH, or None.

    Read from the event stream, which keeps no stack, before the composer recurses. libyaml
    may refuse deep nesting itself, with its own words (PyYAML 6.0.4 stops flow collections
    at 1,000 levels): when it fails, the pure-Python parser, which has no such cap, says
    whether our limit was passed first, so the user gets one sentence whatever the version.
    """
    try:
        return _first_too_deep(yaml.parse(text, Loader=_FAST_LOADER))
    except yaml.YAMLError:
        pass
    try:
        return _first_too_deep(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return None  # reported by the composer below


def _first_too_deep(events: Iterable[yaml.Event]) -> int | None:
    depth = 0
    for event in events:
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return int(mark.line) + 1 if mark is not None else 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return None


def parse(text: str, file: str, max_nodes: int = MAX_NODES) -> Source:
    """Parse one definition file; raises DefinitionErrors naming every problem found (a
    document that expands to more than `max_nodes` nodes is one)."""
    deep = _depth_line(text)
    if deep is not None:
        raise _too_deep(file, deep)
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        raise DefinitionErrors([_syntax_error(text, file, exc)]) from None
    if root is None:
        raise DefinitionErrors([DefinitionError(file, 1, "", "the file is empty")])
    converter = _Converter(file, max_nodes)
    try:
        data = converter.convert(root, (), _line(root))
    except _TooLarge:
        message = f"the document expands to more than {max_nodes} nodes"
        raise DefinitionErrors([DefinitionError(file, _line(root), "", message)]) from None
    except _TooDeep as exc:
        raise _too_deep(file, exc.line) from None
    if not isinstance(data, dict) and not converter.errors:
        message = f"expected a mapping at the top level, got {describe(data)}"
        converter.error(_line(root), (), message)
    if converter.errors:
        raise DefinitionErrors(converter.errors)
    assert isinstance(data, dict)
    return Source(file, data, converter.lines)
