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

from web import definition_checks as checks
from web.api_schemas import (
    MAX_ID,
    REPLIES,
    BallotBody,
    CampaignBody,
    DefinitionBody,
    DocumentForm,
    DocumentUpload,
    ErrorSchema,
    FireBody,
    InboxQuery,
    LangQuery,
    LaunchBody,
    PageQuery,
    VoteScheduleBody,
)
from web.api_versions import expected_version
from web.openapi import Operation
from web.openapi import openapi_document as generate_document
from web.security import csrf, status_of
from workflow.bootstrap import Services
from workflow.definitions.workflow_loader import load_text
from workflow.definitions.yamlsrc import MAX_NODES
from workflow.domain.campaigns import campaign_title
from workflow.domain.records import CampaignSummary
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.engine.spec import WorkflowSpec
from workflow.errors import (
    DefinitionError,
    DefinitionErrors,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.services import (
    access,
    api_tokens,
    campaigns,
    documents,
    organisations,
    people,
    voting,
)
from workflow.services import inbox as inbox_service

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # bearer tokens, never cookies: nothing a foreign page could ride on

DEFAULT_FILE = "definition.yaml"


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
        "due_at": iso(i.due_at),
    } for i in items], total, query)


@operation("GET", "/v1/items/<int:item_id>", "An item: state, version, data and what the caller "
           "can do", (200, "Item"), (400, 403), query=LangQuery, tags=("items",))
def item(item_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    inst = load_item(item_id)
    who = actor()
    require_see(inst, who)
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
    require_see(inst, actor())
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
    payload = dict(body.get("payload") or {})
    comment = (body.get("comment") or "").strip()
    if comment:
        payload["comment"] = comment
    # found, version checked, fired and written in one transaction
    fired = services().workflows.fire(item_id, body["trigger"], actor(), payload,
                                      expected_version=expected_version(body))
    voting.announce(services().workflows, fired, base_url=services().settings.app.base_url)
    inst = fired.instance
    return {"id": inst.id, "state": inst.state, "status": inst.status, "version": inst.version}


@operation("POST", "/v1/items/<int:item_id>/documents", "Attach a document (PDF, Office, PNG "
           "or JPEG) to an item", (201, "Document"), (400, 403, 413), body=DocumentUpload,
           multipart=True, tags=("items",))
def attach(item_id: int) -> ResponseReturnValue:
    form: dict[str, Any] = DocumentForm().load(request.form.to_dict())
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": ["Missing data for required field."]})
    if item_id > MAX_ID:
        raise NotFound(f"no workflow instance with id {item_id}")
    content = upload.read()
    filename = documents.stored_name(clean_filename(upload.filename))
    svc = services()
    # found, the caller's part in it checked, stored and noted in its history: one transaction
    done = documents.attach(svc.workflows, svc.settings.documents_dir, item_id, actor(),
                            form["kind"], filename, content, ref=form.get("ref"))
    return {"id": done.document_id, "item_id": done.instance.id, "kind": done.kind,
            "ref": done.ref, "filename": done.filename, "size": done.size,
            "sha256": done.sha256}, 201


@operation("POST", "/v1/votes/<int:session_id>/ballots", "Cast the caller's secret ballot",
           (201, "Receipt"), (400, 403, 409), body=BallotBody, tags=("votes",))
def ballot(session_id: int) -> ResponseReturnValue:
    body = load_json(BallotBody)
    if session_id > MAX_ID:
        raise NotFound(f"no vote session with id {session_id}")
    receipt = voting.cast_ballot(services().workflows, session_id, actor(), body["choices"])
    return {"session_id": receipt.session_id, "round": receipt.round,
            "voter_key": receipt.voter_key}, 201


@operation("POST", "/v1/campaigns/<int:campaign_id>/votes", "Schedule the year-end vote of a "
           "campaign at its vote (the cluster's leader or the council office)",
           (201, "VoteSession"), (400, 403, 409), body=VoteScheduleBody, tags=("votes",))
def schedule_vote(campaign_id: int) -> ResponseReturnValue:
    body = load_json(VoteScheduleBody)
    campaign = load_item(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    who = actor()
    require_see(campaign, who)
    meeting = body["meeting"]
    session = voting.schedule_year_end_vote(
        services().workflows, campaign_id, who, body["candidates"],
        voting.Meeting(meeting["date"], meeting["time"], meeting["place"].strip(),
                       meeting["conference"].strip()), ends_at=body.get("ends_at"))
    return {"id": session.id, "state": session.state, "version": session.version,
            "campaign_id": campaign_id, "candidates": session.data["candidates"],
            "meeting": session.data["meeting"], "ends_at": session.data.get("ends_at")}, 201


@operation("GET", "/v1/votes/<int:session_id>/result", "A vote's tally and winners, once "
           "counted", (200, "VoteResult"), (403,), tags=("votes",))
def vote_result(session_id: int) -> ResponseReturnValue:
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    require_see(session, actor())
    return voting.result(services().workflows, session_id)


@operation("POST", "/v1/definitions/validate", "Check a workflow definition without storing "
           "it (admin)", (200, "Validation"), (400, 403, 429), body=DefinitionBody,
           tags=("definitions",))
def validate_definition() -> ResponseReturnValue:
    checks.require_checker(actor())  # before the body is read: admins only, bounded
    body = load_json(DefinitionBody)
    try:
        with checks.slot():
            spec = load_definition(body["text"], body.get("file") or DEFAULT_FILE,
                                   checks.MAX_NODES)
    except checks.Busy as exc:
        raise ApiError(429, "too_many_requests", str(exc)) from None
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


# --- campaigns (a cluster's year) -------------------------------------------------------------


def campaign_reply(c: CampaignSummary, lang: str = "vi") -> dict[str, Any]:
    spec = services().workflows.catalog.latest("campaign").spec
    try:
        label = spec.state(c.state).label.get(lang)
    except KeyError:
        label = c.state
    return {"id": c.id, "cluster_id": c.cluster_id, "year": c.year,
            "title": campaign_title(c.year, c.cluster_name, c.kind, c.theme, lang),
            "kind": c.kind, "theme": c.theme, "state": c.state, "state_label": label,
            "status": c.status, "criteria_table": c.criteria_table}


@operation("POST", "/v1/campaigns", "Create the draft campaign of a cluster's year (council "
           "office, or whoever may revise a campaign's plan); 'fields' names each problem",
           (201, "Campaign"), (400, 403), body=CampaignBody, tags=("campaigns",))
def create_campaign() -> ResponseReturnValue:
    body = load_json(CampaignBody)
    svc = services()
    try:
        inst = campaigns.create(svc.workflows, svc.criteria, actor(), body["cluster_id"], body)
    except campaigns.PlanRefused as refused:
        raise ApiError(400, "invalid_input", "the campaign's plan has problems; see 'fields'",
                       fields={k: [r.english()] for k, r in refused.errors.items()},
                       refusals={k: r.as_json() for k, r in refused.errors.items()}) from None
    return campaign_reply(svc.reads.campaigns([inst.id])[inst.id]), 201


@operation("POST", "/v1/campaigns/<int:campaign_id>/launch", "Launch (phát động) a draft "
           "campaign with the plan it holds", (200, "Fired"), (400, 403, 409), body=LaunchBody,
           tags=("campaigns",))
def launch_campaign(campaign_id: int) -> ResponseReturnValue:
    body = load_json(LaunchBody)
    inst = load_item(campaign_id)
    if inst.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    require_see(inst, actor())
    fired = campaigns.launch(services().workflows, actor(), inst.id, expected_version(body),
                             body.get("comment") or "")
    done = fired.instance
    return {"id": done.id, "state": done.state, "status": done.status, "version": done.version}


@operation("GET", "/v1/clusters/<int:cluster_id>/campaigns", "A cluster's campaigns, the "
           "newest first", (200, "CampaignList"), (400, 403), query=LangQuery,
           tags=("campaigns",))
def cluster_campaigns(cluster_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    if cluster_id > MAX_ID:
        raise NotFound(f"no cluster with id {cluster_id}")
    cluster = organisations.get_cluster(services().uow(), cluster_id)
    if not access.may_see_cluster(actor(), cluster.id, cluster.year, cluster.members):
        raise PermissionDenied(f"'{actor().username}' takes no part in cluster {cluster.code} "
                               f"{cluster.year}")
    return {"items": [campaign_reply(c, query["lang"])
                      for c in services().reads.cluster_campaigns(cluster.id)]}


def load_definition(text: str, file: str, max_nodes: int = MAX_NODES) -> WorkflowSpec:
    """The spec of a definition text, checked like a publish would check it."""
    catalog = services().catalog
    try:
        spec = load_text(text, file, catalog.registry, max_nodes)
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
    """OpenAPI 3.0 for every operation of the route table, generated from the marshmallow
    schemas the views load and dump with, so the two cannot drift apart."""
    document: dict[str, Any] = json.loads(_document_text())
    return document


@functools.cache
def _document_text() -> str:
    """Generated once per process (some 30 ms): the routes are all registered at import."""
    return json.dumps(generate_document(OPERATIONS))
import web.api_routes  # noqa: E402, F401  (issue 15's routes and hooks, on this blueprint)
from web import api_dossiers  # noqa: E402, F401  (the dossiers routes, on this blueprint)
