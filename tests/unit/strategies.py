"""Hypothesis strategies and checks shared by the property tests of the YAML loaders.

`yaml_text(data)` writes plain data as YAML in a random but equivalent style (block or flow
collections, plain or quoted scalars, comments, indents of 2 or 4), so that the loaders are
tested on text written by hand as well as on text written by yaml.safe_dump. Its top level is
always a block mapping, and every scalar sits on one line.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import yaml
from hypothesis import strategies as st
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from workflow.definitions.yamlsrc import FAST_SAFE_DUMPER, format_path
from workflow.errors import DefinitionErrors

T = TypeVar("T")
Path = tuple[str | int, ...]

UNKNOWN_KEY = "zz_unknown_key"
UNKNOWN_NAME = "zz_nowhere"

# --- values -------------------------------------------------------------------------------

LOWER = "abcdefghijklmnopqrstuvwxyz"
names = st.builds(  # snake_case, like r"[a-z][a-z0-9_]{0,10}" but cheaper to draw
    str.__add__, st.sampled_from(LOWER), st.text(alphabet=LOWER + "0123456789_", max_size=10)
)
VIETNAMESE = "ĐđƯưƠơÂâĂăÊêÔôáàảãạếềểễệốồổỗộứừửữựíìỉĩịýỳỷỹỵ Hồsơđềnghịkhenthưởng"
texts = st.one_of(
    st.text(alphabet=VIETNAMESE, min_size=1, max_size=30),
    st.text(min_size=1, max_size=20),
).filter(lambda s: bool(s.strip()))
labels = st.fixed_dictionaries({"vi": texts, "en": texts})
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    dates,
)
plain_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)
    ),
    max_leaves=6,
)
# anything YAML can hold, with keys a definition file must refuse (numbers, null, dates)
any_keys = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none(), dates)
any_yaml = st.recursive(
    st.one_of(
        scalars,
        st.floats(),
        st.datetimes(min_value=dt.datetime(1900, 1, 1)),
        st.binary(max_size=8),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_keys, inner, max_size=4)
    ),
    max_leaves=12,
)

# Pieces of YAML syntax, glued together at random: tags, anchors, aliases, indicators, breaks.
FRAGMENTS = (
    "name", "states", "transitions", "groups", "titles", "value", ": ", ":", "- ", "-", "? ",
    "[", "]", "{", "}", ", ", "\n", "\n  ", "\n    ", "\t", " ", "#", "&a ", "*a", "&b ",
    "*b", "<<: ", "!!bool ", "!!int ", "!!float ", "!!timestamp ", "!!null ", "!!str ",
    "!!map ", "!!seq ", "!!binary ", "!!python/object:os.system ", "!x ", "'", '"', "''",
    "|", ">", "|-\n  ", "---", "...", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "yes", "no",
    "~", "null", ".inf", ".nan", "0x", "0o7", "0b", "1_0", "1:30", "2025-13-45", "2025-01-01",
    "2025-01-01 10:00:00", "-1", "1.5", "1e3", "abc", "ạ", "\ufeff", "\x85", "\u2028", "\x00",
    "\\", "\\x", "%",
)
yaml_fragments = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)

# --- writing YAML -------------------------------------------------------------------------

_RESOLVER = Resolver()
_PLAIN = re.compile(r"[^\W\d_]\w*(?: \w+)*")


def _printable(c: str) -> bool:
    """Characters that may stand unescaped in a one-line quoted YAML scalar."""
    o = ord(c)
    return (
        0x20 <= o <= 0x7E
        or (0xA0 <= o <= 0xD7FF and c not in "\u2028\u2029")
        or (0xE000 <= o <= 0xFFFD and c != "\ufeff")
        or o >= 0x10000
    )


def _double_quoted(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif _printable(c):
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def _resolves_to_str(s: str) -> bool:
    return _RESOLVER.resolve(ScalarNode, s, (True, False)) == "tag:yaml.org,2002:str"


class _Writer:
    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw
        self.step = draw(st.sampled_from((2, 4)))

    def scalar(self, value: Any) -> str:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if value is None:
            return self.draw(st.sampled_from(("null", "~")))
        text = yaml.safe_dump(value, default_flow_style=True)
        return text.split("\n", 1)[0]

    def string(self, s: str) -> str:
        styles = ["double"]
        if _PLAIN.fullmatch(s) and _resolves_to_str(s):
            styles.append("plain")
        if all(_printable(c) for c in s):
            styles.append("single")
        style = self.draw(st.sampled_from(styles))
        if style == "plain":
            return s
        if style == "single":
            return "'" + s.replace("'", "''") + "'"
        return _double_quoted(s)

    def inline(self, value: Any) -> str:
        if isinstance(value, dict):
            items = (f"{self.scalar(k)}: {self.inline(v)}" for k, v in value.items())
            return "{" + ", ".join(items) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.inline(v) for v in value) + "]"
        return self.scalar(value)

    def comment(self) -> str:
        return self.draw(st.sampled_from(("", "", "", "  # note", " # ghi chú: x: [y]")))

    def lines(self, value: Any, indent: int) -> list[str] | None:
        """Block lines for a non-empty collection, or None to write it inline."""
        if not isinstance(value, dict | list) or not value:
            return None
        if self.draw(st.integers(0, 3)) == 0:
            return None
        pad = " " * indent
        out: list[str] = []
        if isinstance(value, dict):
            keys = self.draw(st.permutations(list(value)))
            for key in keys:
                head = f"{pad}{self.scalar(key)}:"
                child_indent = indent + self.step
                if isinstance(value[key], list) and self.draw(st.booleans()):
                    child_indent = indent  # "key:\n- item" is fine in a mapping
                child = self.lines(value[key], child_indent)
                if child is None:
                    out.append(f"{head} {self.inline(value[key])}{self.comment()}")
                else:
                    out += [head + self.comment(), *child]
            return out
        for item in value:
            child = self.lines(item, indent + 2)
            if child is None:
                out.append(f"{pad}- {self.inline(item)}{self.comment()}")
            else:
                out += [f"{pad}- {child[0][indent + 2:]}", *child[1:]]
        return out

    def document(self, data: dict[str, Any]) -> str:
        out = self.draw(st.sampled_from(([], ["# a definition"], ["---"])))
        keys = self.draw(st.permutations(list(data)))
        for key in keys:
            child = self.lines(data[key], self.step)
            if child is None:
                out.append(f"{self.scalar(key)}: {self.inline(data[key])}{self.comment()}")
            else:
                out += [f"{self.scalar(key)}:", *child]
            if self.draw(st.integers(0, 5)) == 0:
                out.append(self.draw(st.sampled_from(("", "# --- ---", "   "))))
        return "\n".join(out) + "\n"


@st.composite
def yaml_text(draw: Callable[[st.SearchStrategy[Any]], Any], data: dict[str, Any]) -> str:
    """`data` written as YAML in a random style; it loads back as `data`."""
    return _Writer(draw).document(data)


# --- editing plain data -------------------------------------------------------------------


def walk(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every node of plain data with its path, the root first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, (*path, i))


def get(data: Any, path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


def replaced(data: T, path: Path, value: Any) -> T:
    out = copy.deepcopy(data)
    get(out, path[:-1])[path[-1]] = value
    return out


def deleted(data: T, path: Path) -> T:
    out = copy.deepcopy(data)
    del get(out, path[:-1])[path[-1]]
    return out


def under(error_path: str, path: Path) -> bool:
    """Whether an error's path is `path` or inside it."""
    shown = format_path(path)
    return error_path == shown or error_path.startswith((shown + ".", shown + "["))


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break


def line_of(text: str, needle: str) -> int:
    """The 1-based line, as YAML counts lines, of the only occurrence of `needle`."""
    assert text.count(needle) == 1, needle
    return len(_BREAK.findall(text[: text.index(needle)])) + 1


def line_at(text: str, path: Path) -> int:
    """The line a person looks at for `path`: its key's line in a mapping, its own in a list.

    Found with PyYAML's composer, apart from the loaders' own bookkeeping of lines.
    """
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = node.start_mark.line + 1
    for key in path:
        if isinstance(key, int):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            key_node, node = next((k, v) for k, v in node.value if k.value == key)
            line = key_node.start_mark.line + 1
    return int(line)


# --- checking errors ----------------------------------------------------------------------


def assert_located(exc: DefinitionErrors, file: str, text: str) -> None:
    """Every error names the file, a line of the text (or is a file-level syntax error) and
    says something."""
    assert exc.errors, "DefinitionErrors without errors"
    last = len(text.splitlines()) + 1
    for error in exc.errors:
        assert error.file == file, error
        assert error.message.strip(), error
        if error.line is None:
            assert error.message.startswith("invalid YAML"), error
        else:
            assert 1 <= error.line <= last, (error, last)
        assert str(error)


def outcome(load: Callable[[str, str], T], text: str, file: str) -> T | DefinitionErrors:
    """What loading gives: the loaded value, or DefinitionErrors checked to be located.

    Any other exception propagates and fails the test.
    """
    try:
        return load(text, file)
    except DefinitionErrors as exc:
        assert_located(exc, file, text)
        return exc


def refused(load: Callable[[str, str], Any], text: str, file: str) -> DefinitionErrors:
    """The located DefinitionErrors that loading `text` must raise."""
    result = outcome(load, text, file)
    assert isinstance(result, DefinitionErrors), f"loaded without errors:\n{text}"
    return result


_DEEP = "zz_deep_placeholder"


def dumped_with_deep_node(data: dict[str, Any], path: Path, depth: int) -> str:
    """`data` as YAML with the node at `path` nested `depth` levels deep ([{k: [...]}]).

    Written as flow text, since yaml.safe_dump itself recurses too deep for large depths.
    """
    text = yaml.safe_dump(replaced(data, path, _DEEP), allow_unicode=True, sort_keys=False)
    opening = "".join("[" if i % 2 else "{k: " for i in range(depth))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(depth)))
    return text.replace(_DEEP, opening + "1" + closing)


def with_garbage(data: st.DataObject, text: str) -> str:
    """The text with up to 20 random bytes (read as Latin-1 characters) spliced in anywhere."""
    at = data.draw(st.integers(0, len(text)))
    garbage = data.draw(st.binary(min_size=1, max_size=20)).decode("latin-1")
    return text[:at] + garbage + text[at:]


def safe_dump(data: Any, **options: Any) -> str:
    """yaml.safe_dump through libyaml's emitter (PyYAML's own takes seconds on long texts):
    the text a tool or a person would write, for the loaders to read."""
    return str(yaml.dump(data, Dumper=FAST_SAFE_DUMPER, **options))
