"""The professional departments' figures (số liệu của cơ quan chuyên môn) of a campaign: the
table of every member unit's actual result per criterion, the form and the .xlsx import a
department fills in for its own criteria, and the template to download."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.i18n import local_time
from web.items import title_of
from web.refusals import explain, number
from web.views import locale, login_required, services
from web.year.common import _criteria, _load, _members, _wf, bp
from workflow.domain.criteria import CriteriaTable, Criterion
from workflow.domain.imports import Problem
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, StaleState, TransitionNotAllowed
from workflow.services import access, department

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 2 << 20
PROBLEMS = {
    "dept_empty_file": lazy_gettext("The file has no sheet."),
    "dept_no_unit_column": lazy_gettext(
        "The first row has no column %(header)s: keep the template's header row."),
    "dept_no_criterion_column": lazy_gettext(
        "No column of the first row names one of your criteria (its code in square brackets): "
        "keep the template's header row."),
    "dept_unit_unknown": lazy_gettext(
        "%(value)s is not the code of a member unit of the cluster."),
    "dept_unit_twice": lazy_gettext("The unit %(value)s is already in row %(row)s."),
    "dept_not_a_figure": lazy_gettext(
        "%(value)s is not a figure: write a number of at least 0, with at most 2 decimals."),
    "dept_no_figures": lazy_gettext("The file gives no figure: fill in the cells."),
    "too_many_rows": lazy_gettext("The file has more than %(limit)s rows."),
    "file_kind": lazy_gettext("%(name)s is not an Excel workbook (.xlsx)."),
    "file_too_large": lazy_gettext("The file is larger than %(limit)s MB."),
}


def describe(problem: Problem) -> str:
    """A problem of the file with its row and column, in the page's language."""
    params = dict(problem.params)
    text = PROBLEMS.get(problem.code)
    said = str(text % params) if text is not None else problem.code
    if problem.row and problem.letter:
        return str(_("Row %(row)s, column %(column)s: %(problem)s", row=problem.row,
                     column=problem.letter, problem=said))
    if problem.row:
        return str(_("Row %(row)s: %(problem)s", row=problem.row, problem=said))
    return said


def _campaign(campaign_id: int) -> tuple[Instance, Actor, CriteriaTable]:
    campaign = _load(campaign_id, "campaign")
    actor = current_actor()
    table = _criteria(campaign)
    if not access.may_read_department_figures(actor, campaign):
        abort(403)
    if table is None:
        abort(404)
    return campaign, actor, table


def _units(campaign: Instance) -> list[department.Unit]:
    return [department.Unit(u.id, u.code, u.name) for u in _members(campaign.cluster_id)]


def _shown(value: Any) -> str:
    return "" if value is None else number(value)


def _page(campaign: Instance, actor: Actor, table: CriteriaTable, *,
          typed: dict[str, str] | None = None, problems: Sequence[str] = (),
          status: int = 200) -> tuple[str, int]:
    units = _units(campaign)
    values = department.values_of(_wf(), campaign)
    mine = department.criteria_for(actor, campaign, table)
    shown: list[Criterion] = [c for c in table.criteria if c.code in values or c in mine]
    entered = department.entered_of(_wf(), campaign)
    item = department.item_of(_wf(), campaign)
    names = services().reads.full_names({e.get("by", "") for e in entered.values()})
    return render_template(
        "year_department.html", campaign=campaign, title=title_of(campaign, locale()),
        units=units, criteria=shown, mine=mine, values=values, shown=_shown,
        entered={c: (names.get(e.get("by", ""), ""), _when(e.get("at")))
                 for c, e in entered.items()},
        version=item.version if item is not None else "", typed=typed or {},
        problems=problems, open=item is None or item.state == "open", locale=locale()), status


def _when(value: Any) -> str:
    try:
        return local_time(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return ""


@bp.route("/campaigns/<int:campaign_id>/department-data")
@login_required
def department_data(campaign_id: int) -> tuple[str, int]:
    campaign, actor, table = _campaign(campaign_id)
    return _page(campaign, actor, table)


@bp.route("/department-data/<int:item_id>")
@login_required
def department_data_item(item_id: int) -> Response:
    """The figures item opens on its campaign's page of figures."""
    item = _load(item_id, department.WORKFLOW)
    if item.parent_id is None:
        abort(404)
    return redirect(url_for("year.department_data", campaign_id=item.parent_id))


def _mine_or_403(actor: Actor, campaign: Instance, table: CriteriaTable) -> list[Criterion]:
    mine = department.criteria_for(actor, campaign, table)
    if not mine:
        abort(403)
    return mine


def _version() -> int | None:
    text = request.form.get("version", "")
    return int(text) if text.isdigit() else None


@bp.route("/campaigns/<int:campaign_id>/department-data", methods=["POST"])
@login_required
def save_department_data(campaign_id: int) -> Response | tuple[str, int]:
    """A department saves the figures typed in its columns (empty cells change nothing)."""
    campaign, actor, table = _campaign(campaign_id)
    mine = _mine_or_403(actor, campaign, table)
    typed = {k: v.strip()[:30] for k, v in request.form.items() if k.startswith("v-")}
    values: dict[str, dict[str, str]] = {}
    for c in mine:
        for u in _units(campaign):
            text = typed.get(f"v-{c.code}-{u.id}", "").replace(" ", "").replace(",", ".")
            if text:
                values.setdefault(c.code, {})[str(u.id)] = text
    if not values:
        return _page(campaign, actor, table, typed=typed,
                     problems=[_("Type at least one figure before saving.")], status=422)
    try:
        department.record(_wf(), actor, campaign, values, _version())
    except (TransitionNotAllowed, InvalidInput) as exc:
        refusal = exc.refusal if isinstance(exc, TransitionNotAllowed) else None
        return _page(campaign, actor, table, typed=typed,
                     problems=[explain(refusal or exc, campaign)], status=422)
    except StaleState:
        return _page(campaign, actor, table, typed=typed, problems=[_(
            "Someone saved figures since you opened the page; check them and save again.")],
            status=409)
    flash(_("The figures are saved."))
    return redirect(url_for("year.department_data", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/department-data/template.xlsx")
@login_required
def department_template(campaign_id: int) -> Response:
    campaign, actor, table = _campaign(campaign_id)
    mine = _mine_or_403(actor, campaign, table)
    content = department.template(mine, _units(campaign),
                                  {c: v for c, v in department.values_of(_wf(), campaign)
                                   .items()})
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=f"so-lieu-chuyen-mon-{campaign.year}.xlsx")


@bp.route("/campaigns/<int:campaign_id>/department-data/import", methods=["POST"])
@login_required
def import_department_data(campaign_id: int) -> Response | tuple[str, int]:
    """Import the filled-in template: all its figures, or nothing and every problem by row and
    column."""
    campaign, actor, table = _campaign(campaign_id)
    mine = _mine_or_403(actor, campaign, table)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(campaign, actor, table, problems=[_("Choose the file to import.")],
                     status=422)
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _page(campaign, actor, table, problems=[describe(Problem(
            None, None, None, "file_too_large", {"limit": MAX_UPLOAD >> 20}))], status=422)
    sheets, problems = department.read_file(upload.filename, data)
    if problems:
        return _page(campaign, actor, table, problems=[describe(p) for p in problems],
                     status=422)
    try:
        found = department.import_workbook(_wf(), actor, campaign, sheets, mine,
                                           _units(campaign))
    except (TransitionNotAllowed, InvalidInput) as exc:
        refusal = exc.refusal if isinstance(exc, TransitionNotAllowed) else None
        return _page(campaign, actor, table, problems=[explain(refusal or exc, campaign)],
                     status=422)
    if found.problems:
        return _page(campaign, actor, table, problems=[describe(p) for p in found.problems],
                     status=422)
    count = sum(len(v) for v in found.values.values())
    flash(_("%(count)s figures imported.", count=count))
    return redirect(url_for("year.department_data", campaign_id=campaign_id))
