"""Supervision of the clusters (giám sát) in the browser: the council office assigns council
members to the clusters of a year; a supervising member finds their clusters with the year's
progress (campaign stage, pledges signed, reports, inspections, score sheets, conferences,
votes) and records supervision notes, which the cluster's leader and the council office read.

Every answer comes from the access policy (workflow/services/access.py); the progress is the
council office's overview of the year (workflow/services/overview.py) for those clusters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import item_url
from web.refusals import explain
from web.views import locale, login_required, services
from web.year.common import _date, _wf, bp
from web.year.conferences import KIND_LABELS
from workflow.domain.records import ClusterSummary
from workflow.domain.roles import Actor
from workflow.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.services import access, conferences, overview, supervision

MAX_ID = 2**31 - 1
TEXT_LIMIT = 5001  # one more than the rule allows, so that the rule says it is too long
KINDS = ("pledge", "report", "inspection", "score_sheet")


@dataclass(frozen=True, slots=True)
class ConferenceLine:
    url: str
    name: str
    day: dt.date | None
    state: str


@dataclass(frozen=True, slots=True)
class CampaignView:
    """A campaign of a supervised cluster: its stage and how far its items are."""

    url: str
    title: str
    stage: str
    progress: dict[str, tuple[int, int]]  # kind -> (done, total)
    issues: int
    conferences: list[ConferenceLine]
    votes: list[tuple[str, str, str]]  # url, stage, result


def _year() -> int:
    raw = request.args.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and 1900 < int(raw) < 3000:
        return int(raw)
    today = _wf().clock.today()
    years = services().reads.campaign_years()
    return today.year if today.year in years or not years else years[0]


def _clusters_of(year: int) -> list[ClusterSummary]:
    return sorted((c for c in services().reads.clusters() if c.year == year),
                  key=lambda c: c.name)


def _cluster(cluster_id: int) -> ClusterSummary:
    found = next((c for c in services().reads.clusters() if c.id == cluster_id), None)
    if found is None:
        abort(404)
    return found


def _state_label(definition_id: int, state: str) -> str:
    spec = _wf().catalog.compiled(definition_id).spec
    return str(spec.state(state).label.get(locale())) if state in spec.state_names else state


def _campaigns(year: int, cluster_ids: set[int]) -> dict[int, list[CampaignView]]:
    """Each cluster's campaigns of the year with their progress, from the overview's reads."""
    if not cluster_ids:
        return {}
    ov = overview.year_overview(services().reads, year, _wf().clock.today())
    out: dict[int, list[CampaignView]] = {c: [] for c in cluster_ids}
    for line in ov.campaigns:
        c = line.campaign
        if c.cluster_id not in cluster_ids:
            continue
        campaign = _wf().get(c.campaign_id)
        held = []
        for conf in conferences.conferences_of(_wf(), campaign):
            plan = conf.data.get("plan") or {}
            held.append(ConferenceLine(
                item_url("conference", conf.id),
                conferences.title(conf.data, conf.year, locale()) if plan
                else _("Conference being planned"),
                _date(plan.get("date")), _state_label(conf.definition_id, conf.state)))
        votes = [(item_url("vote_session", v.session_id),
                  _state_label(v.definition_id, v.state),
                  _("counted") if v.state in overview.COUNTED else _("not counted yet"))
                 for v in line.votes]
        out[c.cluster_id].append(CampaignView(
            item_url("campaign", c.campaign_id), c.theme or c.cluster_name,
            _state_label(c.definition_id, c.state),
            {k: (p.done, p.total) for k, p in line.progress.items()}, line.issues, held,
            votes))
    return out


@bp.route("/supervision")
@login_required
def supervision_home() -> str:
    """The council office's assignments of the year; a supervising member's clusters."""
    actor = current_actor()
    year = _year()
    office = access.may_assign_supervisors(actor, year)
    mine = access.supervised_clusters(actor, year)
    if not office and not mine:
        abort(403)
    clusters = _clusters_of(year)
    rows = supervision.assignments(services().reads.supervisors(year))
    by_cluster: dict[int, list[supervision.Assignment]] = {}
    for row in rows:
        by_cluster.setdefault(row.cluster_id, []).append(row)
    return render_template(
        "year_supervision.html", year=year, office=office,
        years=sorted({year, *services().reads.campaign_years()}, reverse=True),
        clusters=clusters, by_cluster=by_cluster,
        council=services().reads.council_people(year) if office else [],
        mine=[c for c in clusters if c.id in mine], campaigns=_campaigns(year, mine),
        kinds=_kind_labels())


def _kind_labels() -> dict[str, str]:
    return {"pledge": _("Pledges signed"), "report": _("Reports handed in"),
            "inspection": _("Inspections held"), "score_sheet": _("Sheets verified")}


def _back(year: int) -> Response:
    return redirect(url_for("year.supervision_home", year=year))


@bp.route("/supervision/assignments", methods=["POST"])
@login_required
def assign_supervisor() -> Response:
    """Assign a council member to a cluster of the year (the council office)."""
    actor = current_actor()
    raw_user, raw_cluster = request.form.get("user_id", ""), request.form.get("cluster_id", "")
    if not raw_cluster.isascii() or not raw_cluster.isdigit() or int(raw_cluster) > MAX_ID:
        abort(400)
    cluster = _cluster(int(raw_cluster))
    if not access.may_assign_supervisors(actor, cluster.year):
        abort(403)
    if not raw_user.isascii() or not raw_user.isdigit() or int(raw_user) > MAX_ID:
        flash(_("Choose the council member to assign."), "error")
        return _back(cluster.year)
    try:
        supervision.assign(services().uow(), actor, int(raw_user), cluster.id,
                           at=_wf().clock.now())
    except NotFound:
        flash(_("Choose the council member to assign."), "error")
        return _back(cluster.year)
    except InvalidInput as exc:
        flash(explain(exc.refusal or exc), "error")
        return _back(cluster.year)
    supervision.invite_to_called_conferences(_wf(), services().reads, cluster.id, cluster.year,
                                             int(raw_user))
    names = services().reads.user_names([int(raw_user)])
    flash(_("%(person)s now supervises %(cluster)s in %(year)s.",
            person=names.get(int(raw_user), ""), cluster=cluster.name, year=cluster.year))
    return _back(cluster.year)


@bp.route("/supervision/assignments/<int:grant_id>/end", methods=["POST"])
@login_required
def end_supervision(grant_id: int) -> Response:
    """End an assignment (the council office of its year)."""
    actor = current_actor()
    year = _year()
    try:
        supervision.unassign(services().uow(), actor, grant_id, at=_wf().clock.now())
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    flash(_("The supervision assignment is ended."))
    return _back(year)


def _readable(actor: Actor, cluster: ClusterSummary) -> None:
    if not access.may_read_supervision(actor, cluster.id, cluster.year):
        abort(403)


def _cluster_page(cluster: ClusterSummary, actor: Actor, *, note: dict[str, str] | None = None,
                  problem: str = "", status: int = 200) -> tuple[str, int]:
    wf, reads = _wf(), services().reads
    item = supervision.item_of(wf, reads, cluster.id, cluster.year)
    notes = supervision.notes_of(item)
    authors = reads.full_names({n.author for n in notes})
    supervisors = [a for a in supervision.assignments(reads.supervisors(cluster.year))
                   if a.cluster_id == cluster.id]
    may_write = access.may_supervise(actor, cluster.id, cluster.year) and (
        item is None or item.state == "open")
    today = wf.clock.today()
    return render_template(
        "year_supervision_cluster.html", cluster=cluster, item=item, notes=notes,
        authors=authors, supervisors=supervisors, may_write=may_write,
        campaigns=_campaigns(cluster.year, {cluster.id}).get(cluster.id, []),
        leader=reads.unit_names([cluster.leader_unit_id or 0]).get(cluster.leader_unit_id or 0,
                                                                  ""),
        note=note or {"date": today.strftime("%d/%m/%Y") if today.year == cluster.year else "",
                      "content": "", "recommendations": ""},
        problem=problem, kinds=_kind_labels(), conference_kinds=KIND_LABELS), status


@bp.route("/supervision/clusters/<int:cluster_id>")
@login_required
def supervision_cluster(cluster_id: int) -> tuple[str, int]:
    """A cluster's year as its supervisors see it, with their notes."""
    cluster, actor = _cluster(cluster_id), current_actor()
    _readable(actor, cluster)
    return _cluster_page(cluster, actor)


@bp.route("/supervision/clusters/<int:cluster_id>/notes", methods=["POST"])
@login_required
def record_supervision_note(cluster_id: int) -> Response | tuple[str, int]:
    """Record a note (a supervising member); what was typed stays when it is refused."""
    cluster, actor = _cluster(cluster_id), current_actor()
    if not access.may_supervise(actor, cluster.id, cluster.year):
        abort(403)
    typed = {k: request.form.get(k, "").strip()[:TEXT_LIMIT]
             for k in ("date", "content", "recommendations")}
    note = {**typed, "date": conferences.day_of(typed["date"])}
    version = request.form.get("version", "")
    try:
        supervision.record_note(_wf(), services().reads, actor, cluster.id, cluster.year, note,
                                expected_version=int(version) if version.isdigit() else None)
    except (InvalidInput, TransitionNotAllowed) as exc:
        item = supervision.item_of(_wf(), services().reads, cluster.id, cluster.year)
        refusal: Any = getattr(exc, "refusal", None) or exc
        text = explain(refusal, item) if item is not None else explain(refusal)
        return _cluster_page(cluster, actor, note=typed, problem=text, status=422)
    flash(_("The supervision note is recorded; the cluster's leader is told."))
    return redirect(url_for("year.supervision_cluster", cluster_id=cluster.id))


@bp.route("/supervision/items/<int:item_id>")
@login_required
def supervision_item(item_id: int) -> Response:
    """The page a notice links to: the cluster's supervision page."""
    try:
        item = _wf().get(item_id)
    except NotFound:
        abort(404)
    if item.workflow != supervision.WORKFLOW or item.cluster_id is None:
        abort(404)
    if not access.may_see(current_actor(), item):
        abort(403)
    return redirect(url_for("year.supervision_cluster", cluster_id=item.cluster_id))
