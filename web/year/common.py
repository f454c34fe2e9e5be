"""What the year's pages share: the blueprint, loading an item the actor may see, names,
documents, and firing from a form."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    request,
    send_file,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.refusals import explain
from web.views import fire_seen, locale, page_number, services
from workflow.domain.criteria import CriteriaTable
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.engine.spec import TransitionSpec, WorkflowSpec
from workflow.errors import (
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
)
from workflow.services import access
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
    "exemplary_model": lazy_gettext("accepted exemplary model"),
    "minh_chung_dien_hinh": lazy_gettext("evidence of an exemplary model"),
    "phu_luc_dien_hinh": lazy_gettext("annex of exemplary models"),
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


def _send_document(doc: DocumentInfo, inline: bool = False) -> Response:
    """The file under its own name; with `inline`, a PDF opens in the browser's viewer."""
    path = services().settings.documents_dir / doc.storage_key
    if not path.is_file():
        raise NotFound(_("The file %(name)s is missing from the store.", name=doc.filename))
    content = path.read_bytes()
    # the type detected from the bytes at upload, never one guessed from the user's file name
    # (a PDF named evil.svg would be served as an image that runs scripts); a download, but
    # for a PDF asked for inline
    kind = doc.content_type if doc.content_type in SERVED_TYPES else "application/octet-stream"
    response = send_file(io.BytesIO(content), mimetype=kind,
                         as_attachment=not (inline and kind == "application/pdf"),
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


def _require_see(inst: Instance) -> None:
    """403 to whoever may not see the item, before anything about it (its state, its version,
    the roles its actions need) is said."""
    if not access.may_see(current_actor(), inst,
                          lambda _cluster: {u.id for u in _members(inst.cluster_id)}):
        abort(403)


def _fire_form(inst: Instance, trigger: str, payload: dict[str, Any]) -> Fired | None:
    """Fire from a form carrying the version the user saw (checked in the fire's own
    transaction); what fired, or None when it was refused (the reason is flashed)."""
    _require_see(inst)
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


def _fire_posted(inst: Instance) -> Fired | None:
    """Fire the action a page's action form posted, with its comment or present list; what
    fired, or None (the reason is flashed)."""
    _require_see(inst)
    t = _spec(inst).transition(inst.state, request.form.get("trigger", ""))
    if t is None or not set(t.required_fields) <= FORM_FIELDS:
        flash(_("This action is not open now; reload the page."), "error")
        return None
    payload: dict[str, Any] = {}
    comment = request.form.get("comment", "").strip()[:5000]
    if comment:
        payload["comment"] = comment
    if "present" in t.required_fields:
        payload["present"] = request.form.getlist("present")
    if done := _fire_form(inst, t.trigger, payload):
        flash(_("Done: %(action)s", action=done.label(locale())))
    return done


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# --- the campaign page ---------------------------------------------------------------------
