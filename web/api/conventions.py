"""HTTP conventions of the JSON API, as hooks on its blueprint: the item's version as an ETag,
`If-Match` on actions (a stale one gets 412 with the current version, so a client needs no GET
first), and an `Idempotency-Key` on POSTs, so that a retried request never acts twice (the
first answer is kept in the database and sent again). Registered on the API blueprint (web.api
imports this module once its own routes are in place)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from web.api import PUBLIC, ApiError, actor, bp, load_item, require_see, services
from web.api.versions import IF_MATCH_ENDPOINTS, etag, parse_if_match
from workflow.services import idempotency

KEY_HEADER = "Idempotency-Key"
KEY_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F))
ETAG_ENDPOINTS = IF_MATCH_ENDPOINTS | {"api.item"}


def _fingerprint() -> str:
    """What makes two requests the same: method, path, query and body (a multipart body by
    its fields and files, not its boundary, which a client draws anew on each try)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n"
                  .encode())
    if request.mimetype.startswith("multipart/"):
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(json.dumps(["field", name, value]).encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda f: f[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(json.dumps(["file", name, upload.filename,
                                      hashlib.sha256(content).hexdigest()]).encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replayed(found: idempotency.Replay) -> Response:
    response = Response(found.body, status=found.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.before_request
def preconditions() -> Response | None:
    """After the caller is known (authenticate runs first): a replay of a kept answer, or the
    key reserved for this request; then the If-Match of an action checked."""
    if request.endpoint in PUBLIC or request.endpoint is None:
        return None
    key = request.headers.get(KEY_HEADER)
    if key is not None and request.method == "POST":
        if not 1 <= len(key) <= idempotency.MAX_KEY or not set(key) <= KEY_CHARACTERS:
            raise ApiError(400, "invalid_idempotency_key", f"the {KEY_HEADER} header must be "
                           "1 to 255 visible ASCII characters, e.g. a UUID")
        svc = services()
        user_id = actor().user_id
        assert user_id is not None
        found = idempotency.begin(svc.uow(), svc.clock, user_id, key, _fingerprint())
        if isinstance(found, idempotency.Replay):
            return _replayed(found)
        if isinstance(found, idempotency.Mismatch):
            raise ApiError(422, "idempotency_key_reused",
                           f"this {KEY_HEADER} was used for another request; use a new key "
                           "for a new request")
        if isinstance(found, idempotency.Running):
            raise ApiError(409, "idempotency_key_in_use", f"a request with this {KEY_HEADER} "
                           "is still being answered; retry in a moment")
        g.idempotency_record = found.record_id
    header = request.headers.get("If-Match")
    if header is not None and request.endpoint in IF_MATCH_ENDPOINTS:
        version = parse_if_match(header)
        if version is None:
            raise ApiError(400, "invalid_if_match", 'If-Match must name one item version, '
                           'e.g. If-Match: "3" (the ETag of the item)')
        item_id = next(iter((request.view_args or {}).values()), None)
        if isinstance(item_id, int):
            inst = load_item(item_id)
            require_see(inst, actor())  # nothing of an item, not even its version, to others
            current = inst.version
            if current != version:
                raise ApiError(412, "precondition_failed",
                               f"the item is at version {current}, not {version}: someone "
                               "acted on it since; read it again", current_version=current)
        g.if_match = version
    return None


@bp.after_request
def conventions(response: Response) -> Response:
    """Keep a keyed request's answer; give an item's version as its ETag."""
    record = g.pop("idempotency_record", None)
    if record is not None:
        uow = services().uow()
        if response.status_code >= 500:
            idempotency.release(uow, record)
        else:
            idempotency.finish(uow, record, response.status_code,
                               response.get_data(as_text=True))
    if request.endpoint in ETAG_ENDPOINTS and 200 <= response.status_code < 300 \
            and response.is_json:
        body: Any = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("version"), int):
            response.headers["ETag"] = etag(body["version"])
        elif isinstance(body, dict) and isinstance(body.get("item_id"), int):
            # an attachment moves its item's version on (its history notes the file)
            response.headers["ETag"] = etag(load_item(body["item_id"]).version)
    return response


@bp.teardown_request
def _release_unanswered(_exc: BaseException | None) -> None:
    """A request that ended without an answer kept leaves its key free for a retry."""
    record = g.pop("idempotency_record", None)
    if record is not None:
        idempotency.release(services().uow(), record)
