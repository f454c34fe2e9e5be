"""The six-month review's table of targets (sơ kết 6 tháng): per member unit and criterion,
the pledged target, the result the six-month report gives and whether the unit lags the year's
pace; from a lagging area the leader plans a thematic conference or a thematic campaign."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from web.auth import current_actor
from web.items import title_of
from web.refusals import number
from web.views import locale, login_required
from web.year.common import _criteria, _load, _members, _wf, bp
from workflow.services import access, campaigns, department
from workflow.services.conferences import KINDS

LEADERS = frozenset({"cluster_leader", "cluster_deputy"})


@bp.route("/campaigns/<int:campaign_id>/mid-year-targets")
@login_required
def mid_year_targets(campaign_id: int) -> tuple[str, int]:
    campaign = _load(campaign_id, "campaign")
    actor = current_actor()
    if not access.may_read_department_figures(actor, campaign):
        abort(403)  # every unit's targets: the leader, the deputy and the council read them
    table = _criteria(campaign)
    if table is None:
        abort(404)
    members = _members(campaign.cluster_id)
    names = {u.id: u.name for u in members}
    rows = department.mid_year_pace(_wf(), campaign, table, [u.id for u in members])
    titles = {c.code: c.title.get(locale()) for c in table.criteria}
    units_of = {c.code: c.unit or "" for c in table.criteria}
    leads = bool(access.roles_on(actor, campaign) & LEADERS)
    lagging: dict[str, list[str]] = {}
    for r in rows:
        if r.behind:
            lagging.setdefault(r.criterion, []).append(names.get(r.unit_id, ""))
    thematic = "thematic" in KINDS
    may_campaign = campaigns.may_create(_wf(), actor, campaign.cluster_id or 0,
                                        campaign.year or 0)
    areas = [{
        "title": titles[code], "units": units,
        "conference": url_for("year.conferences_list", campaign_id=campaign.id,
                              kind="thematic", topic=_topic(titles[code], units))
        if leads and thematic else "",
        "campaign": url_for("year.cluster", cluster_id=campaign.cluster_id, kind="thematic",
                            theme=_("Thematic drive: %(area)s", area=titles[code]))
        if may_campaign and campaign.cluster_id else ""}
        for code, units in lagging.items()]
    return render_template(
        "year_lagging.html", campaign=campaign, title=title_of(campaign, locale()),
        rows=rows, names=names, titles=titles, units_of=units_of, areas=areas,
        elapsed=number(department.MID_YEAR_ELAPSED * 100), shown=_shown), 200


def _topic(area: str, units: list[str]) -> str:
    return str(_("Speeding up the lagging targets: %(area)s (%(units)s)", area=area,
                 units=", ".join(units)))[:300]


def _shown(value: object) -> str:
    return number(value) if isinstance(value, Decimal) else "–"
