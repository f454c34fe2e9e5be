"""What the benchmarks share: the 10-step lifecycle and the report format."""

from __future__ import annotations

STEPS = 10


def lifecycle_yaml(steps: int = STEPS) -> str:
    """A definition with `steps` transitions in a row, each with one guard."""
    states = "\n".join(
        f"  - {{name: s{i}, label: {{vi: Bước {i}, en: Step {i}}}"
        + (", final: true}" if i == steps else "}")
        for i in range(steps + 1)
    )
    transitions = "\n".join(
        f"  - trigger: step{i}\n    source: s{i - 1}\n    dest: s{i}\n"
        f"    label: {{vi: Bước {i}, en: Step {i}}}\n    roles: [unit_officer]\n"
        "    guards:\n      - {name: data_equals, params: {field: kind, value: bench}}"
        for i in range(1, steps + 1)
    )
    return (
        "name: lifecycle\ntitle: {vi: Vòng đời thử, en: Benchmark lifecycle}\nsubject: unit\n"
        f"initial: s0\nstates:\n{states}\ntransitions:\n{transitions}\n"
    )


def report_line(label: str, rate: float, baseline: float) -> str:
    return f"  {label:52} {rate:>10,.0f} transitions/s   x{rate / baseline:.2f} of baseline"
