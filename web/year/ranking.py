"""The campaign's ranking: the table, its chart and its workbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import (
    render_template,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import locale, login_required, services
from web.year.common import (
    _criteria,
    _documents,
    _load,
    _members,
    _paginate,
    _roles,
    _send_document,
    _unit_names,
    _wf,
    bp,
)
from workflow.domain.criteria import CriteriaTable
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.errors import (
    InvalidInput,
    PermissionDenied,
)
from workflow.services import year


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    total: str
    y: int
    width: int
    flagged: bool


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_width: int


def _chart(standings: Sequence[year.Standing], scale: Decimal) -> Chart:
    """A horizontal bar per unit, as long as its total against the table's scale."""
    top = max([scale, *(s.total for s in standings)]) or Decimal(1)
    label_width, bar_width, row = 230, 380, 30
    bars = tuple(
        Bar(f"{s.rank}. {s.unit_name[:30]}", show(s.total), 10 + i * row,
            max(0, int(bar_width * s.total / top)), s.gap_flags > 0)
        for i, s in enumerate(standings))
    return Chart(bars, label_width + bar_width + 60, 20 + row * max(1, len(bars)),
                 label_width, bar_width)


def _ranking(campaign_id: int) -> tuple[Instance, Any, CriteriaTable, Chart]:
    inst = _load(campaign_id, "campaign")
    _roles(inst, current_actor(), _members(inst.cluster_id))
    table = _criteria(inst)
    if table is None:
        raise InvalidInput(_("The campaign has no criteria table yet."))
    result = year.ranking(_wf(), campaign_id)
    return inst, result, table, _chart(result.standings, table.scale)


@bp.route("/campaigns/<int:campaign_id>/ranking")
@login_required
def ranking(campaign_id: int) -> str:
    inst, result, table, chart = _ranking(campaign_id)
    rows, page, pages = _paginate(result.standings)
    pending = _unit_names(result.pending_units)
    return render_template(
        "year_ranking.html", campaign=inst, table=table, rows=rows, page=page, pages=pages,
        chart=chart, pending=sorted(pending.values()), locale=locale(), pts=show,
        can_export=year.may_export_ranking(current_actor(), inst))


@bp.route("/campaigns/<int:campaign_id>/ranking.svg")
@login_required
def ranking_chart(campaign_id: int) -> Response:
    _inst, _result, _table, chart = _ranking(campaign_id)
    svg = render_template("year_ranking_chart.html", chart=chart, standalone=True)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/campaigns/<int:campaign_id>/ranking.xlsx", methods=["POST"])
@login_required
def ranking_workbook(campaign_id: int) -> Response:
    """Generate the Excel ranking table (attached to the campaign, its hash recorded) and
    hand it over as a download."""
    inst = _load(campaign_id, "campaign")
    actor = current_actor()
    if not year.may_export_ranking(actor, inst):
        raise PermissionDenied(_(
            "Only the cluster leader and the council office may generate the official ranking "
            "workbook; ask one of them for it, or read the ranking on this page."))
    year.ranking_workbook(_wf(), campaign_id, actor, services().settings.documents_dir)
    return _send_document(_documents(campaign_id, "bang_xep_hang")[-1])


# --- the vote ------------------------------------------------------------------------------
