"""A unit's adoption of an exemplary model (áp dụng điển hình tiên tiến): the page where the unit
asked to adopt it records when and how it did, or declines with its reason, and later reports
the results; the cluster's leader reads it there and on the model's page."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.items import title_of
from web.views import locale, login_required
from web.year import itempage
from web.year.common import (
    _date,
    _fire_posted,
    _load,
    _offered,
    _spec,
    _state_label,
    _wf,
    bp,
)
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.services import access
from workflow.services import exemplary_models as models

FORM_STEPS = frozenset({"adopt", "report_results"})


def _adoption(adoption_id: int) -> tuple[Instance, Actor]:
    inst = _load(adoption_id, models.ADOPTION)
    actor = current_actor()
    if not access.may_see(actor, inst):
        abort(403)
    return inst, actor


def _render(inst: Instance, actor: Actor, *, form: dict[str, Any] | None = None,
            problem: str = "", status: int = 200) -> tuple[str, int]:
    actions = _wf().available(inst, actor)
    model = _wf().get(inst.parent_id) if inst.parent_id is not None else None
    adoption = inst.data.get("adoption") or {}
    proposal = inst.data.get("proposal") or {}
    return render_template(
        "year_adoption.html", inst=inst, name=title_of(inst, locale()),
        state=_state_label(inst), model=model,
        model_title=title_of(model, locale()) if model is not None else "",
        proposal=proposal, proposed_on=_date(proposal.get("proposed_on")),
        adoption=adoption, adopted_on=_date(adoption.get("date")),
        may={t.trigger for t, _why in actions if t.trigger in FORM_STEPS},
        actions=[(t, why) for t, why in _offered(actions) if t.trigger not in FORM_STEPS],
        form=form or {}, declined=itempage.last_comment(inst, "decline"),
        history=itempage.history(inst), locale=locale(), problem=problem), status


@bp.route("/adoptions/<int:adoption_id>")
@login_required
def adoption(adoption_id: int) -> tuple[str, int]:
    inst, actor = _adoption(adoption_id)
    return _render(inst, actor)


def _require(inst: Instance, actor: Actor, trigger: str) -> None:
    if not access.may_take_on(actor, inst, _spec(inst), trigger):
        abort(403)


@bp.route("/adoptions/<int:adoption_id>/adopt", methods=["POST"])
@login_required
def record_adoption(adoption_id: int) -> Response | tuple[str, int]:
    inst, actor = _adoption(adoption_id)
    _require(inst, actor, "adopt")
    typed = {"date": request.form.get("date", ""), "how": request.form.get("how", "")}
    problem = itempage.fire(inst, "adopt", {"adoption": models.read_adoption(typed.__getitem__)})
    if problem:
        return _render(_wf().get(inst.id), actor, form=typed, problem=problem, status=422)
    return redirect(url_for("year.adoption", adoption_id=adoption_id))


@bp.route("/adoptions/<int:adoption_id>/results", methods=["POST"])
@login_required
def report_adoption_results(adoption_id: int) -> Response | tuple[str, int]:
    inst, actor = _adoption(adoption_id)
    _require(inst, actor, "report_results")
    results = request.form.get("results", "").strip()
    problem = itempage.fire(inst, "report_results", {"results": results})
    if problem:
        return _render(_wf().get(inst.id), actor, form={"results": results}, problem=problem,
                       status=422)
    return redirect(url_for("year.adoption", adoption_id=adoption_id))


@bp.route("/adoptions/<int:adoption_id>/fire", methods=["POST"])
@login_required
def adoption_fire(adoption_id: int) -> Response:
    """Decline, with the reason."""
    inst, actor = _adoption(adoption_id)
    if not access.may_act(actor, inst):
        abort(403)
    _fire_posted(inst)
    return redirect(url_for("year.adoption", adoption_id=adoption_id))
