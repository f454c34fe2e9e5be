"""The import of units, clusters and people in the JSON API (administrators): the template,
a dry run answering every problem by sheet, row and column, and the all-or-nothing commit.
Each call carries the file (multipart): nothing is kept between them. Registered on the API
blueprint (web.api imports this module once its own routes are in place)."""

from __future__ import annotations

from typing import Any

from flask import request, send_file
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError, fields, validate

from web.api import ApiError, actor, operation, services
from web.api.schemas import REPLIES, Reply
from web.imports import SHEET_NAMES, describe
from workflow.documents import spreadsheets
from workflow.domain.imports import BY_KEY, MAX_BYTES, WARNINGS, Checked
from workflow.services import imports


class ImportForm(Schema):
    year = fields.Integer(validate=validate.Range(2000, 2200), metadata={
        "description": "the year of the clusters in the file (this year when left out)"})


class ImportUpload(ImportForm):
    """The multipart body as the document describes it (the view takes the file from
    request.files, so only ImportForm loads)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": ".xlsx or .csv, as the template"})


class ImportProblemSchema(Reply):
    sheet = fields.String(allow_none=True, metadata={
        "description": "units, clusters or people; null for the whole file"})
    sheet_title = fields.String(metadata={"description": "the sheet's name in the file"})
    row = fields.Integer(allow_none=True, metadata={"description": "the row in the file (the "
                                                    "header is row 1); null for the sheet"})
    column = fields.String(allow_none=True, metadata={"description": "the field code"})
    letter = fields.String(allow_none=True, metadata={"description": "the column's letter"})
    code = fields.String(metadata={"description": "the problem's code, e.g. unknown_unit"})
    message = fields.String(metadata={"description": "what to fix, in Vietnamese"})
    blocking = fields.Boolean(metadata={"description": "false for what was only skipped (a "
                                        "sheet or a column the import does not know)"})


class ImportCountsSchema(Reply):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class ImportReportSchema(Reply):
    ok = fields.Boolean(metadata={"description": "whether the file can be (or was) imported"})
    committed = fields.Boolean()
    year = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(ImportCountsSchema),
                         metadata={"description": "units, clusters, people: what the commit "
                                   "creates, updates and leaves unchanged"})
    problems = fields.List(fields.Nested(ImportProblemSchema))
    new_people = fields.List(fields.String(), metadata={
        "description": "usernames created: they have no password until an admin resets it"})


REPLIES.update({"ImportReport": ImportReportSchema, "ImportTemplate": None})


def upload() -> tuple[str, bytes, int]:
    form: dict[str, Any] = ImportForm().load(request.form.to_dict())
    file = request.files.get("file")
    if file is None:
        raise ValidationError({"file": ["Missing data for required field."]})
    data = file.read(MAX_BYTES + 1)
    name = (file.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "file"
    return name, data, form.get("year") or services().clock.now().year


def problems(checked: Checked) -> list[dict[str, Any]]:
    return [{"sheet": p.sheet if p.sheet in BY_KEY else None,
             "sheet_title": SHEET_NAMES.get(p.sheet or "", p.sheet or ""),
             "row": p.row, "column": p.column, "letter": p.letter, "code": p.code,
             "message": describe(p), "blocking": p.code not in WARNINGS}
            for p in checked.problems]


def report(checked: Checked, year: int, committed: bool,
           new_people: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"ok": checked.ok, "committed": committed, "year": year,
            "counts": {k: {"created": c.created, "updated": c.updated,
                           "unchanged": c.unchanged} for k, c in checked.plan.counts.items()},
            "problems": problems(checked), "new_people": list(new_people)}


@operation("GET", "/v1/imports/template.xlsx", "The import's template: sheets of units, "
           "clusters and people with their header rows, and the instructions (admin)",
           (200, "ImportTemplate"), (403,), tags=("imports",), produces=spreadsheets.XLSX)
def import_template() -> ResponseReturnValue:
    imports.require_importer(actor())
    return send_file(spreadsheets.template_stream(), mimetype=spreadsheets.XLSX,
                     as_attachment=True, download_name="mau-nhap-du-lieu-thi-dua.xlsx")


@operation("POST", "/v1/imports/dry-run", "Check an .xlsx or CSV file of units, clusters and "
           "people without writing anything: every problem by sheet, row and column (admin)",
           (200, "ImportReport"), (400, 403, 413), body=ImportUpload, multipart=True,
           tags=("imports",))
def import_dry_run() -> ResponseReturnValue:
    imports.require_importer(actor())
    name, data, year = upload()
    checked = imports.dry_run(services().uow(), actor(), name, data, year)
    return report(checked, year, committed=False)


@operation("POST", "/v1/imports", "Import an .xlsx or CSV file of units, clusters and people: "
           "all of it or nothing; the same file again updates and never duplicates (admin)",
           (201, "ImportReport"), (400, 403, 409, 413), body=ImportUpload, multipart=True,
           tags=("imports",))
def import_commit() -> ResponseReturnValue:
    imports.require_importer(actor())
    name, data, year = upload()
    try:
        done = imports.commit(services().uow(), actor(), name, data, year)
    except imports.ImportRejected as refused:
        where: dict[str, list[str]] = {}
        for p in problems(refused.checked):
            cell = f"{p['sheet_title'] or 'file'}!{p['letter'] or ''}{p['row'] or ''}"
            where.setdefault(cell, []).append(p["message"])
        raise ApiError(409, "import_has_problems", "nothing was imported: the file has "
                       f"{len(refused.checked.problems)} problem(s); POST it to "
                       "/api/v1/imports/dry-run for the full report", fields=where) from None
    return report(done.checked, year, committed=True, new_people=done.new_people), 201


ROUTES = (import_template, import_dry_run, import_commit)  # what web.api imports to register
