"""The admin area: workflow definitions (edit, validate, preview, publish, migrate), people and
their roles, units and clusters, the rule sets and holidays (read-only), failed e-mails.

Every page is for holders of the global role `admin`; everyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager
from web.i18n import local_time
from workflow.bootstrap import Services
from workflow.domain.roles import ROLES, SYSTEM_ROLE
from workflow.errors import InvalidInput, PermissionDenied
from workflow.services import delivery
from workflow.services.read_side import ClusterSummary, UnitSummary

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 25
T = TypeVar("T")
Answer = str | Response | tuple[str, int]


def services() -> Services:
    return cast(Services, current_app.extensions["thidua"])


def locale() -> str:
    return str(get_locale() or "vi")


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the login page; signed-in non-admins get 403."""
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not current_actor().has_global_role("admin"):
        raise PermissionDenied(_("This area is for administrators."))
    return None


# --- pages of a list ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    pages: int
    total: int
    param: str = "page"


def page_number(param: str = "page") -> int:
    try:
        return max(1, int(request.args.get(param, "1")))
    except ValueError:
        return 1


def paginate(items: Sequence[T], param: str = "page", per: int = PAGE) -> Page[T]:
    pages = max(1, -(-len(items) // per))
    number = min(page_number(param), pages)
    start = (number - 1) * per
    return Page(items[start:start + per], number, pages, len(items), param)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"page_url": page_url, "local_time": local_time, "role_label": role_label,
            "repo_path": repo_path, "criterion_title": criterion_title,
            "grant_criteria": grant_criteria,
            "roles": [r for r in ROLES.values() if r.name != SYSTEM_ROLE]}


def grant_criteria() -> list[tuple[str, str, str]]:
    """(table title, criterion code, criterion title) of every criterion a professional
    department may be granted: those scored from a reported result, in the published tables."""
    catalog, out = services().criteria, []
    for code in catalog.codes():
        table = catalog.get(code)
        out += [(table.title.get(locale()), c.code, c.title.get(locale()))
                for c in table.criteria if c.by_result]
    return out


def criterion_title(code: str) -> str:
    """A criterion's title in the published tables (its code when no table has it)."""
    catalog = services().criteria
    for table_code in catalog.codes():
        try:
            return catalog.get(table_code).criterion(code).title.get(locale())
        except KeyError:
            continue
    return code


def repo_path(path: str | None) -> str:
    """A data file's path relative to the project, never the server's absolute path."""
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(services().settings.root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def role_label(role: str) -> str:
    info = ROLES.get(role)
    if info is None:
        return role
    return info.en if locale().startswith("en") else info.vi


def page_url(endpoint: str, param: str, number: int) -> str:
    """The list page `endpoint` with page `number` in `param`, keeping the other arguments."""
    args: dict[str, Any] = {**request.args.to_dict(), param: number}
    return url_for(endpoint, **args)


def form_text(field: str, limit: int = 300) -> str:
    return (request.form.get(field) or "").strip()[:limit]


def form_int(field: str, low: int = 1, high: int = 10**9) -> int | None:
    """An optional whole number from the form; InvalidInput names the field when bad."""
    raw = form_text(field, 20)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: not a whole number: %(value)s",
                             field=field, value=raw)) from None
    if not low <= value <= high:
        raise InvalidInput(_("%(field)s: %(value)s is out of range", field=field, value=raw))
    return value


@bp.route("/")
def index() -> Response:
    return redirect(url_for("admin.definitions"))


def unit_choices() -> list[UnitSummary]:
    return services().reads.units()


def cluster_choices() -> list[ClusterSummary]:
    return services().reads.clusters()


# --- e-mail deliveries ----------------------------------------------------------------------


@bp.route("/deliveries")
def deliveries() -> str:
    failures = delivery.delivery_failures(services().uow())
    return render_template("admin_deliveries.html", listing=paginate(failures))


# the features' pages, on this blueprint (they import the helpers above)
import web.admin.changes  # noqa: E402, F401
import web.admin.definitions  # noqa: E402, F401
import web.admin.organisation  # noqa: E402, F401
import web.admin.people  # noqa: E402, F401
import web.admin.rules  # noqa: E402, F401
