"""Idempotency keys of API requests: a client that sends the same POST again with the same
Idempotency-Key (a retry after a lost answer) gets the first answer back, and nothing is done
twice. The key is the client's, per user; the same key with another request is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.clock import Clock
from workflow.services.ports import UnitOfWork

KEPT = dt.timedelta(days=1)  # a retry comes within minutes; a day is generous
MAX_KEY = 255


@dataclass(frozen=True, slots=True)
class Replay:
    """The answer the first request with this key got."""

    status: int
    body: str


@dataclass(frozen=True, slots=True)
class Reserved:
    """This request is the key's first: it runs, and its answer is kept under `record_id`."""

    record_id: int


@dataclass(frozen=True, slots=True)
class Running:
    """The key's first request has not answered yet."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The key was used for another request (another path or body)."""


Outcome = Replay | Reserved | Running | Mismatch


def begin(uow: UnitOfWork, clock: Clock, user_id: int, key: str, fingerprint: str) -> Outcome:
    """What to do with a request carrying this key: replay, run (reserved), or refuse."""
    now = clock.now()
    with uow:
        uow.idempotency.prune(now - KEPT)
        found = uow.idempotency.find(user_id, key)
        if found is None:
            record = uow.idempotency.reserve(user_id, key, fingerprint, now)
            if record is not None:
                return Reserved(record)
            found = uow.idempotency.find(user_id, key)
            if found is None:  # taken and released in between: the caller may retry
                return Running()
    if found["fingerprint"] != fingerprint:
        return Mismatch()
    if found["status"] is None:
        return Running()
    return Replay(int(found["status"]), str(found["body"] or ""))


def finish(uow: UnitOfWork, record_id: int, status: int, body: str) -> None:
    """Keep the answer of the key's first request."""
    with uow:
        uow.idempotency.complete(record_id, status, body)


def release(uow: UnitOfWork, record_id: int) -> None:
    """The request failed unexpectedly (nothing was kept): the key may be used again."""
    with uow:
        uow.idempotency.release(record_id)
