"""Preconditions of the API's actions: the item version a client saw, sent as `If-Match`
(the ETag of the item's GET) or as `version` in the body, so that an action on a changed item
is refused instead of done on what the client did not see. The header is read by the hooks of
web.api.conventions; the views ask here for the version to expect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import g
from werkzeug.exceptions import PreconditionRequired

# the actions whose item (the one id in their path) may be named by If-Match
IF_MATCH_ENDPOINTS = frozenset({
    "api.fire", "api.attach", "api.launch_campaign", "api.attendance", "api.decide",
    "api.announce", "api.revoke", "api.return_dossier",
})
IF_MATCH = re.compile(r'^\s*(?:W/)?"?([0-9]{1,10})"?\s*$')
IF_MATCH_PATTERN = r'^(W/)?"?[0-9]{1,10}"?$'


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str) -> int | None:
    """The version an If-Match names, None when it is not one of ours ("*" included)."""
    found = IF_MATCH.match(value)
    return int(found.group(1)) if found else None


def expected_version(body: Mapping[str, Any], *, required: bool = True) -> int | None:
    """The version the caller saw: the If-Match header's, else the body's `version`."""
    header: int | None = g.get("if_match")
    if header is not None:
        return header
    version = body.get("version")
    if version is None and required:
        raise PreconditionRequired('name the item version you saw: send the header '
                                   'If-Match: "<version>" (its ETag) or "version" in the body')
    return int(version) if version is not None else None
