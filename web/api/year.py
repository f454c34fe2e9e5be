"""A campaign's year in the JSON API: its items by kind and state, the ranking, the proposed
cross-inspection plan, each item's documents (list, download) and the documents the system
generates (the vote-count minutes, a dossier's submission letter). Every check is the access
policy's, as the year's pages ask it. Registered on the API blueprint (web.api imports this
module once its own routes are in place)."""

from __future__ import annotations

import functools
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
from web.api.schemas import DOCUMENT_KIND, MAX_ID, REPLIES, LangQuery, PageQuery, Reply, Text
from web.api.units import paged
from workflow.engine.instance import Instance
from workflow.errors import NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, dossiers, inspections, naming, organisations, voting, year
from workflow.services import documents as attachments

CHAIRS = frozenset({"cluster_leader", "cluster_deputy", "council_secretariat", "council_chair"})
LETTER_WRITERS = frozenset({"cluster_leader", "unit_officer"})
UPLOAD_STATES = frozenset({"draft", "posting", "returned"})  # as the dossier's page allows
WORKFLOWS = ("pledge", "report", "inspection", "score_sheet", "vote_session", "dossier")


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def _query_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


# --- requests ---------------------------------------------------------------------------------


class ItemsQuery(PageQuery):
    workflow = Text(validate=validate.OneOf(WORKFLOWS), metadata={
        "description": "the kind of item: pledge, report, inspection, score_sheet, "
                       "vote_session or dossier"})
    state = Text(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
                 metadata={"description": "only items in this state"})
    unit_id = _query_id(metadata={"description": "only the items of this unit"})
    status = Text(validate=validate.OneOf(("active", "completed", "cancelled")))
    lang = fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]))


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


# --- replies ----------------------------------------------------------------------------------


class CampaignItemSchema(Reply):
    id = fields.Integer()
    workflow = fields.String()
    title = fields.String(metadata={"description": "its name, e.g. Giao ước thi đua 2026 – "
                                                   "Bộ Công an"})
    state = fields.String()
    state_label = fields.String()
    status = fields.String()
    version = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the unit's name"})
    parent_id = fields.Integer(allow_none=True)
    data = fields.Dict()


class CampaignItemPageSchema(Reply):
    items = fields.List(fields.Nested(CampaignItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class StandingSchema(Reply):
    rank = fields.Integer()
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    base = fields.String(metadata={"description": "verified points, a decimal"})
    bonus = fields.String()
    penalty = fields.String()
    total = fields.String()
    gap_flags = fields.Integer(metadata={"description": "criteria whose self and inspection "
                                                        "scores differ too much"})
    groups = fields.Dict(keys=fields.String(), values=fields.String())


class RankingSchema(Reply):
    campaign_id = fields.Integer()
    criteria_table = fields.String()
    standings = fields.List(fields.Nested(StandingSchema))
    pending_units = fields.List(fields.Integer(), metadata={
        "description": "units whose score sheet is not final yet"})


class PlanPairSchema(Reply):
    inspector_unit_id = fields.Integer()
    unit_id = fields.Integer()
    team = fields.List(fields.String(), metadata={"description": "usernames of the team"})
    lead = fields.String()


class InspectionPlanSchema(Reply):
    inspection_plan = fields.List(fields.Nested(PlanPairSchema))
    repeated = fields.List(fields.List(fields.Integer()), metadata={
        "description": "pairs that repeat last year's (inspector, inspected)"})
    notes = fields.List(fields.String())


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


class DocumentPageSchema(Reply):
    items = fields.List(fields.Nested(DocumentInfoSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class GeneratedSchema(Reply):
    item_id = fields.Integer()
    kind = fields.String()
    sha256 = fields.String()
    document = fields.Nested(DocumentInfoSchema)


class LevelSchema(Reply):
    points = fields.String()
    label = fields.String()


class CriterionSchema(Reply):
    code = fields.String()
    title = fields.String()
    group = fields.String()
    max_points = fields.String(metadata={"description": "a decimal"})
    kind = fields.String(metadata={"description": "quantitative or qualitative"})
    target_required = fields.Boolean(metadata={"description": "a target is pledged for it"})
    unit = fields.String(allow_none=True)
    levels = fields.List(fields.Nested(LevelSchema))
    evidence = fields.List(fields.String(), metadata={
        "description": "document kinds required for a positive score (ref = the code)"})


class CriteriaSchema(Reply):
    code = fields.String()
    version = fields.Integer(allow_none=True)
    title = fields.String()
    scale = fields.String()
    appeal_days = fields.Integer()
    criteria = fields.List(fields.Nested(CriterionSchema))


REPLIES.update({"Criteria": CriteriaSchema, "CampaignItemPage": CampaignItemPageSchema,
                "Ranking": RankingSchema,
                "InspectionPlan": InspectionPlanSchema, "DocumentPage": DocumentPageSchema,
                "Generated": GeneratedSchema, "File": None})


# --- helpers ----------------------------------------------------------------------------------


def member_units(cluster_id: int) -> list[int]:
    return list(organisations.get_cluster(services().uow(), cluster_id).members)


def campaign_of(campaign_id: int) -> Instance:
    inst = load_item(campaign_id)
    if inst.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    require_see(inst, actor())
    return inst


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


# --- a campaign's items and its ranking -------------------------------------------------------


@operation("GET", "/v1/campaigns/<int:campaign_id>/items", "A campaign's items (pledges, "
           "reports, inspections, score sheets, votes, dossiers) the caller may see, by kind, "
           "state and unit", (200, "CampaignItemPage"), (400, 403), query=ItemsQuery,
           tags=("campaigns",))
def campaign_items(campaign_id: int) -> ResponseReturnValue:
    query = load_query(ItemsQuery)
    campaign = campaign_of(campaign_id)
    who = actor()
    wf = services().workflows
    members = functools.cache(member_units)  # asked once, not once per item
    rows = [c for c in wf.children(campaign.id)
            if query.get("workflow", c.workflow) == c.workflow
            and query.get("state", c.state) == c.state
            and query.get("status", c.status) == c.status
            and query.get("unit_id", c.unit_id) == c.unit_id
            and access.may_see(who, c, members)]
    items, total = paged(rows, query)
    names = naming.names_for(services().reads, items)
    lang = query["lang"]
    out = []
    for c in items:
        spec = wf.catalog.compiled(c.definition_id).spec
        try:
            label = spec.state(c.state).label.get(lang)
        except KeyError:
            label = c.state
        out.append({"id": c.id, "workflow": c.workflow,
                    "title": naming.item_title(spec.title, c, names, lang), "state": c.state,
                    "state_label": label, "status": c.status, "version": c.version,
                    "unit_id": c.unit_id,
                    "unit": names.units.get(c.unit_id) if c.unit_id is not None else None,
                    "parent_id": c.parent_id, "data": c.data})
    return page_of(out, total, query)


@operation("GET", "/v1/campaigns/<int:campaign_id>/criteria", "The campaign's criteria table: "
           "what is pledged, scored and evidenced, criterion by criterion", (200, "Criteria"),
           (403, 409), query=LangQuery, tags=("campaigns",))
def campaign_criteria(campaign_id: int) -> ResponseReturnValue:
    lang = load_query(LangQuery)["lang"]
    campaign = campaign_of(campaign_id)
    ref = campaign.data.get("criteria_table")
    if not isinstance(ref, dict):
        raise TransitionNotAllowed("status", "the campaign has no criteria table yet")
    table = services().criteria.get(ref["code"], ref.get("version"))
    return {"code": table.code, "version": table.version, "title": table.title.get(lang),
            "scale": str(table.scale), "appeal_days": table.appeal_days, "criteria": [{
                "code": c.code, "title": c.title.get(lang), "group": c.group,
                "max_points": str(c.max_points), "kind": c.kind,
                "target_required": c.target_required, "unit": c.unit,
                "levels": [{"points": str(level.points), "label": level.label.get(lang)}
                           for level in c.levels],
                "evidence": list(c.evidence)} for c in table.criteria]}


@operation("GET", "/v1/campaigns/<int:campaign_id>/ranking", "The ranking (bảng xếp hạng) of "
           "the final score sheets, with the units still pending", (200, "Ranking"), (403, 409),
           tags=("campaigns",))
def campaign_ranking(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_of(campaign_id)
    found = year.ranking(services().workflows, campaign.id)
    return {"campaign_id": found.campaign_id, "criteria_table": found.criteria_table,
            "standings": [{
                "rank": s.rank, "unit_id": s.unit_id, "unit_code": s.unit_code,
                "unit_name": s.unit_name, "base": str(s.base), "bonus": str(s.bonus),
                "penalty": str(s.penalty), "total": str(s.total), "gap_flags": s.gap_flags,
                "groups": {k: str(v) for k, v in s.groups.items()}} for s in found.standings],
            "pending_units": list(found.pending_units)}


@operation("GET", "/v1/campaigns/<int:campaign_id>/inspection-plan", "A proposed cross-"
           "inspection plan (who inspects whom, each team and its lead) for the leader to "
           "record with the action plan_inspections", (200, "InspectionPlan"), (403, 409),
           tags=("campaigns",))
def inspection_plan(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_of(campaign_id)
    if campaign.state != "mid_year_review":
        raise TransitionNotAllowed("status", "the cross-inspection is planned during the "
                                   "mid-year review")
    return year.propose_inspection_plan(services().workflows, campaign.id, actor())


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
    session = load_item(session_id)
    if session.workflow != "vote_session":
        raise NotFound(f"no vote session with id {session_id}")
    who = actor()
    require_see(session, who)
    if not access.roles_on(who, session) & CHAIRS:
        raise PermissionDenied("the vote-count minutes are drawn up by the chair of the vote")
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
