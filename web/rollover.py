"""The year's roll-over: next year's clusters proposed from this year's (the same members in
the same order, this year's deputy leads, the next member in the rotation order is deputy),
for the council office or an administrator to edit and confirm, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.admin.organisation import typed_members
from web.auth import current_actor, login_manager
from workflow.bootstrap import Services
from workflow.errors import InvalidInput, PermissionDenied, WorkflowError
from workflow.services import access, organisations
from workflow.services.organisations import NextYearCluster

bp = Blueprint("rollover", __name__, url_prefix="/next-year")


def services() -> Services:
    return cast(Services, current_app.extensions["thidua"])


@bp.before_request
def council_office_only() -> Response | None:
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not access.may_roll_over(current_actor()):
        raise PermissionDenied(_("The year's roll-over is for the council office and "
                                 "administrators."))
    return None


@bp.app_context_processor
def roll_over_link() -> dict[str, Callable[[], bool]]:
    """`may_roll_over()` in every template: whether the signed-in person may open this page
    (the clusters' page links to it for them)."""
    def allowed() -> bool:
        return bool(current_user.is_authenticated) and access.may_roll_over(current_actor())
    return {"may_roll_over": allowed}


def chosen_year() -> int:
    raw = (request.values.get("year") or "").strip()
    if raw.isascii() and raw.isdigit() and 1900 <= int(raw) <= 2199:
        return int(raw)
    return services().clock.today().year


def page(year: int, error: str | None = None, status: int = 200,
         drafts: list[NextYearCluster] | None = None) -> tuple[str, int]:
    proposals = organisations.propose_next_year(services().uow(), year)
    units = services().reads.units()
    codes = {u.id: u.code for u in units}
    return render_template(
        "rollover.html", year=year, proposals=drafts if drafts is not None else proposals,
        units=units, error=error, kinds=organisations.KINDS,
        member_codes=lambda p: ", ".join(codes.get(u, "") for u in p.members),
        existing=[p.code for p in proposals if p.exists]), status


@bp.route("/")
def show() -> tuple[str, int]:
    return page(chosen_year())


def drafts_from_form(year: int) -> list[NextYearCluster]:
    """The clusters as edited in the form, only those ticked."""
    proposals = {p.code: p for p in organisations.propose_next_year(services().uow(), year)}
    drafts = []
    for index in range(len(proposals)):
        code = request.form.get(f"code-{index}", "")
        source = proposals.get(code)
        if source is None:
            continue
        name = (request.form.get(f"name-{index}") or "").strip()[:300]
        if not name:
            raise InvalidInput(_("Cluster %(code)s needs a name.", code=code))
        members = typed_members((request.form.get(f"members-{index}") or "")[:5000], [])
        leader = _unit(f"leader-{index}")
        deputy = _unit(f"deputy-{index}")
        drafts.append(NextYearCluster(code, name, source.kind, source.council, tuple(members),
                                      leader, deputy, source.source_id, source.exists,
                                      request.form.get(f"include-{index}") == "1"))
    return drafts


def _unit(field: str) -> int | None:
    raw = (request.form.get(field) or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) < 2**31 else None


@bp.route("/", methods=["POST"])
def confirm() -> Response | tuple[str, int]:
    year = chosen_year()
    drafts: list[NextYearCluster] | None = None
    try:
        drafts = drafts_from_form(year)
        chosen = [d for d in drafts if d.include]
        if not chosen:
            raise InvalidInput(_("Tick at least one cluster to create for %(year)s.",
                                 year=year + 1))
        organisations.confirm_next_year(services().uow(), year, chosen, by=current_actor(),
                                        at=services().clock.now())
    except WorkflowError as exc:
        return page(year, _("Next year's clusters were not created: %(reason)s",
                            reason=str(exc)), 400, drafts)
    flash(_("%(count)s clusters of %(year)s created.", count=len(chosen), year=year + 1))
    return redirect(url_for("rollover.show", year=year + 1))
