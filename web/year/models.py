"""Exemplary models (điển hình tiên tiến, mô hình hay) of a cluster's year: a campaign's list
and the form that proposes one (also reached from a report's or an inspection's page, "Đề xuất
điển hình từ báo cáo này"), each model's page (what it is, its evidence, the review, the
conferences it was presented at, its spreading and the units adopting it) and the "Điển hình
tiên tiến" section of the campaign page. A unit's adoption has its page in model_adoptions.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import item_url, title_of
from web.refusals import explain
from web.views import fire_seen, locale, login_required, services
from web.year import itempage
from web.year.common import (
    _date,
    _documents,
    _fire_posted,
    _load,
    _members,
    _offered,
    _send_document,
    _spec,
    _state_label,
    _wf,
    bp,
)
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from workflow.services import access, conferences
from workflow.services import exemplary_models as models
from workflow.services.read_side import UnitSummary as Unit

FORM_STEPS = frozenset({"revise", "present", "spread"})


@dataclass(frozen=True, slots=True)
class Row:
    """A model in a list: its name, unit, field, state and how many units adopt it."""

    id: int
    name: str
    unit: str
    field: str
    state: str
    accepted: bool
    adopting: int


def _campaign(campaign_id: int) -> tuple[Instance, Actor, list[Unit]]:
    campaign = _load(campaign_id, "campaign")
    actor = current_actor()
    members = _members(campaign.cluster_id)
    if not access.may_see(actor, campaign, lambda _c: {u.id for u in members}):
        abort(403)
    return campaign, actor, members


def _rows(campaign: Instance, actor: Actor, members: Sequence[Unit]) -> list[Row]:
    names = {u.id: u.name for u in members}
    ids = [u.id for u in members]
    rows = []
    for m in models.models_of(_wf(), campaign):
        adopting = models.adoptions_of(_wf(), m) if m.state in models.ACCEPTED else []
        if not models.may_see(actor, m, ids, adopting):
            continue
        model = m.data.get("model") or {}
        rows.append(Row(m.id, str(model.get("name") or _("Model being drafted")),
                        names.get(m.unit_id or 0, ""), str(model.get("field") or ""),
                        _state_label(m), m.state in models.ACCEPTED,
                        sum(1 for a in adopting if a.state in ("adopted", "reported"))))
    return rows


def campaign_models(campaign: Instance, actor: Actor) -> dict[str, Any]:
    """What the campaign page shows of its exemplary models (the "Điển hình tiên tiến"
    section): the accepted ones and whether the reader may propose one."""
    members = _members(campaign.cluster_id)
    rows = _rows(campaign, actor, members)
    return {"models": [r for r in rows if r.accepted], "models_waiting": sum(
                1 for r in rows if not r.accepted),
            "may_propose_model": bool(models.proposable_units(
                _wf(), actor, campaign, [u.id for u in members]))}


def _blank(unit_id: int | None = None) -> dict[str, Any]:
    return {"name": "", "field": "", "description": "", "results": "", "people": "",
            "unit_id": unit_id}


def _source(campaign: Instance, raw: str) -> Instance | None:
    try:
        return models.source_of(_wf(), campaign, int(raw)) if raw.isdigit() else None
    except (InvalidInput, NotFound):
        abort(404)


@bp.route("/campaigns/<int:campaign_id>/models")
@login_required
def models_list(campaign_id: int) -> tuple[str, int]:
    campaign, actor, members = _campaign(campaign_id)
    source = _source(campaign, request.args.get("source", ""))
    if source is not None and not access.may_see(actor, source):
        abort(403)
    return _list(campaign, actor, members, _blank(source.unit_id if source else None), source)


def _list(campaign: Instance, actor: Actor, members: Sequence[Unit], form: dict[str, Any],
          source: Instance | None = None, problem: str = "", status: int = 200
          ) -> tuple[str, int]:
    units = models.proposable_units(_wf(), actor, campaign, [u.id for u in members])
    return render_template(
        "year_models.html", campaign=campaign, campaign_title=title_of(campaign, locale()),
        rows=_rows(campaign, actor, members), units=[u for u in members if u.id in units],
        form=form, source=source, source_title=title_of(source, locale()) if source else "",
        problem=problem), status


@bp.route("/campaigns/<int:campaign_id>/models", methods=["POST"])
@login_required
def propose_model(campaign_id: int) -> Response | tuple[str, int]:
    """Propose a model (and send it for review at once with the button that says so); it is
    created only whole: anything wrong is said above the form, which keeps what was typed."""
    campaign, actor, members = _campaign(campaign_id)
    raw_unit = request.form.get("unit_id", "")
    unit_id = int(raw_unit) if raw_unit.isdigit() else None
    source = _source(campaign, request.form.get("source_id", ""))
    if source is not None:
        unit_id = source.unit_id
    model = models.read_model(lambda k: request.form.get(k, ""))
    form = {**model, "unit_id": unit_id}
    if unit_id is None or unit_id not in {u.id for u in members}:
        return _list(campaign, actor, members, form, source,
                     str(_("Choose the unit the model belongs to.")), 422)
    if not models.may_propose(_wf(), actor, campaign, unit_id):
        abort(403)
    try:
        inst = models.propose(_wf(), actor, campaign, unit_id, model, source=source)
    except (InvalidInput, PermissionDenied) as exc:
        return _list(campaign, actor, members, form, source,
                     explain(getattr(exc, "refusal", None) or exc), 422)
    if request.form.get("submit") == "1":
        try:
            fire_seen(inst.id, "submit", {}, inst.version)
            flash(_("The model is sent to the cluster for review."))
        except TransitionNotAllowed as exc:  # kept as a draft: the page says what it lacks
            flash(explain(exc, inst, with_action=True), "error")
    else:
        flash(_("The model is saved as a draft; attach its evidence and send it for review."))
    return redirect(url_for("year.model", model_id=inst.id))


# --- a model's page ------------------------------------------------------------------------


def _model(model_id: int) -> tuple[Instance, Actor, list[Unit]]:
    inst = _load(model_id, models.MODEL)
    actor = current_actor()
    members = _members(inst.cluster_id)
    adopting = models.adoptions_of(_wf(), inst) if inst.state in models.ACCEPTED else []
    if not models.may_see(actor, inst, [u.id for u in members], adopting):
        abort(403)
    return inst, actor, members


def _require(inst: Instance, actor: Actor, trigger: str) -> None:
    if not access.may_take_on(actor, inst, _spec(inst), trigger):
        abort(403)


def _conference_names(campaign: Instance | None) -> list[tuple[int, str]]:
    if campaign is None:
        return []
    return [(c.id, conferences.title(c.data, c.year, locale()))
            for c in conferences.conferences_of(_wf(), campaign)
            if c.state != "cancelled" and c.data.get("plan")]


def _render(inst: Instance, actor: Actor, members: Sequence[Unit], *,
            model: dict[str, Any] | None = None, spreading: dict[str, Any] | None = None,
            problem: str = "", status: int = 200) -> tuple[str, int]:
    names = {u.id: u.name for u in members}
    saved = dict(inst.data.get("model") or {})
    campaign = itempage.campaign_of(inst)
    actions = _wf().available(inst, actor)
    may = {t.trigger for t, _why in actions if t.trigger in FORM_STEPS}
    adoptions = models.adoptions_of(_wf(), inst)
    asked = {a.unit_id for a in adoptions if a.state != "declined"}
    clusters = [c for c in services().reads.clusters()
                if c.year == inst.year and c.id != inst.cluster_id]
    cluster_names = services().reads.cluster_names(
        {c for s in inst.data.get("spreadings") or [] for c in s.get("clusters") or []})
    source = inst.data.get("source") or {}
    source_item = _wf().get(int(source["id"])) if source.get("id") else None
    spec = _spec(inst)
    return render_template(
        "year_model.html", inst=inst, campaign=campaign, name=title_of(inst, locale()),
        state=_state_label(inst), unit=names.get(inst.unit_id or 0, ""), saved=saved,
        model=model if model is not None else saved, may=may,
        actions=[(t, why) for t, why in _offered(actions) if t.trigger not in FORM_STEPS],
        returned=itempage.last_comment(inst, "return") if inst.state == "returned" else "",
        source=source_item, source_title=title_of(source_item, locale()) if source_item else "",
        evidence=itempage.files(inst, models.EVIDENCE_KIND),
        may_attach=access.may_attach(actor, inst, spec) and inst.state != "withdrawn",
        presentations=[(p, _date(p.get("recorded_on")))
                       for p in inst.data.get("presentations") or []],
        conferences=_conference_names(campaign),
        spreadings=[(s, _date(s.get("on")), _spread_to(s, cluster_names))
                    for s in inst.data.get("spreadings") or []],
        spreading=spreading or {"units": [], "clusters": [], "sector": False, "note": ""},
        candidates=[u for u in members if u.id != inst.unit_id and u.id not in asked],
        clusters=clusters, names=names,
        adoptions=[(a, _state_label(a), item_url(a.workflow, a.id)) for a in adoptions],
        adoption_date=lambda a: _date((a.data.get("adoption") or {}).get("date")),
        history=itempage.history(inst), locale=locale(), problem=problem), status


def _spread_to(spreading: dict[str, Any], cluster_names: dict[int, str]) -> str:
    """Whom a proposal spread the model to, in words."""
    parts = []
    if spreading.get("units"):
        parts.append(_("to %(n)s units of the cluster", n=len(spreading["units"])))
    if spreading.get("clusters"):
        parts.append(_("to the clusters %(names)s", names=", ".join(
            cluster_names.get(c, "") for c in spreading["clusters"])))
    if spreading.get("sector"):
        parts.append(_("to the whole sector"))
    return "; ".join(str(p) for p in parts)


@bp.route("/models/<int:model_id>")
@login_required
def model(model_id: int) -> tuple[str, int]:
    inst, actor, members = _model(model_id)
    return _render(inst, actor, members)


def _fire_form(inst: Instance, trigger: str, payload: dict[str, Any]) -> str:
    return itempage.fire(inst, trigger, payload) or ""


@bp.route("/models/<int:model_id>/edit", methods=["POST"])
@login_required
def revise_model(model_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _model(model_id)
    _require(inst, actor, "revise")
    model = models.read_model(lambda k: request.form.get(k, ""))
    problem = _fire_form(inst, "revise", {"model": model})
    if problem:
        return _render(_wf().get(inst.id), actor, members, model=model, problem=problem,
                       status=422)
    return redirect(url_for("year.model", model_id=model_id))


@bp.route("/models/<int:model_id>/fire", methods=["POST"])
@login_required
def model_fire(model_id: int) -> Response:
    """Submit, submit again, accept, return with the reason, withdraw, conclude."""
    inst, actor, _members_ = _model(model_id)
    if not access.may_act(actor, inst):
        abort(403)
    _fire_posted(inst)
    return redirect(url_for("year.model", model_id=model_id))


@bp.route("/models/<int:model_id>/evidence", methods=["POST"])
@login_required
def model_evidence(model_id: int) -> Response:
    """Attach a document proving the model's results."""
    inst, actor, _members_ = _model(model_id)
    if not access.may_attach(actor, inst, _spec(inst)):
        abort(403)
    itempage.upload(inst, actor, models.EVIDENCE_KIND)
    return redirect(url_for("year.model", model_id=model_id))


@bp.route("/models/<int:model_id>/documents/<int:document_id>")
@login_required
def model_document(model_id: int, document_id: int) -> Response:
    inst, _actor, _members_ = _model(model_id)
    doc = next((d for d in _documents(inst.id) if d.id == document_id), None)
    if doc is None:
        abort(404)
    return _send_document(doc, inline=True)


@bp.route("/models/<int:model_id>/present", methods=["POST"])
@login_required
def present_model(model_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _model(model_id)
    _require(inst, actor, "present")
    raw = request.form.get("conference_id", "")
    presentation = {"conference_id": int(raw) if raw.isdigit() else None,
                    "presenter": request.form.get("presenter", "").strip()}
    problem = _fire_form(inst, "present", {"presentation": presentation})
    if problem:
        return _render(_wf().get(inst.id), actor, members, problem=problem, status=422)
    return redirect(url_for("year.model", model_id=model_id, _anchor="presentations"))


@bp.route("/models/<int:model_id>/spread", methods=["POST"])
@login_required
def spread_model(model_id: int) -> Response | tuple[str, int]:
    inst, actor, members = _model(model_id)
    _require(inst, actor, "spread")
    spreading = models.read_spreading(lambda k: request.form.get(k, ""), request.form.getlist)
    problem = _fire_form(inst, "spread", {"spreading": spreading})
    if problem:
        return _render(_wf().get(inst.id), actor, members, spreading=spreading,
                       problem=problem, status=422)
    return redirect(url_for("year.model", model_id=model_id, _anchor="adoptions"))


# --- links from other pages ----------------------------------------------------------------


def proposal_url(item: Instance) -> str | None:
    """Where the reader proposes a model found in a report or an inspection ("Đề xuất điển
    hình từ báo cáo này"), when they may: the cluster's leader or deputy (or the unit itself,
    for its own report)."""
    if item.workflow not in models.SOURCES or item.parent_id is None or item.unit_id is None:
        return None
    campaign = _wf().get(item.parent_id)
    if not models.may_propose(_wf(), current_actor(), campaign, item.unit_id):
        return None
    return url_for("year.models_list", campaign_id=campaign.id, source=item.id,
                   _anchor="propose")


@bp.app_template_global("model_proposal_url")
def model_proposal_url(item: Any) -> str | None:
    return proposal_url(item) if isinstance(item, Instance) else None


@bp.app_template_global("campaign_models")
def campaign_models_global(campaign: Any) -> dict[str, Any]:
    return campaign_models(campaign, current_actor()) if isinstance(campaign, Instance) else {}


@dataclass(frozen=True, slots=True)
class Evidence:
    """An accepted model as the evidence of a score sheet's criterion."""

    name: str
    url: str


@bp.app_template_global("exemplary_evidence")
def exemplary_evidence(sheet: Any, criterion: Any) -> list[Evidence]:
    """The unit's accepted models of the campaign, for a criterion that counts them as
    evidence (its evidence kinds name exemplary_model); read once per sheet and request."""
    if models.MODEL_EVIDENCE not in getattr(criterion, "evidence", ()) or \
            not isinstance(sheet, Instance) or sheet.parent_id is None or sheet.unit_id is None:
        return []
    cache: dict[int, list[Evidence]] = g.setdefault("exemplary_evidence", {})
    if sheet.id not in cache:
        cache[sheet.id] = [Evidence(models.name_of(m), url_for("year.model", model_id=m.id))
                           for m in models.accepted_models(_wf(), sheet.parent_id,
                                                           sheet.unit_id)]
    return cache[sheet.id]
