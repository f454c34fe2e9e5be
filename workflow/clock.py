"""The clock port: the system clock in production, a fake one that tests move by hand.

The clock also knows the installation's time zone (settings `app.timezone`): every local date
(today, a due date) and every local wall-clock time is taken through it, so one setting decides
them all.
"""

from __future__ import annotations

import datetime as dt

from workflow.config import DEFAULT_TIMEZONE, zone


class Clock:
    """Tells the current time, always timezone-aware UTC, and local dates in its zone."""

    def __init__(self, tz: dt.tzinfo | str = DEFAULT_TIMEZONE) -> None:
        self.tz: dt.tzinfo = zone(tz) if isinstance(tz, str) else tz

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def local(self, moment: dt.datetime | None = None) -> dt.datetime:
        """A moment (by default now) as the local wall clock; a naive one is taken as UTC."""
        moment = self.now() if moment is None else moment
        if moment.tzinfo is None:  # SQLite gives stored UTC times back without their zone
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.tz)

    def today(self) -> dt.date:
        """The local date now."""
        return self.local().date()

    def date_of(self, moment: dt.datetime) -> dt.date:
        """The local date of a moment."""
        return self.local(moment).date()


class FakeClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: dt.datetime | None = None,
                 tz: dt.tzinfo | str = DEFAULT_TIMEZONE) -> None:
        super().__init__(tz)
        start = start or dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware time")
        self._now = when.astimezone(dt.UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now
