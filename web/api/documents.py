"""An item's documents in the JSON API: listed and downloaded by whoever may see the item, and
the documents the product generates (a vote's minutes, a dossier's submission letter, an
inspection's minutes) drawn up and attached by those who may. Registered on the API
blueprint."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from web.api import (
    actor,
    iso,
    load_item,
    load_json,
    load_query,
    operation,
    page_of,
    require_see,
    services,
)
from web.api.dossiers import chaired_session
from web.api.schemas import (
    DOCUMENT_KIND,
    REPLIES,
    PageQuery,
    PageSchema,
    Reply,
    Text,
)
from web.api.units import paged
from web.api.year import member_units
from workflow.engine.instance import Instance
from workflow.errors import NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, dossiers, inspections, voting
from workflow.services import documents as attachments

UPLOAD_STATES = frozenset({"draft", "posting", "returned"})  # as the dossier's page allows
LETTER_WRITERS = frozenset({"cluster_leader", "unit_officer"})


class DocumentsQuery(PageQuery):
    kind = Text(validate=validate.Regexp(DOCUMENT_KIND),
                metadata={"description": "only documents of this kind"})
    ref = Text(validate=validate.Length(1, 64),
               metadata={"description": "only documents for this criterion or item code"})


class CommitteeMember(Schema):
    name = Text(required=True, validate=validate.Length(1, 120))
    role = Text(load_default="Thành viên", validate=validate.Length(1, 120),
                metadata={"description": "their part in the committee, e.g. Thư ký"})


class MinutesBody(Schema):
    committee = fields.List(fields.Nested(CommitteeMember), required=True,
                            validate=validate.Length(1, 10),
                            metadata={"description": "the counting committee (ban kiểm phiếu)"})


class LetterBody(Schema):
    number = Text(required=True, validate=validate.Length(1, 60),
                  metadata={"description": "the letter's number, e.g. 12/TTr-KNC"})
    signer_position = Text(required=True, validate=validate.Length(1, 120),
                           metadata={"description": "e.g. KHỐI TRƯỞNG"})
    signer_name = Text(required=True, validate=validate.Length(1, 120))


class DocumentInfoSchema(Reply):
    id = fields.Integer()
    item_id = fields.Integer()
    kind = fields.String()
    ref = fields.String(allow_none=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.String()
    uploaded_at = fields.String(metadata={"format": "date-time"})
    url = fields.String(metadata={"description": "where to download it (same token)"})


class DocumentPageSchema(PageSchema):
    items = fields.List(fields.Nested(DocumentInfoSchema))


class GeneratedSchema(Reply):
    item_id = fields.Integer()
    kind = fields.String()
    sha256 = fields.String()
    document = fields.Nested(DocumentInfoSchema)


def document_reply(item_id: int, d: Any) -> dict[str, Any]:
    return {"id": d.id, "item_id": item_id, "kind": d.kind, "ref": d.ref,
            "filename": d.filename, "content_type": d.content_type, "size": d.size,
            "uploaded_by": d.uploaded_by, "uploaded_at": iso(d.uploaded_at),
            "url": f"/api/v1/items/{item_id}/documents/{d.id}"}


def generated(item_id: int, kind: str, sha: str) -> dict[str, Any]:
    docs = services().reads.documents(item_id, kind)
    return {"item_id": item_id, "kind": kind, "sha256": sha,
            "document": document_reply(item_id, docs[-1])}


def seen_documents(item_id: int) -> Instance:
    inst = load_item(item_id)
    who = actor()
    if not access.may_read_documents(who, inst, member_units):
        require_see(inst, who)  # the message names the roles that would see it
    return inst


REPLIES.update({"DocumentPage": DocumentPageSchema, "Generated": GeneratedSchema,
                "File": None})


# --- documents --------------------------------------------------------------------------------


@operation("GET", "/v1/items/<int:item_id>/documents", "An item's documents, oldest first, by "
           "kind", (200, "DocumentPage"), (400, 403), query=DocumentsQuery, tags=("items",))
def item_documents(item_id: int) -> ResponseReturnValue:
    query = load_query(DocumentsQuery)
    inst = seen_documents(item_id)
    rows = [d for d in services().reads.documents(inst.id, query.get("kind"))
            if query.get("ref", d.ref) == d.ref]
    items, total = paged(rows, query)
    return page_of([document_reply(inst.id, d) for d in items], total, query)


@operation("GET", "/v1/items/<int:item_id>/documents/<int:document_id>", "Download a document "
           "(its bytes, under its own name)", (200, "File"), (403,), tags=("items",))
def download_document(item_id: int, document_id: int) -> ResponseReturnValue:
    inst = seen_documents(item_id)
    doc = next((d for d in services().reads.documents(inst.id) if d.id == document_id), None)
    if doc is None:
        raise NotFound(f"no document {document_id} on item {item_id}")
    path = services().settings.documents_dir / doc.storage_key
    if not path.is_file():
        raise NotFound(f"the file {doc.filename} is missing from the store")
    served = frozenset(attachments.EXTENSIONS.values())
    kind = doc.content_type if doc.content_type in served else "application/octet-stream"
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=kind, as_attachment=True,
                         download_name=attachments.stored_name(doc.filename))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@operation("POST", "/v1/votes/<int:session_id>/minutes", "Draw up the vote-count minutes "
           "(biên bản kiểm phiếu) of a counted vote with its counting committee (the chair)",
           (201, "Generated"), (400, 403, 409), body=MinutesBody, tags=("votes",))
def vote_minutes(session_id: int) -> ResponseReturnValue:
    body = load_json(MinutesBody)
    session, who = chaired_session(session_id, "the vote-count minutes are drawn up by the "
                                   "chair of the vote")
    svc = services()
    sha = voting.draw_up_minutes(svc.workflows, session.id, who, svc.settings.documents_dir,
                                 [(m["name"].strip(), m["role"].strip())
                                  for m in body["committee"]])
    return generated(session.id, "bien_ban_kiem_phieu", sha), 201


@operation("POST", "/v1/dossiers/<int:dossier_id>/letter", "Generate a dossier's submission "
           "letter (tờ trình) from the vote's count and attach it (the cluster's leader)",
           (201, "Generated"), (400, 403, 409), body=LetterBody, tags=("dossiers",))
def dossier_letter(dossier_id: int) -> ResponseReturnValue:
    body = load_json(LetterBody)
    dossier = load_item(dossier_id)
    if dossier.workflow != "dossier":
        raise NotFound(f"no dossier with id {dossier_id}")
    who = actor()
    require_see(dossier, who)
    if not access.roles_on(who, dossier) & LETTER_WRITERS:
        raise PermissionDenied("a dossier's submission letter is written by the cluster's "
                               "leader or the unit's officer")
    if dossier.state not in UPLOAD_STATES:
        raise TransitionNotAllowed("status", "the dossier takes no more documents now")
    svc = services()
    sha = dossiers.submission_letter(svc.workflows, dossier.id, who, svc.settings.documents_dir,
                                     number=body["number"].strip(),
                                     signer=(body["signer_position"].strip(),
                                             body["signer_name"].strip()))
    return generated(dossier.id, "to_trinh", sha), 201


@operation("POST", "/v1/inspections/<int:inspection_id>/minutes", "Draw up the minutes of a "
           "cross-inspection (biên bản kiểm tra chéo) from its recorded results and attach them "
           "(the team, the inspected unit, the leader)", (201, "Generated"), (400, 403),
           tags=("items",))
def inspection_minutes(inspection_id: int) -> ResponseReturnValue:
    inspection = load_item(inspection_id)
    if inspection.workflow != "inspection":
        raise NotFound(f"no inspection with id {inspection_id}")
    who = actor()
    require_see(inspection, who)
    svc = services()
    campaign = svc.workflows.get(inspection.parent_id or 0)
    ref = campaign.data.get("criteria_table")
    if not isinstance(ref, dict):
        raise TransitionNotAllowed("status", "the campaign has no criteria table")
    table = svc.criteria.get(ref["code"], ref.get("version"))
    reads = svc.reads
    plan = inspection.data.get("plan") or {}
    cluster = reads.cluster_names([campaign.cluster_id or 0]).get(campaign.cluster_id or 0, "")
    names = inspections.Names(
        cluster, reads.unit_names([inspection.unit_id or 0,
                                   int(plan.get("inspector_unit_id") or 0)]),
        reads.full_names(inspections.people_of(inspection)))
    doc = inspections.draw_up_minutes(svc.workflows, svc.settings.documents_dir, inspection,
                                      who, table, names)
    return generated(inspection.id, inspections.MINUTES_KIND, doc.sha256), 201
