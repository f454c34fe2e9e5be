"""The API's exemplary models (điển hình tiên tiến, mô hình hay) of a campaign: the list with
the units adopting each, one model (its version as the ETag), and proposing one, by a unit for
itself or by the cluster's leader or deputy from a report or an inspection. Their next steps
(submit, resubmit, accept, return, present, spread, conclude) and the adoptions' (adopt,
report_results, decline) are the items' own actions, done through /v1/items/{id}/fire like any
other item's; evidence is attached through /v1/items/{id}/documents (kind
minh_chung_dien_hinh)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from web.api import (
    ApiError,
    actor,
    bp,
    load_item,
    load_json,
    load_query,
    operation,
    require_see,
    services,
)
from web.api.schemas import (
    MAX_ID,
    REPLIES,
    LangQuery,
    Reply,
    Text,
    _int,
    _int_or_null,
    _str,
    _str_or_null,
)
from web.api.versions import etag
from web.items import titles_of
from workflow.engine.instance import Instance
from workflow.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import exemplary_models as models
from workflow.services.rules.exemplary import NAME_LENGTH, PEOPLE_LENGTH, TEXT_LENGTH


class ModelBody(Schema):
    unit_id = fields.Integer(strict=True, load_default=None, validate=validate.Range(1, MAX_ID),
                             metadata={"description": "a member unit of the cluster; with "
                                                      "source_id, the source's unit"})
    source_id = fields.Integer(strict=True, load_default=None,
                               validate=validate.Range(1, MAX_ID),
                               metadata={"description": "the report or inspection of the "
                                                        "campaign the model was found in"})
    name = Text(required=True, validate=validate.Length(1, NAME_LENGTH))
    field = Text(required=True, validate=validate.Length(1, NAME_LENGTH),
                 metadata={"description": "lĩnh vực: Cải cách hành chính, Chuyển đổi số, …"})
    description = Text(required=True, validate=validate.Length(1, TEXT_LENGTH),
                       metadata={"description": "what the model does"})
    results = Text(required=True, validate=validate.Length(1, TEXT_LENGTH),
                   metadata={"description": "the results it brought, with figures"})
    people = Text(load_default="", validate=validate.Length(max=PEOPLE_LENGTH),
                  metadata={"description": "the people and groups involved"})
    submit = fields.Boolean(load_default=False,
                            metadata={"description": "send it for the cluster's review at once"})


class ModelAdoptionSchema(Reply):
    id = _int()
    unit_id = _int_or_null()
    unit = _str(description="the unit's name")
    state = _str()
    state_label = _str()
    adopted_on = _str_or_null(description="ISO date")
    how = _str()
    results = _str()
    version = _int()


class ModelPresentationSchema(Reply):
    conference_id = _int()
    presenter = _str()


class ModelSpreadingSchema(Reply):
    on = _str_or_null(description="ISO date")
    units = fields.List(fields.Integer())
    clusters = fields.List(fields.Integer())
    sector = fields.Boolean()
    note = _str()


class ExemplaryModelSchema(Reply):
    id = _int()
    campaign_id = _int_or_null()
    unit_id = _int_or_null()
    unit = _str(description="the unit's name")
    title = _str(description="Điển hình “…” 2025 – Bộ Công an")
    name = _str()
    field = _str()
    description = _str()
    results = _str()
    people = _str()
    source_id = _int_or_null(description="the report or inspection it was found in")
    source_kind = _str_or_null(description="report | inspection")
    state = _str()
    state_label = _str()
    accepted = fields.Boolean()
    version = _int()
    presentations = fields.List(fields.Nested(ModelPresentationSchema))
    spreadings = fields.List(fields.Nested(ModelSpreadingSchema))
    adoptions = fields.List(fields.Nested(ModelAdoptionSchema))


class ExemplaryModelListSchema(Reply):
    items = fields.List(fields.Nested(ExemplaryModelSchema))


REPLIES.update({"ExemplaryModel": ExemplaryModelSchema,
                "ExemplaryModelList": ExemplaryModelListSchema})


def _campaign(campaign_id: int) -> Instance:
    campaign = load_item(campaign_id)
    if campaign.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    require_see(campaign, actor())
    return campaign


def _label(inst: Instance, lang: str) -> str:
    spec = services().workflows.catalog.compiled(inst.definition_id).spec
    return spec.state(inst.state).label.get(lang)


def _members(cluster_id: int | None) -> list[int]:
    return [u.id for u in services().reads.cluster_units(cluster_id)] if cluster_id else []


def model_reply(inst: Instance, units: dict[int, str], lang: str) -> dict[str, Any]:
    wf = services().workflows
    model = inst.data.get("model") or {}
    source = inst.data.get("source") or {}
    adoptions = []
    for a in models.adoptions_of(wf, inst):
        adoption = a.data.get("adoption") or {}
        adoptions.append({
            "id": a.id, "unit_id": a.unit_id, "unit": units.get(a.unit_id or 0, ""),
            "state": a.state, "state_label": _label(a, lang),
            "adopted_on": adoption.get("date"), "how": str(adoption.get("how") or ""),
            "results": str(a.data.get("results") or ""), "version": a.version})
    return {
        "id": inst.id, "campaign_id": inst.parent_id, "unit_id": inst.unit_id,
        "unit": units.get(inst.unit_id or 0, ""), "title": titles_of([inst], lang)[inst.id],
        **{k: str(model.get(k) or "") for k in ("name", "field", "description", "results",
                                                "people")},
        "source_id": source.get("id"), "source_kind": source.get("kind"),
        "state": inst.state, "state_label": _label(inst, lang),
        "accepted": inst.state in models.ACCEPTED, "version": inst.version,
        "presentations": [{"conference_id": p.get("conference_id"),
                           "presenter": str(p.get("presenter") or "")}
                          for p in inst.data.get("presentations") or []],
        "spreadings": list(inst.data.get("spreadings") or []), "adoptions": adoptions}


def _names(inst: Instance) -> dict[int, str]:
    ids = _members(inst.cluster_id) + [inst.unit_id or 0]
    return services().reads.unit_names(ids)


def _visible(inst: Instance, members: Sequence[int]) -> bool:
    adopting = models.adoptions_of(services().workflows, inst) \
        if inst.state in models.ACCEPTED else []
    return models.may_see(actor(), inst, members, adopting)


@operation("GET", "/v1/campaigns/<int:campaign_id>/models", "A campaign's exemplary models "
           "the caller may read (the accepted ones to every member), newest first, each with "
           "the units asked to adopt it", (200, "ExemplaryModelList"), (400, 403),
           query=LangQuery, tags=("models",))
def campaign_models(campaign_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    campaign = _campaign(campaign_id)
    members = _members(campaign.cluster_id)
    units = services().reads.unit_names(members)
    return {"items": [model_reply(m, units, query["lang"])
                      for m in models.models_of(services().workflows, campaign)
                      if _visible(m, members)]}


@operation("GET", "/v1/models/<int:model_id>", "An exemplary model, its presentations, "
           "spreading and adoptions; its version is the ETag", (200, "ExemplaryModel"),
           (400, 403), query=LangQuery, tags=("models",))
def exemplary_model(model_id: int) -> ResponseReturnValue:
    query = load_query(LangQuery)
    inst = load_item(model_id)
    if inst.workflow != models.MODEL:
        raise NotFound(f"no exemplary model with id {model_id}")
    if not _visible(inst, _members(inst.cluster_id)):
        raise PermissionDenied(f"'{actor().username}' may not read exemplary model {model_id}")
    return model_reply(inst, _names(inst), query["lang"])


@bp.after_request
def _model_etag(response: Response) -> Response:
    if request.endpoint in ("api.exemplary_model", "api.propose_model") and \
            200 <= response.status_code < 300 and response.is_json:
        body: Any = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("version"), int):
            response.headers["ETag"] = etag(body["version"])
    return response


@operation("POST", "/v1/campaigns/<int:campaign_id>/models", "Propose an exemplary model: a "
           "unit for itself, or the cluster's leader or deputy for a member unit, from a "
           "report or an inspection (source_id)", (201, "ExemplaryModel"), (400, 403, 409),
           body=ModelBody, tags=("models",))
def propose_model(campaign_id: int) -> ResponseReturnValue:
    body = load_json(ModelBody)
    campaign = _campaign(campaign_id)
    wf = services().workflows
    try:
        source = models.source_of(wf, campaign, body["source_id"])
    except NotFound:
        raise Conflict(f"source_id: no report or inspection {body['source_id']}") from None
    unit_id = source.unit_id if source is not None else body["unit_id"]
    if unit_id is None:
        raise ApiError(409, "invalid_input", "give unit_id or source_id",
                       fields={"unit_id": ["give the unit the model belongs to"]})
    model = {k: body[k].strip() for k in ("name", "field", "description", "results", "people")}
    try:
        inst = models.propose(wf, actor(), campaign, unit_id, model, source=source)
    except InvalidInput as exc:
        if exc.refusal is None:
            raise
        raise ApiError(409, "invalid_input", "the model has a problem; see 'fields'",
                       fields={"model": [str(exc)]},
                       refusals={"model": exc.refusal.as_json()}) from None
    if body["submit"]:
        try:
            inst = wf.fire(inst, "submit", actor(), {}).instance
        except TransitionNotAllowed as exc:  # kept as a draft, which the answer names
            raise ApiError(409, "not_submitted", f"exemplary model {inst.id} is kept as a "
                           f"draft: {exc}", refusals={"submit": exc.refusal.as_json()}
                           if exc.refusal else {}) from None
    return model_reply(inst, _names(inst), "vi"), 201
