"""Tokens of API clients: the plaintext is shown once when created; only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflow.clock import Clock
from workflow.domain.roles import Actor
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.services import admin_log
from workflow.services.ports import UnitOfWork

MAX_TOKEN_LENGTH = 200  # token_urlsafe(32) gives 43 characters; anything far longer is junk
# last_used_at is written at most this often per token: a write per request would serialise
# every API call on SQLite's single writer for a date nobody needs to the second.
TOUCH_EVERY = dt.timedelta(minutes=1)
DEFAULT_DAYS = 90  # what the pages and the command line offer when nobody chooses
MAX_DAYS = 730     # a token is a password: none lives longer than two years


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as an admin page lists it (never the token itself)."""

    id: int
    user_id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None = None
    username: str = ""  # filled in by every_token

    def state(self, now: dt.datetime) -> str:
        """live | expired | revoked"""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "live"


def expiry(clock: Clock, expires_on: dt.date) -> dt.datetime:
    """The moment a token valid through `expires_on` (a local date) stops: the next midnight
    there. Refused when the date is past or more than MAX_DAYS away."""
    today = clock.today()
    if expires_on < today:
        raise Conflict(f"expires_on: {expires_on:%d/%m/%Y} is already past")
    if expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise Conflict(f"expires_on: a token lives at most {MAX_DAYS} days")
    midnight = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time(), clock.tz)
    return midnight.astimezone(dt.UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(uow: UnitOfWork, clock: Clock, user_id: int, name: str, *,
                 expires_on: dt.date | None = None, by: Actor | None = None) -> str:
    """A new token for an active user, valid through `expires_on` (a local date; None: until
    revoked); the plaintext is returned here and never again, only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: name the token (1 to 100 characters), e.g. the client using it")
    expires_at = None if expires_on is None else expiry(clock, expires_on)
    token = secrets.token_urlsafe(32)
    with uow:
        if not uow.users.is_active(user_id):
            raise InvalidInput(f"user_id: no active user with id {user_id}")
        now = clock.now()
        token_id = uow.tokens.add(user_id, name, token_hash(token), now, expires_at)
        admin_log.record(uow, by, "token_created", "token", token_id, user_id=user_id, at=now,
                         after={"name": name, "expires_on": expires_on.isoformat()
                                if expires_on is not None else None})
    return token


def authenticate(uow: UnitOfWork, clock: Clock, token: str) -> int | None:
    """The user a live token belongs to (and the token marked as used), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        digest = token_hash(token)
    except UnicodeEncodeError:  # a lone surrogate cannot be any token we issued
        return None
    with uow.read():
        row = uow.tokens.live(digest, clock.now())
    if row is None:
        return None
    token_id, user_id, last_used_at = row
    now = clock.now()
    if last_used_at is None or now - _utc(last_used_at) >= TOUCH_EVERY:
        with uow:
            uow.tokens.touch(token_id, now)
    return user_id


def revoke(uow: UnitOfWork, clock: Clock, token_id: int, *, owner: int | None = None,
           by: Actor | None = None) -> bool:
    """Stop a token from working, for good; revoking twice keeps the first date (and returns
    False). With `owner`, a token of someone else is not found (a person's own page)."""
    with uow:
        row = uow.tokens.get(token_id)
        if row is None or (owner is not None and row["user_id"] != owner):
            raise NotFound(f"no API token with id {token_id}")
        if row["revoked_at"] is not None:
            return False
        now = clock.now()
        uow.tokens.revoke(token_id, now)
        admin_log.record(uow, by, "token_revoked", "token", token_id,
                         user_id=int(row["user_id"]), at=now, before={"name": row["name"]})
        return True


def tokens_of(uow: UnitOfWork, user_id: int) -> list[TokenInfo]:
    """A user's tokens, oldest first, revoked ones included."""
    with uow.read():
        rows = uow.tokens.of_user(user_id)
    return [_info(r) for r in rows]


def every_token(uow: UnitOfWork) -> list[TokenInfo]:
    """Every token of every user, oldest first, with its owner's username."""
    with uow.read():
        rows = uow.tokens.every()
    return [_info(r) for r in rows]


def _info(r: Mapping[str, Any]) -> TokenInfo:
    return TokenInfo(r["id"], r["user_id"], r["name"], _utc(r["created_at"]),
                     _maybe_utc(r["last_used_at"]), _maybe_utc(r["revoked_at"]),
                     _maybe_utc(r.get("expires_at")), str(r.get("username") or ""))


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives stored times back naive; they were written as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)
