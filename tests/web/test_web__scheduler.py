"""The app started with its scheduler runs the background job (lead, sweep, deliver) at once."""

from __future__ import annotations

import threading

import pytest

from web import create_app
from workflow.bootstrap import Services
from workflow.services.scheduler import SweepReport


def test_the_app_started_with_its_scheduler_sweeps_at_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    holders: list[str | None] = []
    reports: list[SweepReport | None] = []
    ticked = threading.Event()
    tick = Services.tick

    def recorded(self: Services, holder: str | None = None) -> SweepReport | None:
        holders.append(holder)
        reports.append(tick(self, holder))
        ticked.set()
        return reports[-1]

    monkeypatch.setattr(Services, "tick", recorded)
    app = create_app(services=services, testing=True, start_scheduler=True)
    try:
        assert ticked.wait(timeout=10)
    finally:
        app.extensions["thidua_scheduler"].shutdown(wait=True)

    assert holders[0] is None  # the process's own name stands in
    assert reports[0] is not None  # the only process: it leads, and swept
