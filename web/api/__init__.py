"""The JSON API under /api/v1: bearer tokens, request bodies checked by marshmallow schemas,
JSON errors everywhere under /api, and the OpenAPI document that describes it all
(/api/openapi.json, built from the same schemas and route table)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.wrappers import Response

from web.api.openapi import Operation
from web.api.openapi import openapi_document as generate_document
from web.api.schemas import MAX_ID, REPLIES, ErrorSchema
from web.security import csrf, status_of
from workflow.bootstrap import Services
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import (
    Conflict,
    DefinitionErrors,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.services import access, api_tokens, organisations, people

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # bearer tokens, never cookies: nothing a foreign page could ride on


class ApiError(Exception):
    """An answer other than success that no service raised (auth, a malformed body)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


# --- the route table, which the OpenAPI document is built from ---------------------------------


OPERATIONS: list[Operation] = []


def operation(
    method: str, rule: str, summary: str, ok: tuple[int, str], errors: tuple[int, ...] = (),
    **options: Any,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Register a view under the blueprint, describe it for the OpenAPI document, and dump
    what it returns through its reply schema (so no undocumented key is ever sent)."""

    def wrap(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        OPERATIONS.append(Operation(method, rule, view.__name__, summary, ok, errors, **options))
        reply = REPLIES[ok[1]]

        @functools.wraps(view)
        def dumped(**kwargs: Any) -> ResponseReturnValue:
            answer: Any = view(**kwargs)  # a body, or a body and a status
            if reply is None:
                return answer  # type: ignore[no-any-return]  # the view's own return type
            body, status = answer if isinstance(answer, tuple) else (answer, 200)
            dumped: dict[str, Any] = reply().dump(body)
            return dumped, status

        bp.add_url_rule(rule, view.__name__, dumped, methods=[method])
        return view

    return wrap


# --- helpers --------------------------------------------------------------------------------


def services() -> Services:
    found: Services = current_app.extensions["thidua"]
    return found


def actor() -> Actor:
    found: Actor = g.api_actor
    return found


def load_query(schema: type[Schema]) -> dict[str, Any]:
    loaded: dict[str, Any] = schema().load(request.args.to_dict())
    return loaded


def load_json(schema: type[Schema]) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_input",
                       "the body must be a JSON object (Content-Type: application/json)")
    loaded: dict[str, Any] = schema().load(body)
    return loaded


def page_of(items: list[Any], total: int, query: Mapping[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": query["page"],
            "per_page": query["per_page"]}


def iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # SQLite gives stored UTC times back naive
    return value.isoformat()


def load_item(item_id: int) -> Instance:
    if item_id > MAX_ID:
        raise NotFound(f"no workflow instance with id {item_id}")
    return services().workflows.get(item_id)


def require_see(inst: Instance, who: Actor) -> None:
    """403 unless the access policy lets the caller see the item (as its page would)."""
    spec = services().workflows.catalog.compiled(inst.definition_id).spec
    access.require_see(who, inst, spec, lambda cluster_id: organisations.get_cluster(
        services().uow(), cluster_id).members)


def clean_filename(name: str | None) -> str:
    kept = "".join(c for c in (name or "") if c.isprintable())
    return kept.encode("utf-8", "replace").decode("utf-8")[:255] or "file"


# --- authentication -------------------------------------------------------------------------


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated",
                       "send an API token in the header 'Authorization: Bearer <token>'")
    svc = services()
    user_id = api_tokens.authenticate(svc.uow(), svc.clock, token.strip())
    found = people.actor(svc.uow(), user_id) if user_id is not None else None
    if found is None:
        raise ApiError(401, "invalid_token",
                       "the API token is unknown, expired or revoked, or its user is inactive")
    g.api_actor = found


# --- endpoints ------------------------------------------------------------------------------


def definition_errors(exc: DefinitionErrors) -> list[dict[str, Any]]:
    return [{"file": e.file, "line": e.line, "path": e.path, "message": e.message}
            for e in exc.errors]


# --- errors: JSON under /api, always ------------------------------------------------------------


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify(ErrorSchema().dump({"error": {"code": code, "message": message,
                                                     **extra}}))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thidua"'
    return response


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> Response:
    response = error_response(exc.status, exc.code, exc.message, **exc.extra)
    if exc.status == 429:
        response.headers["Retry-After"] = "5"
    return response


@bp.errorhandler(ValidationError)
def validation_error(exc: ValidationError) -> Response:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_body": exc.messages}
    return error_response(400, "invalid_input", "the request has invalid fields; see 'fields'",
                          fields=_string_keys(messages))


@bp.errorhandler(WorkflowError)
def workflow_error(exc: WorkflowError) -> Response:
    if isinstance(exc, DefinitionErrors):  # well-formed JSON, but no workflow definition
        return error_response(409, exc.code, "the definition has errors; see 'errors'",
                              errors=definition_errors(exc))
    if isinstance(exc, TransitionNotAllowed):
        status = 403 if exc.check == "role" else 409
        found = {"refusal": exc.refusal.as_json()} if exc.refusal is not None else {}
        return error_response(status, exc.code, exc.message, check=exc.check, **found)
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidInput) and exc.refusal is not None:
        extra["refusal"] = exc.refusal.as_json()
    named = re.match(r"^([A-Za-z_][\w.]*): (.+)$", str(exc), re.DOTALL)
    if exc.code == "invalid_input" and named:
        extra["fields"] = {named.group(1): [named.group(2)]}
    # 400 is for what the OpenAPI document refuses; well-formed input that the data or a rule
    # of the domain refuses is a 409 (the pages answer it as any invalid input)
    status = 409 if isinstance(exc, Conflict) else status_of(exc)
    return error_response(status, exc.code, str(exc), **extra)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    messages = {
        404: f"nothing at {request.path}",
        405: f"{request.method} is not allowed on {request.path}",
        413: "the request is too large (at most "
             f"{current_app.config.get('MAX_CONTENT_LENGTH')} bytes)",
        500: "an unexpected error occurred; it was logged",
    }
    code = (exc.name or "error").lower().replace(" ", "_")
    response = error_response(status, code, messages.get(status) or exc.description or code)
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def _string_keys(value: Any) -> Any:
    """marshmallow numbers list positions; JSON object keys are strings."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def _is_api_path() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


for _status in default_exceptions:  # ahead of any page-rendering handler the app has per code
    bp.register_error_handler(_status, http_error)


@bp.record_once
def _json_for_unrouted(state: BlueprintSetupState) -> None:
    """A path under /api that matches no route (404, 405) or an error outside any view (500)
    never reaches the blueprint's handlers: the app's answer those under /api with JSON."""
    app = state.app
    for status in (404, 405, 500):
        previous = app.error_handler_spec[None][status].get(default_exceptions[status])
        app.register_error_handler(status, _route_by_path(previous))


def _route_by_path(
    previous: Callable[[Any], Any] | None,
) -> Callable[[HTTPException], ResponseReturnValue]:
    def handler(exc: HTTPException) -> ResponseReturnValue:
        if _is_api_path():
            return http_error(exc)
        if previous is None:
            return exc
        answer: ResponseReturnValue = previous(exc)
        return answer

    return handler


# --- the OpenAPI document -----------------------------------------------------------------------

PUBLIC = {"api.openapi"}


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.0 for every operation of the route table, generated from the marshmallow
    schemas the views load and dump with, so the two cannot drift apart."""
    document: dict[str, Any] = json.loads(_document_text())
    return document


@functools.cache
def _document_text() -> str:
    """Generated once per process (some 30 ms): the routes are all registered at import."""
    return json.dumps(generate_document(OPERATIONS))


# the features' routes, on this blueprint, in the order the OpenAPI document lists them
import web.api.items  # noqa: E402, F401, I001
import web.api.votes  # noqa: E402, F401
import web.api.definitions  # noqa: E402, F401
import web.api.campaigns  # noqa: E402, F401
import web.api.meta  # noqa: E402, F401
import web.api.dossiers  # noqa: E402, F401
import web.api.directory  # noqa: E402, F401  (imports of units, clusters, people)
import web.api.units  # noqa: E402, F401  (issue 15: units, clusters, their members)
import web.api.persons  # noqa: E402, F401  (people, roles, tokens)
import web.api.year  # noqa: E402, F401  (a campaign's items, criteria, ranking, plan)
import web.api.documents  # noqa: E402, F401  (an item's documents, generated documents)
import web.api.council  # noqa: E402, F401  (votes' attendance, the council, decisions)
import web.api.decisions  # noqa: E402, F401  (the decision, returns, objections)
import web.api.conventions  # noqa: E402, F401  (ETag, If-Match, Idempotency-Key)
import web.api.conferences  # noqa: E402, F401  (a campaign's conferences)
import web.api.supervision  # noqa: E402, F401  (supervision of the clusters)
import web.api.impediments  # noqa: E402, F401  (impediments to an award)
import web.api.department_figures  # noqa: E402, F401  (department figures, mid-year pace)
import web.api.models_api  # noqa: E402, F401  (a campaign's exemplary models)
import web.api.ballot_box  # noqa: E402, F401  (the sealed ballot box: committee, shares, receipts)
