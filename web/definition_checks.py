"""Limits on checking a workflow definition through the API (POST /api/v1/definitions/validate).

A definition is a few kilobytes (the largest shipped one is 7 KB), but YAML aliases can make a
small text expand into a large tree, and every check holds that tree in memory: checking is
for the people who publish definitions (administrators), one text at most `MAX_TEXT`
characters, at most `MAX_NODES` nodes once its aliases are expanded, and at most
`MAX_CONCURRENT` checks at once in a process (more are answered 429, to try again shortly).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from workflow.domain.roles import Actor
from workflow.errors import PermissionDenied

MAX_TEXT = 64_000  # characters (DefinitionBody); ten times the largest definition shipped
MAX_NODES = 20_000  # nodes after aliases; the largest definition shipped has about 400
MAX_CONCURRENT = 2
_RUNNING = threading.BoundedSemaphore(MAX_CONCURRENT)


class Busy(Exception):
    """Too many checks are running in this process: answered 429 with Retry-After."""


def require_checker(actor: Actor) -> None:
    """Checking definitions is for those who publish them: administrators."""
    if not actor.has_global_role("admin"):
        raise PermissionDenied(
            f"checking a workflow definition needs the role admin; '{actor.username}' does not "
            "hold it")


@contextmanager
def slot() -> Iterator[None]:
    """One of the few checks that may run at once, or Busy."""
    if not _RUNNING.acquire(blocking=False):
        raise Busy("other definitions are being checked; try again in a few seconds")
    try:
        yield
    finally:
        _RUNNING.release()
