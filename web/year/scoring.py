"""A unit's score sheet: the scores per criterion, its evidence, submitting it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import title_of
from web.refusals import explain, number
from web.views import fire_seen, locale, login_required, services
from web.year.common import (
    EDITORS,
    EVIDENCE_KINDS,
    _criteria,
    _documents,
    _fire_form,
    _fire_posted,
    _form_version,
    _load,
    _offered,
    _roles,
    _state_label,
    _unit_names,
    _wf,
    bp,
)
from web.year.evidence import _attach, _attach_chosen
from workflow.domain.criteria import CriteriaTable
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import Actor
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.engine.spec import TransitionSpec
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import access, department, inspections


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


@dataclass(slots=True)
class Typed:
    """What a refused form said, to show again: the values per field name, a message per
    criterion, the reason typed, and what was wrong overall."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    problem: str = ""


def _adjust_action(
    actions: Sequence[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> tuple[TransitionSpec, TransitionNotAllowed | None] | None:
    """"Điều chỉnh điểm" if the actor holds its role: its refusal, but not for the points and
    the reason that its form gives."""
    for t, why in actions:
        if t.trigger == "adjust_scores":
            if why is not None and why.refusal is not None and \
                    why.refusal.code == "adjusted_scores_missing":
                why = None
            return t, why
    return None


def _adjustments(sheet: Instance, table: CriteriaTable) -> list[tuple[Any, str, str, str]]:
    """(when, who, the points set per criterion, the reason) of every adjustment."""
    rows = [r for r in _wf().history(sheet.id) if r.get("trigger") == "adjust_scores"]
    names = services().reads.full_names({str(r["actor"]) for r in rows})
    titles = {c.code: c.title.get(locale()) for c in table.criteria}
    out = []
    for r in rows:
        scores = (r.get("payload") or {}).get("scores") or {}
        points = "; ".join(f"{titles.get(code, '')}: {number(Decimal(str(value)))}"
                           for code, value in scores.items() if code in titles)
        out.append((r["at"], names.get(str(r["actor"]), ""), points,
                    str(r.get("comment") or "")))
    return out


def _settled(line: Any) -> Decimal:
    for points in (line.verified_points, line.inspection_points, line.self_points):
        if points is not None:
            return Decimal(points)
    return Decimal(0)


def _render_sheet(sheet: Instance, actor: Actor, roles: set[str], typed: Typed | None = None,
                  status: int = 200) -> tuple[str, int]:
    campaign, table = _sheet_table(sheet)
    with _wf().store.read() as tx:
        lines = tx.score_lines(sheet.id)
    evidence: dict[str, list[Any]] = {}
    for doc in _documents(sheet.id):
        if doc.ref:
            evidence.setdefault(doc.ref, []).append(doc)
    actions = _wf().available(sheet, actor)
    submit = next(((t, why) for t, why in actions if t.trigger == "submit"), None)
    adjust = _adjust_action(actions)
    others = [(t, why) for t, why in _offered(actions)
              if t.trigger not in ("submit", "adjust_scores", "save_scores")]
    values = [line for line in lines.values()]
    compared = department.comparisons(_wf(), campaign, sheet, table, lines)
    keeps = any(t.trigger == "keep_unit_result" for t, _why in actions)
    totals = {
        "self": sum((v.self_points for v in values if v.self_points is not None), Decimal(0)),
        "inspection": sum((v.inspection_points for v in values
                           if v.inspection_points is not None), Decimal(0)),
        # what verification settles on: the leader's points, else the inspection's, else
        # the unit's own (rules.scoring.settle_verified_scores)
        "verified": sum((_settled(v) for v in values), Decimal(0)),
    }
    return render_template(
        "year_score_sheet.html", sheet=sheet, campaign=campaign, table=table, lines=lines,
        title=title_of(sheet, locale()),
        targets=_targets(campaign.id, sheet.unit_id), evidence=evidence,
        editable=_editable(sheet, roles), submit=submit, kinds=EVIDENCE_KINDS,
        checked=any(line.inspection_points is not None for line in lines.values()),
        verified=any(line.verified_points is not None for line in lines.values()),
        settled=sheet.state in ("verified", "final"),
        adjust=adjust, adjustable=adjust is not None and adjust[1] is None, actions=others,
        adjustments=_adjustments(sheet, table), totals=totals, typed=typed or Typed(),
        department=compared, keep_forms=[d for d in compared.values()
                                         if keeps and d.differs and not d.kept_reason],
        unit=_unit_names([sheet.unit_id or 0]).get(sheet.unit_id or 0, ""),
        state=_state_label(sheet), locale=locale(), pts=show), status


@bp.route("/score-sheets/<int:sheet_id>")
@login_required
def score_sheet(sheet_id: int) -> tuple[str, int]:
    sheet, actor, roles = _sheet(sheet_id)
    return _render_sheet(sheet, actor, roles)


def _score_fields() -> dict[str, str]:
    return {key: value[:32] for key, value in request.form.items()
            if key.startswith(("points-", "achieved-"))}


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


def _changed(sheet: Instance, scores: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The scores of the form that differ from what is saved (an upload posts them all)."""
    with _wf().store.read() as tx:
        lines = tx.score_lines(sheet.id)
    out = {}
    for code, entry in scores.items():
        line = lines.get(code)
        name, text = next(iter(entry.items()))
        saved = None if line is None else line.achieved if name == "achieved" \
            else line.self_points
        try:
            same = saved is not None and Decimal(text) == saved
        except ArithmeticError:
            same = False
        if not same:
            out[code] = entry
    return out


def _save_typed(sheet: Instance, table: CriteriaTable, *, all_: bool = False) -> Typed | None:
    """Save the self-scores the form changed (with `all_`, every one it gives: the user
    saved them); what to show again when they are refused."""
    scores = _scores_from_form(table)
    scores = scores if all_ else _changed(sheet, scores)
    if not scores:
        return None
    try:
        fire_seen(sheet.id, "save_scores", {"scores": scores}, _form_version())
    except TransitionNotAllowed as exc:
        typed = Typed(_score_fields(), problem=explain(exc, sheet, with_action=True))
        refusal = exc.refusal
        about = refusal.params.get("criterion") if refusal is not None else None
        if isinstance(about, Ref):
            typed.errors[str(about.code)] = explain(refusal, sheet)
        return typed
    return None


@bp.route("/score-sheets/<int:sheet_id>/scores", methods=["POST"])
@login_required
def save_scores(sheet_id: int) -> Response | tuple[str, int]:
    sheet, actor, roles = _sheet(sheet_id)
    back = redirect(url_for("year.score_sheet", sheet_id=sheet_id))
    if not _editable(sheet, roles):
        flash(_("Only the unit's officer or head edits its self-scores, while it scores "
                "itself."), "error")
        return back
    table = _sheet_table(sheet)[1]
    if not _scores_from_form(table):
        flash(_("Enter at least one score before saving."), "error")
        return back
    refused = _save_typed(sheet, table, all_=True)
    if refused is not None:
        return _render_sheet(_wf().get(sheet.id), actor, roles, refused, 422)
    attached = _attach_chosen(sheet, table, actor)
    flash(_("Self-scores saved."))
    for name in attached:
        flash(_("Evidence attached: %(name)s", name=name))
    return back


@bp.route("/score-sheets/<int:sheet_id>/submit", methods=["POST"])
@login_required
def submit_sheet(sheet_id: int) -> Response:
    sheet, _actor, _roles_held = _sheet(sheet_id)
    if _fire_form(sheet, "submit", {}):
        flash(_("The score sheet is submitted."))
    return redirect(url_for("year.score_sheet", sheet_id=sheet_id))


@bp.route("/score-sheets/<int:sheet_id>/fire", methods=["POST"])
@login_required
def score_sheet_fire(sheet_id: int) -> Response:
    """Dispute, resolve, verify, finalize: the sheet's steps after it is submitted."""
    sheet, actor, _roles_held = _sheet(sheet_id)
    if not access.may_act(actor, sheet):
        abort(403)
    if request.form.get("trigger") in ("save_scores", "submit", "adjust_scores"):
        flash(_("This action is not open now; reload the page."), "error")
    else:
        _fire_posted(sheet)
    return redirect(url_for("year.score_sheet", sheet_id=sheet_id))


@bp.route("/score-sheets/<int:sheet_id>/adjust", methods=["POST"])
@login_required
def adjust_scores(sheet_id: int) -> Response | tuple[str, int]:
    """The leader's (or deputy's) corrected points per criterion, with the reason."""
    sheet, actor, roles = _sheet(sheet_id)
    if _adjust_action(_wf().available(sheet, actor)) is None:
        abort(403)  # only the leader or deputy adjusts, and only once it is cross-checked
    table = _sheet_table(sheet)[1]
    form = inspections.read_points(table, lambda key: request.form.get(key, ""),
                                   prefix="adjust")
    comment = request.form.get("comment", "").strip()[:5000]
    typed = Typed({f"adjust-{c}": v for c, v in form.typed.items()},
                  {c: explain(r, sheet) for c, r in form.errors.items()}, comment)
    if not form.ok:
        typed.problem = _("Some points could not be recorded; correct the fields marked below.")
    elif not form.points:
        typed.problem = explain(Refusal("adjusted_scores_missing"), sheet)
    elif not comment:
        typed.problem = explain(Refusal("adjustment_reason_required"), sheet)
    else:
        try:
            fire_seen(sheet.id, "adjust_scores", {
                "scores": {c: str(p) for c, p in form.points.items()}, "comment": comment},
                _form_version())
        except TransitionNotAllowed as exc:
            typed.problem = explain(exc, sheet, with_action=True)
        else:
            flash(_("The scores are adjusted."))
            return redirect(url_for("year.score_sheet", sheet_id=sheet_id))
    return _render_sheet(sheet, actor, roles, typed, 422)


@bp.route("/score-sheets/<int:sheet_id>/evidence", methods=["POST"])
@login_required
def upload_evidence(sheet_id: int) -> Response | tuple[str, int]:
    """Attach a criterion's evidence; the scores typed in the same form are saved first, so
    that an upload never loses them."""
    sheet, actor, roles = _sheet(sheet_id)
    code = request.form.get("criterion", "")
    back = redirect(url_for("year.score_sheet", sheet_id=sheet_id, _anchor=f"c-{code}"))
    if not _editable(sheet, roles):
        flash(_("Evidence is added by the unit's officer or head while it scores itself."),
              "error")
        return back
    table = _sheet_table(sheet)[1]
    refused = _save_typed(sheet, table) if "version" in request.form else None
    saved_version = _wf().get(sheet.id).version
    name, problem = _attach(sheet, table, actor, code)
    if refused is not None:  # the file is kept; the scores are shown again to correct
        if not problem:
            refused.problem = f"{refused.problem} " + _(
                "(The file %(name)s was attached.)", name=name)
        return _render_sheet(_wf().get(sheet.id), actor, roles, refused, 422)
    if problem and not name and saved_version != sheet.version:
        flash(_("Self-scores saved."))  # no file chosen: the scores typed are saved all the same
    elif problem:
        flash(problem, "error")
    else:
        flash(_("Evidence attached: %(name)s", name=name))
    return back


@bp.route("/score-sheets/<int:sheet_id>/keep-unit-result", methods=["POST"])
@login_required
def keep_unit_result(sheet_id: int) -> Response | tuple[str, int]:
    """The leader keeps the unit's own result where the department's figure differs, with
    the reason (kept in the history)."""
    sheet, actor, roles = _sheet(sheet_id)
    if not any(t.trigger == "keep_unit_result" for t, _why in _wf().available(sheet, actor)):
        abort(403)
    code = request.form.get("criterion", "")[:40]
    comment = request.form.get("comment", "").strip()[:5000]
    typed = Typed({"keep": code}, comment=comment)
    if not comment:
        typed.problem = _("Write why the unit's result is kept.")
        return _render_sheet(sheet, actor, roles, typed, 422)
    try:
        fire_seen(sheet.id, "keep_unit_result", {"criterion": code, "comment": comment},
                  _form_version())
    except TransitionNotAllowed as exc:
        typed.problem = explain(exc, sheet, with_action=True)
        return _render_sheet(sheet, actor, roles, typed, 422)
    flash(_("The unit's result is kept; the reason is in the history."))
    return redirect(url_for("year.score_sheet", sheet_id=sheet_id))
