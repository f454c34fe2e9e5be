"""Setting a cluster's year up in the browser: the clusters one may see, a cluster's page with
its campaigns, the form that creates the year's campaign (theme, kind, criteria table, dates),
revising a draft's plan and launching it (phát động)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import Namer, render
from web.views import locale, login_required, services
from web.year.common import DATE_LABELS, _form_version, _load, _members, _wf, bp
from workflow.domain.campaigns import DATE_KEYS, THEME_MAX, campaign_title
from workflow.domain.records import CampaignSummary, ClusterSummary
from workflow.domain.refusals import Refusal
from workflow.engine.instance import Instance
from workflow.engine.spec import TransitionSpec, WorkflowSpec
from workflow.errors import NotFound, StaleState, TransitionNotAllowed
from workflow.services import access, campaigns

# The refusals that a reason given in the form lifts (moving the campaign on without everyone).
REASON_CODES = frozenset({"pledges_unsigned_reason", "six_month_reports_missing_reason",
                          "year_end_reports_missing_reason"})


class _PlanNamer(Namer):
    """Names for the refusals of a plan not yet saved: the terms of the campaign definition."""

    def __init__(self, spec: WorkflowSpec) -> None:
        super().__init__(None)
        self._spec = spec


def _campaign_spec() -> WorkflowSpec:
    spec: WorkflowSpec = _wf().catalog.latest("campaign").spec
    return spec


def _messages(errors: Mapping[str, Refusal]) -> dict[str, str]:
    namer = _PlanNamer(_campaign_spec())
    return {key: render(refusal, namer) for key, refusal in errors.items()}


def _cluster(cluster_id: int) -> ClusterSummary:
    found = next((c for c in services().reads.clusters() if c.id == cluster_id), None)
    if found is None:
        abort(404)
    return found


def _may_see(cluster: ClusterSummary) -> bool:
    return access.may_see_cluster(current_actor(), cluster.id, cluster.year, cluster.member_ids)


def _posted_plan() -> dict[str, Any]:
    """The plan as typed (kept as typed, to be shown again when refused)."""
    form = request.form
    return {"theme": form.get("theme", "")[:THEME_MAX * 2],
            "kind": form.get("kind", "regular")[:20],
            "criteria_table": form.get("criteria_table", "")[:100],
            "dates": {k: form.get(k, "")[:30] for k in DATE_KEYS}}


def _tables() -> list[tuple[str, str]]:
    """The published criteria tables as (code, title)."""
    out = []
    for code in services().criteria.codes():
        table = services().criteria.get(code)
        out.append((code, f"{table.title.get(locale())} ({_('version')} {table.version})"))
    return out


def title_of(campaign: Instance) -> str:
    """The campaign's title as people say it ("Phong trào thi đua 2026 – <cụm>")."""
    names = services().reads.cluster_names([campaign.cluster_id] if campaign.cluster_id else [])
    return campaign_title(campaign.year, names.get(campaign.cluster_id or 0, ""),
                          campaign.data.get("kind"), campaign.data.get("theme"), locale())


@bp.app_template_global("campaign_title")
def campaign_title_global(campaign: Instance | CampaignSummary) -> str:
    """For the templates: `{{ campaign_title(campaign) }}`."""
    if isinstance(campaign, CampaignSummary):
        return campaign_title(campaign.year, campaign.cluster_name, campaign.kind,
                              campaign.theme, locale())
    return title_of(campaign)


# --- the clusters -------------------------------------------------------------------------


@bp.route("/clusters")
@login_required
def clusters() -> str:
    """The clusters and blocs the user takes part in (every one for the council and admins)."""
    actor = current_actor()
    shown = [c for c in services().reads.clusters()
             if access.may_see_cluster(actor, c.id, c.year, c.member_ids)]
    names = services().reads.unit_names({u for c in shown for u in c.member_ids})
    return render_template("year_clusters.html", clusters=shown, names=names)


def _cluster_page(cluster: ClusterSummary, plan: Mapping[str, Any] | None = None,
                  errors: Mapping[str, str] | None = None) -> str:
    wf, actor = _wf(), current_actor()
    found = campaigns.defaults(wf, services().criteria, cluster.id)
    try:
        states = {s.name: s.label.get(locale()) for s in _campaign_spec().states}
    except NotFound:  # definitions not published yet: nothing to create nor to name
        states = {}
    start = plan or {"theme": "", "kind": found.kind, "criteria_table": found.criteria_table,
                     "dates": found.dates}
    if plan is None and request.args.get("kind") == "thematic":  # from a lagging area
        start = {**start, "kind": "thematic", "theme": request.args.get("theme", "")[:THEME_MAX]}
    return render_template(
        "year_cluster.html", cluster=cluster, members=_members(cluster.id),
        campaigns=found.campaigns, states=states, last_year=found.last_year,
        may_create=campaigns.may_create(wf, actor, cluster.id, cluster.year),
        plan=start, errors=errors or {}, tables=_tables(), date_keys=DATE_KEYS,
        date_labels=DATE_LABELS, theme_max=THEME_MAX,
        action=url_for("year.create_campaign", cluster_id=cluster.id))


@bp.route("/clusters/<int:cluster_id>")
@login_required
def cluster(cluster_id: int) -> str:
    found = _cluster(cluster_id)
    if not _may_see(found):
        abort(403)
    return _cluster_page(found)


@bp.route("/clusters/<int:cluster_id>/campaigns", methods=["POST"])
@login_required
def create_campaign(cluster_id: int) -> Response | tuple[str, int]:
    found = _cluster(cluster_id)
    if not campaigns.may_create(_wf(), current_actor(), found.id, found.year):
        abort(403)
    plan = _posted_plan()
    try:
        inst = campaigns.create(_wf(), services().criteria, current_actor(), found.id, plan)
    except campaigns.PlanRefused as refused:
        return _cluster_page(found, plan, _messages(refused.errors)), 400
    flash(_("The campaign is created as a draft: check its plan, then launch it."))
    return redirect(url_for("year.campaign", campaign_id=inst.id))


# --- a draft's plan and its launch ----------------------------------------------------------


def _plan_of(inst: Instance) -> dict[str, Any]:
    table = inst.data.get("criteria_table")
    return {"theme": inst.data.get("theme") or "", "kind": inst.data.get("kind") or "regular",
            "criteria_table": table.get("code", "") if isinstance(table, Mapping) else "",
            "dates": dict(inst.data.get("dates") or {})}


def _may_revise(inst: Instance) -> bool:
    return inst.state == "draft" and access.may_take(
        current_actor(), _campaign_spec(), campaigns.PLAN, cluster_id=inst.cluster_id,
        year=inst.year)


def _plan_page(inst: Instance, plan: Mapping[str, Any],
               errors: Mapping[str, str] | None = None) -> str:
    return render_template(
        "year_campaign_plan.html", campaign=inst, title=title_of(inst), plan=plan,
        errors=errors or {}, tables=_tables(), date_keys=DATE_KEYS, date_labels=DATE_LABELS,
        theme_max=THEME_MAX, action=url_for("year.revise_plan", campaign_id=inst.id))


@bp.route("/campaigns/<int:campaign_id>/plan")
@login_required
def plan(campaign_id: int) -> str | Response:
    inst = _load(campaign_id, "campaign")
    if not _may_revise(inst):
        if inst.state != "draft":
            flash(_("The campaign is launched: its plan can no longer be changed here."),
                  "error")
            return redirect(url_for("year.campaign", campaign_id=campaign_id))
        abort(403)
    return _plan_page(inst, _plan_of(inst))


@bp.route("/campaigns/<int:campaign_id>/plan", methods=["POST"])
@login_required
def revise_plan(campaign_id: int) -> Response | tuple[str, int]:
    inst = _load(campaign_id, "campaign")
    if not _may_revise(inst):
        if inst.state != "draft":
            flash(_("The campaign is launched: its plan can no longer be changed here."),
                  "error")
            return redirect(url_for("year.campaign", campaign_id=campaign_id))
        abort(403)
    typed = _posted_plan()
    try:
        campaigns.revise(_wf(), services().criteria, current_actor(), inst.id, typed,
                         expected_version=_form_version())
    except campaigns.PlanRefused as refused:
        return _plan_page(inst, typed, _messages(refused.errors)), 400
    except TransitionNotAllowed as exc:
        return _plan_page(inst, typed, {"cluster": _refusal_text(exc, inst)}), 400
    flash(_("The plan of the campaign is saved."))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


def _refusal_text(exc: TransitionNotAllowed, inst: Instance) -> str:
    from web.refusals import explain

    return explain(exc, inst)


@bp.route("/campaigns/<int:campaign_id>/launch", methods=["POST"])
@login_required
def launch(campaign_id: int) -> Response:
    inst = _load(campaign_id, "campaign")
    if not access.may_act(current_actor(), inst):
        abort(403)
    version = _form_version()
    try:
        fired = campaigns.launch(_wf(), current_actor(), inst.id, version,
                                 request.form.get("comment", "")[:5000])
    except StaleState:
        raise StaleState(_("This item changed since you opened it; review it and try "
                           "again.")) from None
    except TransitionNotAllowed as exc:
        flash(_refusal_text(exc, inst), "error")
    else:
        pledges = sum(1 for c in _wf().children(inst.id) if c.workflow == "pledge")
        flash(_("The campaign is launched: %(count)s member units have their pledge to sign.",
                count=pledges) if fired.to_state == "pledging" else _("Done"))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


# --- what the campaign page adds for a draft, and for moving on with someone missing ---------


@dataclass(frozen=True, slots=True)
class DraftPanel:
    """The launch and plan buttons of a draft campaign."""

    may_revise: bool
    launch: TransitionSpec | None
    refused: str  # why the launch cannot be done now ("" when it can)


def draft_panel(
    inst: Instance, actions: list[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> DraftPanel | None:
    """For a draft: whether the plan may be revised, and the launch with its refusal."""
    if inst.state != "draft":
        return None
    launch_action, refused = None, ""
    for t, _why in actions:
        if t.trigger == "launch":
            launch_action = t
            # checked with the draft's plan, which the launch takes instead of a form's fields
            why = campaigns.launch_refusal(_wf(), current_actor(), inst)
            refused = _refusal_text(why, inst) if why is not None else ""
    return DraftPanel(_may_revise(inst), launch_action, refused)


def reason_actions(
    inst: Instance, actions: list[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> tuple[list[tuple[TransitionSpec, TransitionNotAllowed | None]], dict[str, str]]:
    """The campaign's actions with those that only lack a reason (someone is missing) opened,
    and for each of them the sentence listing who is missing, shown above its reason box."""
    out: list[tuple[TransitionSpec, TransitionNotAllowed | None]] = []
    reasons: dict[str, str] = {}
    for t, why in actions:
        if why is not None and why.refusal is not None and why.refusal.code in REASON_CODES:
            out.append((t, None))
            reasons[t.trigger] = _refusal_text(why, inst)
        else:
            out.append((t, why))
    return out, reasons
