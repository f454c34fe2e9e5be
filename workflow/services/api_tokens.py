"""Tokens of API clients: the plaintext is shown once when created; only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from workflow.clock import Clock
from workflow.errors import InvalidInput, NotFound
from workflow.services.ports import UnitOfWork

MAX_TOKEN_LENGTH = 200  # token_urlsafe(32) gives 43 characters; anything far longer is junk
# last_used_at is written at most this often per token: a write per request would serialise
# every API call on SQLite's single writer for a date nobody needs to the second.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as an admin page lists it (never the token itself)."""

    id: int
    user_id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(uow: UnitOfWork, clock: Clock, user_id: int, name: str) -> str:
    """A new token for an active user; the plaintext is returned here and never again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: name the token (1 to 100 characters), e.g. the client using it")
    token = secrets.token_urlsafe(32)
    with uow:
        if not uow.users.is_active(user_id):
            raise InvalidInput(f"user_id: no active user with id {user_id}")
        uow.tokens.add(user_id, name, token_hash(token), clock.now())
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
        row = uow.tokens.live(digest)
    if row is None:
        return None
    token_id, user_id, last_used_at = row
    now = clock.now()
    if last_used_at is None or now - _utc(last_used_at) >= TOUCH_EVERY:
        with uow:
            uow.tokens.touch(token_id, now)
    return user_id


def revoke(uow: UnitOfWork, clock: Clock, token_id: int) -> None:
    """Stop a token from working, for good; revoking twice keeps the first date."""
    with uow:
        exists, revoked_at = uow.tokens.revoked_at(token_id)
        if not exists:
            raise NotFound(f"no API token with id {token_id}")
        if revoked_at is None:
            uow.tokens.revoke(token_id, clock.now())


def tokens_of(uow: UnitOfWork, user_id: int) -> list[TokenInfo]:
    """A user's tokens, oldest first, revoked ones included."""
    with uow.read():
        rows = uow.tokens.of_user(user_id)
    return [TokenInfo(r["id"], r["user_id"], r["name"], _utc(r["created_at"]),
                      _maybe_utc(r["last_used_at"]), _maybe_utc(r["revoked_at"])) for r in rows]


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives stored times back naive; they were written as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)
