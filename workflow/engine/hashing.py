"""Hash chain of history entries: each entry holds the previous entry's hash and its own.

The hash is a keyed BLAKE2b (a MAC, like HMAC but in one pass) with the installation's audit key,
so that someone who can write to the database but does not hold the key cannot recompute a chain
after editing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64

# The fields of a history entry that its hash covers, in this order.
HASHED_FIELDS = (
    "instance_id",
    "seq",
    "definition_id",
    "kind",
    "from_state",
    "to_state",
    "trigger",
    "actor",
    "on_behalf_of",
    "role",
    "at",
    "comment",
    "payload",
)
_AT = HASHED_FIELDS.index("at")


def canonical_time(at: dt.datetime) -> str:
    """UTC ISO time to the microsecond; a naive value (as SQLite returns it) is taken as UTC."""
    if at.tzinfo is None:
        return at.isoformat(timespec="microseconds") + "Z"
    if at.utcoffset():
        at = at.astimezone(dt.UTC)
    return at.isoformat(timespec="microseconds")[:-6] + "Z"  # without its "+00:00"


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return canonical_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot record a value of type {type(value).__name__} in history")


_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return _ENCODER.encode(value)


class HistoryChain:
    """Computes the chained hash of history entries with one installation key."""

    __slots__ = ("_key",)

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode("utf-8") if isinstance(key, str) else key
        # BLAKE2b takes keys of up to 64 bytes; a longer one is hashed down to that.
        self._key = raw if len(raw) <= 64 else hashlib.blake2b(raw).digest()

    def derive(self, purpose: str) -> bytes:
        """A 16-byte key for another purpose, derived from the installation key (BLAKE2b
        keyed): e.g. wrapping what the server holds of a vote's counting key."""
        return hashlib.blake2b(purpose.encode("utf-8"), key=self._key, digest_size=16).digest()

    def entry_hash(self, prev_hash: str, entry: Mapping[str, Any]) -> str:
        """The hash of one entry, chained to the previous one."""
        content = list(map(entry.get, HASHED_FIELDS))
        content[_AT] = canonical_time(entry["at"])
        text = prev_hash + _ENCODER.encode(content)
        return hashlib.blake2b(text.encode("utf-8"), key=self._key, digest_size=32).hexdigest()


_SCALARS = (str, int, float, bool, type(None))


def json_safe(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from the JSON column (dates become strings)."""
    if all(type(k) is str and type(v) in _SCALARS for k, v in payload.items()):
        return dict(payload)  # already what the column gives back
    loaded: dict[str, Any] = json.loads(canonical_json(dict(payload)))
    return loaded
