"""The campaign page: its timeline, the members' progress, its actions and the inspection plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import locale, login_required
from web.year import conferences, schedule, setup
from web.year.common import (
    DATE_LABELS,
    PERIODS,
    _criteria,
    _date,
    _fire_form,
    _fire_posted,
    _load,
    _members,
    _offered,
    _paginate,
    _roles,
    _spec,
    _state_label,
    _wf,
    bp,
)
from web.year.inspection import pending_inspections, person_names
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.engine.spec import WorkflowSpec
from workflow.errors import (
    InvalidInput,
)
from workflow.services import access, year
from workflow.services.read_side import UnitSummary as Unit


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    label: str
    date: dt.date | None
    status: str  # passed | current | upcoming


@dataclass(frozen=True, slots=True)
class Cell:
    id: int
    state: str
    label: str
    note: str = ""


@dataclass(slots=True)
class Progress:
    unit: Unit
    pledge: Cell | None = None
    reports: list[Cell] = field(default_factory=list)
    inspection: Cell | None = None
    sheet: Cell | None = None


def _timeline(spec: WorkflowSpec, campaign: Instance) -> tuple[list[Stage], list[Any]]:
    """The campaign's states in order with their dates; and the dates no state is due on."""
    dates = campaign.data.get("dates") or {}
    finals = [s.name for s in spec.states if s.final]  # the first is the normal ending
    ending = campaign.state if campaign.state in finals else finals[0]
    shown = [s for s in spec.states if not s.final or s.name == ending]
    current = next(i for i, s in enumerate(shown) if s.name == campaign.state)
    used, stages = set(), []
    for i, s in enumerate(shown):
        key = s.deadline.campaign_date if s.deadline else None
        used.add(key)
        status = "passed" if i < current else "current" if i == current else "upcoming"
        stages.append(Stage(s.name, s.label.get(locale()), _date(dates.get(key)), status))
    others = [(DATE_LABELS.get(k, k), _date(v)) for k, v in dates.items() if k not in used]
    return stages, others


def _progress(children: Sequence[Instance], members: Sequence[Unit]) -> list[Progress]:
    """One row per member unit from the campaign's children, loaded once."""
    rows = {u.id: Progress(u) for u in members}
    for child in sorted(children, key=lambda c: c.id):
        row = rows.get(child.unit_id or 0)
        if row is None:
            continue
        period = PERIODS.get(child.data.get("period", ""), "")
        cell = Cell(child.id, child.state, _state_label(child), str(period))
        if child.workflow == "pledge":
            row.pledge = cell
        elif child.workflow == "report":
            row.reports.append(cell)
        elif child.workflow == "inspection":
            row.inspection = cell
        elif child.workflow == "score_sheet":
            row.sheet = cell
    return list(rows.values())


def _plan_rows(
    campaign: Instance, names: dict[int, str], children: Sequence[Instance] = (),
) -> list[tuple[str, str, str, str, int | None]]:
    """Who inspects whom, the team and its lead by name, and the inspection once started."""
    plan = campaign.data.get("inspection_plan") or []
    started = {c.unit_id: c.id for c in children if c.workflow == "inspection"}
    people = person_names(plan)
    return [(names.get(p.get("inspector_unit_id"), "?"), names.get(p.get("unit_id"), "?"),
             ", ".join(people.get(u, u) for u in p.get("team") or []),
             people.get(str(p.get("lead") or ""), ""), started.get(p.get("unit_id")))
            for p in plan]


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int) -> str:
    wf, actor = _wf(), current_actor()
    inst = _load(campaign_id, "campaign")
    members = _members(inst.cluster_id)
    _roles(inst, actor, members)
    spec = _spec(inst)
    stages, other_dates = _timeline(spec, inst)
    children = wf.children(campaign_id)
    rows, page, pages = _paginate(_progress(children, members))
    actions = pending_inspections(wf.available(inst, actor), children)
    names = {u.id: u.name for u in members}
    offered, reasons = setup.reason_actions(inst, _offered(actions))
    return render_template(
        "year_campaign.html", campaign=inst, spec=spec, table=_criteria(inst), stages=stages,
        other_dates=other_dates, rows=rows, page=page, pages=pages, actions=offered,
        can_plan=any(t.trigger == "plan_inspections" for t, _ in actions),
        plan=_plan_rows(inst, names, children), locale=locale(), pts=show,
        title=setup.title_of(inst), reasons=reasons, draft=setup.draft_panel(inst, actions),
        **schedule.campaign_votes(inst, actor, children),
        may_read_figures=access.may_read_department_figures(actor, inst),
        **conferences.campaign_conferences(inst, actor))


@bp.route("/campaigns/<int:campaign_id>/fire", methods=["POST"])
@login_required
def campaign_fire(campaign_id: int) -> Response:
    _fire_posted(_load(campaign_id, "campaign"))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/inspection-plan")
@login_required
def inspection_plan(campaign_id: int) -> str | Response:
    """The proposed pairs (who inspects whom), for the leader to confirm."""
    inst = _load(campaign_id, "campaign")
    if inst.state != "mid_year_review":
        flash(_("The cross-inspection is planned during the mid-year review."), "error")
        return redirect(url_for("year.campaign", campaign_id=campaign_id))
    proposal = year.propose_inspection_plan(_wf(), campaign_id, current_actor())
    names = {u.id: u.name for u in _members(inst.cluster_id)}
    people = person_names(proposal["inspection_plan"])
    pairs = [(names.get(p["inspector_unit_id"], "?"), names.get(p["unit_id"], "?"),
              ", ".join(people.get(u, u) for u in p["team"]), people.get(p["lead"], ""))
             for p in proposal["inspection_plan"]]
    repeated = [(names.get(a, "?"), names.get(b, "?")) for a, b in proposal["repeated"]]
    return render_template(
        "year_plan.html", campaign=inst, pairs=pairs, repeated=repeated,
        notes=proposal["notes"], plan=json.dumps(proposal["inspection_plan"]))


@bp.route("/campaigns/<int:campaign_id>/inspection-plan", methods=["POST"])
@login_required
def confirm_inspection_plan(campaign_id: int) -> Response:
    inst = _load(campaign_id, "campaign")
    try:
        plan = json.loads(request.form.get("plan", ""))
    except (ValueError, RecursionError):
        raise InvalidInput(_("The inspection plan could not be read; propose it again.")) from None
    if _fire_form(inst, "plan_inspections", {"inspection_plan": plan}):
        flash(_("The cross-inspection plan is recorded."))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


# --- the score sheet editor ----------------------------------------------------------------
