"""The API's campaigns (a cluster's year): creating, launching, a cluster's campaigns."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from web.api import (
    ApiError,
    actor,
    load_item,
    load_json,
    load_query,
    operation,
    require_see,
    services,
)
from web.api.schemas import MAX_ID, CampaignBody, LangQuery, LaunchBody
from web.api.versions import expected_version
from workflow.domain.campaigns import campaign_title
from workflow.domain.records import CampaignSummary
from workflow.errors import NotFound, PermissionDenied
from workflow.services import access, campaigns, organisations

SCHEMA_STATED = frozenset({"campaign_theme_missing", "campaign_theme_too_long",
                           "campaign_kind_invalid", "criteria_table_missing",
                           "campaign_date_missing", "campaign_date_invalid"})


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
        # 400 when the document's schema says so too (a blank theme, a malformed date), else
        # 409: the data refuses it (an unknown criteria table, a date outside the year)
        stated = any(r.code in SCHEMA_STATED for r in refused.errors.values())
        raise ApiError(400 if stated else 409, "invalid_input",
                       "the campaign's plan has problems; see 'fields'",
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
