"""A cross-inspection (kiểm tra chéo): who inspects whom, the inspected unit's pledged targets,
self-scores and evidence beside the criteria, the team's points per criterion, the minutes
generated, signed and uploaded, and the inspection's history."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import fire_seen, locale, login_required, services, upload_refusal
from web.year.common import (
    PERIODS,
    _criteria,
    _date,
    _documents,
    _fire_posted,
    _form_version,
    _load,
    _offered,
    _send_document,
    _spec,
    _state_label,
    _unit_names,
    _wf,
    bp,
)
from workflow.domain.criteria import CriteriaTable, Criterion
from workflow.domain.refusals import Refusal, refs
from workflow.domain.roles import Actor
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.engine.spec import TransitionSpec
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import access, inspections
from workflow.services import documents as attachments
from workflow.services.read_side import DocumentInfo

# documents of the inspected unit's own items, as the page names them
ITEM_KINDS = {"pledge": lazy_gettext("Pledge"), "report": lazy_gettext("Report"),
              "score_sheet": lazy_gettext("Score sheet")}
DOCUMENT_KINDS = {
    inspections.MINUTES_KIND: lazy_gettext("minutes (generated)"),
    inspections.SIGNED_KIND: lazy_gettext("signed minutes"),
    "signed_pledge": lazy_gettext("signed pledge"), "report": lazy_gettext("report"),
    "plan": lazy_gettext("plan"), "decision": lazy_gettext("decision"),
}
SIGNED_STATES = frozenset({"conducted", "minutes_signed", "applied"})


@dataclass(slots=True)
class Line:
    """One criterion as the team sees it."""

    criterion: Criterion
    target: Any = None
    self_points: Decimal | None = None
    evidence: list[DocumentInfo] = field(default_factory=list)
    result: Decimal | None = None
    note: str = ""
    typed: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class UnitFile:
    """A file of the inspected unit's pledge or reports."""

    item: str
    doc: DocumentInfo


@dataclass(frozen=True, slots=True)
class Step:
    """A line of the history as people read it."""

    at: Any
    who: str
    what: str
    comment: str


def _inspection(inspection_id: int) -> tuple[Instance, Actor, Instance, CriteriaTable]:
    inst = _load(inspection_id, "inspection")
    actor = current_actor()
    if not access.may_see(actor, inst):
        abort(403)
    if inst.parent_id is None:
        raise InvalidInput(_("This inspection belongs to no campaign."))
    campaign = _wf().get(inst.parent_id)
    table = _criteria(campaign)
    if table is None:
        raise InvalidInput(_("The campaign has no criteria table."))
    return inst, actor, campaign, table


def _unit_items(inst: Instance) -> list[Instance]:
    """The inspected unit's pledge, reports and score sheet in the same campaign."""
    assert inst.parent_id is not None
    return [c for c in _wf().children(inst.parent_id)
            if c.unit_id == inst.unit_id and c.workflow in ITEM_KINDS]


def _lines(inst: Instance, table: CriteriaTable, items: Sequence[Instance]) -> list[Line]:
    results = inst.data.get("results") or {}
    notes = inst.data.get("notes") or {}
    pledge = next((i for i in items if i.workflow == "pledge"), None)
    targets = (pledge.data.get("targets") or {}) if pledge else {}
    sheet = next((i for i in items if i.workflow == "score_sheet"), None)
    scored: dict[str, Any] = {}
    evidence: dict[str, list[DocumentInfo]] = {}
    if sheet is not None:
        with _wf().store.read() as tx:
            scored = dict(tx.score_lines(sheet.id))
        for doc in _documents(sheet.id):
            if doc.ref:
                evidence.setdefault(doc.ref, []).append(doc)
    lines = []
    for c in table.criteria:
        line = scored.get(c.code)
        result = Decimal(results[c.code]) if c.code in results else None
        lines.append(Line(
            c, targets.get(c.code), line.self_points if line is not None else None,
            evidence.get(c.code, []), result, str(notes.get(c.code, "")),
            _typed(c, result)))
    return lines


def _typed(criterion: Criterion, points: Decimal | None) -> str:
    """A recorded value as the form shows it (a level's value is its points exactly)."""
    if points is None:
        return ""
    return show(points) if criterion.levels else show(points).replace(".", ",")


def _unit_files(items: Sequence[Instance]) -> list[UnitFile]:
    files = []
    for item in sorted(items, key=lambda i: i.id):
        if item.workflow == "score_sheet":
            continue  # its evidence stands beside each criterion
        label = str(ITEM_KINDS[item.workflow])
        period = PERIODS.get(item.data.get("period", ""))
        if period:
            label = f"{label} ({period})"
        files += [UnitFile(label, doc) for doc in _documents(item.id)]
    return files


def _history(inst: Instance) -> list[Step]:
    spec = _spec(inst)
    rows = _wf().history(inst.id)
    people = services().reads.full_names({str(r["actor"]) for r in rows})
    labels = {t.trigger: t.label.get(locale()) for t in spec.transitions}

    def state(name: str | None) -> str:
        return spec.state(name).label.get(locale()) if name in spec.state_names else ""

    steps = []
    for r in rows:
        payload = r.get("payload") or {}
        if r["kind"] == "document":
            what = _("Document attached: %(name)s", name=payload.get("filename", ""))
        elif r["kind"] in ("start", "spawn"):
            what = _("Created: %(state)s", state=state(r["to_state"]))
        elif r["trigger"] in labels:
            moved = r["from_state"] != r["to_state"]
            what = labels[r["trigger"]] + (f" → {state(r['to_state'])}" if moved else "")
        else:
            what = state(r["to_state"])
        who = people.get(str(r["actor"])) or (
            _("the system") if r["actor"] == "system" else str(r["actor"]))
        steps.append(Step(r["at"], who, what, str(r.get("comment") or "")))
    return steps


def _moment(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _record_action(
    actions: Sequence[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> tuple[TransitionSpec, TransitionNotAllowed | None] | None:
    """The step that records the results, if the actor holds its role; its refusal, but not
    for the results the form itself gives."""
    for t, why in actions:
        if t.trigger == "record_results":
            if why is not None and why.refusal is not None and \
                    why.refusal.code == "inspection_results_invalid":
                why = None
            return t, why
    return None


def _render(inst: Instance, actor: Actor, campaign: Instance, table: CriteriaTable,
            form: inspections.PointsForm | None = None, problem: str = "",
            status: int = 200) -> tuple[str, int]:
    items = _unit_items(inst)
    lines = _lines(inst, table, items)
    conclusion = str(inst.data.get("conclusion") or "")
    if form is not None:  # what was typed, kept with what is wrong with it
        for line in lines:
            code = line.criterion.code
            line.typed = form.typed.get(code, "")
            line.note = form.notes.get(code, "")
            if code in form.errors:
                line.error = explain(form.errors[code], inst)
        conclusion = form.conclusion
    actions = _wf().available(inst, actor)
    record = _record_action(actions)
    plan = inst.data.get("plan") or {}
    team = [str(u) for u in plan.get("team") or []]
    signatures = inst.data.get("signatures") or {}
    names = services().reads.full_names(
        [*team, *(str(s.get("by")) for s in signatures.values() if isinstance(s, dict))])
    units = _unit_names([inst.unit_id or 0, int(plan.get("inspector_unit_id") or 0)])
    recorded = [line.result for line in lines if line.result is not None]
    docs = _documents(inst.id)
    return render_template(
        "year_inspection.html", inst=inst, campaign=campaign, table=table, lines=lines,
        inspected=units.get(inst.unit_id or 0, ""),
        inspecting=units.get(int(plan.get("inspector_unit_id") or 0), ""),
        team=[names.get(u, u) for u in team], lead=names.get(str(plan.get("lead")), ""),
        due=_date((campaign.data.get("dates") or {}).get("inspection_end")),
        state=_state_label(inst), record=record, editable=record is not None and
        record[1] is None, conclusion=conclusion, problem=problem,
        actions=[(t, why) for t, why in _offered(actions) if t.trigger != "record_results"],
        total=sum(recorded, Decimal(0)), complete=len(recorded) == len(lines),
        signatures={side: (names.get(str(s.get("by")), ""), _moment(s.get("at")))
                    for side, s in signatures.items() if isinstance(s, dict)},
        minutes=[d for d in docs if d.kind == inspections.MINUTES_KIND],
        signed=[d for d in docs if d.kind == inspections.SIGNED_KIND],
        may_upload=inst.state in SIGNED_STATES and access.may_attach(actor, inst, _spec(inst)),
        may_draw_up=bool(inst.data.get("results")) and access.may_attach(actor, inst,
                                                                          _spec(inst)),
        files=_unit_files(items), kinds=DOCUMENT_KINDS, history=_history(inst),
        locale=locale(), pts=show), status


@bp.route("/inspections/<int:inspection_id>")
@login_required
def inspection(inspection_id: int) -> tuple[str, int]:
    inst, actor, campaign, table = _inspection(inspection_id)
    return _render(inst, actor, campaign, table)


@bp.route("/inspections/<int:inspection_id>/results", methods=["POST"])
@login_required
def record_inspection_results(inspection_id: int) -> Response | tuple[str, int]:
    """Record the team's points, notes and conclusion; anything wrong is said beside its
    field and everything typed is kept."""
    inst, actor, campaign, table = _inspection(inspection_id)
    if _record_action(_wf().available(inst, actor)) is None:
        abort(403)  # no role that records results (a team member's refusal is said below)
    form = inspections.read_points(table, lambda key: request.form.get(key, ""), notes=True)
    if not form.ok:
        return _render(inst, actor, campaign, table, form, _(
            "Some points could not be recorded; correct the fields marked below."), 422)
    if not form.points:
        return _render(inst, actor, campaign, table, form, _(
            "Enter the points of at least one criterion."), 422)
    try:
        fire_seen(inst.id, "record_results", inspections.results_payload(form, inst.data),
                  _form_version())
    except TransitionNotAllowed as exc:
        return _render(inst, actor, campaign, table, form,
                       explain(exc, inst, with_action=True), 422)
    flash(_("The inspection results are recorded."))
    return redirect(url_for("year.inspection", inspection_id=inspection_id))


@bp.route("/inspections/<int:inspection_id>/fire", methods=["POST"])
@login_required
def inspection_fire(inspection_id: int) -> Response:
    """Conclude, sign the minutes, apply: the inspection's other steps."""
    inst, actor, _campaign, _table = _inspection(inspection_id)
    if not access.may_act(actor, inst):
        abort(403)
    _fire_posted(inst)
    return redirect(url_for("year.inspection", inspection_id=inspection_id))


@bp.route("/inspections/<int:inspection_id>/minutes.docx", methods=["POST"])
@login_required
def inspection_minutes(inspection_id: int) -> Response:
    """Generate the minutes (biên bản kiểm tra chéo) of what is recorded, attach them with
    their hash in the history (once per version of them), and hand them over."""
    inst, actor, campaign, table = _inspection(inspection_id)
    if not access.may_attach(actor, inst, _spec(inst)):
        abort(403)  # drawn up by those who take part: the team, the unit, the leader
    if not inst.data.get("results"):
        flash(_("The minutes are drawn up once results are recorded."), "error")
        return redirect(url_for("year.inspection", inspection_id=inspection_id))
    reads = services().reads
    plan = inst.data.get("plan") or {}
    cluster = reads.cluster_names([campaign.cluster_id or 0]).get(campaign.cluster_id or 0, "")
    names = inspections.Names(
        cluster, _unit_names([inst.unit_id or 0, int(plan.get("inspector_unit_id") or 0)]),
        reads.full_names(inspections.people_of(inst)))
    doc = inspections.draw_up_minutes(_wf(), services().settings.documents_dir, inst, actor,
                                      table, names)
    response = send_file(io.BytesIO(doc.content), mimetype=doc.content_type,
                         as_attachment=True, download_name=doc.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/inspections/<int:inspection_id>/signed-minutes", methods=["POST"])
@login_required
def upload_signed_minutes(inspection_id: int) -> Response:
    """The minutes as signed on paper, scanned (PDF) or as a file."""
    inst, actor, _campaign, _table = _inspection(inspection_id)
    back = redirect(url_for("year.inspection", inspection_id=inspection_id, _anchor="minutes"))
    if not access.may_attach(actor, inst, _spec(inst)):
        abort(403)
    if inst.state not in SIGNED_STATES:
        flash(_("The signed minutes are uploaded once the inspection is concluded."), "error")
        return back
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return back
    content = upload.read()
    problem = upload_refusal(upload.filename, content)
    if problem:
        flash(problem, "error")
        return back
    attachments.attach(_wf(), services().settings.documents_dir, inst.id, actor,
                       inspections.SIGNED_KIND, upload.filename, content)
    flash(_("The signed minutes are attached: %(name)s", name=upload.filename))
    return back


@bp.route("/inspections/<int:inspection_id>/documents/<int:document_id>")
@login_required
def inspection_document(inspection_id: int, document_id: int) -> Response:
    """A file of the inspection, or of the inspected unit's pledge, reports or score sheet in
    the campaign, for whoever may see both."""
    inst, actor, _campaign, _table = _inspection(inspection_id)
    for item in [inst, *_unit_items(inst)]:
        doc = next((d for d in _documents(item.id) if d.id == document_id), None)
        if doc is not None:
            if not (access.may_read_documents(actor, item)
                    or access.may_read_as_team(actor, inst, item)):
                abort(403)
            return _send_document(doc)
    abort(404)



def pending_inspections(
    actions: Sequence[tuple[TransitionSpec, Any]], children: Sequence[Instance],
) -> list[tuple[TransitionSpec, Any]]:
    """The campaign's actions, "Bắt đầu chấm điểm" refused with the units whose inspection is
    not applied yet (the join only counts them), so that the leader knows whom to chase."""
    pending = sorted({c.unit_id for c in children if c.workflow == "inspection"
                      and c.state != "applied" and c.status == "active" and c.unit_id})
    out = []
    for t, why in actions:
        join = t.join
        if why is not None and pending and join is not None and join.workflow == "inspection":
            refusal = Refusal("inspections_pending",
                              {"count": len(pending), "units": refs("unit", pending)})
            why = TransitionNotAllowed("join", refusal.english(), refusal, t.trigger)
        out.append((t, why))
    return out


def person_names(plan: Sequence[Any]) -> dict[str, str]:
    """The full names of the teams and leads of an inspection plan, in one query."""
    usernames = {str(u) for p in plan if isinstance(p, dict)
                 for u in [*(p.get("team") or []), p.get("lead")] if u}
    return services().reads.full_names(usernames)
