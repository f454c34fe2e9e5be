"""The import of units, the year's clusters and people from Excel (.xlsx) or CSV, for
administrators: the template, an upload checked without writing anything (every problem by
sheet, row and column, the failing rows to download), then the commit of all of it or nothing.

The uploaded file waits under the documents folder (workflow/services/imports.py) between the
check and the commit, for the admin who sent it only."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    send_file,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.auth import current_actor, login_manager
from workflow.bootstrap import Services
from workflow.documents import spreadsheets
from workflow.domain.imports import (
    BY_KEY,
    MAX_BYTES,
    MAX_ROWS,
    PROBLEM_TEXT,
    UNIT_KINDS,
    Checked,
    Problem,
)
from workflow.errors import NotFound, PermissionDenied
from workflow.services import access, imports

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")
Answer = str | Response | tuple[str, int]
SHEET_NAMES = {"units": "Đơn vị", "clusters": "Cụm, khối", "people": "Người dùng"}


def services() -> Services:
    return cast(Services, current_app.extensions["thidua"])


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the login page; signed-in non-admins get 403."""
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    if not access.may_import_directory(current_actor()):
        raise PermissionDenied(_("Importing units, clusters and people is for administrators."))
    return None


@bp.app_template_filter("unit_kind")
def unit_kind(kind: str | None) -> str:
    """A unit's kind as people say it (the import names it by code)."""
    return UNIT_KINDS.get(kind or "", kind or "")


def describe(problem: Problem) -> str:
    """The problem's sentence in the page's language."""
    return str(_(PROBLEM_TEXT[problem.code], **dict(problem.params)))


def where(problem: Problem) -> dict[str, str]:
    """Sheet, row and column as the admin finds them in the file."""
    spec = BY_KEY.get(problem.sheet or "")
    sheet = SHEET_NAMES.get(problem.sheet or "", problem.sheet or "")
    column = ""
    if problem.letter:
        column = problem.letter
        if spec is not None and problem.column:
            column += f" – {spec.column(problem.column).header}"
    elif spec is not None and problem.column:
        column = spec.column(problem.column).header
    return {"sheet": sheet, "row": str(problem.row or ""), "column": column,
            "text": describe(problem)}


def year_of(source: Mapping[str, str]) -> int:
    now = services().clock.now().year
    try:
        year = int(source.get("year") or now)
    except ValueError:
        return now
    return year if 2000 <= year <= 2200 else now


def upload_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("admin_imports.html", error=error, year=year_of(request.form),
                           max_rows=MAX_ROWS, max_mb=MAX_BYTES >> 20), status


@bp.route("")
def upload() -> tuple[str, int]:
    return upload_page()


@bp.route("/template.xlsx")
def template() -> Response:
    return send_file(io.BytesIO(spreadsheets.template()), mimetype=spreadsheets.XLSX,
                     as_attachment=True, download_name="mau-nhap-du-lieu-thi-dua.xlsx")


def report(checked: Checked, token: str, filename: str, year: int,
           status: int = 200, **extra: Any) -> tuple[str, int]:
    problems = [where(p) for p in checked.errors]
    notes = [where(p) for p in checked.warnings]
    counts = {SHEET_NAMES[k]: c for k, c in checked.plan.counts.items()
              if c.created or c.updated or c.unchanged}
    return render_template("admin_imports_report.html", checked=checked, problems=problems,
                           notes=notes, counts=counts, token=token, filename=filename, year=year,
                           failing=sum(len(checked.failing_rows(k)) for k in SHEET_NAMES),
                           **extra), status


@bp.route("/check", methods=["POST"])
def check() -> Answer:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return upload_page(_("Choose the file to import."), 400)
    data = upload.read(MAX_BYTES + 1)
    filename = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    year = year_of(request.form)
    actor = current_actor()
    checked = imports.dry_run(services().uow(), actor, filename, data, year)
    if any(p.code in {"file_kind", "file_unreadable", "file_too_large", "too_many_rows"}
           for p in checked.problems):
        return upload_page(describe(checked.problems[0]), 400)
    token = imports.stage(services().settings.documents_dir, actor, filename, data,
                          services().clock.now())
    return report(checked, token, filename, year)


def staged(token: str) -> imports.Staged:
    try:
        return imports.staged(services().settings.documents_dir, current_actor(), token)
    except NotFound:
        abort(404)


@bp.route("/<token>/errors")
def errors(token: str) -> Response:
    """The failing rows with what to fix in each (same columns and one more), in the kind
    of file uploaded."""
    found = staged(token)
    checked = imports.dry_run(services().uow(), current_actor(), found.filename, found.data,
                              year_of(request.args))
    as_csv = spreadsheets.kind_of(found.filename) == "csv"
    content = spreadsheets.error_file(checked, describe, as_csv)
    stem = found.filename.rsplit(".", 1)[0][:80] or "tep"
    name = f"{stem}-cac-dong-loi.{'csv' if as_csv else 'xlsx'}"
    return send_file(io.BytesIO(content), as_attachment=True, download_name=name,
                     mimetype=spreadsheets.CSV if as_csv else spreadsheets.XLSX)


@bp.route("/<token>/commit", methods=["POST"])
def commit(token: str) -> Answer:
    found = staged(token)
    year = year_of(request.form)
    try:
        done = imports.commit(services().uow(), current_actor(), found.filename, found.data,
                              year)
    except imports.ImportRejected as refused:
        return report(refused.checked, token, found.filename, year, 400,
                      refused_commit=True)
    imports.discard(services().settings.documents_dir, current_actor(), token)
    counts = done.checked.plan.counts
    return render_template("admin_imports_done.html", done=done, year=year,
                           counts={SHEET_NAMES[k]: c for k, c in counts.items()})
