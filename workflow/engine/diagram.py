"""Draw a workflow as a Graphviz diagram: DOT text, and SVG through the `dot` program."""

from __future__ import annotations

import shutil
import subprocess

from workflow.engine.spec import StateSpec, TransitionSpec, WorkflowSpec
from workflow.errors import NotFound, WorkflowError

START = "__start__"  # not a valid state name, so it cannot clash with one
CURRENT_FILL = "#fde68a"
RENDER_TIMEOUT = 20.0  # seconds


class DiagramError(WorkflowError):
    """Graphviz could not draw a diagram."""

    code = "diagram_error"


class GraphvizMissing(DiagramError):
    """The Graphviz `dot` program is not installed."""

    code = "graphviz_missing"


def quote(text: str) -> str:
    """A DOT double-quoted string; backslashes, quotes and line breaks are escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def _attrs(**attrs: str) -> str:
    return "[" + ", ".join(f"{key}={quote(value)}" for key, value in attrs.items()) + "]"


def _node(state: StateSpec, current: str | None, locale: str) -> str:
    attrs = {"label": state.label.get(locale), "tooltip": state.name}
    if state.final:
        attrs["peripheries"] = "2"
    if state.name == current:
        attrs.update(style="rounded,filled,bold", fillcolor=CURRENT_FILL, penwidth="2")
    return f"  {quote(state.name)} {_attrs(**attrs)};"


def _edges(t: TransitionSpec, locale: str) -> list[str]:
    label = f"{t.label.get(locale)}\n[{', '.join(t.roles)}]"
    attrs = {"label": label, "tooltip": t.trigger}
    if t.auto:
        attrs["style"] = "dashed"
    return [f"  {quote(s)} -> {quote(t.dest)} {_attrs(**attrs)};" for s in t.sources]


def to_dot(spec: WorkflowSpec, current: str | None = None, locale: str = "vi") -> str:
    """The workflow as DOT: rounded boxes, double border when final, `current` filled."""
    if current is not None and current not in spec.state_names:
        raise NotFound(f"workflow '{spec.name}' has no state '{current}'")
    lines = [
        f"digraph {quote(spec.name)} {{",
        f"  graph {_attrs(label=spec.title.get(locale), labelloc='t', rankdir='LR')};",
        f"  node {_attrs(shape='box', style='rounded', fontname='Helvetica')};",
        f"  edge {_attrs(fontname='Helvetica', fontsize='10')};",
        f"  {quote(START)} {_attrs(shape='point', width='0.15', label='')};",
        f"  {quote(START)} -> {quote(spec.initial)};",
    ]
    lines += [_node(s, current, locale) for s in spec.states]
    lines += [edge for t in spec.transitions for edge in _edges(t, locale)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot: str, timeout: float = RENDER_TIMEOUT) -> bytes:
    """SVG drawn by `dot -Tsvg`; raises GraphvizMissing or DiagramError."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing("Graphviz 'dot' is not installed: apt-get install graphviz")
    try:
        done = subprocess.run(
            [program, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise DiagramError(f"Graphviz 'dot' took longer than {timeout:g} seconds") from None
    except OSError as exc:
        raise GraphvizMissing(f"Graphviz 'dot' could not be started: {exc}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise DiagramError(f"Graphviz 'dot' failed: {reason}")
    return done.stdout
