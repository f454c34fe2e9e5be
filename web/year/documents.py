"""An item's files, opened by whoever may act on or review the item: a PDF in the browser, any
other file downloaded under its own name."""

from __future__ import annotations

from flask import abort
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import login_required, member_units
from web.year.common import _documents, _send_document, _wf, bp
from workflow.errors import NotFound
from workflow.services import access


@bp.route("/items/<int:item_id>/documents/<int:document_id>")
@login_required
def document(item_id: int, document_id: int) -> Response:
    try:
        inst = _wf().get(item_id)
    except NotFound:
        abort(404)
    if not access.may_read_documents(current_actor(), inst, member_units):
        abort(403)
    doc = next((d for d in _documents(item_id) if d.id == document_id), None)
    if doc is None:
        abort(404)
    return _send_document(doc, inline=True)
