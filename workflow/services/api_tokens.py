"""Tokens of API clients: the plaintext is shown once when created; only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow.adapters.db import read_connection, write_transaction
from workflow.adapters.tables import api_tokens, users
from workflow.clock import Clock
from workflow.errors import InvalidInput, NotFound

MAX_TOKEN_LENGTH = 200  # token_urlsafe(32) gives 43 characters; anything far longer is junk
# last_used_at is written at most this often per token: a write per request would serialise
# every API call on SQLite's single writer for a date nobody needs to the second.
TOUCH_EVERY = dt.timedelta(minutes=1)

_T = api_tokens.c


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


def create_token(engine: Engine, clock: Clock, user_id: int, name: str) -> str:
    """A new token for an active user; the plaintext is returned here and never again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: name the token (1 to 100 characters), e.g. the client using it")
    token = secrets.token_urlsafe(32)
    with write_transaction(engine) as conn:
        active = conn.execute(sa.select(users.c.active).where(users.c.id == user_id)).scalar()
        if not active:
            raise InvalidInput(f"user_id: no active user with id {user_id}")
        conn.execute(api_tokens.insert().values(
            user_id=user_id, name=name, token_hash=token_hash(token), created_at=clock.now()))
    return token


def authenticate(engine: Engine, clock: Clock, token: str) -> int | None:
    """The user a live token belongs to (and the token marked as used), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        digest = token_hash(token)
    except UnicodeEncodeError:  # a lone surrogate cannot be any token we issued
        return None
    with read_connection(engine) as conn:
        row = conn.execute(sa.select(_T.id, _T.user_id, _T.last_used_at).where(
            _T.token_hash == digest, _T.revoked_at.is_(None))).first()
    if row is None:
        return None
    now = clock.now()
    if row.last_used_at is None or now - _utc(row.last_used_at) >= TOUCH_EVERY:
        with write_transaction(engine) as conn:
            conn.execute(api_tokens.update().where(_T.id == row.id).values(last_used_at=now))
    return int(row.user_id)


def revoke(engine: Engine, clock: Clock, token_id: int) -> None:
    """Stop a token from working, for good; revoking twice keeps the first date."""
    with write_transaction(engine) as conn:
        found = conn.execute(sa.select(_T.revoked_at).where(_T.id == token_id)).first()
        if found is None:
            raise NotFound(f"no API token with id {token_id}")
        if found.revoked_at is None:
            conn.execute(api_tokens.update().where(_T.id == token_id).values(
                revoked_at=clock.now()))


def tokens_of(engine: Engine, user_id: int) -> list[TokenInfo]:
    """A user's tokens, oldest first, revoked ones included."""
    with read_connection(engine) as conn:
        rows = conn.execute(sa.select(
            _T.id, _T.user_id, _T.name, _T.created_at, _T.last_used_at, _T.revoked_at,
        ).where(_T.user_id == user_id).order_by(_T.id)).all()
    return [TokenInfo(r.id, r.user_id, r.name, _utc(r.created_at), _maybe_utc(r.last_used_at),
                      _maybe_utc(r.revoked_at)) for r in rows]


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives stored times back naive; they were written as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)
