"""A cluster's campaign for its year: created by the council office (or whoever the campaign's
definition lets revise its plan) with a theme, a kind, a criteria table and the year's dates,
revised while it is a draft, then launched (phát động), which spawns one pledge per member.

The plan is checked field by field (workflow/domain/campaigns.py) so that a form can show each
problem beside its field; the launch's own guard checks it again in the launch's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.domain.campaigns import DATE_KEYS, CampaignPlan, campaign_title, read_plan
from workflow.domain.records import CampaignSummary
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access
from workflow.services.criteria_catalog import CriteriaCatalog
from workflow.services.ports import UnitOfWork
from workflow.services.workflows import Fired, Workflows

__all__ = ["PLAN", "CampaignPlan", "Defaults", "PlanRefused", "campaign_title", "create",
           "defaults", "launch", "launch_refusal", "may_create", "revise"]

PLAN = "revise_plan"  # the action whose roles say who may create and revise a campaign
# The usual calendar of a cluster year (month, day) when the cluster has no campaign last year.
USUAL_DATES = {"pledge_deadline": (3, 31), "six_month_report_due": (7, 15),
               "inspection_end": (11, 15), "scoring_deadline": (12, 10),
               "year_end_report_due": (12, 15)}


class PlanRefused(InvalidInput):
    """A campaign plan with problems: one refusal per field (`theme`, `kind`,
    `criteria_table`, each date key; `cluster` for what concerns the whole campaign)."""

    def __init__(self, errors: Mapping[str, Refusal]) -> None:
        self.errors = dict(errors)
        first = next(iter(self.errors.values()))
        super().__init__("; ".join(f"{k}: {r.english()}" for k, r in self.errors.items()),
                         first)


@dataclass(frozen=True, slots=True)
class Defaults:
    """What the creation form starts from: last year's table and dates moved to this year, or
    the usual calendar."""

    year: int
    kind: str
    criteria_table: str
    dates: dict[str, str]
    last_year: CampaignSummary | None = None
    campaigns: tuple[CampaignSummary, ...] = field(default=())  # the cluster's, newest first


def _cluster(uow: UnitOfWork, cluster_id: int) -> Any:
    row = uow.organisations.cluster(cluster_id)
    if row is None:
        raise NotFound(f"no cluster with id {cluster_id}")
    return row


def _alive(campaign: CampaignSummary) -> bool:
    """Not cancelled (by its cancel action, or by an administrator's repair)."""
    return campaign.state != "cancelled" and campaign.status != "cancelled"


def may_create(workflows: Workflows, actor: Actor, cluster_id: int, year: int) -> bool:
    """Whether the actor may create (and revise) a campaign of the cluster for the year (no one
    may while the campaign definition is not published)."""
    try:
        spec = workflows.catalog.latest("campaign").spec
    except NotFound:
        return False
    return access.may_take(actor, spec, PLAN, cluster_id=cluster_id, year=year)


def defaults(workflows: Workflows, criteria: CriteriaCatalog, cluster_id: int) -> Defaults:
    """The form's starting values for the cluster's year."""
    with workflows.catalog.uow().read() as uow:
        cluster = _cluster(uow, cluster_id)
        mine = tuple(uow.year.cluster_campaigns(cluster.id))
        before = uow.organisations.cluster_id(cluster.code, cluster.year - 1)
        previous = uow.year.cluster_campaigns(before) if before is not None else []
    last = next((c for c in previous if c.kind == "regular" and _alive(c)), None)
    codes = criteria.codes()
    table = last.criteria_table if last is not None and last.criteria_table in codes else (
        codes[0] if len(codes) == 1 else "")
    dates = {k: dt.date(cluster.year, m, d).isoformat() for k, (m, d) in USUAL_DATES.items()}
    if last is not None:
        dates.update(_moved(workflows, last.id, cluster.year))
    return Defaults(cluster.year, "regular", table or "", dates, last, mine)


def _moved(workflows: Workflows, campaign_id: int, year: int) -> dict[str, str]:
    """Last year's dates on the same days of this year (29 February becomes the 28th)."""
    out = {}
    for key, value in (workflows.get(campaign_id).data.get("dates") or {}).items():
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            continue
        if key in DATE_KEYS:
            out[key] = day.replace(year=year, day=min(day.day, 28 if day.month == 2 else 31)
                                   ).isoformat()
    return out


def create(
    workflows: Workflows, criteria: CriteriaCatalog, actor: Actor, cluster_id: int,
    form: Mapping[str, Any],
) -> Instance:
    """Create the draft campaign of the cluster's year with its plan; PlanRefused lists every
    problem by field; a second regular campaign of the same cluster and year is refused."""
    with workflows.catalog.uow().read() as uow:
        cluster = _cluster(uow, cluster_id)
        existing = uow.year.cluster_campaigns(cluster.id)
    if not may_create(workflows, actor, cluster.id, cluster.year):
        raise PermissionDenied(
            f"'{actor.username}' may not create a campaign of cluster {cluster.code} "
            f"{cluster.year}: that is for the council office (or the cluster's leader)")
    plan, errors = read_plan(form, cluster.year, criteria.codes())
    if plan is None:
        raise PlanRefused(errors)
    if plan.kind == "regular" and any(
            c.kind == "regular" and c.year == cluster.year and _alive(c) for c in existing):
        raise PlanRefused({"cluster": Refusal("campaign_exists", {
            "cluster": Ref("cluster", cluster.id), "year": str(cluster.year)})})
    title = campaign_title(cluster.year, cluster.name, plan.kind, plan.theme)
    return workflows.start("campaign", actor, cluster_id=cluster.id, year=cluster.year,
                           data=plan.data(), comment=f"Lập kế hoạch: {title}")


def revise(
    workflows: Workflows, criteria: CriteriaCatalog, actor: Actor, campaign_id: int,
    form: Mapping[str, Any], expected_version: int | None = None,
) -> Fired:
    """Change a draft campaign's plan (the kind stays: a regular campaign stays regular)."""
    inst = workflows.get(campaign_id)
    if inst.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    plan, errors = read_plan({**form, "kind": inst.data.get("kind") or "regular"},
                             inst.year or 0, criteria.codes())
    if plan is None:
        raise PlanRefused(errors)
    return workflows.fire(inst.id, PLAN, actor, plan.launch_payload(),
                          expected_version=expected_version)


def _launch_payload(inst: Instance, comment: str = "") -> dict[str, Any]:
    """The launch's fields, from the plan the draft holds."""
    data = inst.data
    table = data.get("criteria_table")
    return {"theme": data.get("theme") or "", "kind": data.get("kind") or "regular",
            "criteria_table": table.get("code") if isinstance(table, Mapping) else None,
            "dates": data.get("dates") or {},
            "comment": comment.strip() or f"Phát động phong trào thi đua năm {inst.year}"}


def launch_refusal(workflows: Workflows, actor: Actor, inst: Instance
                   ) -> TransitionNotAllowed | None:
    """Why the launch with the draft's plan would be refused now (None when it would pass)."""
    wf = workflows.catalog.compiled(inst.definition_id)
    with workflows.store.read() as query:
        return wf.check(inst, "launch", actor, _launch_payload(inst), workflows.clock.now(),
                        query)


def launch(
    workflows: Workflows, actor: Actor, campaign_id: int, expected_version: int | None = None,
    comment: str = "",
) -> Fired:
    """Launch (phát động) a draft campaign with the plan it holds: its criteria table's newest
    version is pinned and each member unit gets its pledge to sign."""
    inst = workflows.get(campaign_id)
    if inst.workflow != "campaign":
        raise NotFound(f"no campaign with id {campaign_id}")
    return workflows.fire(inst.id, "launch", actor, _launch_payload(inst, comment),
                          expected_version=expected_version)
