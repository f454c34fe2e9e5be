"""In-app notifications: the inbox's messages and unread counts (outbox rows of channel in_app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workflow.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    kind: str
    subject: str
    body: str
    link: str | None
    instance_id: int | None
    created_at: dt.datetime
    read: bool


def inbox(
    uow: UnitOfWork, user_id: int, *, unread_only: bool = False, limit: int = 50,
    offset: int = 0,
) -> list[Notification]:
    """A user's notifications, newest first, one page at a time."""
    with uow.read():
        rows = uow.outbox.in_app(user_id, unread_only=unread_only, limit=min(limit, 200),
                                 offset=max(offset, 0))
    return [_notification(r) for r in rows]


def unread_summary(uow: UnitOfWork, user_id: int, limit: int = 10
                   ) -> tuple[int, list[Notification]]:
    """How many of a user's notifications are unread, and the newest of them, read together
    (the inbox shows both on every visit)."""
    with uow.read():
        count = uow.outbox.unread_count(user_id)
        rows = uow.outbox.in_app(user_id, unread_only=True, limit=min(limit, 200),
                                 offset=0) if count else []
    return count, [_notification(r) for r in rows]


def _notification(r: Mapping[str, Any]) -> Notification:
    return Notification(r["id"], r["kind"], r["subject"], r["body"], r["link"],
                        r["instance_id"], r["created_at"], r["read_at"] is not None)


def mark_read(uow: UnitOfWork, user_id: int, ids: Sequence[int], at: dt.datetime) -> int:
    """Mark the user's own notifications read; others' ids are ignored."""
    if not ids:
        return 0
    with uow:
        return uow.outbox.mark_read(user_id, ids, at)
