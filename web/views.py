"""The pages people work in: the inbox and an item with its actions and history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import flask_login
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web import items as item_names
from web.auth import current_actor
from web.item_page import Humanizer, file_size, raw_json, status_text
from web.refusals import explain
from workflow.bootstrap import Services
from workflow.engine.diagram import to_dot
from workflow.errors import InvalidInput, StaleState, TransitionNotAllowed
from workflow.services import access, documents, notifications, organisations
from workflow.services import inbox as inbox_service
from workflow.services.read_side import DocumentInfo
from workflow.services.workflows import MAX_ID, Fired

bp = Blueprint("views", __name__)
PAGE = 25
MAX_PAGE = 100_000
TARGET_TRIGGERS = ("save_targets", "revise_targets")
P = ParamSpec("P")
R = TypeVar("R")


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Flask-Login's `login_required`, typed: the view keeps its own signature for mypy
    (Flask-Login ships no type information, so the decorator itself reads as untyped)."""
    wrapped: Callable[P, R] = flask_login.login_required(view)
    return wrapped


def services() -> Services:
    found: Services = current_app.extensions["thidua"]
    return found


def locale() -> str:
    return str(get_locale() or "vi")


def form_ids(field: str) -> list[int]:
    """The ids checked in a list of the form; anything but a whole number in range is skipped."""
    return [int(v) for v in request.form.getlist(field)
            if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]


def page_number() -> int:
    """The page asked for, from 1 to MAX_PAGE (beyond it lies no page, and no SQL offset)."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


@bp.route("/")
@login_required
def inbox() -> str:
    actor = current_actor()
    page = page_number()
    items, total = inbox_service.waiting_for(
        services().workflows, actor, locale=locale(), limit=PAGE, offset=(page - 1) * PAGE)
    groups: dict[Any, list[Any]] = {}
    for item in items:
        groups.setdefault(item.campaign_id, []).append(item)
    unread, news = notifications.unread_summary(services().uow(), actor.user_id or 0, limit=10)
    campaigns = item_names.titles_of(
        [services().workflows.get(c) for c in groups if c is not None], locale())
    return render_template("inbox.html", groups=groups, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), unread=unread, news=news,
                           campaigns=campaigns)


@bp.route("/items/<int:item_id>")
@login_required
def item(item_id: int) -> str | Response:
    wf = services().workflows
    inst = wf.get(item_id)
    actor = current_actor()
    compiled = wf.catalog.compiled(inst.definition_id)
    if not access.may_see(actor, inst, member_units):
        abort(403)
    if inst.workflow == "inspection" and not actor.has_global_role("admin"):
        return redirect(url_for("year.inspection", inspection_id=item_id))  # its own page
    actions = wf.available(inst, actor)
    uploads = sorted({d for t, _ in actions for d in t.required_documents})
    targets = _target_form(inst, actions)
    if targets is not None:  # the target form does these; their guards need its data
        actions = [a for a in actions if a[0].trigger not in TARGET_TRIGGERS]
    def state_label(name: str | None) -> str:
        if not name or name not in compiled.spec.state_names:
            return name or ""
        return compiled.spec.state(name).label.get(locale())

    words = Humanizer(inst)
    history = wf.history(item_id)
    return render_template(
        "item.html", item=inst, spec=compiled.spec, version=compiled.version,
        state_label=state_label, title=item_names.title_of(inst, locale()),
        actions=actions, history=history, locale=locale(), uploads=uploads,
        targets=targets, documents=item_names.listed_files(item_id, _documents(item_id)),
        data_rows=words.rows(), steps=words.history(history), status=status_text(inst.status),
        parent=_parent(inst, actor), technical=actor.has_global_role("admin"),
        term=words.term, file_size=file_size, raw_json=raw_json)


def _parent(inst: Any, actor: Any) -> tuple[str, str] | None:
    """Where the item belongs, when the user may see it: (link, label) of its campaign's
    progress page, or of its parent item; None for an item without one."""
    if inst.workflow == "campaign":
        return url_for("year.campaign", campaign_id=inst.id), _("Campaign progress")
    if inst.parent_id is None:
        return None
    parent = services().workflows.get(inst.parent_id)
    if not access.may_see(actor, parent, member_units):
        return None
    if parent.workflow == "campaign":
        return (url_for("year.campaign", campaign_id=parent.id),
                _("Campaign progress"))
    return url_for("views.item", item_id=parent.id), item_names.title_of(parent, locale())


def _target_form(inst: Any, actions: Any) -> list[tuple[str, str, Any]] | None:
    """(code, title, current value) of the criteria a pledge registers targets for, when this
    user may edit them now."""
    editing = [t for t, _ in actions if t.trigger in TARGET_TRIGGERS]
    if inst.workflow != "pledge" or not editing or inst.parent_id is None:
        return None
    campaign = services().workflows.get(inst.parent_id)
    ref = campaign.data.get("criteria_table") or {}
    table = services().criteria.get(ref["code"], ref["version"])
    current = inst.data.get("targets") or {}
    return [(c.code, c.title.get(locale()), current.get(c.code, ""))
            for c in table.targets_required()]


def _documents(item_id: int) -> list[DocumentInfo]:
    return services().reads.documents(item_id)


@bp.route("/items/<int:item_id>/documents", methods=["POST"])
@login_required
def upload(item_id: int) -> Response:
    file = request.files.get("file")
    kind = request.form.get("kind", "")
    if file is None or not file.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("views.item", item_id=item_id))
    content = file.read()
    try:  # the item is found, the uploader's part in it checked, then the file
        documents.attach(services().workflows, services().settings.documents_dir, item_id,
                         current_actor(), kind, file.filename, content)
    except documents.FileRefused as exc:
        raise InvalidInput(upload_refusal(file.filename, content) or str(exc)) from None
    flash(_("The document was attached."))
    return redirect(url_for("views.item", item_id=item_id))


@bp.route("/items/<int:item_id>/targets", methods=["POST"])
@login_required
def save_targets(item_id: int) -> Response:
    wf = services().workflows
    inst = wf.get(item_id)
    if not access.may_see(current_actor(), inst, member_units):
        abort(403)  # before anything about the item is said
    trigger = "revise_targets" if inst.state in ("returned", "amending") else "save_targets"
    targets = {}
    for key, value in request.form.items():
        if key.startswith("target:") and value.strip():
            targets[key[len("target:"):]] = value.strip().replace(",", ".")
    try:
        wf.fire(inst, trigger, current_actor(), {"targets": targets})
    except TransitionNotAllowed as exc:
        flash(explain(exc, inst, with_action=True), "error")
        return redirect(url_for("views.item", item_id=item_id))
    flash(_("Targets saved."))
    return redirect(url_for("views.item", item_id=item_id))


@bp.route("/items/<int:item_id>/diagram.svg")
@login_required
def diagram(item_id: int) -> Response:
    from workflow.engine.diagram import render_svg

    wf = services().workflows
    inst = wf.get(item_id)
    if not access.may_see(current_actor(), inst, member_units):
        abort(403)
    spec = wf.catalog.compiled(inst.definition_id).spec
    svg = render_svg(to_dot(spec, current=inst.state, locale=locale()))
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/items/<int:item_id>/fire", methods=["POST"])
@login_required
def fire(item_id: int) -> Response:
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    trigger = request.form.get("trigger", "")
    payload = {key[len("field:"):]: value.strip()[:5000] for key, value in request.form.items()
               if key.startswith("field:")}
    payload["comment"] = request.form.get("comment", "").strip()[:5000]
    if not access.may_see(current_actor(), services().workflows.get(item_id), member_units):
        abort(403)  # before the version, the state or the roles of the item are said
    try:
        done = fire_seen(item_id, trigger, {k: v for k, v in payload.items() if v}, expected)
    except TransitionNotAllowed as exc:
        flash(explain(exc, services().workflows.get(item_id), with_action=True), "error")
        return redirect(url_for("views.item", item_id=item_id))
    flash(_("Done: %(action)s", action=done.label(locale())))
    return redirect(url_for("views.item", item_id=item_id))


def fire_seen(item_id: int, trigger: str, payload: dict[str, Any], version: int) -> Fired:
    """Fire on an item at the version its page showed (one transaction); a stale version is
    refused (409) with a message in the user's language."""
    try:
        return services().workflows.fire(item_id, trigger, current_actor(), payload,
                                         expected_version=version)
    except StaleState:
        raise StaleState(_("This item changed since you opened it; review it and try "
                           "again.")) from None


def member_units(cluster_id: int) -> list[int]:
    """The member units of a cluster, for the access policy (asked only when it needs them)."""
    return list(organisations.get_cluster(services().uow(), cluster_id).members)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_notifications() -> Response:
    ids = form_ids("id")
    actor = current_actor()
    notifications.mark_read(services().uow(), actor.user_id or 0, ids,
                            services().clock.now())
    return redirect(url_for("views.inbox"))


def upload_refusal(filename: str, content: bytes) -> str | None:
    """Why an uploaded file is refused, in the user's language and naming the file, or None:
    only PDF, Word, Excel, PNG and JPEG files, whose bytes are what their names say."""
    name = documents.stored_name(filename)
    if not content:
        return str(_("The file %(name)s is empty.", name=name))
    if len(content) > documents.MAX_BYTES:
        return str(_("The file %(name)s is too large.", name=name))
    problem = documents.upload_problem(filename, content)
    if problem == "extension":
        return str(_("The file %(name)s was not accepted: only PDF, Word (.docx), Excel (.xlsx), "
                     "PNG and JPEG files are; save it as one of these and upload it again.",
                     name=name))
    if problem == "content":
        return str(_("The file %(name)s was not accepted: its content is not what its name "
                     "says (or it holds macros); save it again as a real PDF, Word (.docx), "
                     "Excel (.xlsx), PNG or JPEG file and upload it again.", name=name))
    return None
