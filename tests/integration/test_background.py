"""The background job: APScheduler runs the tick at once and then every interval; a failing
tick is logged and does not stop the next one."""

from __future__ import annotations

import threading

from workflow.adapters.background import start_background
from workflow.bootstrap import Services


def test_the_first_tick_runs_at_once_and_the_job_keeps_going_after_a_failure() -> None:
    calls: list[int] = []
    twice = threading.Event()

    def tick() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database briefly unavailable")
        twice.set()

    scheduler = start_background(tick, interval_seconds=1)
    try:
        assert twice.wait(timeout=10)
    finally:
        scheduler.shutdown(wait=False)

    assert len(calls) >= 2


def test_only_one_process_sweeps_when_both_tick(services: Services) -> None:
    first = services.tick(holder="web-1")
    second = services.tick(holder="web-2")

    assert first is not None
    assert second is None  # stands by while web-1 holds the lease
