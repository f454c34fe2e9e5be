"""An administrator imports a province from Excel in the browser: downloads the template,
uploads a file with mistakes, reads each problem by sheet, row and column, downloads the
failing rows, fixes the file, checks it again and imports it; then imports it once more and
nothing is duplicated."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.imports import province_workbook
from tests.e2e.conftest import Session
from tests.year_support import Bloc
from workflow.services import organisations

YEAR = 2026


def save(book: object, path: Path) -> Path:
    buffer = io.BytesIO()
    book.save(buffer)  # type: ignore[attr-defined]
    path.write_bytes(buffer.getvalue())
    return path


def check(page: object, path: Path) -> None:
    page.set_input_files("input[name=file]", str(path))  # type: ignore[attr-defined]
    page.fill("input[name=year]", str(YEAR))  # type: ignore[attr-defined]
    page.click("button:has-text('Kiểm tra tệp')")  # type: ignore[attr-defined]
    page.wait_for_selector("h1:has-text('Kết quả kiểm tra tệp tinh.xlsx')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def test_an_admin_fixes_a_file_from_its_error_list_and_imports_it(
    browser: object, server: str, bloc: Bloc, tmp_path: Path,
) -> None:
    admin = Session(browser, server, "admin")
    page = admin.open("/admin/units")
    page.click("nav >> text=Nhập từ Excel")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Nhập đơn vị, cụm, khối và người dùng"  # type: ignore[attr-defined]
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.click("text=Tải tệp mẫu (.xlsx)")  # type: ignore[attr-defined]
    template = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert template.sheetnames == ["Đơn vị", "Cụm, khối", "Người dùng", "Hướng dẫn"]

    book = load_workbook(io.BytesIO(province_workbook(clusters=2, members=4, per_unit=1)))
    book["Đơn vị"]["A4"] = "DV00 01"  # a space in a code
    book["Cụm, khối"]["F3"] = "DV09_09"  # a deputy that is no unit
    book["Người dùng"]["C5"] = "khong-phai-thu"  # not an e-mail address
    broken = save(book, tmp_path / "tinh.xlsx")
    check(page, broken)

    problems = page.locator("table.import-problems tbody tr")  # type: ignore[attr-defined]
    rows = [problems.nth(i).inner_text().split("\t") for i in range(problems.count())]
    assert rows[0][:3] == ["Đơn vị", "4", "A – Mã đơn vị (code)"]
    assert "Mã DV00 01 chỉ được gồm chữ không dấu" in rows[0][3]
    assert any(r[:3] == ["Cụm, khối", "3", "F – Đơn vị phó cụm/khối (deputy)"] for r in rows)
    assert any(r[:3] == ["Người dùng", "5", "C – Thư điện tử (email)"] for r in rows)
    assert "Chưa thể nhập cho đến khi sửa hết các lỗi." in page.content()  # type: ignore[attr-defined]
    assert page.locator("button:has-text('Nhập dữ liệu')").count() == 0  # type: ignore[attr-defined]
    admin.shot("import-1-problems")

    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.click("a:has-text('dòng có lỗi')")  # type: ignore[attr-defined]
    assert got.value.suggested_filename == "tinh-cac-dong-loi.xlsx"
    failing = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    units = failing["Đơn vị"]
    assert units["A2"].value == "DV00 01"
    assert units["E1"].value == "Lỗi cần sửa (errors)"
    assert units["E2"].value.startswith("Dòng 4: cột A: Mã DV00 01")
    people_rows = [c.value for c in failing["Người dùng"]["F"]][1:]
    assert people_rows[0].startswith("Dòng 4: cột D: Không có đơn vị nào mang mã DV00_01")
    assert people_rows[1].startswith("Dòng 5: cột C: khong-phai-thu không phải địa chỉ thư")

    book["Đơn vị"]["A4"] = "DV00_01"  # fixed as the file of failing rows said
    book["Cụm, khối"]["F3"] = book["Cụm, khối"]["D3"].value.split("; ")[1]
    book["Người dùng"]["C5"] = "dv00_02.1@example.gov.vn"
    fixed = save(book, tmp_path / "tinh.xlsx")
    page.click("text=Kiểm tra tệp khác")  # type: ignore[attr-defined]
    page.wait_for_selector("input[name=file]")  # type: ignore[attr-defined]
    check(page, fixed)
    assert "Tệp không có lỗi." in page.content()  # type: ignore[attr-defined]
    page.click("button:has-text('Nhập dữ liệu')")  # type: ignore[attr-defined]

    page.wait_for_selector("h1:has-text('Đã nhập xong')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Người dùng mới chưa có mật khẩu" in page.content()  # type: ignore[attr-defined]
    admin.shot("import-2-done")
    cluster = organisations.find_cluster(bloc.services.uow(), "CUM_02", YEAR)
    codes = [organisations.unit_id(bloc.services.uow(), f"DV01_0{m}") for m in (1, 2, 3, 0)]
    assert list(cluster.members) == codes  # the rotation order as written

    page.click("text=Nhập tệp khác")  # type: ignore[attr-defined]
    page.wait_for_selector("input[name=file]")  # type: ignore[attr-defined]
    check(page, fixed)
    counts = page.locator("table >> nth=0").inner_text()  # type: ignore[attr-defined]
    assert "Đơn vị\t0\t0\t9" in counts  # again: nothing new, nothing changed
    admin.close()
