"""The API's items: the caller, their inbox, an item, its history, firing an action on it
and attaching a document to it."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from web.api import (
    actor,
    clean_filename,
    iso,
    load_item,
    load_json,
    load_query,
    operation,
    page_of,
    require_see,
    services,
)
from web.api.schemas import (
    MAX_ID,
    DocumentForm,
    DocumentUpload,
    FireBody,
    InboxQuery,
    LangQuery,
    PageQuery,
)
from web.api.versions import expected_version
from workflow.errors import NotFound
from workflow.services import documents, voting
from workflow.services import inbox as inbox_service


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
