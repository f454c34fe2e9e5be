"""The cluster year in the browser: the campaign page, the score sheet editor, the ranking and
the vote. Every page reads through the services, names and files through the read side."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
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
from web.views import fire_seen, locale, login_required, page_number, services, upload_refusal
from workflow.domain.criteria import CriteriaTable
from workflow.domain.roles import Actor
from workflow.domain.rulesets import RuleSet
from workflow.domain.scoring import show
from workflow.engine.instance import Instance
from workflow.engine.spec import TransitionSpec, WorkflowSpec
from workflow.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.services import access, voting, year
from workflow.services import documents as attachments
from workflow.services.read_side import DocumentInfo
from workflow.services.read_side import UnitSummary as Unit
from workflow.services.workflows import Fired, Workflows

bp = Blueprint("year", __name__)
PAGE = 25
T = TypeVar("T")
EDITORS = frozenset({"unit_officer", "unit_head"})  # who may edit a unit's score sheet
CHAIRS = frozenset({"cluster_leader", "cluster_deputy", "council_secretariat", "council_chair"})
FORM_FIELDS = frozenset({"comment", "present"})  # required fields a plain action form can fill
DATE_LABELS = {
    "pledge_deadline": lazy_gettext("Pledge deadline"),
    "six_month_report_due": lazy_gettext("Six-month report due"),
    "inspection_end": lazy_gettext("Cross-inspection ends"),
    "scoring_deadline": lazy_gettext("Scoring deadline"),
    "year_end_report_due": lazy_gettext("Year-end report due"),
}
PERIODS = {"six_month": lazy_gettext("six months"), "year_end": lazy_gettext("year end")}
EVIDENCE_KINDS = {
    "plan": lazy_gettext("plan"), "decision": lazy_gettext("decision"),
    "report": lazy_gettext("report"), "signed_pledge": lazy_gettext("signed pledge"),
}


# --- shared helpers ------------------------------------------------------------------------


def _wf() -> Workflows:
    return services().workflows


def _load(instance_id: int, workflow: str) -> Instance:
    try:
        inst: Instance = _wf().get(instance_id)
    except NotFound:
        abort(404)
    if inst.workflow != workflow:
        abort(404)
    return inst


def _members(cluster_id: int | None) -> list[Unit]:
    """The member units of a cluster in their order, in one query."""
    if cluster_id is None:
        return []
    return services().reads.cluster_units(cluster_id)


def _unit_names(ids: Iterable[int]) -> dict[int, str]:
    return services().reads.unit_names(ids)


def _user_names(ids: Iterable[int]) -> dict[int, str]:
    return services().reads.user_names(ids)


def _documents(instance_id: int, kind: str | None = None) -> list[DocumentInfo]:
    """The files attached to an item (of one kind), oldest first."""
    return services().reads.documents(instance_id, kind)


SERVED_TYPES = frozenset(attachments.EXTENSIONS.values())


def _send_document(doc: DocumentInfo) -> Response:
    path = services().settings.documents_dir / doc.storage_key
    if not path.is_file():
        raise NotFound(_("The file %(name)s is missing from the store.", name=doc.filename))
    content = path.read_bytes()
    # the type detected from the bytes at upload, never one guessed from the user's file name
    # (a PDF named evil.svg would be served as an image that runs scripts); always a download
    kind = doc.content_type if doc.content_type in SERVED_TYPES else "application/octet-stream"
    response = send_file(io.BytesIO(content), mimetype=kind, as_attachment=True,
                         download_name=attachments.stored_name(doc.filename))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _roles(inst: Instance, actor: Actor, members: Sequence[Unit] = ()) -> set[str]:
    """The actor's roles on the item (none for a user of a member unit, who may see a
    cluster-wide item); 403 unless the access policy lets them see it."""
    if not access.may_see(actor, inst, lambda _cluster: {u.id for u in members}):
        abort(403)
    return access.roles_on(actor, inst)


def _criteria(campaign: Instance) -> CriteriaTable | None:
    ref = campaign.data.get("criteria_table")
    if not isinstance(ref, dict):
        return None
    table: CriteriaTable = services().criteria.get(ref["code"], ref.get("version"))
    return table


def _paginate(rows: Sequence[T]) -> tuple[list[T], int, int]:
    pages = max(1, -(-len(rows) // PAGE))
    page = min(page_number(), pages)
    return list(rows[(page - 1) * PAGE: page * PAGE]), page, pages


def _spec(inst: Instance) -> WorkflowSpec:
    spec: WorkflowSpec = _wf().catalog.compiled(inst.definition_id).spec
    return spec


def _state_label(inst: Instance) -> str:
    return _spec(inst).state(inst.state).label.get(locale())


def _form_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput(_("The form lacks the item's version; reload the page.")) from None


def _fire_form(inst: Instance, trigger: str, payload: dict[str, Any]) -> Fired | None:
    """Fire from a form carrying the version the user saw (checked in the fire's own
    transaction); what fired, or None when it was refused (the reason is flashed)."""
    try:
        return fire_seen(inst.id, trigger, payload, _form_version())
    except TransitionNotAllowed as exc:
        flash(explain(exc, inst, with_action=True), "error")
        return None


def _vote_actions(
    actions: Sequence[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> tuple[list[tuple[TransitionSpec, TransitionNotAllowed | None]], set[str]]:
    """The chair's actions on a vote: closing early is offered with a box for its reason
    when the reason is all it lacks."""
    out: list[tuple[TransitionSpec, TransitionNotAllowed | None]] = []
    reasons: set[str] = set()
    for t, why in actions:
        if why is not None and why.refusal is not None and why.refusal.code == "reason_required":
            out.append((t, None))
            reasons.add(t.trigger)
        else:
            out.append((t, why))
    return out, reasons


def _offered(
    actions: Sequence[tuple[TransitionSpec, TransitionNotAllowed | None]],
) -> list[Any]:
    """The actions a plain form can fire (no fields beyond a comment or who is present)."""
    return [(t, why) for t, why in actions if set(t.required_fields) <= FORM_FIELDS]


def _fire_posted(inst: Instance) -> None:
    """Fire the action a page's action form posted, with its comment or present list."""
    t = _spec(inst).transition(inst.state, request.form.get("trigger", ""))
    if t is None or not set(t.required_fields) <= FORM_FIELDS:
        flash(_("This action is not open now; reload the page."), "error")
        return
    payload: dict[str, Any] = {}
    comment = request.form.get("comment", "").strip()[:5000]
    if comment:
        payload["comment"] = comment
    if "present" in t.required_fields:
        payload["present"] = request.form.getlist("present")
    if done := _fire_form(inst, t.trigger, payload):
        flash(_("Done: %(action)s", action=done.label(locale())))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# --- the campaign page ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    label: str
    date: dt.date | None
    status: str  # passed | current | upcoming


@dataclass(frozen=True, slots=True)
class Cell:
    id: int
    state: str
    label: str
    note: str = ""


@dataclass(slots=True)
class Progress:
    unit: Unit
    pledge: Cell | None = None
    reports: list[Cell] = field(default_factory=list)
    inspection: Cell | None = None
    sheet: Cell | None = None


def _timeline(spec: WorkflowSpec, campaign: Instance) -> tuple[list[Stage], list[Any]]:
    """The campaign's states in order with their dates; and the dates no state is due on."""
    dates = campaign.data.get("dates") or {}
    finals = [s.name for s in spec.states if s.final]  # the first is the normal ending
    ending = campaign.state if campaign.state in finals else finals[0]
    shown = [s for s in spec.states if not s.final or s.name == ending]
    current = next(i for i, s in enumerate(shown) if s.name == campaign.state)
    used, stages = set(), []
    for i, s in enumerate(shown):
        key = s.deadline.campaign_date if s.deadline else None
        used.add(key)
        status = "passed" if i < current else "current" if i == current else "upcoming"
        stages.append(Stage(s.name, s.label.get(locale()), _date(dates.get(key)), status))
    others = [(DATE_LABELS.get(k, k), _date(v)) for k, v in dates.items() if k not in used]
    return stages, others


def _progress(children: Sequence[Instance], members: Sequence[Unit]) -> list[Progress]:
    """One row per member unit from the campaign's children, loaded once."""
    rows = {u.id: Progress(u) for u in members}
    for child in sorted(children, key=lambda c: c.id):
        row = rows.get(child.unit_id or 0)
        if row is None:
            continue
        period = PERIODS.get(child.data.get("period", ""), "")
        cell = Cell(child.id, child.state, _state_label(child), str(period))
        if child.workflow == "pledge":
            row.pledge = cell
        elif child.workflow == "report":
            row.reports.append(cell)
        elif child.workflow == "inspection":
            row.inspection = cell
        elif child.workflow == "score_sheet":
            row.sheet = cell
    return list(rows.values())


def _plan_rows(campaign: Instance, names: dict[int, str]) -> list[tuple[str, str, str, str]]:
    plan = campaign.data.get("inspection_plan") or []
    return [(names.get(p.get("inspector_unit_id"), "?"), names.get(p.get("unit_id"), "?"),
             ", ".join(p.get("team") or []), str(p.get("lead") or "")) for p in plan]


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int) -> str:
    wf, actor = _wf(), current_actor()
    inst = _load(campaign_id, "campaign")
    members = _members(inst.cluster_id)
    _roles(inst, actor, members)
    spec = _spec(inst)
    stages, other_dates = _timeline(spec, inst)
    rows, page, pages = _paginate(_progress(wf.children(campaign_id), members))
    actions = wf.available(inst, actor)
    names = {u.id: u.name for u in members}
    return render_template(
        "year_campaign.html", campaign=inst, spec=spec, table=_criteria(inst), stages=stages,
        other_dates=other_dates, rows=rows, page=page, pages=pages, actions=_offered(actions),
        can_plan=any(t.trigger == "plan_inspections" for t, _ in actions),
        plan=_plan_rows(inst, names), locale=locale(), pts=show)


@bp.route("/campaigns/<int:campaign_id>/fire", methods=["POST"])
@login_required
def campaign_fire(campaign_id: int) -> Response:
    _fire_posted(_load(campaign_id, "campaign"))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/inspection-plan")
@login_required
def inspection_plan(campaign_id: int) -> str | Response:
    """The proposed pairs (who inspects whom), for the leader to confirm."""
    inst = _load(campaign_id, "campaign")
    if inst.state != "mid_year_review":
        flash(_("The cross-inspection is planned during the mid-year review."), "error")
        return redirect(url_for("year.campaign", campaign_id=campaign_id))
    proposal = year.propose_inspection_plan(_wf(), campaign_id, current_actor())
    names = {u.id: u.name for u in _members(inst.cluster_id)}
    pairs = [(names.get(p["inspector_unit_id"], "?"), names.get(p["unit_id"], "?"),
              ", ".join(p["team"]), p["lead"]) for p in proposal["inspection_plan"]]
    repeated = [(names.get(a, "?"), names.get(b, "?")) for a, b in proposal["repeated"]]
    return render_template(
        "year_plan.html", campaign=inst, pairs=pairs, repeated=repeated,
        notes=proposal["notes"], plan=json.dumps(proposal["inspection_plan"]))


@bp.route("/campaigns/<int:campaign_id>/inspection-plan", methods=["POST"])
@login_required
def confirm_inspection_plan(campaign_id: int) -> Response:
    inst = _load(campaign_id, "campaign")
    try:
        plan = json.loads(request.form.get("plan", ""))
    except (ValueError, RecursionError):
        raise InvalidInput(_("The inspection plan could not be read; propose it again.")) from None
    if _fire_form(inst, "plan_inspections", {"inspection_plan": plan}):
        flash(_("The cross-inspection plan is recorded."))
    return redirect(url_for("year.campaign", campaign_id=campaign_id))


# --- the score sheet editor ----------------------------------------------------------------


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
            "Only the cluster leader, its deputy and the council secretariat may generate the "
            "official ranking workbook; ask one of them for it, or read the ranking on this "
            "page."))
    year.ranking_workbook(_wf(), campaign_id, actor, services().settings.documents_dir)
    return _send_document(_documents(campaign_id, "bang_xep_hang")[-1])


# --- the vote ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BallotTitle:
    code: str
    label: str
    cap: int
    candidates: tuple[tuple[int, str], ...]
    own: frozenset[int] = frozenset()  # shown, but the voter may not choose them


@dataclass(frozen=True, slots=True)
class TallyTitle:
    label: str
    lines: tuple[dict[str, Any], ...]  # name, yes, elected, carried, reason
    note: str


@dataclass(frozen=True, slots=True)
class TallyRound:
    number: int
    eligible: int
    ballots: int
    abstained: int
    titles: tuple[TallyTitle, ...]


def _rules(session: Instance) -> RuleSet:
    ref = session.data["rule_set"]
    rulebook = _wf().rulebook
    assert rulebook is not None  # the services always load one (voting opens no session without)
    return rulebook.get(ref["code"], ref["version"])


def _candidate_names(session: Instance) -> dict[int, str]:
    """Candidates of every round: units in a cluster vote, dossiers in a council vote."""
    data = session.data
    ids = {int(c) for cs in (data.get("candidates") or {}).values() for c in cs}
    for counted in (data.get("tally") or {}).values():
        for outcome in counted["titles"].values():
            ids |= {int(c["candidate"]) for c in outcome["candidates"]}
    if data.get("kind") != "council":
        return _unit_names(ids)
    return {i: f"#{i} {name}" for i, name in services().reads.item_unit_names(ids).items()}


def _ballot(session: Instance, names: dict[int, str], own: set[int]) -> list[BallotTitle]:
    rules = _rules(session)
    out = []
    for code, ids in (session.data.get("candidates") or {}).items():
        title = rules.title_rule(code)
        out.append(BallotTitle(code, title.label.get(locale()), title.max_candidates_per_ballot,
                               tuple((int(i), names.get(int(i), f"#{i}")) for i in ids),
                               frozenset(own)))
    return out


def _tally(session: Instance, result: dict[str, Any], names: dict[int, str]) -> list[TallyRound]:
    rules = _rules(session)
    rounds = []
    for key, counted in sorted(result["tally"].items(), key=lambda kv: int(kv[0])):
        titles = tuple(TallyTitle(
            rules.title_rule(code).label.get(locale()),
            tuple({**c, "name": names.get(c["candidate"], f"#{c['candidate']}")}
                  for c in outcome["candidates"]),
            outcome.get("note", "")) for code, outcome in counted["titles"].items())
        rounds.append(TallyRound(int(key), counted["eligible"], counted["ballots"],
                                 counted["abstained"], titles))
    return rounds


def _named(result: dict[str, Any], key: str, session: Instance,
           names: dict[int, str]) -> list[tuple[str, list[str]]]:
    rules = _rules(session)
    return [(rules.title_rule(code).label.get(locale()), [names.get(i, f"#{i}") for i in ids])
            for code, ids in (result.get(key) or {}).items()]


def _voter_names(keys: Iterable[str]) -> dict[str, str]:
    """Seats as people read them: a unit's name, or a council member's."""
    found = [(k, *k.split(":", 1)) for k in keys]
    unit_names = _unit_names(int(v) for _k, kind, v in found if kind == "unit")
    user_names = _user_names(int(v) for _k, kind, v in found if kind == "user")
    return {k: (unit_names if kind == "unit" else user_names).get(int(v), k)
            for k, kind, v in found}


def _seat(session: Instance, actor: Actor) -> str | None:
    if session.state != "open":
        return None
    try:
        return voting.voter_key(_wf(), session, actor)
    except PermissionDenied:
        return None


def _vote_session(session_id: int) -> tuple[Instance, Actor, set[str], list[Unit]]:
    session = _load(session_id, "vote_session")
    actor = current_actor()
    members = _members(session.cluster_id)
    return session, actor, _roles(session, actor, members), members


@bp.route("/votes/<int:session_id>")
@login_required
def vote(session_id: int) -> str:
    session, actor, roles, members = _vote_session(session_id)
    names = _candidate_names(session)
    seat = _seat(session, actor)
    turnout = voting.turnout(_wf(), session_id)
    counted = session.state not in voting.HIDDEN_STATES
    result = voting.result(_wf(), session_id) if counted else None
    chair = bool(roles & CHAIRS)
    voters = _voter_names([*turnout["eligible"], *turnout["voted"]]) if chair else {}
    actions, reasons = _vote_actions(_offered(_wf().available(session, actor)) if chair else [])
    return render_template(
        "year_vote.html", session=session, state=_state_label(session),
        ballot=_ballot(session, names, voting.own_candidates(session, actor, seat))
        if seat else [], seat=seat,
        voted=seat in turnout["voted"] if seat else False, turnout=turnout, chair=chair,
        voters=voters, result=result, names=names,
        rounds=_tally(session, result, names) if result else [],
        winners=_named(result, "winners", session, names) if result else [],
        runoff=_named(result, "runoff", session, names) if result else [],
        minutes=_documents(session_id, "bien_ban_kiem_phieu")[-1:],
        actions=actions, reasons=reasons,
        seats=[(f"unit:{u.id}", u.name) for u in members], locale=locale())


def _choices(titles: Sequence[BallotTitle]) -> dict[str, list[int]]:
    """The ballot's choices, checked against the candidates and each title's cap."""
    picked = {t.code: request.form.getlist(f"choice-{t.code}") for t in titles}
    if request.form.get("abstain"):
        if any(picked.values()):
            raise InvalidInput(_("Choose candidates or abstain, not both."))
        return {}
    out = {}
    for t in titles:
        allowed = {str(c) for c, _name in t.candidates}
        chosen = picked[t.code]
        own = [name for c, name in t.candidates if c in t.own and str(c) in chosen]
        if own:
            raise InvalidInput(_("Nobody votes on their own unit: leave %(name)s out or abstain.",
                                 name=", ".join(own)))
        if len(set(chosen)) != len(chosen) or not set(chosen) <= allowed:
            raise InvalidInput(_("Choose among the candidates listed."))
        if len(chosen) > t.cap:
            raise InvalidInput(_("%(title)s: choose at most %(cap)s candidate(s).",
                                 title=t.label, cap=t.cap))
        if chosen:
            out[t.code] = [int(c) for c in chosen]
    if not out:
        raise InvalidInput(_("Choose at least one candidate, or choose to abstain."))
    return out


def _ballot_or_back(session: Instance, actor: Actor) -> tuple[Any, ...] | Response:
    """The ballot's titles and the posted choices, or a redirect with the reason."""
    back = redirect(url_for("year.vote", session_id=session.id))
    seat = _seat(session, actor)
    if seat is None:
        flash(_("You have no ballot in this vote now."), "error")
        return back
    titles = _ballot(session, _candidate_names(session),
                     voting.own_candidates(session, actor, seat))
    try:
        return titles, _choices(titles)
    except InvalidInput as exc:
        flash(explain(exc, session), "error")
        return back


@bp.route("/votes/<int:session_id>/confirm", methods=["POST"])
@login_required
def confirm_ballot(session_id: int) -> str | Response:
    session, actor, _held, _members_ = _vote_session(session_id)
    found = _ballot_or_back(session, actor)
    if isinstance(found, Response):
        return found
    titles, choices = found
    picked = [(t, [name for c, name in t.candidates if c in choices.get(t.code, [])])
              for t in titles]
    return render_template("year_vote_confirm.html", session=session, picked=picked,
                           choices=choices)


@bp.route("/votes/<int:session_id>/cast", methods=["POST"])
@login_required
def cast_ballot(session_id: int) -> str | Response:
    session, actor, _held, _members_ = _vote_session(session_id)
    found = _ballot_or_back(session, actor)
    if isinstance(found, Response):
        return found
    try:
        receipt = voting.cast_ballot(_wf(), session_id, actor, found[1])
    except (TransitionNotAllowed, InvalidInput, PermissionDenied) as exc:
        flash(_("Your ballot was not counted: %(reason)s", reason=explain(exc, session)), "error")
        return redirect(url_for("year.vote", session_id=session_id))
    return render_template("year_vote_receipt.html", session=session, receipt=receipt)


@bp.route("/votes/<int:session_id>/fire", methods=["POST"])
@login_required
def vote_fire(session_id: int) -> Response:
    session, _actor, roles, _members_ = _vote_session(session_id)
    if not roles & CHAIRS:
        abort(403)
    _fire_posted(session)
    return redirect(url_for("year.vote", session_id=session_id))


@bp.route("/votes/<int:session_id>/minutes")
@login_required
def vote_minutes(session_id: int) -> Response:
    session = _load(session_id, "vote_session")
    members = _members(session.cluster_id)
    if not access.may_read_documents(current_actor(), session,
                                     lambda _cluster: {u.id for u in members}):
        abort(403)
    found = _documents(session_id, "bien_ban_kiem_phieu")
    if not found:
        abort(404)
    return _send_document(found[-1])


def register_blueprints(app: Flask) -> None:
    """The year's pages and the public page (no sign-in)."""
    from web import public

    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
