"""A unit's score sheet: the scores per criterion, its evidence, submitting it."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import locale, login_required, services, upload_refusal
from web.year.common import (
    EDITORS,
    EVIDENCE_KINDS,
    _criteria,
    _documents,
    _fire_form,
    _load,
    _roles,
    _send_document,
    _state_label,
    _unit_names,
    _wf,
    bp,
)
from workflow.domain.criteria import CriteriaTable
from workflow.domain.roles import Actor
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.errors import (
    InvalidInput,
)
from workflow.services import access
from workflow.services import documents as attachments


def _sheet(sheet_id: int) -> tuple[Instance, Actor, set[str]]:
    sheet = _load(sheet_id, "score_sheet")
    actor = current_actor()
    return sheet, actor, _roles(sheet, actor)


def _editable(sheet: Instance, roles: set[str]) -> bool:
    return sheet.state == "self_scoring" and bool(roles & EDITORS)


def _sheet_table(sheet: Instance) -> tuple[Instance, CriteriaTable]:
    if sheet.parent_id is None:
        raise InvalidInput(_("This score sheet belongs to no campaign."))
    campaign = _wf().get(sheet.parent_id)
    table = _criteria(campaign)
    if table is None:
        raise InvalidInput(_("The campaign has no criteria table."))
    return campaign, table


def _targets(campaign_id: int, unit_id: int | None) -> dict[str, Any]:
    for child in _wf().children(campaign_id):
        if child.workflow == "pledge" and child.unit_id == unit_id:
            return dict(child.data.get("targets") or {})
    return {}


@bp.route("/score-sheets/<int:sheet_id>")
@login_required
def score_sheet(sheet_id: int) -> str:
    sheet, actor, roles = _sheet(sheet_id)
    campaign, table = _sheet_table(sheet)
    with _wf().store.read() as tx:
        lines = tx.score_lines(sheet.id)
    evidence: dict[str, list[Any]] = {}
    for doc in _documents(sheet.id):
        if doc.ref:
            evidence.setdefault(doc.ref, []).append(doc)
    actions = _wf().available(sheet, actor)
    submit = next(((t, why) for t, why in actions if t.trigger == "submit"), None)
    return render_template(
        "year_score_sheet.html", sheet=sheet, campaign=campaign, table=table, lines=lines,
        targets=_targets(campaign.id, sheet.unit_id), evidence=evidence,
        editable=_editable(sheet, roles), submit=submit, kinds=EVIDENCE_KINDS,
        checked=any(line.inspection_points is not None for line in lines.values()),
        unit=_unit_names([sheet.unit_id or 0]).get(sheet.unit_id or 0, ""),
        state=_state_label(sheet), locale=locale(), pts=show)


def _scores_from_form(table: CriteriaTable) -> dict[str, dict[str, str]]:
    """The filled-in scores: an achieved result for a criterion scored against a target,
    points otherwise; a decimal comma is read as a point."""
    scores = {}
    for c in table.criteria:
        by_result = c.kind == "quantitative" and c.target_required
        name = "achieved" if by_result else "points"
        value = request.form.get(f"{name}-{c.code}", "").strip().replace(",", ".")[:32]
        if value:
            scores[c.code] = {name: value}
    return scores


@bp.route("/score-sheets/<int:sheet_id>/scores", methods=["POST"])
@login_required
def save_scores(sheet_id: int) -> Response:
    sheet, _actor, roles = _sheet(sheet_id)
    back = redirect(url_for("year.score_sheet", sheet_id=sheet_id))
    if not _editable(sheet, roles):
        flash(_("Only the unit's officer or head edits its self-scores, while it scores "
                "itself."), "error")
        return back
    scores = _scores_from_form(_sheet_table(sheet)[1])
    if not scores:
        flash(_("Enter at least one score before saving."), "error")
    elif _fire_form(sheet, "save_scores", {"scores": scores}):
        flash(_("Self-scores saved."))
    return back


@bp.route("/score-sheets/<int:sheet_id>/submit", methods=["POST"])
@login_required
def submit_sheet(sheet_id: int) -> Response:
    sheet, _actor, _roles_held = _sheet(sheet_id)
    if _fire_form(sheet, "submit", {}):
        flash(_("The score sheet is submitted."))
    return redirect(url_for("year.score_sheet", sheet_id=sheet_id))


def _upload_problem(table: CriteriaTable, code: str, kind: str) -> str | None:
    try:
        criterion = table.criterion(code)
    except KeyError:
        return str(_("Choose a criterion of the table."))
    if kind not in criterion.evidence:
        return str(_("Choose a kind of evidence the criterion asks for."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return str(_("Choose a file to upload."))
    return None


@bp.route("/score-sheets/<int:sheet_id>/evidence", methods=["POST"])
@login_required
def upload_evidence(sheet_id: int) -> Response:
    sheet, actor, roles = _sheet(sheet_id)
    code = request.form.get("criterion", "")
    back = redirect(url_for("year.score_sheet", sheet_id=sheet_id, _anchor=f"c-{code}"))
    if not _editable(sheet, roles):
        flash(_("Evidence is added by the unit's officer or head while it scores itself."),
              "error")
        return back
    kind = request.form.get("kind", "")
    problem = _upload_problem(_sheet_table(sheet)[1], code, kind)
    upload = request.files.get("file")
    content = upload.read() if upload is not None and problem is None else b""
    problem = problem or upload_refusal(upload.filename or "file" if upload else "file", content)
    if problem:
        flash(problem, "error")
        return back
    assert upload is not None
    attachments.attach(_wf(), services().settings.documents_dir, sheet.id, actor, kind,
                       upload.filename or "file", content, ref=code)
    flash(_("Evidence attached: %(name)s", name=upload.filename))
    return back


@bp.route("/score-sheets/<int:sheet_id>/evidence/<int:document_id>")
@login_required
def evidence_file(sheet_id: int, document_id: int) -> Response:
    sheet = _load(sheet_id, "score_sheet")
    if not access.may_read_documents(current_actor(), sheet):
        abort(403)
    doc = next((d for d in _documents(sheet.id) if d.id == document_id), None)
    if doc is None:
        abort(404)
    return _send_document(doc)


# --- the ranking ---------------------------------------------------------------------------
