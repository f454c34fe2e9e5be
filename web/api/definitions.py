"""The API's workflow definitions: validating and publishing (admins)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from web import definition_checks as checks
from web.api import ApiError, actor, definition_errors, load_json, operation, services
from web.api.schemas import DefinitionBody
from workflow.definitions.workflow_loader import load_text
from workflow.definitions.yamlsrc import MAX_NODES
from workflow.engine.spec import WorkflowSpec
from workflow.errors import DefinitionError, DefinitionErrors, PermissionDenied

DEFAULT_FILE = "definition.yaml"


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
