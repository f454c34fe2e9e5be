"""The criteria tables (bảng tiêu chí chấm điểm) for the council office and administrators:
the published tables with their versions and the campaigns on them; a copy of a version (the
next version of the table, or a new table) edited as YAML beside a read-only preview, checked
with every problem shown at its line in the reader's language, kept as a draft, and published
for the campaigns launched from then on (a launched campaign keeps the version it pinned).
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager
from workflow.errors import PermissionDenied
from workflow.services import access
from workflow.services.criteria_catalog import valid_code

bp = Blueprint("criteria_admin", __name__, url_prefix="/criteria")
MAX_TEXT = 200_000  # characters of a table's text
SYSTEM_AUTHOR = "system"  # the author of what `thidua definitions sync` publishes
Answer = Response | tuple[str, int]


@bp.before_request
def editors_only() -> Response | None:
    """Signed-out visitors go to the login page; others without the role get 403."""
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not access.may_edit_criteria(current_actor()):
        raise PermissionDenied(_("Criteria tables are edited by the council office and "
                                 "administrators."))
    return None


@bp.app_template_global("may_edit_criteria")
def may_edit_criteria() -> bool:
    """For the menu: whether the signed-in person edits criteria tables."""
    return bool(current_user.is_authenticated) and access.may_edit_criteria(current_actor())


def check_code(code: str) -> None:
    if not valid_code(code):
        abort(404)


# the pages, on this blueprint
import web.criteria.tables  # noqa: E402, F401, I001
import web.criteria.editor  # noqa: E402, F401
