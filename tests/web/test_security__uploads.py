"""Stored documents: only PDF, Word, Excel, PNG and JPEG files whose bytes are what their names
say, and served with the type detected from their bytes, as downloads, never sniffed."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.web.test_security__malformed import scoring  # noqa: F401  (a fixture)
from tests.year_support import PDF, Bloc
from workflow.adapters.tables import documents
from workflow.services.documents import DOCX, XLSX

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo")
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _upload(client: FlaskClient, bloc: Bloc, name: str, content: bytes) -> tuple[int, str]:
    sheet = bloc.child("score_sheet", "bca")
    token = csrf(client, f"/score-sheets/{sheet.id}")
    answer = client.post(f"/score-sheets/{sheet.id}/evidence", data={
        "csrf_token": token, "criterion": "ky_giao_uoc", "kind": "signed_pledge",
        "file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
        follow_redirects=True)
    return answer.status_code, answer.get_data(as_text=True)


def _stored(bloc: Bloc) -> list[sa.Row[tuple[int, str, str]]]:
    sheet = bloc.child("score_sheet", "bca")
    with bloc.services.engine.connect() as conn:
        return list(conn.execute(sa.select(documents.c.id, documents.c.filename,
                                           documents.c.content_type).where(
            documents.c.instance_id == sheet.id).order_by(documents.c.id)))


@pytest.mark.parametrize(("name", "content", "why"), [
    ("evil.svg", PDF, "chỉ nhận tệp PDF"),
    ("evil.html", PDF, "chỉ nhận tệp PDF"),
    ("bao-cao.docm", _zip("word/document.xml", "word/vbaProject.bin"), "chỉ nhận tệp PDF"),
    ("bao-cao.docx", _zip("word/document.xml", "word/vbaProject.bin"), "có chứa macro"),
    ("bao-cao.docx", _zip("any/thing.txt"), "không đúng với tên tệp"),
    ("bang-diem.xlsx", _zip("word/document.xml"), "không đúng với tên tệp"),
    ("bang-diem.xlsx", _zip("xl/workbook.xml", "xl/vbaProject.bin"), "có chứa macro"),
    ("anh.png", PDF, "không đúng với tên tệp"),
    ("bao-cao.pdf", PNG, "không đúng với tên tệp"),
])
def test_a_file_outside_the_allow_list_or_not_what_its_name_says_is_refused(
    client: FlaskClient, auth: AuthActions, scoring: Bloc,  # noqa: F811
    name: str, content: bytes, why: str,
) -> None:
    auth.login("bca_officer")
    before = _stored(scoring)

    status, page = _upload(client, scoring, name, content)

    assert status == 200
    assert 'class="flash error"' in page
    assert f"Không nhận tệp {name}" in page
    assert why in page
    assert _stored(scoring) == before


def test_the_items_page_refuses_it_naming_the_file(client: FlaskClient, auth: AuthActions,
                                                   scoring: Bloc) -> None:  # noqa: F811
    pledge = scoring.child("pledge", "bca")
    auth.login("bca_head")

    answer = client.post(f"/items/{pledge.id}/documents", data={
        "csrf_token": csrf(client, f"/items/{pledge.id}"), "kind": "signed_pledge",
        "file": (io.BytesIO(PDF), "evil.svg")}, content_type="multipart/form-data")

    assert answer.status_code == 400
    assert "Không nhận tệp evil.svg" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("name", "content", "served"), [
    ("bao-cao.pdf", PDF, "application/pdf"), ("bao-cao.docx", _docx(), DOCX),
    ("bang-diem.xlsx", _xlsx(), XLSX), ("anh.PNG", PNG, "image/png")])
def test_an_accepted_file_is_served_as_a_download_of_its_detected_type(
    client: FlaskClient, auth: AuthActions, scoring: Bloc,  # noqa: F811
    name: str, content: bytes, served: str,
) -> None:
    auth.login("bca_officer")
    status, _page = _upload(client, scoring, name, content)
    assert status == 200
    [*_, (doc_id, filename, content_type)] = _stored(scoring)
    assert (filename, content_type) == (name, served)
    sheet = scoring.child("score_sheet", "bca")

    response = client.get(f"/score-sheets/{sheet.id}/evidence/{doc_id}")

    assert response.status_code == 200
    assert response.mimetype == served
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == content


@pytest.mark.parametrize(("renamed", "stored_type", "served"), [
    ("evil.svg", "application/pdf", "application/pdf"),
    ("evil.html", "application/pdf", "application/pdf"),
    ("old.docx", "application/zip", "application/octet-stream")])  # stored before this check
def test_a_stored_file_is_served_by_its_bytes_never_by_its_name(
    client: FlaskClient, auth: AuthActions, scoring: Bloc,  # noqa: F811
    renamed: str, stored_type: str, served: str,
) -> None:
    auth.login("bca_officer")
    _upload(client, scoring, "bao-cao.pdf", PDF)
    [*_, (doc_id, _name, _type)] = _stored(scoring)
    with scoring.services.engine.begin() as conn:  # as a row written before the allow-list
        conn.execute(documents.update().where(documents.c.id == doc_id).values(
            filename=renamed, content_type=stored_type))
    sheet = scoring.child("score_sheet", "bca")

    response = client.get(f"/score-sheets/{sheet.id}/evidence/{doc_id}")

    assert response.mimetype == served
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert renamed in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
