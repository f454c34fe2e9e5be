"""In-app notifications: the inbox's messages and unread counts (outbox rows of channel in_app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters.db import read_connection, write_transaction
from workflow.adapters.tables import outbox

_O = outbox.c


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
    engine: Engine, user_id: int, *, unread_only: bool = False, limit: int = 50,
    offset: int = 0,
) -> list[Notification]:
    """A user's notifications, newest first, one page at a time."""
    stmt = sa.select(_O.id, _O.kind, _O.subject, _O.body, _O.link, _O.instance_id,
                     _O.created_at, _O.read_at).where(
        _O.user_id == user_id, _O.channel == "in_app")
    if unread_only:
        stmt = stmt.where(_O.read_at.is_(None))
    stmt = stmt.order_by(_O.created_at.desc(), _O.id.desc()).limit(min(limit, 200)).offset(
        max(offset, 0))
    with read_connection(engine) as conn:
        return [Notification(r.id, r.kind, r.subject, r.body, r.link, r.instance_id,
                             r.created_at, r.read_at is not None) for r in conn.execute(stmt)]


def unread_count(engine: Engine, user_id: int) -> int:
    with read_connection(engine) as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(
            _O.user_id == user_id, _O.channel == "in_app", _O.read_at.is_(None))).scalar() or 0)


def mark_read(engine: Engine, user_id: int, ids: Sequence[int], at: dt.datetime) -> int:
    """Mark the user's own notifications read; others' ids are ignored."""
    if not ids:
        return 0
    with write_transaction(engine) as conn:
        return conn.execute(outbox.update().where(
            _O.user_id == user_id, _O.channel == "in_app", _O.id.in_(list(ids)),
            _O.read_at.is_(None)).values(read_at=at, status="read")).rowcount
