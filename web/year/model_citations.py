"""Exemplary models cited in a dossier's achievement report (báo cáo thành tích): the dossier
page's section listing the nominee's accepted models of the year, and drawing up the annex
(phụ lục, .docx) that lists them with their results and adopters, attached to the dossier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.views import login_required, services
from web.year.common import _load, _require_see, _wf, bp
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services import exemplary_models as models


@dataclass(frozen=True, slots=True)
class Cited:
    """A model the dossier may cite: its name, field and page."""

    name: str
    field: str
    url: str


@bp.app_template_global("dossier_models")
def dossier_models(dossier: Any) -> dict[str, Any]:
    """What the dossier page shows of the nominee's accepted models, and whether the reader
    may draw up the annex."""
    if not isinstance(dossier, Instance) or dossier.unit_id is None or dossier.year is None:
        return {"models": [], "may_cite": False}
    found = models.models_of_unit(_wf(), services().reads, dossier.unit_id, dossier.year)
    return {"models": [Cited(models.name_of(m), str((m.data.get("model") or {}).get("field")
                                                    or ""), url_for("year.model", model_id=m.id))
                       for m in found],
            "may_cite": bool(found) and models.may_cite(_wf(), current_actor(), dossier)}


@bp.route("/dossiers/<int:dossier_id>/exemplary-models", methods=["POST"])
@login_required
def cite_models(dossier_id: int) -> Response:
    """Draw up the annex of the achievement report and attach it to the dossier."""
    dossier = _load(dossier_id, "dossier")
    _require_see(dossier)
    actor = current_actor()
    if not models.may_cite(_wf(), actor, dossier):
        abort(403)
    try:
        doc = models.cite_in_dossier(_wf(), services().reads, services().settings.documents_dir,
                                     dossier, actor)
    except (InvalidInput, PermissionDenied):
        abort(403)
    flash(_("The annex of exemplary models was drawn up and attached: %(name)s",
            name=doc.filename))
    return redirect(url_for("year.dossier", dossier_id=dossier_id) + "#documents")
