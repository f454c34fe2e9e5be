"""A score sheet's evidence: the documents a unit attaches to a criterion, checked against
what the criteria table asks for, and reading one back."""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import login_required, services, upload_refusal
from web.year.common import _documents, _load, _send_document, _wf, bp
from workflow.domain.criteria import CriteriaTable
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.services import access
from workflow.services import documents as attachments
from workflow.services.exemplary_models import MODEL_EVIDENCE


def _upload_problem(table: CriteriaTable, code: str, kind: str) -> str | None:
    try:
        criterion = table.criterion(code)
    except KeyError:
        return str(_("Choose a criterion of the table."))
    if kind not in criterion.evidence or kind == MODEL_EVIDENCE:  # models are not uploaded
        return str(_("Choose a kind of evidence the criterion asks for."))
    upload = _chosen_file(code)
    if upload is None or not upload.filename:
        return str(_("Choose a file to upload."))
    return None


def _chosen_file(code: str) -> FileStorage | None:
    """The file chosen for a criterion (its own field in the sheet's form, or `file`)."""
    upload = request.files.get(f"file-{code}")
    if upload is None or not upload.filename:
        upload = request.files.get("file")
    return upload


def _kind(code: str) -> str:
    return request.form.get(f"kind-{code}") or request.form.get("kind", "")


def _attach(sheet: Instance, table: CriteriaTable, actor: Actor, code: str) -> tuple[str, str]:
    """Attach the file chosen for a criterion: (its name, a problem or "")."""
    problem = _upload_problem(table, code, _kind(code))
    upload = _chosen_file(code)
    name = (upload.filename or "") if upload is not None else ""
    content = upload.read() if upload is not None and problem is None else b""
    problem = problem or upload_refusal(name or "file", content)
    if problem:
        return name, problem
    attachments.attach(_wf(), services().settings.documents_dir, sheet.id, actor, _kind(code),
                       name or "file", content, ref=code)
    return name, ""


def _attach_chosen(sheet: Instance, table: CriteriaTable, actor: Actor) -> list[str]:
    """Attach every file chosen in the sheet's form (saving the scores must not drop them);
    the names attached; problems are flashed."""
    names = []
    for c in table.criteria:
        upload = request.files.get(f"file-{c.code}")
        if upload is None or not upload.filename:
            continue
        name, problem = _attach(sheet, table, actor, c.code)
        if problem:
            flash(problem, "error")
        else:
            names.append(name)
    return names


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
