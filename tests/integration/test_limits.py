"""Limits on attempts, counted in the database: atomic under a burst, windows, refunds, pruning."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from workflow.adapters.tables import rate_limits
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.errors import InvalidInput
from workflow.services import limits

FIVE = limits.Limit(5, dt.timedelta(minutes=15))


def test_a_key_is_allowed_its_hits_then_refused_until_the_window_ends(
        services: Services, clock: FakeClock) -> None:
    uow = services.uow()
    verdicts = [limits.hit(uow, clock, "k", FIVE) for _ in range(6)]

    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert verdicts[-1].retry_after == 15 * 60
    clock.advance(minutes=10)
    refused = limits.hit(uow, clock, "k", FIVE)
    assert (refused.allowed, refused.retry_after, refused.retry_minutes) == (False, 300, 5)
    clock.advance(minutes=5)
    assert limits.hit(uow, clock, "k", FIVE).allowed
    assert limits.remaining(uow, clock, "k", FIVE) == 4


def test_a_refusal_on_one_key_counts_on_none(services: Services, clock: FakeClock) -> None:
    uow = services.uow()
    one = limits.Limit(1, dt.timedelta(hours=1))
    assert limits.hit_all(uow, clock, [("a", one), ("b", FIVE)]).allowed

    verdict = limits.hit_all(uow, clock, [("b", FIVE), ("a", one)])

    assert (verdict.allowed, verdict.retry_after) == (False, 3600)
    assert limits.remaining(uow, clock, "b", FIVE) == 4  # the refused attempt did not count


def test_refund_gives_one_hit_back_and_reset_forgets_them_all(
        services: Services, clock: FakeClock) -> None:
    uow = services.uow()
    for _ in range(5):
        limits.hit(uow, clock, "k", FIVE)
    limits.refund(uow, "k")
    assert limits.remaining(uow, clock, "k", FIVE) == 1
    limits.reset(uow, "k")
    assert limits.remaining(uow, clock, "k", FIVE) == 5
    limits.refund(uow, "k")  # nothing to give back: no error, no row
    assert limits.remaining(uow, clock, "k", FIVE) == 5


def test_a_burst_of_parallel_hits_cannot_pass_the_limit(
        services: Services, clock: FakeClock) -> None:
    workers = 24
    barrier = threading.Barrier(workers)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        verdict = limits.hit_all(services.uow(), clock, [("user", FIVE), ("user+addr", FIVE)])
        with lock:
            allowed.append(verdict.allowed)

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(allowed) == [False] * (workers - 5) + [True] * 5
    with services.engine.connect() as conn:
        hits = dict(conn.execute(sa.select(rate_limits.c.key, rate_limits.c.hits)).all())
    assert hits == {"user": 5, "user+addr": 5}


def test_ended_windows_are_pruned_on_the_next_write(services: Services, clock: FakeClock) -> None:
    engine = services.engine
    uow = services.uow()
    for name in ("old1", "old2"):
        limits.hit(uow, clock, name, FIVE)
    clock.advance(minutes=16)

    limits.hit(uow, clock, "new", FIVE)

    with engine.connect() as conn:
        keys = set(conn.execute(sa.select(rate_limits.c.key)).scalars())
    assert keys == {"new"}
    assert limits.prune(uow, clock) == 0


def test_keys_are_unambiguous_and_bounded() -> None:
    assert limits.key("login", "a|b", "c") != limits.key("login", "a", "b|c")
    assert limits.key("login", "an", "1.2.3.4") == 'login:["an","1.2.3.4"]'
    long = limits.key("login", "x" * 500)
    assert len(long) <= limits.MAX_KEY
    assert long.startswith("login:sha256:")


def test_limits_come_from_the_settings_with_defaults() -> None:
    settings = load_settings(environ={"THIDUA_LIMITS_LOGIN_PER_USER": "7"},
                             overrides={"limits": {"objections_per_dossier_window_seconds": 60}})

    assert limits.configured(settings, limits.LOGIN_PER_USER).hits == 7
    assert limits.configured(settings, limits.OBJECTIONS_PER_DOSSIER).window.total_seconds() == 60
    bare = load_settings(environ={}, overrides={"limits": {"login_per_address": 0}})
    with pytest.raises(InvalidInput, match="limits.login_per_address"):
        limits.configured(bare, limits.LOGIN_PER_ADDRESS)
