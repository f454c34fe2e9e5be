"""Limits on attempts, shared by every process through the database.

A limit allows `hits` attempts per key within `window`, the window beginning at the key's
first attempt. An attempt is counted (reserved) *before* the work it guards, in one
transaction with the check, so a burst of parallel requests cannot race past the limit; work
that should not count (a successful sign-in) gives its hit back afterwards:

    verdict = limits.hit_all(uow, clock, [(key_a, limit_a), (key_b, limit_b)])
    if not verdict.allowed:
        ...refuse, telling the client to retry after verdict.retry_after seconds...
    ...do the work...
    limits.give_back(uow, reset=[key_a], refund=[key_b])  # if it should not count

Expired counters are pruned on every write (a bounded delete of rows whose window ended).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from workflow.clock import Clock
from workflow.config import Settings
from workflow.errors import InvalidInput
from workflow.services.ports import Counter, UnitOfWork

MAX_KEY = 200  # the column's width; a longer key is stored as its hash


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `hits` attempts per key within `window` of the first."""

    hits: int
    window: dt.timedelta

    def __post_init__(self) -> None:
        if self.hits < 1 or self.window.total_seconds() < 1:
            raise InvalidInput("a limit needs at least 1 attempt within at least 1 second")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the attempt was allowed (and counted); if not, the whole seconds to wait."""

    allowed: bool
    retry_after: int = 0

    @property
    def retry_minutes(self) -> int:
        """The wait in whole minutes, rounded up (at least 1)."""
        return max(1, math.ceil(self.retry_after / 60))


# The limits the app applies, by setting name: (attempts, window in seconds). Each is read from
# [limits] <name> and <name>_window_seconds in config.toml.
LOGIN_PER_ADDRESS = "login_per_address"  # failed sign-ins per username and client address
LOGIN_PER_USER = "login_per_user"  # failed sign-ins per username, from any address
OBJECTIONS_PER_DOSSIER = "objections_per_dossier"  # per client address and dossier
OBJECTIONS_PER_ADDRESS = "objections_per_address"  # per client address, to any dossier
NAMES = (LOGIN_PER_ADDRESS, LOGIN_PER_USER, OBJECTIONS_PER_DOSSIER, OBJECTIONS_PER_ADDRESS)


def configured(settings: Settings, name: str) -> Limit:
    """The limit `name` of NAMES as the settings set it ([limits] name, name_window_seconds)."""
    raw_hits = getattr(settings.limits, name)
    raw_seconds = getattr(settings.limits, f"{name}_window_seconds")
    try:
        return Limit(int(raw_hits), dt.timedelta(seconds=int(raw_seconds)))
    except (TypeError, ValueError, InvalidInput):
        raise InvalidInput(
            f"limits.{name} and limits.{name}_window_seconds: whole numbers of at least 1 "
            f"(got {raw_hits!r} and {raw_seconds!r})") from None


def key(scope: str, *parts: str) -> str:
    """The key of a counter: its scope and the parts it counts by (a username, an address)."""
    text = f"{scope}:{json.dumps(parts, ensure_ascii=False, separators=(',', ':'))}"
    if len(text) <= MAX_KEY:
        return text
    return f"{scope[:100]}:sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def hit(uow: UnitOfWork, clock: Clock, key: str, limit: Limit) -> Verdict:
    """Count one attempt on the key if the limit allows it."""
    return hit_all(uow, clock, [(key, limit)])


def hit_all(uow: UnitOfWork, clock: Clock, checks: Sequence[tuple[str, Limit]]) -> Verdict:
    """Count one attempt on every key if every limit allows it, else on none: one refusal
    refuses the attempt, and the wait is the longest of the refusing keys."""
    if not checks:
        return Verdict(True)
    now = clock.now()
    limits: dict[str, Limit] = {}
    for name, limit in checks:  # one key twice: the stricter limit
        limits[name] = min(limits.get(name, limit), limit, key=lambda lim: lim.hits)
    with uow:
        counters = uow.limits.lock_counters(list(limits), now)
        fresh = {name: _current(counters[name], limits[name], now) for name in limits}
        waits = [c.reset_at - now for name, c in fresh.items() if c.hits >= limits[name].hits]
        for name, counter in sorted(fresh.items()):
            counted = counter if waits else replace(counter, hits=counter.hits + 1)
            if counted != counters[name]:
                uow.limits.save(counted)
        uow.limits.prune(now)
    if waits:
        return Verdict(False, max(1, math.ceil(max(waits).total_seconds())))
    return Verdict(True)


def _current(counter: Counter, limit: Limit, now: dt.datetime
             ) -> Counter:
    """The counter as of now: an ended window (or a new key) starts a new one."""
    if counter.hits == 0 or counter.reset_at <= now:
        return replace(counter, hits=0, reset_at=now + limit.window)
    return counter


def give_back(uow: UnitOfWork, *, refund: Sequence[str] = (), reset: Sequence[str] = ()
              ) -> None:
    """In one transaction: one attempt back on each key of `refund` (an attempt that turned
    out not to count), every attempt forgotten on each key of `reset`. The rows are taken in
    the order of their keys, as hit_all takes them, so the two never deadlock."""
    with uow:
        for name in sorted({*refund, *reset}):
            if name in reset:
                uow.limits.delete(name)
            else:
                uow.limits.take_back(name)


def refund(uow: UnitOfWork, key: str) -> None:
    """Give back one attempt counted on the key."""
    give_back(uow, refund=[key])


def reset(uow: UnitOfWork, key: str) -> None:
    """Forget every attempt counted on the key."""
    give_back(uow, reset=[key])


def remaining(uow: UnitOfWork, clock: Clock, key: str, limit: Limit) -> int:
    """How many attempts the key has left now (for pages and tests; counts nothing)."""
    with uow.read():
        found = uow.limits.counter(key)
    if found is None or found.reset_at <= clock.now():
        return limit.hits
    return max(0, limit.hits - found.hits)


def prune(uow: UnitOfWork, clock: Clock) -> int:
    """Delete the counters whose window has ended (a batch of them); how many were."""
    with uow:
        return uow.limits.prune(clock.now())
