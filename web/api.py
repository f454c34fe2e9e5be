"""The JSON API under /api/v1: bearer tokens, request bodies checked by marshmallow schemas,
JSON errors everywhere under /api, and the OpenAPI document that describes it all
(/api/openapi.json, built from the same schemas and route table)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, validate
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.wrappers import Response

from web.security import csrf, status_of
from workflow.bootstrap import Services
from workflow.definitions.workflow_loader import load_text
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.engine.spec import WorkflowSpec
from workflow.errors import (
    DefinitionError,
    DefinitionErrors,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleState,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.services import api_tokens, documents, organisations, people, voting
from workflow.services import inbox as inbox_service

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # bearer tokens, never cookies: nothing a foreign page could ride on

MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
MAX_PAGE = 100_000
DEFAULT_FILE = "definition.yaml"


class ApiError(Exception):
    """An answer other than success that no service raised (auth, a malformed body)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


# --- request schemas ------------------------------------------------------------------------


class Text(fields.String):
    """A string the databases can store: no NUL character, no lone surrogate."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid Unicode text.") from None
        return text


def _id_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE),
                          metadata={"description": "page number, from 1"})
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, 100),
                              metadata={"description": "items per page (at most 100)"})


def _lang_field() -> fields.String:
    return fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]),
                         metadata={"description": "language of labels"})


class LangQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = _lang_field()


class InboxQuery(PageQuery):
    lang = _lang_field()


class FireBody(Schema):
    trigger = Text(required=True, validate=validate.Length(1, 64),
                   metadata={"description": "the action, e.g. submit"})
    version = fields.Integer(strict=True, required=True, validate=validate.Range(0, MAX_ID),
                             metadata={"description": "the item version the caller saw"})
    comment = Text(validate=validate.Length(max=5000))
    payload = fields.Dict(keys=Text(validate=validate.Length(1, 64)), values=fields.Raw(),
                          metadata={"description": "named fields the action needs"})


class DocumentForm(Schema):
    kind = Text(required=True, validate=validate.Length(1, 64),
                metadata={"description": "document kind, e.g. signed_pledge"})
    ref = Text(validate=validate.Length(1, 64),
               metadata={"description": "criterion or item code the document is for"})


class BallotBody(Schema):
    choices = fields.Dict(
        keys=Text(validate=validate.Length(1, 64)), values=fields.List(_id_field()),
        required=True, metadata={"description": "title code -> chosen candidate ids; {} abstains"})


class DefinitionBody(Schema):
    text = Text(required=True, validate=validate.Length(max=200_000),
                metadata={"description": "the YAML text of one workflow definition"})
    file = Text(validate=validate.Regexp(r"^[A-Za-z0-9_.\-/]{1,200}$"),
                metadata={"description": "file name used in messages and stored with it"})


# --- the route table, which the OpenAPI document is built from ---------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    ok: tuple[int, str]  # status, response component
    errors: tuple[int, ...]
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    multipart: bool = False
    public: bool = False
    tags: tuple[str, ...] = field(default=())


OPERATIONS: list[Operation] = []
COMMON_ERRORS = (401, 404)


def operation(
    method: str, rule: str, summary: str, ok: tuple[int, str], errors: tuple[int, ...] = (),
    **options: Any,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Register a view under the blueprint and describe it for the OpenAPI document."""

    def wrap(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        OPERATIONS.append(Operation(method, rule, view.__name__, summary, ok, errors, **options))
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
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


def require_role(inst: Instance, who: Actor) -> None:
    """403 unless the caller holds some role for the item's unit or cluster and year."""
    if who.roles_for(inst.unit_id, inst.cluster_id, inst.year):
        return
    spec = services().workflows.catalog.compiled(inst.definition_id).spec
    roles = sorted({r for t in spec.transitions for r in t.roles if r != "system"})
    scope = ", ".join(f"{k} {v}" for k, v in (
        ("unit", inst.unit_id), ("cluster", inst.cluster_id), ("year", inst.year)) if v)
    raise PermissionDenied(
        f"{inst.workflow} {inst.id} needs a role for {scope or 'its scope'} (one of "
        f"{', '.join(roles)}); '{who.username}' holds none there")


def require_member(inst: Instance, who: Actor) -> None:
    """403 unless the caller holds a role for the item or belongs to a member unit of its
    cluster (who may open its page in the browser)."""
    if inst.cluster_id is not None and not who.roles_for(inst.unit_id, inst.cluster_id,
                                                         inst.year):
        members = organisations.get_cluster(services().engine, inst.cluster_id).members
        if people.units_of(who) & set(members):
            return
    require_role(inst, who)


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
    user_id = api_tokens.authenticate(svc.engine, svc.clock, token.strip())
    found = people.actor(svc.engine, user_id) if user_id is not None else None
    if found is None:
        raise ApiError(401, "invalid_token",
                       "the API token is unknown or revoked, or its user is inactive")
    g.api_actor = found


# --- endpoints ------------------------------------------------------------------------------


@operation("GET", "/v1/me", "The caller and the roles they hold", (200, "Me"), tags=("users",))
def me() -> ResponseReturnValue:
    who = actor()
    return {"id": who.user_id, "username": who.username, "on_behalf_of": who.on_behalf_of,
            "roles": [{"role": r.role, "unit_id": r.unit_id, "cluster_id": r.cluster_id,
                       "year": r.year} for r in who.grants]}


@operation("GET", "/v1/inbox", "Items waiting for the caller's action, earliest due first",
           (200, "InboxPage"), (400,), query=InboxQuery, tags=("items",))
def inbox() -> ResponseReturnValue:
    query = load_query(InboxQuery)
    items, total = inbox_service.waiting_for(
        services().workflows, actor(), locale=query["lang"], limit=query["per_page"],
        offset=(query["page"] - 1) * query["per_page"])
    return page_of([{
        "id": i.id, "workflow": i.workflow, "title": i.title, "state": i.state,
        "state_label": i.state_label, "unit": i.unit, "campaign_id": i.campaign_id,
        "due": iso(i.due), "overdue": i.overdue, "actions": list(i.actions),
    } for i in items], total, query)


@operation("GET", "/v1/items/<int:item_id>", "An item: state, version, data and what the caller "
           "can do", (200, "Item"), (400, 403), query=LangQuery, tags=("items",))
def item(item_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    inst = load_item(item_id)
    who = actor()
    require_role(inst, who)
    wf = services().workflows
    compiled = wf.catalog.compiled(inst.definition_id)
    lang = query["lang"]
    return {
        "id": inst.id, "workflow": inst.workflow, "definition_version": compiled.version,
        "state": inst.state, "state_label": compiled.spec.state(inst.state).label.get(lang),
        "status": inst.status, "version": inst.version, "unit_id": inst.unit_id,
        "cluster_id": inst.cluster_id, "year": inst.year, "parent_id": inst.parent_id,
        "data": inst.data, "entered_at": iso(inst.entered_at),
        "actions": [{
            "trigger": t.trigger, "label": t.label.get(lang), "dest": t.dest,
            "roles": list(t.roles), "required_fields": list(t.required_fields),
            "required_documents": list(t.required_documents), "allowed": reason is None,
            "reason": reason.message if reason is not None else None,
            "refusal": reason.refusal.as_json() if reason is not None and reason.refusal
            else None,
        } for t, reason in wf.available(inst, who)],
    }


@operation("GET", "/v1/items/<int:item_id>/history", "An item's history, oldest first",
           (200, "HistoryPage"), (400, 403), query=PageQuery, tags=("items",))
def history(item_id: int) -> ResponseReturnValue:
    query = load_query(PageQuery)
    inst = load_item(item_id)
    require_role(inst, actor())
    rows = services().workflows.history(inst.id)
    start = (query["page"] - 1) * query["per_page"]
    return page_of([{
        "seq": r["seq"], "kind": r["kind"], "from_state": r["from_state"],
        "to_state": r["to_state"], "trigger": r["trigger"], "actor": r["actor"],
        "on_behalf_of": r["on_behalf_of"], "role": r["role"], "at": iso(r["at"]),
        "comment": r["comment"], "payload": r["payload"], "hash": r["hash"],
    } for r in rows[start:start + query["per_page"]]], len(rows), query)


@operation("POST", "/v1/items/<int:item_id>/fire", "Do an action on an item",
           (200, "Fired"), (400, 403, 409), body=FireBody, tags=("items",))
def fire(item_id: int) -> ResponseReturnValue:
    body = load_json(FireBody)
    inst = load_item(item_id)
    who = actor()
    require_role(inst, who)
    if body["version"] != inst.version:
        raise StaleState(f"{inst.workflow} {inst.id} is at version {inst.version}, not "
                         f"{body['version']}: it changed since you read it; reload it")
    payload = dict(body.get("payload") or {})
    comment = (body.get("comment") or "").strip()
    if comment:
        payload["comment"] = comment
    services().workflows.fire(inst, body["trigger"], who, payload)
    return {"id": inst.id, "state": inst.state, "status": inst.status, "version": inst.version}


@operation("POST", "/v1/items/<int:item_id>/documents", "Attach a document (PDF, Office, PNG "
           "or JPEG) to an item", (201, "Document"), (400, 403, 413), body=DocumentForm,
           multipart=True, tags=("items",))
def attach(item_id: int) -> ResponseReturnValue:
    form: dict[str, Any] = DocumentForm().load(request.form.to_dict())
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": ["Missing data for required field."]})
    inst = load_item(item_id)
    who = actor()
    require_role(inst, who)
    documents.require_participant(services().workflows, inst, who)
    content = upload.read()
    filename = documents.stored_name(clean_filename(upload.filename))
    svc = services()
    doc_id = documents.attach(svc.engine, svc.clock, svc.settings.documents_dir, inst, who,
                              form["kind"], filename, content, ref=form.get("ref"))
    digest = documents.sha256(content)
    svc.workflows.note_document(inst, who, form["kind"], filename, digest)
    return {"id": doc_id, "item_id": inst.id, "kind": form["kind"], "ref": form.get("ref"),
            "filename": filename, "size": len(content), "sha256": digest}, 201


@operation("POST", "/v1/votes/<int:session_id>/ballots", "Cast the caller's secret ballot",
           (201, "Receipt"), (400, 403, 409), body=BallotBody, tags=("votes",))
def ballot(session_id: int) -> ResponseReturnValue:
    body = load_json(BallotBody)
    if session_id > MAX_ID:
        raise NotFound(f"no vote session with id {session_id}")
    receipt = voting.cast_ballot(services().workflows, session_id, actor(), body["choices"])
    return {"session_id": receipt.session_id, "round": receipt.round,
            "voter_key": receipt.voter_key}, 201


@operation("GET", "/v1/votes/<int:session_id>/result", "A vote's tally and winners, once "
           "counted", (200, "VoteResult"), (403,), tags=("votes",))
def vote_result(session_id: int) -> ResponseReturnValue:
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    require_member(session, actor())
    return voting.result(services().workflows, session_id)


@operation("POST", "/v1/definitions/validate", "Check a workflow definition without storing "
           "it", (200, "Validation"), (400,), body=DefinitionBody, tags=("definitions",))
def validate_definition() -> ResponseReturnValue:
    body = load_json(DefinitionBody)
    try:
        spec = load_definition(body["text"], body.get("file") or DEFAULT_FILE)
    except DefinitionErrors as exc:
        return {"ok": False, "name": None, "errors": definition_errors(exc)}
    return {"ok": True, "name": spec.name, "errors": []}


@operation("POST", "/v1/definitions/publish", "Publish a new version of a workflow definition "
           "(admin)", (200, "Published"), (400, 403), body=DefinitionBody, tags=("definitions",))
def publish_definition() -> ResponseReturnValue:
    body = load_json(DefinitionBody)
    who = actor()
    if not who.has_global_role("admin"):
        raise PermissionDenied(
            f"publishing a definition needs the role admin; '{who.username}' does not hold it")
    text, file = body["text"], body.get("file") or DEFAULT_FILE
    load_definition(text, file)  # every problem at once, the deep-nesting guard included
    result = services().catalog.publish_text(text, file, author=who.username)
    return {"name": result.name, "version": result.version, "created": result.created}


def load_definition(text: str, file: str) -> WorkflowSpec:
    """The spec of a definition text, checked like a publish would check it."""
    catalog = services().catalog
    try:
        spec = load_text(text, file, catalog.registry)
    except RecursionError:
        raise DefinitionErrors([DefinitionError(
            file, None, "", "the YAML is nested too deeply to be a workflow definition")]) from None
    known = set(catalog.names()) | {spec.name}
    unknown = sorted(spec.child_workflows() - known)
    if unknown:
        raise DefinitionErrors([DefinitionError(file, None, "spawn", f"unknown workflow '{c}'")
                                for c in unknown])
    return spec


def definition_errors(exc: DefinitionErrors) -> list[dict[str, Any]]:
    return [{"file": e.file, "line": e.line, "path": e.path, "message": e.message}
            for e in exc.errors]


# --- errors: JSON under /api, always ------------------------------------------------------------


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thidua"'
    return response


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


@bp.errorhandler(ValidationError)
def validation_error(exc: ValidationError) -> Response:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_body": exc.messages}
    return error_response(400, "invalid_input", "the request has invalid fields; see 'fields'",
                          fields=_string_keys(messages))


@bp.errorhandler(WorkflowError)
def workflow_error(exc: WorkflowError) -> Response:
    if isinstance(exc, DefinitionErrors):
        return error_response(400, exc.code, "the definition has errors; see 'errors'",
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
    return error_response(status_of(exc), exc.code, str(exc), **extra)


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


@operation("GET", "/openapi.json", "This document", (200, "OpenApiDocument"), public=True,
           tags=("meta",))
def openapi() -> ResponseReturnValue:
    return openapi_document()


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.0 for every operation of the route table; request schemas come from the
    marshmallow schemas the views load with, so the two cannot drift apart."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        path = "/api" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation_object(op)
    return {
        "openapi": "3.0.3",
        "info": {"title": "thidua API", "version": "1",
                 "description": "Workflow items, votes and definitions of thidua. Every call "
                                "but this document needs 'Authorization: Bearer <token>'."},
        "paths": paths,
        "components": {"schemas": RESPONSES, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "an API token created for a user"}}},
        "security": [{"bearer": []}],
    }


def _operation_object(op: Operation) -> dict[str, Any]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
              for name in re.findall(r"<(?:\w+:)?(\w+)>", op.rule)]
    if op.query is not None:
        body = json_schema(op.query())
        params += [{"name": name, "in": "query", "required": False, "schema": prop,
                    **({"description": prop["description"]} if "description" in prop else {})}
                   for name, prop in body["properties"].items()]
    out: dict[str, Any] = {"operationId": op.endpoint, "summary": op.summary,
                           "tags": list(op.tags), "responses": _responses(op)}
    if params:
        out["parameters"] = params
    if op.public:
        out["security"] = []
    if op.body is not None:
        schema = json_schema(op.body())
        media = "application/json"
        if op.multipart:
            media = "multipart/form-data"
            schema["properties"]["file"] = {"type": "string", "format": "binary"}
            schema["required"] = [*schema.get("required", []), "file"]
        out["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}
    return out


ERROR_TEXT = {400: "Invalid input; 'fields' names each field and its problem",
              401: "No token, or an unknown or revoked one",
              403: "The caller lacks the role; the message names the role needed",
              404: "No such item, session or path",
              409: "Stale version, or the action is not allowed now; the message says why",
              413: "The upload is too large"}


def _responses(op: Operation) -> dict[str, Any]:
    status, component = op.ok
    out: dict[str, Any] = {str(status): {"description": "Success", "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}}
    codes = op.errors if op.public else (*COMMON_ERRORS, *op.errors)
    for code in sorted(set(codes)):
        out[str(code)] = {"description": ERROR_TEXT[code], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out["default"] = {"description": "Any other error, always as JSON", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def json_schema(schema: Schema) -> dict[str, Any]:
    """The JSON schema of a marshmallow schema: its fields, required ones, nothing else."""
    props = {f.data_key or name: field_schema(f) for name, f in schema.fields.items()}
    required = [f.data_key or name for name, f in schema.fields.items() if f.required]
    out = {"type": "object", "properties": props, "additionalProperties": schema.unknown == EXCLUDE}
    return {**out, "required": required} if required else out


def field_schema(f: fields.Field[Any]) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(f, fields.Nested) and isinstance(f.schema, Schema):
        out = json_schema(f.schema)
    elif isinstance(f, fields.List):
        out = {"type": "array", "items": field_schema(f.inner)}
    elif isinstance(f, fields.Dict):
        values = f.value_field
        out = {"type": "object",
               "additionalProperties": field_schema(values) if values is not None else {}}
    elif isinstance(f, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(f, fields.Boolean):
        out = {"type": "boolean"}
    elif isinstance(f, fields.String):
        out = {"type": "string"}
    else:
        out = {}  # fields.Raw: any JSON value
    for v in f.validators:
        out.update(_validator_schema(v, out.get("type")))
    if f.allow_none:
        out["nullable"] = True
    if f.load_default is not missing and not callable(f.load_default):
        out["default"] = f.load_default
    if "description" in f.metadata:
        out["description"] = f.metadata["description"]
    return out


def _validator_schema(v: Any, kind: str | None) -> dict[str, Any]:
    if isinstance(v, validate.Length):
        low, high = {"array": ("minItems", "maxItems"), "object": (
            "minProperties", "maxProperties")}.get(kind or "", ("minLength", "maxLength"))
        return {k: n for k, n in ((low, v.min), (high, v.max)) if n is not None}
    if isinstance(v, validate.Range):
        out: dict[str, Any] = {}
        if v.min is not None:
            out.update(minimum=v.min, **({} if v.min_inclusive else {"exclusiveMinimum": True}))
        if v.max is not None:
            out.update(maximum=v.max, **({} if v.max_inclusive else {"exclusiveMaximum": True}))
        return out
    if isinstance(v, validate.OneOf):
        return {"enum": list(v.choices)}
    if isinstance(v, validate.Regexp):
        return {"pattern": v.regex.pattern}
    return {}


# Response bodies, as the views above build them.


def _obj(props: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props,
            "required": [k for k in props if k not in optional]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": _ref(item)}, "total": INT,
                 "page": INT, "per_page": INT})


INT: dict[str, Any] = {"type": "integer"}
STR: dict[str, Any] = {"type": "string"}
INT_OR_NULL: dict[str, Any] = {"type": "integer", "nullable": True}
STR_OR_NULL: dict[str, Any] = {"type": "string", "nullable": True}
STRS: dict[str, Any] = {"type": "array", "items": STR}
ANY_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}

RESPONSES: dict[str, Any] = {
    "Error": _obj({"error": _obj({
        "code": {**STR, "description": "machine-readable, e.g. stale_state"},
        "message": {**STR, "description": "what went wrong and what to do"},
        "check": {**STR, "description": "the check that refused an action"},
        "fields": {**ANY_OBJECT, "description": "field name -> its problems"},
        "errors": {"type": "array", "items": _ref("DefinitionProblem")},
    }, optional=("check", "fields", "errors"))}),
    "Grant": _obj({"role": STR, "unit_id": INT_OR_NULL, "cluster_id": INT_OR_NULL,
                   "year": INT_OR_NULL}),
    "Me": _obj({"id": INT, "username": STR, "on_behalf_of": STR_OR_NULL,
                "roles": {"type": "array", "items": _ref("Grant")}}),
    "InboxItem": _obj({
        "id": INT, "workflow": STR, "title": STR, "state": STR, "state_label": STR,
        "unit": STR_OR_NULL, "campaign_id": INT_OR_NULL,
        "due": {**STR_OR_NULL, "format": "date"}, "overdue": {"type": "boolean"},
        "actions": STRS}),
    "InboxPage": _page("InboxItem"),
    "Action": _obj({
        "trigger": STR, "label": STR, "dest": STR, "roles": STRS, "required_fields": STRS,
        "required_documents": STRS, "allowed": {"type": "boolean"},
        "reason": {**STR_OR_NULL, "description": "why it cannot be done now"}}),
    "Item": _obj({
        "id": INT, "workflow": STR, "definition_version": INT, "state": STR,
        "state_label": STR, "status": STR, "version": INT, "unit_id": INT_OR_NULL,
        "cluster_id": INT_OR_NULL, "year": INT_OR_NULL, "parent_id": INT_OR_NULL,
        "data": ANY_OBJECT, "entered_at": {**STR, "format": "date-time"},
        "actions": {"type": "array", "items": _ref("Action")}}),
    "HistoryEntry": _obj({
        "seq": INT, "kind": STR, "from_state": STR_OR_NULL, "to_state": STR,
        "trigger": STR_OR_NULL, "actor": STR, "on_behalf_of": STR_OR_NULL, "role": STR_OR_NULL,
        "at": {**STR, "format": "date-time"}, "comment": STR_OR_NULL, "payload": ANY_OBJECT,
        "hash": STR}),
    "HistoryPage": _page("HistoryEntry"),
    "Fired": _obj({"id": INT, "state": STR, "status": STR, "version": INT}),
    "Document": _obj({"id": INT, "item_id": INT, "kind": STR, "ref": STR_OR_NULL,
                      "filename": STR, "size": INT, "sha256": STR}),
    "Receipt": _obj({"session_id": INT, "round": INT, "voter_key": STR}),
    "VoteResult": _obj({"tally": ANY_OBJECT, "winners": ANY_OBJECT, "runoff": ANY_OBJECT,
                        "warnings": {"type": "array", "items": {}}}),
    "DefinitionProblem": _obj({"file": STR, "line": INT_OR_NULL, "path": STR,
                               "message": STR}),
    "Validation": _obj({"ok": {"type": "boolean"}, "name": STR_OR_NULL,
                        "errors": {"type": "array", "items": _ref("DefinitionProblem")}}),
    "OpenApiDocument": ANY_OBJECT,
    "Published": _obj({"name": STR, "version": INT, "created": {"type": "boolean"}}),
}
