"""What the benchmarks share: the 10-step lifecycle, the report format, targets and smoke runs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

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


# --- targets and smoke runs ---------------------------------------------------------------------


class Targets:
    """Figures checked against their targets: printed beside them, and in a full run the
    benchmark exits non-zero when one is missed. A smoke run (tiny sizes, to prove the benchmark
    still works) prints them without enforcing any: its sizes say nothing about speed."""

    def __init__(self, smoke: bool) -> None:
        self.smoke = smoke
        self.missed: list[str] = []

    def check(self, what: str, met: bool) -> str:
        """Record one target; returns the words to print after the figure."""
        if self.smoke:
            return "(smoke run: not enforced)"
        if met:
            return "met"
        self.missed.append(what)
        return "MISSED"

    def exit_code(self, name: str) -> int:
        if self.missed:
            print(f"{name}: {len(self.missed)} target(s) missed: {'; '.join(self.missed)}",
                  flush=True)
            return 1
        return 0


def smoke_argument(parser: Any) -> None:
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and one repeat, a few seconds: proves the benchmark "
                        "runs and prints its figures; targets are printed, not enforced")


@contextlib.contextmanager
def own_postgres_database(url: str, tag: str = "smoke") -> Iterator[str]:
    """A database of this process's own on the server of `url`, dropped afterwards.

    Benchmarks drop the public schema of the database they are pointed at, and tests run in
    parallel: a smoke run never uses the database it was given, only its server.
    """
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"thidua_bench_{tag}_{os.getpid()}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
