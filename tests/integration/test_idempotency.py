"""Idempotency keys of API requests, kept in the database (both kinds): the first request
reserves its key, a retry while it runs is told so, a retry after it gets its answer, another
request under the same key is a mismatch; keys are per user and kept a day."""

from __future__ import annotations

import datetime as dt

from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.services import idempotency, people


def test_a_key_is_reserved_answered_replayed_and_forgotten(services: Services,
                                                            clock: FakeClock) -> None:
    uow = services.uow()
    an, binh = (people.create_user(uow, name, name) for name in ("an", "binh"))

    first = idempotency.begin(uow, clock, an, "k-1", "f" * 64)
    running = idempotency.begin(uow, clock, an, "k-1", "f" * 64)
    assert isinstance(first, idempotency.Reserved)
    idempotency.finish(uow, first.record_id, 201, '{"id": 7}')
    replay = idempotency.begin(uow, clock, an, "k-1", "f" * 64)
    mismatch = idempotency.begin(uow, clock, an, "k-1", "e" * 64)
    other_user = idempotency.begin(uow, clock, binh, "k-1", "e" * 64)

    assert isinstance(running, idempotency.Running)
    assert replay == idempotency.Replay(201, '{"id": 7}')
    assert isinstance(mismatch, idempotency.Mismatch)
    assert isinstance(other_user, idempotency.Reserved)

    idempotency.release(uow, other_user.record_id)  # a failed request frees its key
    assert isinstance(idempotency.begin(uow, clock, binh, "k-1", "e" * 64),
                      idempotency.Reserved)
    clock.set(clock.now() + idempotency.KEPT + dt.timedelta(minutes=1))  # a day on: forgotten
    assert isinstance(idempotency.begin(uow, clock, an, "k-1", "e" * 64), idempotency.Reserved)
