"""The history of administrators' changes: who changed which person, role, token, unit or
cluster, when, and what it was before and after.

`record` is called by the use cases inside their own unit of work, so a change and its entry
are committed together or not at all. An entry made with no actor comes from the command line
or a set-up script.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflow.domain.roles import Actor
from workflow.services.ports import UnitOfWork

ACTIONS = (
    "user_created", "user_edited", "user_deactivated", "user_reactivated",
    "grant_given", "grant_revoked", "token_created", "token_revoked",
    "unit_created", "unit_edited", "cluster_created", "cluster_edited",
)
PAGE = 50
MAX_PAGE = 100_000


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    at: dt.datetime
    actor: str | None  # the username of who made it; None: the command line
    actor_name: str | None
    action: str
    subject: str
    subject_id: int | None
    user_id: int | None
    user_name: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: tuple[Change, ...]
    number: int
    pages: int
    total: int


def record(
    uow: UnitOfWork, by: Actor | None, action: str, subject: str, subject_id: int | None, *,
    user_id: int | None = None, before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None, at: dt.datetime | None = None,
) -> None:
    """Write one entry; call it inside the unit of work that makes the change (`at` None: the
    database's own time, for the callers without a clock: set-up scripts)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown admin change {action!r}")
    uow.changes.add({
        "at": at,
        "actor_id": by.user_id if by is not None else None,
        "actor": by.username if by is not None else None,
        "action": action, "subject": subject, "subject_id": subject_id, "user_id": user_id,
        "before": dict(before) if before is not None else None,
        "after": dict(after) if after is not None else None,
    })


def changes(uow: UnitOfWork, *, user_id: int | None = None, number: int = 1,
            per: int = PAGE) -> ChangePage:
    """One page of the history, newest first (of one person when `user_id` is given)."""
    number = min(max(1, number), MAX_PAGE)  # beyond it lies no page, and no SQL offset
    with uow.read():
        total, rows = uow.changes.page(user_id, per, (number - 1) * per)
        pages = max(1, -(-total // per))
        if number > pages:
            number = pages
            total, rows = uow.changes.page(user_id, per, (number - 1) * per)
    found = tuple(Change(
        int(r["id"]), _utc(r["at"]), r["actor"], r["actor_name"], r["action"], r["subject"],
        r["subject_id"], r["user_id"], r["user_name"], r["before"], r["after"]) for r in rows)
    return ChangePage(found, number, pages, total)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
