"""A definition text checked once is not parsed again; any change of its text is, and a
broken text keeps failing with the same errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflow.bootstrap import default_registry
from workflow.definitions import yamlsrc
from workflow.definitions.files import CheckedMemo
from workflow.definitions.rulesets_loader import load_ruleset_paths
from workflow.definitions.workflow_loader import load_text
from workflow.errors import DefinitionErrors

ROOT = Path(__file__).resolve().parents[2]


def _counting() -> tuple[CheckedMemo[str], list[str]]:
    parsed: list[str] = []

    def check(src: yamlsrc.Source) -> str:
        parsed.append(src.file)
        if "broken" in src.data:
            raise DefinitionErrors([src.error(("broken",), "this key is refused")])
        return str(src.data["name"])

    return CheckedMemo(check, size=2), parsed


def test_the_same_text_is_checked_once_and_a_changed_text_again() -> None:
    memo, parsed = _counting()
    assert memo("name: a\n", "a.yaml")[1] == "a"
    assert memo("name: a\n", "a.yaml")[1] == "a"
    assert parsed == ["a.yaml"]
    assert memo("name: b\n", "a.yaml")[1] == "b"
    assert memo("name: a\n", "other.yaml")[1] == "a"  # the file's name is in its messages
    assert parsed == ["a.yaml", "a.yaml", "other.yaml"]


def test_a_broken_text_fails_every_time_with_its_line() -> None:
    memo, parsed = _counting()
    for _ in range(2):
        with pytest.raises(DefinitionErrors) as caught:
            memo("name: a\nbroken: 1\n", "a.yaml")
        assert [(e.file, e.line) for e in caught.value.errors] == [("a.yaml", 2)]
    assert parsed == ["a.yaml"]


def test_the_oldest_entries_are_dropped_beyond_the_size() -> None:
    memo, parsed = _counting()
    for name in "abca":
        memo(f"name: {name}\n", "x.yaml")
    assert parsed == ["x.yaml"] * 4  # a was dropped when c came (size 2)


def test_an_edited_rule_set_file_is_read_again(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "definitions" / "rules", tmp_path / "rules")
    first = load_ruleset_paths([tmp_path / "rules"], base=tmp_path)
    assert load_ruleset_paths([tmp_path / "rules"], base=tmp_path) == first
    path = tmp_path / "rules" / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    assert "same_winner_years: 3," in text
    path.write_text(text.replace("same_winner_years: 3,", "same_winner_years: 4,"),
                    encoding="utf-8")
    again = load_ruleset_paths([tmp_path / "rules"], base=tmp_path)
    before, after = (next(s for s in book.sets if s.source_path == "rules/2024.yaml")
                     for book in (first, again))
    assert (before.fairness.same_winner_years, after.fairness.same_winner_years) == (3, 4)

def test_a_workflow_is_checked_against_the_guards_its_registry_holds() -> None:
    text = (ROOT / "definitions" / "report.yaml").read_text(encoding="utf-8")
    full = default_registry()
    assert load_text(text, "report.yaml", full) is load_text(text, "report.yaml",
                                                             default_registry())
    bare = full.copy()
    bare.guards.clear()
    with pytest.raises(DefinitionErrors):  # the same text, without its guards: refused
        load_text(text, "report.yaml", bare)
