"""Imports point inward: the engine and domain never import Flask or the web package; the
domain is plain Python; the packages of `workflow` import each other without a cycle."""

from __future__ import annotations

import ast
from itertools import pairwise
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


PACKAGES = ("domain", "definitions", "engine", "services", "adapters")


def _is_type_checking(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _modules(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name, at module level or inside a
    function; `from a import b` counts as both `a` and `a.b` (b may be a module). Imports made
    only for the type checker (`if TYPE_CHECKING:`) are left out."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and _is_type_checking(child):
                assert isinstance(child, ast.If)
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def _absolute(path: Path, module: str | None, level: int) -> str:
    """The full name of a module imported as `from .module import ...` by the file at path."""
    if level == 0:
        return module or ""
    package = list(path.resolve().relative_to(ROOT).with_suffix("").parts[:-1])
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "workflow" and parts[1] in PACKAGES:
        return parts[1]
    return None


# Converted to the unit of work on the branch `fire` (which owns them): until it lands they
# still reach the Store and the tables themselves. Remove them from here when it does.
NOT_YET_ON_THE_UNIT_OF_WORK = {"workflow/services/workflows.py", "workflow/services/documents.py"}


def _package_graph() -> dict[str, dict[str, set[str]]]:
    """Package -> package it imports -> the files that import it."""
    graph: dict[str, dict[str, set[str]]] = {p: {} for p in PACKAGES}
    for package in PACKAGES:
        for path in (ROOT / "workflow" / package).rglob("*.py"):
            for module in _modules(path):
                target = _package_of(module)
                name = str(path.relative_to(ROOT))
                if target == "adapters" and name in NOT_YET_ON_THE_UNIT_OF_WORK:
                    continue  # the adapters implement the ports; these two still lag behind
                if target is not None and target != package:
                    graph[package].setdefault(target, set()).add(name)
    return graph


def _cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Every elementary cycle, each once, starting from its smallest name."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt == start:
                found.append([*path, start])
            elif nxt > start and nxt not in path:
                walk(start, nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


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


def test_the_domain_is_plain_python() -> None:
    """No loader, no schema library, no engine: the domain is data and rules in plain Python."""
    banned = ("workflow.engine", "workflow.definitions", "yaml", "marshmallow")
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _modules(p) if any(m == b or m.startswith(b + ".") for b in banned)
        )
        for p in (ROOT / "workflow" / "domain").rglob("*.py")
    }

    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_packages_import_each_other_without_a_cycle() -> None:
    graph = _package_graph()
    assert "domain" in graph["engine"]  # the scan sees imports at all (the engine uses roles)
    cycles = [
        " -> ".join(cycle) + ": " + "; ".join(
            f"{a} -> {b} in {', '.join(sorted(graph[a][b]))}" for a, b in pairwise(cycle)
        )
        for cycle in _cycles(graph)
    ]

    assert cycles == []


def _banned_imports(folder: Path, banned: tuple[str, ...]) -> dict[str, list[str]]:
    """File -> the banned modules (or modules inside them) it imports, for every file that
    imports one."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _modules(p) if any(m == b or m.startswith(b + ".") for b in banned)
        )
        for p in folder.rglob("*.py")
    }
    return {k: v for k, v in offenders.items() if v}


def test_the_web_layer_imports_neither_sqlalchemy_nor_the_adapters() -> None:
    """Pages ask the services and the read side (services().reads); only adapters touch SQL."""
    assert _banned_imports(ROOT / "web", ("sqlalchemy", "workflow.adapters")) == {}


def test_the_domain_imports_no_database_and_no_outer_layer() -> None:
    """The domain's records are built by the adapters and read by the services, never the
    other way round."""
    banned = ("sqlalchemy", "psycopg", "workflow.adapters", "workflow.services",
              "workflow.bootstrap", "workflow.cli")

    assert _banned_imports(ROOT / "workflow" / "domain", banned) == {}


def _top_of(module: str) -> str | None:
    """`web`, or `workflow.<package or module>` for a module of ours; None for the others."""
    parts = module.split(".")
    if parts[0] == "web":
        return "web"
    if parts[0] == "workflow" and len(parts) >= 2:
        return f"workflow.{parts[1]}"
    return None  # a library, or the bare `workflow` package (its __init__ is empty)


def _top_graph() -> dict[str, dict[str, set[str]]]:
    """web and each package or module directly under workflow -> what it imports of the
    others -> the files that import it."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in [*(ROOT / "web").rglob("*.py"), *(ROOT / "workflow").rglob("*.py")]:
        source = _top_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if source is None:
            continue
        edges = graph.setdefault(source, {})
        for module in _modules(path):
            target = _top_of(module)
            if target is not None and target != source:
                edges.setdefault(target, set()).add(str(path.relative_to(ROOT)))
    for edges in list(graph.values()):
        for target in edges:
            graph.setdefault(target, {})
    return graph


def test_the_web_layer_and_the_workflow_packages_import_each_other_without_a_cycle() -> None:
    graph = _top_graph()
    assert "workflow.services" in graph["web"]  # the scan sees the web layer's imports
    assert "workflow.adapters" in graph["workflow.bootstrap"]
    cycles = [
        " -> ".join(cycle) + ": " + "; ".join(
            f"{a} -> {b} in {', '.join(sorted(graph[a][b]))}" for a, b in pairwise(cycle)
        )
        for cycle in _cycles(graph)
    ]

    assert cycles == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph: dict[str, dict[str, set[str]]] = {
        "a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {"a": {"z"}, "d": {"w"}}, "d": {}
    }

    assert _cycles(graph) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b": {"x"}}, "b": {}}) == []


def test_module_imports_count_inside_functions_but_not_for_the_type_checker(
    tmp_path: Path,
) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import workflow.services.x\n"
        "if TYPE_CHECKING:\n    from workflow.adapters import store\n"
        "else:\n    import yaml\n"
        "def f():\n    from workflow.engine import builtins\n",
        encoding="utf-8",
    )

    assert _modules(source) == {
        "typing", "typing.TYPE_CHECKING", "workflow.services.x", "yaml",
        "workflow.engine", "workflow.engine.builtins",
    }


def test_the_registry_does_not_import_its_plug_ins() -> None:
    """The built-in guards and effects are added by the composition root, not by the engine."""
    imported = _modules(ROOT / "workflow" / "engine" / "registry.py")

    assert sorted(m for m in imported if "builtins" in m.split(".")) == []


def test_the_machine_imports_no_plug_in() -> None:
    imported = _modules(ROOT / "workflow" / "engine" / "machine.py")

    assert sorted(m for m in imported if "builtins" in m.split(".")) == []



def _services_importing(prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    found = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _modules(p) if any(m == b or m.startswith(b + ".") for b in prefixes)
        )
        for p in (ROOT / "workflow" / "services").rglob("*.py")
    }
    return {k: v for k, v in found.items() if v and k not in NOT_YET_ON_THE_UNIT_OF_WORK}


def test_the_use_cases_never_import_sqlalchemy() -> None:
    """Only the adapters (and the composition root) touch SQL; a use case takes a unit of
    work (workflow/services/ports.py)."""
    assert _services_importing(("sqlalchemy",)) == {}


def test_the_use_cases_never_import_the_adapters() -> None:
    """The adapters implement the ports of services/; only bootstrap.py wires them in."""
    assert _services_importing(("workflow.adapters",)) == {}
