"""The import pages as an administrator uses them: the template, a file checked with its
problems in Vietnamese by sheet, row and column, the failing rows downloaded, the commit."""

from __future__ import annotations

import html
import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from benchmarks.imports import province_workbook
from tests.web.conftest import AuthActions, csrf
from tests.year_support import Bloc
from workflow.services import organisations, people

UPLOAD = "/admin/imports"


def page(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> FlaskClient:
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị viên")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    auth.login("quan_tri")
    return client


def upload(client: FlaskClient, data: bytes, name: str = "tinh.xlsx") -> object:
    return client.post(f"{UPLOAD}/check", data={
        "csrf_token": csrf(client, UPLOAD), "year": "2026",
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def broken() -> bytes:
    book = load_workbook(io.BytesIO(province_workbook(2, 3, 1)))
    book["Đơn vị"]["A3"] = "DV 00"
    book["Cụm, khối"]["E2"] = "KHONG_CO"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_upload_page_offers_the_template_in_vietnamese(admin: FlaskClient) -> None:
    text = page(admin.get(UPLOAD))

    assert "Nhập đơn vị, cụm, khối và người dùng" in text
    assert "Tải tệp mẫu (.xlsx)" in text
    template = admin.get(f"{UPLOAD}/template.xlsx")
    assert load_workbook(io.BytesIO(template.data)).sheetnames[-1] == "Hướng dẫn"
    assert "Nhập từ Excel" in page(admin.get("/admin/units"))  # linked from the admin pages


def test_a_broken_file_lists_each_problem_and_offers_its_failing_rows(
    admin: FlaskClient,
) -> None:
    response = upload(admin, broken())
    text = page(response)

    assert response.status_code == 200
    assert "Các lỗi cần sửa (4)" in text  # the broken code, and three rows naming it
    assert "Mã DV 00 chỉ được gồm chữ không dấu" in text
    assert "Không có đơn vị nào mang mã KHONG_CO" in text
    assert "E – Đơn vị trưởng cụm/khối (leader)" in text
    assert "Chưa thể nhập cho đến khi sửa hết các lỗi." in text
    assert 'action="/admin/imports/' not in text.split("Chưa thể nhập")[1]  # no commit button
    assert "Tải 3 dòng có lỗi" in text
    errors = [part.split('"')[0] for part in text.split('href="') if "/errors" in part][0]
    got = admin.get(errors)
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.data))["Đơn vị"]
    assert sheet["A2"].value == "DV 00"
    assert "Dòng 3: cột A: Mã DV 00" in sheet["E2"].value


def test_a_good_file_is_committed_once_and_again_without_duplicates(
    admin: FlaskClient, bloc: Bloc,
) -> None:
    data = province_workbook(2, 3, 1)
    text = page(upload(admin, data))
    assert "Tệp không có lỗi." in text
    action = text.split('action="')[-1].split('"')[0]

    done = admin.post(action, data={"csrf_token": csrf(admin, UPLOAD), "year": "2026"})

    shown = page(done)
    assert "Đã nhập cho năm 2026" in shown
    assert "Người dùng mới chưa có mật khẩu" in shown
    assert organisations.find_cluster(bloc.services.uow(), "CUM_02", 2026).name == \
        "Cụm thi đua số 2"
    units = page(admin.get("/admin/units?page=2"))
    assert "Đơn vị 1 của cụm 1" in page(admin.get("/admin/units")) + units
    assert "sở, ban, ngành" in page(admin.get("/admin/units")) + units  # the unit's kind
    again = page(upload(admin, data))
    assert "Tệp không có lỗi." in again
    assert admin.post(action, data={"csrf_token": csrf(admin, UPLOAD),
                                    "year": "2026"}).status_code == 404  # used up


def test_a_file_of_another_kind_is_refused_with_what_to_do(admin: FlaskClient) -> None:
    response = upload(admin, b"%PDF-1.4", "tinh.pdf")

    assert response.status_code == 400
    assert "không phải tệp Excel (.xlsx) hay CSV" in page(response)


def test_only_administrators_import(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get(UPLOAD).status_code == 302
    auth.login("bca_head")
    assert client.get(UPLOAD).status_code == 403
    assert client.get(f"{UPLOAD}/template.xlsx").status_code == 403


def test_a_csv_file_gets_its_failing_rows_back_as_csv_never_as_formulas(
    admin: FlaskClient,
) -> None:
    text = ("Tên đăng nhập (username);Họ và tên (full_name);Thư điện tử (email)\n"
            "an.nv;Nguyễn Văn An;an@example.vn\n"
            "binh;=HYPERLINK(\"http://x\");binh-at-example\n")
    response = upload(admin, text.encode("utf-8-sig"), "nguoi-dung.csv")
    shown = page(response)
    assert "Ô chứa công thức (=HYPERLINK(\"http://x\")): đồng chí hãy nhập giá trị trực tiếp." \
        in shown
    errors = [part.split('"')[0] for part in shown.split('href="') if "/errors" in part][0]

    got = admin.get(errors)

    assert got.headers["Content-Disposition"].endswith("nguoi-dung-cac-dong-loi.csv")
    lines = got.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Tên đăng nhập (username),Họ và tên (full_name),Thư điện tử (email)," \
        "Lỗi cần sửa (errors)"
    assert lines[1] == ('binh,"\'=HYPERLINK(""http://x"")",binh-at-example,"Dòng 3: cột B: Ô '
                        'chứa công thức (=HYPERLINK(""http://x"")): đồng chí hãy nhập giá trị '
                        'trực tiếp.; cột C: binh-at-example không phải địa chỉ thư điện tử: '
                        'đồng chí hãy sửa lại hoặc để trống ô này."')
