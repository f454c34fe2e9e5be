"""APScheduler runs the sweep (and mail delivery) every minute in the background.

One job, not one job per deadline: deadlines live in the database. Every process may run this;
only the one holding the lease sweeps, the others stand by and take over when it stops
renewing. The first run is immediate, so a process that was down catches up on start.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("thidua.scheduler")


def start_background(
    tick: Callable[[], None], interval_seconds: int, *, blocking: bool = False
) -> BackgroundScheduler | BlockingScheduler:
    """Run `tick` now and then every interval; never two at once in this process."""
    scheduler = BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    scheduler.add_job(
        _safe(tick), "interval", seconds=interval_seconds, id="thidua-sweep",
        max_instances=1, coalesce=True, next_run_time=dt.datetime.now(dt.UTC),
        misfire_grace_time=interval_seconds,
    )
    scheduler.start()
    return scheduler


def _safe(tick: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            tick()
        except Exception:  # one failed sweep must not stop the next
            log.exception("sweep failed; it runs again at the next interval")

    return run
