"""Conferences (hội nghị) of a cluster's year: the list of a campaign's conferences and the
form that plans one, each conference's page (its plan, the invitations, the attendance per
unit, the conclusions and the tasks they assign, the minutes generated and signed) and the
"Hội nghị" section of the campaign page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import item_url, title_of
from web.refusals import explain
from web.views import fire_seen, locale, login_required, services, upload_refusal
from web.year import conference_links as links
from web.year.common import (
    _date,
    _documents,
    _fire_posted,
    _form_version,
    _load,
    _members,
    _offered,
    _require_see,
    _send_document,
    _spec,
    _state_label,
    _wf,
    bp,
)
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import access, conferences
from workflow.services import documents as attachments
from workflow.services.read_side import UnitSummary as Unit

KIND_LABELS = {
    "pledge_signing": lazy_gettext("Pledge-signing conference"),
    "six_month": lazy_gettext("Six-month review conference"),
    "year_end": lazy_gettext("Year-end review conference"),
    "thematic": lazy_gettext("Thematic conference"),
}
FORM_STEPS = frozenset({"revise_plan", "record_attendance", "record_conclusions"})


@dataclass(frozen=True, slots=True)
class Row:
    """A conference in a list: its name, date, place and state."""

    id: int
    name: str
    day: dt.date | None
    place: str
    state: str


@dataclass(frozen=True, slots=True)
class Task:
    """A task a conclusion assigned: to whom, what, when due, where it stands."""

    url: str
    unit: str
    text: str
    due: dt.date | None
    state: str
    done: bool


def _members_of(inst: Instance) -> list[Unit]:
    return _members(inst.cluster_id)


def _see(inst: Instance, actor: Actor) -> list[Unit]:
    members = _members_of(inst)
    if not access.may_see(actor, inst, lambda _cluster: {u.id for u in members}):
        abort(403)
    return members


def _campaign(campaign_id: int) -> tuple[Instance, Actor, list[Unit]]:
    campaign = _load(campaign_id, "campaign")
    actor = current_actor()
    return campaign, actor, _see(campaign, actor)


def _may_plan(actor: Actor, campaign: Instance) -> bool:
    return conferences.may_plan(_wf(), actor, campaign)


def _name(inst: Instance) -> str:
    return conferences.title(inst.data, inst.year, locale())


def _rows(campaign: Instance) -> list[Row]:
    rows = []
    for c in conferences.conferences_of(_wf(), campaign):
        plan = c.data.get("plan") or {}
        rows.append(Row(c.id, _name(c) if plan else str(_("Conference being planned")),
                        _date(plan.get("date")), str(plan.get("place") or ""),
                        _state_label(c)))
    return rows


def campaign_conferences(campaign: Instance, actor: Actor) -> dict[str, Any]:
    """What the campaign page shows of its conferences (the "Hội nghị" section)."""
    return {"conferences": _rows(campaign), "can_plan_conference": _may_plan(actor, campaign),
            "may_read_supervision": access.may_read_supervision(actor, campaign.cluster_id,
                                                                campaign.year)}


def _blank_plan(members: Sequence[Unit], campaign: Instance) -> dict[str, Any]:
    del campaign  # the leader hosts unless another member is chosen (members: leader first)
    return {"kind": "", "topic": "", "date": "", "time": "08:00", "place": "",
            "host_unit_id": members[0].id if members else None, "agenda": []}


def _shown_date(value: Any) -> str:
    """A plan's date as the form shows it (dd/mm/yyyy), or the text as typed."""
    day = _date(value)
    return day.strftime("%d/%m/%Y") if day else str(value or "")


@bp.route("/campaigns/<int:campaign_id>/conferences")
@login_required
def conferences_list(campaign_id: int) -> tuple[str, int]:
    campaign, actor, members = _campaign(campaign_id)
    plan = _blank_plan(members, campaign)
    if request.args.get("kind") in conferences.KINDS:  # a thematic one, from a lagging area
        plan.update(kind=request.args["kind"], topic=request.args.get("topic", "")[:300])
    return _list(campaign, actor, members, plan)


def _list(campaign: Instance, actor: Actor, members: Sequence[Unit], plan: dict[str, Any],
          problem: str = "", status: int = 200) -> tuple[str, int]:
    return render_template(
        "year_conferences.html", campaign=campaign, campaign_title=title_of(campaign, locale()),
        rows=_rows(campaign), may_plan=_may_plan(actor, campaign), members=members,
        plan=plan, shown_date=_shown_date(plan.get("date")), kinds=KIND_LABELS,
        problem=problem), status


@bp.route("/campaigns/<int:campaign_id>/conferences", methods=["POST"])
@login_required
def plan_conference(campaign_id: int) -> Response | tuple[str, int]:
    """Plan a conference: it is created only with a whole plan; anything wrong is said above
    the form, which keeps what was typed."""
    campaign, actor, members = _campaign(campaign_id)
    if not _may_plan(actor, campaign):
        abort(403)
    plan = conferences.read_plan(lambda k: request.form.get(k, ""), request.form.getlist)
    try:
        inst = conferences.plan(_wf(), actor, campaign, plan, [u.id for u in members])
    except InvalidInput as exc:
        return _list(campaign, actor, members, plan, explain(exc.refusal or exc), 422)
    flash(_("The conference is planned; send the invitations when the plan is final."))
    return redirect(url_for("year.conference", conference_id=inst.id))


def _conference(conference_id: int) -> tuple[Instance, Actor, list[Unit]]:
    inst = _load(conference_id, "conference")
    actor = current_actor()
    return inst, actor, _see(inst, actor)


def _tasks(inst: Instance, names: dict[int, str]) -> list[Task]:
    out = []
    for t in conferences.tasks_of(_wf(), inst):
        task = t.data.get("task") or {}
        out.append(Task(item_url(t.workflow, t.id), names.get(t.unit_id or 0, ""),
                        str(task.get("text") or ""), _date(task.get("due")), _state_label(t),
                        t.state == "done"))
    return out


def _render(inst: Instance, actor: Actor, members: Sequence[Unit], *,
            plan: dict[str, Any] | None = None, attendance: dict[str, Any] | None = None,
            conclusions: list[dict[str, Any]] | None = None, problem: str = "",
            status: int = 200) -> tuple[str, int]:
    spec = _spec(inst)
    names = {u.id: u.name for u in members}
    saved = inst.data.get("plan") or {}
    plan = plan if plan is not None else dict(saved)
    attendance = attendance if attendance is not None else dict(inst.data.get("attendance") or {})
    conclusions = conclusions if conclusions is not None else \
        list(inst.data.get("conclusions") or [])
    actions = _wf().available(inst, actor)
    may = {t.trigger for t, why in actions if t.trigger in FORM_STEPS}
    docs = _documents(inst.id)
    campaign = _wf().get(inst.parent_id) if inst.parent_id is not None else None
    return render_template(
        "year_conference.html", inst=inst, campaign=campaign, name=_name(inst),
        state=_state_label(inst), kind=KIND_LABELS.get(str(saved.get("kind")), ""),
        day=_date(saved.get("date")), host=names.get(int(saved.get("host_unit_id") or 0), ""),
        saved=saved, plan=plan, shown_date=_shown_date(plan.get("date")), members=members,
        names=names, attendance=attendance, conclusions=conclusions,
        conclusion_rows=conclusions + [{"text": "", "unit_id": None, "due": None}] * 2,
        due_shown=lambda v: _shown_date(v) if v else "", kinds=KIND_LABELS, may=may,
        actions=[(t, why) for t, why in _offered(actions) if t.trigger not in FORM_STEPS],
        may_draw_up=inst.state == "held" and access.may_take_on(actor, inst, spec, "draw_up"),
        minutes=[d for d in docs if d.kind == conferences.MINUTES_KIND],
        scans=[d for d in docs if d.kind == conferences.SIGNED_KIND],
        may_upload_scan=inst.state in conferences.SCAN_STATES
        and access.may_attach(actor, inst, spec),
        pledges=links.pledges_of(inst, names), votes=links.votes_of(inst, names),
        tasks=_tasks(inst, names), locale=locale(), problem=problem), status


@bp.route("/conferences/<int:conference_id>")
@login_required
def conference(conference_id: int) -> tuple[str, int]:
    inst, actor, members = _conference(conference_id)
    return _render(inst, actor, members)


def _fire_form(inst: Instance, trigger: str, payload: dict[str, Any]) -> str:
    """Fire a form's step at the version the page showed; its refusal as a sentence, or ''."""
    try:
        fire_seen(inst.id, trigger, payload, _form_version())
    except TransitionNotAllowed as exc:
        return explain(exc, inst, with_action=True)
    return ""


def _require(inst: Instance, actor: Actor, trigger: str) -> None:
    if not access.may_take_on(actor, inst, _spec(inst), trigger):
        abort(403)


@bp.route("/conferences/<int:conference_id>/plan", methods=["POST"])
@login_required
def revise_conference_plan(conference_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _conference(conference_id)
    _require(inst, actor, "revise_plan")
    plan = conferences.read_plan(lambda k: request.form.get(k, ""), request.form.getlist)
    problem = _fire_form(inst, "revise_plan", {"plan": plan})
    if problem:
        return _render(inst, actor, members, plan=plan, problem=problem, status=422)
    flash(_("The conference plan is saved."))
    return redirect(url_for("year.conference", conference_id=conference_id))


@bp.route("/conferences/<int:conference_id>/attendance", methods=["POST"])
@login_required
def record_conference_attendance(conference_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _conference(conference_id)
    _require(inst, actor, "record_attendance")
    attendance = conferences.read_attendance([u.id for u in members],
                                             lambda k: request.form.get(k, ""))
    problem = _fire_form(inst, "record_attendance", {"attendance": attendance})
    if problem:
        return _render(inst, actor, members, attendance=attendance, problem=problem,
                       status=422)
    flash(_("The attendance is recorded."))
    return redirect(url_for("year.conference", conference_id=conference_id))


@bp.route("/conferences/<int:conference_id>/conclusions", methods=["POST"])
@login_required
def record_conference_conclusions(conference_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _conference(conference_id)
    _require(inst, actor, "record_conclusions")
    conclusions = conferences.read_conclusions(request.form.getlist)
    problem = _fire_form(inst, "record_conclusions", {"conclusions": conclusions})
    if problem:
        return _render(inst, actor, members, conclusions=conclusions, problem=problem,
                       status=422)
    flash(_("The conclusions are recorded."))
    return redirect(url_for("year.conference", conference_id=conference_id))


@bp.route("/conferences/<int:conference_id>/fire", methods=["POST"])
@login_required
def conference_fire(conference_id: int) -> Response:
    """Invite, confirm it was held, finalise the minutes, sign, cancel."""
    inst, actor, _members_ = _conference(conference_id)
    if not access.may_act(actor, inst):
        abort(403)
    _fire_posted(inst)
    return redirect(url_for("year.conference", conference_id=conference_id))


@bp.route("/conferences/<int:conference_id>/minutes.docx", methods=["POST"])
@login_required
def conference_minutes(conference_id: int) -> Response:
    """Generate the minutes of what is recorded, attach them (once per version of them) and
    hand them over."""
    inst, actor, members = _conference(conference_id)
    _require(inst, actor, "draw_up")
    if inst.state != "held":
        flash(_("The minutes are drawn up once the conference is held."), "error")
        return redirect(url_for("year.conference", conference_id=conference_id))
    reads = services().reads
    cluster = reads.cluster_names([inst.cluster_id or 0]).get(inst.cluster_id or 0, "")
    names = conferences.Names(cluster, {u.id: u.name for u in members}, "")
    doc = conferences.draw_up_minutes(_wf(), services().settings.documents_dir, inst, actor,
                                      names)
    response = send_file(io.BytesIO(doc.content), mimetype=doc.content_type,
                         as_attachment=True, download_name=doc.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/conferences/<int:conference_id>/documents/<int:document_id>")
@login_required
def conference_document(conference_id: int, document_id: int) -> Response:
    inst, _actor, _members_ = _conference(conference_id)
    _require_see(inst)
    doc = next((d for d in _documents(inst.id) if d.id == document_id), None)
    if doc is None:
        abort(404)
    return _send_document(doc)


@bp.route("/conferences/<int:conference_id>/signed-minutes", methods=["POST"])
@login_required
def upload_conference_scan(conference_id: int) -> Response:
    """The scan (PDF) of the minutes as signed on paper, once they are finalised."""
    inst, actor, _members_ = _conference(conference_id)
    back = redirect(url_for("year.conference", conference_id=conference_id, _anchor="minutes"))
    if not access.may_attach(actor, inst, _spec(inst)):
        abort(403)
    if inst.state not in conferences.SCAN_STATES:
        flash(_("The scan of the signed minutes is uploaded once the minutes are finalised."),
              "error")
        return back
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return back
    content = upload.read()
    problem = upload_refusal(upload.filename, content) or (
        None if attachments.extension(upload.filename) == "pdf" else
        _("The file %(name)s was not accepted: the signed minutes are uploaded as a PDF scan.",
          name=attachments.stored_name(upload.filename)))
    if problem:
        flash(problem, "error")
        return back
    attachments.attach(_wf(), services().settings.documents_dir, inst.id, actor,
                       conferences.SIGNED_KIND, upload.filename, content)
    flash(_("The scan of the signed minutes is attached: %(name)s", name=upload.filename))
    return back
