"""Imports point inward: the engine and domain never import Flask or the web package."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_workflow_never_imports_flask_or_web() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & {"flask", "web", "flask_login"})
        for p in (ROOT / "workflow").rglob("*.py")
    }

    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_engine_package_imports_transitions() -> None:
    users = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "workflow").rglob("*.py")
        if "transitions" in _imports(p)
    )

    assert users == ["workflow/engine/machine.py"]


def test_the_project_never_reads_the_shared_folder() -> None:
    hits = [
        str(p.relative_to(ROOT)) for folder in ("workflow", "web", "tests", "benchmarks")
        for p in (ROOT / folder).rglob("*.py") if "../shared" in p.read_text(encoding="utf-8")
        and p.name != "test_architecture.py"
    ]

    assert hits == []
