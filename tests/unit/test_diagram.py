"""Workflow diagrams: DOT text that names every state, and SVG drawn by Graphviz."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflow.bootstrap import default_registry
from workflow.definitions.workflow_loader import load_paths, load_text
from workflow.engine.diagram import DiagramError, GraphvizMissing, render_svg, to_dot
from workflow.errors import NotFound, WorkflowError

ROOT = Path(__file__).resolve().parents[2]
SPECS = load_paths([ROOT / "definitions"], default_registry(), base=ROOT)
PLEDGE = SPECS["pledge"]
HAS_DOT = shutil.which("dot") is not None


def _node_line(dot: str, state: str) -> str:
    return next(line for line in dot.splitlines() if line.strip().startswith(f'"{state}" ['))


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_dot_names_every_state_in_the_locale(locale: str) -> None:
    dot = to_dot(PLEDGE, locale=locale)

    for state in PLEDGE.states:
        assert f'label="{state.label.get(locale)}"' in _node_line(dot, state.name)


def test_the_current_state_is_filled_and_no_other() -> None:
    dot = to_dot(PLEDGE, current="submitted")

    assert "filled" in _node_line(dot, "submitted")
    assert "fillcolor" in _node_line(dot, "submitted")
    others = [s.name for s in PLEDGE.states if s.name != "submitted"]
    assert all("filled" not in _node_line(dot, name) for name in others)


def test_final_states_have_a_double_border_and_the_initial_an_entry_point() -> None:
    dot = to_dot(SPECS["report"])

    assert 'peripheries="2"' in _node_line(dot, "accepted")
    assert "peripheries" not in _node_line(dot, "due")
    assert '"__start__" -> "due";' in dot


def test_edges_carry_the_step_label_and_its_roles() -> None:
    dot = to_dot(PLEDGE, locale="en")

    assert '"submitted" -> "accepted" [label="Accept\\n[cluster_leader, cluster_deputy]"' in dot
    assert dot.count('"draft" -> "submitted"') == 1


def test_a_state_that_does_not_exist_cannot_be_highlighted() -> None:
    with pytest.raises(NotFound, match="workflow 'pledge' has no state 'nowhere'"):
        to_dot(PLEDGE, current="nowhere")


def test_quotes_and_backslashes_in_labels_cannot_break_out_of_the_string() -> None:
    text = (ROOT / "tests/data/broken/join/pledge.yaml").read_text(encoding="utf-8")
    text = text.replace("{vi: Ký, en: Sign}", """{vi: 'Ký "x"] -> evil [\\', en: Sign}""")
    spec = load_text(text, "q.yaml", default_registry())

    dot = to_dot(spec)

    assert 'label="Ký \\"x\\"] -> evil [\\\\\\n[unit_head]"' in dot


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
def test_svg_is_drawn_with_every_label() -> None:
    svg = render_svg(to_dot(PLEDGE, current="accepted")).decode("utf-8")

    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    for state in PLEDGE.states:
        assert state.label.vi in svg


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
def test_invalid_dot_is_reported_with_graphvizs_reason() -> None:
    with pytest.raises(DiagramError, match="Graphviz 'dot' failed: .*syntax error"):
        render_svg("digraph { -> }")


def test_a_missing_dot_program_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)

    with pytest.raises(GraphvizMissing) as caught:
        render_svg(to_dot(PLEDGE))

    assert str(caught.value) == "Graphviz 'dot' is not installed: apt-get install graphviz"
    assert isinstance(caught.value, WorkflowError)
