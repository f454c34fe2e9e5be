"""The report's page (báo cáo sơ kết, tổng kết): its period and due date, the uploaded report
with a link, and submitting, accepting or returning it with a comment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain, number
from web.views import fire_seen, locale, login_required, services
from web.year import itempage
from web.year.common import (
    PERIODS,
    _criteria,
    _date,
    _form_version,
    _load,
    _roles,
    _state_label,
    _wf,
    bp,
)
from workflow.domain.overview import REPORT_DUE
from workflow.engine.instance import Instance
from workflow.errors import TransitionNotAllowed

BUTTONS = ("submit", "accept", "return")
RESULTS = "record_results"
# the refusals of recording results that the form itself answers (it gives them)
OPEN_WITH_RESULTS = frozenset({"required_missing", "report_results_missing"})
REPORT = "report"  # the kind of the report's document


def _report(report_id: int) -> Instance:
    inst = _load(report_id, "report")
    _roles(inst, current_actor())
    return inst


def _page(inst: Instance, *, error: str | None = None, form: dict[str, str] | None = None
          ) -> str:
    campaign = itempage.campaign_of(inst)
    period = str(inst.data.get("period") or "")
    dates = (campaign.data.get("dates") or {}) if campaign is not None else {}
    due = _date(dates.get(REPORT_DUE.get(period, ""))) if dates else None
    today = services().clock.today()
    late = (today - due).days if due and inst.state == "due" and today > due else 0
    actions = _wf().available(inst, current_actor())
    buttons = [(t, why) for t, why in actions if t.trigger in BUTTONS]
    reports = itempage.files(inst, REPORT)
    rows = _results_rows(inst, campaign)
    return render_template(
        "year_report.html", report=inst, campaign=campaign, title=itempage.heading(inst),
        campaign_title=itempage.heading(campaign) if campaign is not None else "",
        period=PERIODS.get(period, ""), due=due, late=late, state=_state_label(inst),
        buttons=buttons, reports=reports, files=itempage.files(inst),
        may_upload=any(t.trigger == "submit" for t, _why in buttons),
        returned_comment=itempage.last_comment(inst, "return")
        if inst.state == "returned" else "",
        history=itempage.history(inst), error=error, form=form or {}, locale=locale(),
        kind_label=itempage.kind_label, results_rows=rows,
        may_record_results=bool(rows) and any(
            t.trigger == RESULTS for t, why in actions
            if why is None or why.refusal is None or why.refusal.code in OPEN_WITH_RESULTS))


def _results_rows(inst: Instance, campaign: Instance | None) -> list[tuple[str, str, str, str]]:
    """(code, criterion, pledged target, result so far) of a six-month report's criteria scored
    against a target (the mid-year review compares them)."""
    if campaign is None or inst.data.get("period") != "six_month":
        return []
    table = _criteria(campaign)
    if table is None:
        return []
    targets: dict[str, Any] = {}
    for child in _wf().children(campaign.id):
        if child.workflow == "pledge" and child.unit_id == inst.unit_id:
            targets = child.data.get("targets") or {}
    results = inst.data.get("results") or {}
    return [(c.code, c.title.get(locale()), _figure(targets.get(c.code)),
             _figure(results.get(c.code))) for c in table.criteria if c.by_result]


def _figure(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return number(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


@bp.route("/reports/<int:report_id>/results", methods=["POST"])
@login_required
def report_results(report_id: int) -> str | Response:
    """The unit's results so far against its targets (six-month report)."""
    inst = _report(report_id)
    campaign = itempage.campaign_of(inst)
    codes = [code for code, *_rest in _results_rows(inst, campaign)]
    form = {f"r-{c}": request.form.get(f"r-{c}", "").strip()[:30] for c in codes}
    results = {c: form[f"r-{c}"].replace(" ", "").replace(",", ".") for c in codes
               if form[f"r-{c}"]}
    if not results:
        return _page(inst, error=_("Type the result of at least one target."), form=form)
    try:
        fire_seen(inst.id, RESULTS, {"results": results}, _form_version())
    except TransitionNotAllowed as exc:
        return _page(_wf().get(inst.id), error=explain(exc, inst, with_action=True), form=form)
    flash(_("The results are saved."))
    return redirect(url_for("year.report", report_id=report_id))


@bp.route("/reports/<int:report_id>")
@login_required
def report(report_id: int) -> str:
    return _page(_report(report_id))


@bp.route("/reports/<int:report_id>/fire", methods=["POST"])
@login_required
def report_fire(report_id: int) -> str | Response:
    """Submit, accept, or return with a comment; a refusal comes back with what was typed."""
    inst = _report(report_id)
    trigger = request.form.get("trigger", "")
    if trigger not in BUTTONS:
        abort(400)
    comment = itempage.posted_comment()
    refused = itempage.fire(inst, trigger, {"comment": comment} if comment else {})
    if refused:
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _page(_wf().get(inst.id), error=refused, form=form)
    return redirect(url_for("year.report", report_id=report_id))


@bp.route("/reports/<int:report_id>/documents", methods=["POST"])
@login_required
def report_upload(report_id: int) -> Response:
    """Upload the report document (Word or PDF)."""
    inst = _report(report_id)
    itempage.upload(inst, current_actor(), REPORT)
    return redirect(url_for("year.report", report_id=report_id))

