"""The pledge's page (giao ước thi đua): its targets against the campaign's criteria, with last
year's signed values and the leader's comment on each target when it was returned; saving,
submitting, accepting or returning with comments, and signing with the signed pledge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import locale, login_required, services
from web.year import conference_links as conferences
from web.year import itempage
from web.year.common import _criteria, _load, _roles, _state_label, _wf, bp
from workflow.domain.criteria import CriteriaTable
from workflow.domain.refusals import Refusal
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput
from workflow.services import pledges

EDIT_TRIGGERS = ("save_targets", "revise_targets")
BUTTONS = ("submit", "accept", "return", "sign", "amend")  # what the action forms may post
SIGNED_PLEDGE = "signed_pledge"


def _pledge(pledge_id: int) -> tuple[Instance, Instance, CriteriaTable, set[str]]:
    """The pledge, its campaign and criteria table, and the user's roles on it (403 unless
    they may see it)."""
    inst = _load(pledge_id, "pledge")
    roles = _roles(inst, current_actor())
    campaign = itempage.campaign_of(inst)
    table = _criteria(campaign) if campaign is not None else None
    if campaign is None or table is None:
        raise InvalidInput(_("The campaign of this pledge has no criteria table."))
    return inst, campaign, table, roles


def _shown(value: str) -> str:
    """A stored number as the reader writes it (80.5 is "80,5" in Vietnamese)."""
    return value if locale().startswith("en") else value.replace(".", ",")


def _page(inst: Instance, campaign: Instance, table: CriteriaTable, *,
          typed: Mapping[str, str] | None = None, problems: Mapping[str, Refusal] | None = None,
          error: str | None = None, form: Mapping[str, str] | None = None) -> str:
    actions = _wf().available(inst, current_actor())
    last_year = (services().reads.signed_targets(inst.unit_id, inst.year - 1)
                 if inst.unit_id is not None and inst.year else None)
    rows = pledges.target_rows(table, inst.state, inst.data, last_year, typed, problems)
    edit = next((t for t, _why in actions if t.trigger in EDIT_TRIGGERS), None)
    buttons = [(t, why) for t, why in actions if t.trigger in BUTTONS]
    signed = itempage.files(inst, SIGNED_PLEDGE)
    signing = conferences.signing_conferences(campaign)
    at = conferences.signed_at(inst)
    return render_template(
        "year_pledge.html", pledge=inst, campaign=campaign, table=table, rows=rows,
        title=itempage.heading(inst), campaign_title=itempage.heading(campaign),
        state=_state_label(inst), edit=edit, buttons=buttons, signed=signed,
        files=itempage.files(inst), history=itempage.history(inst), last_year=last_year,
        returned_comment=itempage.last_comment(inst, "return")
        if inst.state in pledges.RETURNED_STATES else "",
        problems={code: explain(r, inst) for code, r in (problems or {}).items()},
        error=error, form=form or {}, shown=_shown, locale=locale(),
        kind_label=itempage.kind_label, signing=signing, signed_at=at)


@bp.route("/pledges/<int:pledge_id>")
@login_required
def pledge(pledge_id: int) -> str:
    inst, campaign, table, _roles_held = _pledge(pledge_id)
    return _page(inst, campaign, table)


@bp.route("/pledges/<int:pledge_id>/targets", methods=["POST"])
@login_required
def pledge_targets(pledge_id: int) -> str | Response:
    """Save the targets; when one is wrong nothing is saved and the page comes back with
    everything as typed and the reason beside each wrong field."""
    inst, campaign, table, _roles_held = _pledge(pledge_id)
    typed = pledges.typed_targets(request.form)
    kept = {k[len("target:"):]: v.strip()[:50] for k, v in request.form.items()
            if k.startswith("target:")}
    problems = pledges.target_problems(table, typed)
    if problems:
        return _page(inst, campaign, table, typed=kept, problems=problems,
                     error=_("Nothing was saved: correct the targets marked below."))
    trigger = "revise_targets" if inst.state in pledges.RETURNED_STATES else "save_targets"
    refused = itempage.fire(inst, trigger, {"targets": typed})
    if refused:
        return _page(_wf().get(inst.id), campaign, table, typed=kept, error=refused)
    return redirect(url_for("year.pledge", pledge_id=pledge_id))


@bp.route("/pledges/<int:pledge_id>/fire", methods=["POST"])
@login_required
def pledge_fire(pledge_id: int) -> str | Response:
    """Submit, accept, return (with a comment, and one per target), sign or amend."""
    inst, campaign, table, _roles_held = _pledge(pledge_id)
    trigger = request.form.get("trigger", "")
    if trigger not in BUTTONS:
        abort(400)
    payload: dict[str, Any] = {}
    if comment := itempage.posted_comment():
        payload["comment"] = comment
    if trigger == "return":  # every return says which targets it is about (none: cleared)
        payload["target_comments"] = pledges.target_comments(table, request.form)
    raw = request.form.get("conference_id", "")
    if trigger == "sign" and raw.isascii() and raw.isdigit() and int(raw) < 2**31:
        payload["conference_id"] = int(raw)  # the pledge-signing conference it is signed at
    refused = itempage.fire(inst, trigger, payload)
    if refused:
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _page(_wf().get(inst.id), campaign, table, error=refused, form=form)
    return redirect(url_for("year.pledge", pledge_id=pledge_id))


@bp.route("/pledges/<int:pledge_id>/documents", methods=["POST"])
@login_required
def pledge_upload(pledge_id: int) -> Response:
    """Upload the signed pledge (the scan of the paper the unit head signed)."""
    inst, _campaign, _table, _roles_held = _pledge(pledge_id)
    itempage.upload(inst, current_actor(), SIGNED_PLEDGE)
    return redirect(url_for("year.pledge", pledge_id=pledge_id, _anchor="sign"))
