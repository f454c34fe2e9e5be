"""The import in the JSON API: the template, the dry run's report by sheet, row and column,
the commit (409 with the problems when the file has any), and administrators only."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from openpyxl import load_workbook

from benchmarks.imports import province_workbook
from tests.web.test_web__api import bearer, error_of
from tests.year_support import Bloc
from web.api import openapi_document
from workflow.services import organisations, people


def admin_headers(bloc: Bloc) -> dict[str, str]:
    people.grant(bloc.services.uow(), bloc.users["btp_head"], "admin")
    return bearer(bloc, "btp_head")


def send(client: FlaskClient, path: str, data: bytes, headers: dict[str, str],
         name: str = "tinh.xlsx") -> object:
    return client.post(path, headers=headers, content_type="multipart/form-data",
                       data={"year": "2026", "file": (io.BytesIO(data), name)})


def broken() -> bytes:
    book = load_workbook(io.BytesIO(province_workbook(1, 3, 1)))
    book["Người dùng"]["C3"] = "khong-phai-thu"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_dry_run_answers_each_problem_with_its_row_and_column(
    client: FlaskClient, bloc: Bloc,
) -> None:
    response = send(client, "/api/v1/imports/dry-run", broken(), admin_headers(bloc))

    body = response.get_json()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert body["ok"] is False
    assert body["committed"] is False
    assert body["problems"] == [{
        "sheet": "people", "sheet_title": "Người dùng", "row": 3, "column": "email",
        "letter": "C", "code": "bad_email",
        "message": "khong-phai-thu không phải địa chỉ thư điện tử: đồng chí hãy sửa lại hoặc "
                   "để trống ô này.", "blocking": True}]
    assert body["counts"]["units"] == {"created": 4, "updated": 0, "unchanged": 0}


def test_the_commit_writes_all_or_nothing_and_never_twice(client: FlaskClient,
                                                          bloc: Bloc) -> None:
    headers = admin_headers(bloc)
    refused = send(client, "/api/v1/imports", broken(), headers)
    error = error_of(refused, 409)  # type: ignore[arg-type]
    assert error["code"] == "import_has_problems"
    assert error["fields"] == {"Người dùng!C3": [
        "khong-phai-thu không phải địa chỉ thư điện tử: đồng chí hãy sửa lại hoặc để trống "
        "ô này."]}

    data = province_workbook(1, 3, 1)
    done = send(client, "/api/v1/imports", data, headers)
    again = send(client, "/api/v1/imports", data, headers)

    assert done.status_code == 201  # type: ignore[attr-defined]
    assert done.get_json()["new_people"] == ["dv00_00.1", "dv00_01.1", "dv00_02.1"]  # type: ignore[attr-defined]  # noqa: E501
    assert again.get_json()["counts"]["clusters"] == {  # type: ignore[attr-defined]
        "created": 0, "updated": 0, "unchanged": 1}
    assert organisations.find_cluster(bloc.services.uow(), "CUM_01", 2026).members


def test_the_template_and_the_import_are_for_administrators(client: FlaskClient,
                                                             bloc: Bloc) -> None:
    template = client.get("/api/v1/imports/template.xlsx", headers=admin_headers(bloc))
    assert template.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "Hướng dẫn" in load_workbook(io.BytesIO(template.data)).sheetnames

    officer = bearer(bloc, "bca_officer")
    assert error_of(client.get("/api/v1/imports/template.xlsx", headers=officer), 403)
    assert error_of(send(client, "/api/v1/imports/dry-run", broken(), officer), 403)  # type: ignore[arg-type]  # noqa: E501


def test_the_openapi_document_describes_the_import() -> None:
    paths = openapi_document()["paths"]

    assert set(paths["/api/v1/imports"]["post"]["responses"]) >= {"201", "409", "413"}
    assert "multipart/form-data" in paths["/api/v1/imports/dry-run"]["post"]["requestBody"][
        "content"]
    assert list(paths["/api/v1/imports/template.xlsx"]["get"]["responses"]["200"][
        "content"]) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
