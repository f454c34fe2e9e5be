"""Reading YAML safely, with the line of every value."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.definitions.yamlsrc import format_path, parse
from workflow.errors import DefinitionErrors

TEXT = """\
# a comment
name: demo
when: 2025-03-31
states:
  - name: draft
    tags: [a, b]
  - {name: done}
"""


def test_values_are_plain_python_with_dates_as_dates() -> None:
    src = parse(TEXT, "demo.yaml")

    assert src.data == {
        "name": "demo",
        "when": dt.date(2025, 3, 31),
        "states": [{"name": "draft", "tags": ["a", "b"]}, {"name": "done"}],
    }


def test_every_path_knows_its_line() -> None:
    src = parse(TEXT, "demo.yaml")

    assert src.line(("name",)) == 2
    assert src.line(("states", 0)) == 5
    assert src.line(("states", 0, "tags", 1)) == 6
    assert src.line(("states", 1, "name")) == 7


def test_a_missing_key_points_at_the_mapping_that_lacks_it() -> None:
    src = parse(TEXT, "demo.yaml")

    assert src.line(("states", 1, "label")) == 7


def test_paths_read_with_dots_and_brackets() -> None:
    path = ("transitions", 7, "guards", 0, "params")

    assert format_path(path) == "transitions[7].guards[0].params"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", ["x.yaml:2 a: duplicate key 'a' (first at line 1)"]),
        ("- 1\n", ["x.yaml:1: expected a mapping at the top level, got a list"]),
        ("# nothing\n", ["x.yaml:1: the file is empty"]),
        ("a: !!python/name:os.system\n", ["x.yaml:1 a: unsupported tag '!!python/name:os.system'"]),
        ("a: !custom 1\n", ["x.yaml:1 a: unsupported tag '!custom'"]),
        ("a: {b: 1}\nc:\n  <<: {b: 2}\n",
         ["x.yaml:3 c: merge keys ('<<') are not supported; write the keys out"]),
        ("a: 1\n---\nb: 2\n",
         ["x.yaml:2: invalid YAML: a definition file holds one YAML document;"
          " another one starts here"]),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused(text: str, expected: list[str]) -> None:
    with pytest.raises(DefinitionErrors) as caught:
        parse(text, "x.yaml")

    assert [str(e) for e in caught.value.errors] == expected


def test_aliases_that_multiply_the_document_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]

    with pytest.raises(DefinitionErrors, match="expands to more than"):
        parse("\n".join(lines) + "\n", "bomb.yaml")
