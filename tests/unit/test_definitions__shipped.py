"""Every definition shipped in definitions/ loads without a single error."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.bootstrap import default_registry
from workflow.definitions.workflow_loader import load_paths

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "definitions").glob("*.yaml"))


def test_there_are_shipped_definitions() -> None:
    assert SHIPPED, "definitions/ holds no *.yaml file"


def test_all_shipped_definitions_load_together() -> None:
    specs = load_paths([ROOT / "definitions"], default_registry(), base=ROOT)

    assert sorted(spec.source_path for spec in specs.values()) == [
        path.relative_to(ROOT).as_posix() for path in SHIPPED
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_definition_loads_with_the_others(path: Path) -> None:
    specs = load_paths([ROOT / "definitions"], default_registry(), base=ROOT)

    loaded = [s for s in specs.values() if s.source_path == f"definitions/{path.name}"]
    assert len(loaded) == 1
    assert loaded[0].states
    assert loaded[0].transitions


def test_subfolders_of_definitions_are_not_loaded(tmp_path: Path) -> None:
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "not_a_workflow.yaml").write_text("items: [1, 2]\n")
    for path in SHIPPED:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")

    specs = load_paths([tmp_path], default_registry(), base=tmp_path)

    assert sorted(s.source_path for s in specs.values()) == [p.name for p in SHIPPED]
