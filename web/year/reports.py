"""The report's page (báo cáo sơ kết, tổng kết): its period and due date, the uploaded report
with a link, and submitting, accepting or returning it with a comment."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import locale, login_required, services
from web.year import itempage
from web.year.common import PERIODS, _date, _load, _roles, _state_label, _wf, bp
from workflow.domain.overview import REPORT_DUE
from workflow.engine.instance import Instance

BUTTONS = ("submit", "accept", "return")
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
    return render_template(
        "year_report.html", report=inst, campaign=campaign, title=itempage.heading(inst),
        campaign_title=itempage.heading(campaign) if campaign is not None else "",
        period=PERIODS.get(period, ""), due=due, late=late, state=_state_label(inst),
        buttons=buttons, reports=reports, files=itempage.files(inst),
        may_upload=any(t.trigger == "submit" for t, _why in buttons),
        returned_comment=itempage.last_comment(inst, "return")
        if inst.state == "returned" else "",
        history=itempage.history(inst), error=error, form=form or {}, locale=locale(),
        kind_label=itempage.kind_label)


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

