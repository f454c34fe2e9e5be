"""The import's checks: a broken file's every problem at its sheet, row and column; the plan
of a good one; re-reading the same rows changes nothing; the template and the error file."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from workflow.documents import spreadsheets
from workflow.domain.imports import (
    CLUSTERS,
    PEOPLE,
    PROBLEM_TEXT,
    UNITS,
    Directory,
    KnownCluster,
    KnownPerson,
    KnownUnit,
    Problem,
    check,
)

EMPTY = Directory({}, {}, {}, 2026)


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def headers(spec: object) -> list[str]:
    return [c.header for c in spec.columns]  # type: ignore[attr-defined]


GOOD = {
    "Đơn vị": [headers(UNITS), ["SNV", "Sở Nội vụ", "", "so_nganh"],
               ["STC", "Sở Tài chính", "", "sở, ban, ngành"], ["PTC", "Phòng Tổ chức", "SNV"]],
    "Cụm, khối": [headers(CLUSTERS),
                  ["CUM_01", "Cụm thi đua số 1", "cụm", "STC; SNV; PTC", "STC", "SNV", "HĐ"]],
    "Người dùng": [headers(PEOPLE),
                   ["an.nv", "Nguyễn Văn An", "an@example.vn", "SNV", "unit_officer"],
                   ["ha.tt", "Trần Thị Hà", "", "", "Cơ quan thường trực Hội đồng TĐKT"]],
}


def checked(sheets: dict[str, list[list[object]]], known: Directory = EMPTY,
            name: str = "tinh.xlsx") -> object:
    raw, problems = spreadsheets.read(name, workbook(sheets))
    return check(raw, known, problems)


def where(problems: tuple[Problem, ...]) -> list[tuple[str | None, int | None, str | None,
                                                       str]]:
    return [(p.sheet, p.row, p.letter, p.code) for p in problems]


def test_a_good_file_plans_every_row_with_members_in_the_order_written() -> None:
    result = checked(GOOD)

    assert result.problems == ()  # type: ignore[attr-defined]
    plan = result.plan  # type: ignore[attr-defined]
    assert [u.code for u in plan.units] == ["SNV", "STC", "PTC"]
    assert plan.units[1].kind == "so_nganh"  # the Vietnamese name is read as its code
    assert plan.clusters[0].members == ("STC", "SNV", "PTC")  # rotation order, not sorted
    assert plan.people[0].roles == ("unit_officer",)
    assert plan.people[1].roles == ("council_secretariat",)
    assert plan.counts["units"].created == 3


def test_a_broken_file_names_every_problem_by_sheet_row_and_column() -> None:
    broken = {
        "Đơn vị": [headers(UNITS), ["SNV", "Sở Nội vụ"], ["SNV", "Sở Nội vụ lần hai"],
                   ["S T C", "Sở Tài chính"], ["PTC", "", "XYZ", "huyện"]],
        "Cụm, khối": [headers(CLUSTERS),
                      ["CUM_01", "Cụm 1", "tổ", "SNV; SNV; ABC", "BTP", "SNV"]],
        "Người dùng": [headers(PEOPLE), ["an nv", "Nguyễn Văn An", "an-at-example"],
                       ["binh", "Trần Bình", "", "", "unit_head; admin; quản lý"]],
    }

    result = checked(broken)

    assert where(result.problems) == [  # type: ignore[attr-defined]
        ("units", 3, "A", "duplicate"),
        ("units", 4, "A", "bad_code"),
        ("units", 5, "B", "required"),
        ("units", 5, "C", "unknown_unit"),
        ("units", 5, "D", "unit_kind"),
        ("clusters", 2, "C", "cluster_kind"),
        ("clusters", 2, "D", "member_twice"),
        ("clusters", 2, "D", "unknown_unit"),
        ("clusters", 2, "E", "unknown_unit"),
        ("people", 2, "A", "bad_username"),
        ("people", 2, "C", "bad_email"),
        ("people", 3, "E", "role_needs_unit"),
        ("people", 3, "E", "role_not_imported"),
        ("people", 3, "E", "unknown_role"),
    ]
    assert not result.ok  # type: ignore[attr-defined]


def test_every_problem_has_a_sentence_with_its_values() -> None:
    for code, text in PROBLEM_TEXT.items():
        assert text.endswith("."), code


def test_a_missing_column_and_a_formula_are_problems_of_the_file() -> None:
    sheets = {"Đơn vị": [["Mã đơn vị (code)", "Ghi chú"], ["SNV", "x"], ["=A2&\"1\"", "y"]]}

    result = checked(sheets)

    codes = where(result.problems)  # type: ignore[attr-defined]
    assert ("units", None, None, "missing_column") in codes
    assert ("units", None, "B", "unknown_column") in codes
    assert ("units", 3, "A", "formula") in codes
    assert not result.ok  # type: ignore[attr-defined]


def test_a_parent_cycle_is_found_across_the_file_and_the_directory() -> None:
    known = Directory({"A": KnownUnit(1, "A", "Đơn vị A", "B", None),
                       "B": KnownUnit(2, "B", "Đơn vị B", None, None)}, {}, {}, 2026)
    sheets = {"Đơn vị": [headers(UNITS), ["B", "Đơn vị B", "A"]]}

    result = checked(sheets, known)

    assert where(result.problems) == [("units", 2, "C", "parent_cycle")]  # type: ignore[attr-defined]  # noqa: E501


def test_reading_the_same_rows_again_changes_nothing() -> None:
    known = Directory(
        {"SNV": KnownUnit(1, "SNV", "Sở Nội vụ", None, "so_nganh"),
         "STC": KnownUnit(2, "STC", "Sở Tài chính", None, "so_nganh"),
         "PTC": KnownUnit(3, "PTC", "Phòng Tổ chức", "SNV", None)},
        {"CUM_01": KnownCluster(1, "CUM_01", "Cụm thi đua số 1", "cum", "HĐ", "STC", "SNV",
                                ("STC", "SNV", "PTC"), False)},
        {"an.nv": KnownPerson(1, "an.nv", "Nguyễn Văn An", "an@example.vn",
                              frozenset({("unit_officer", "SNV")})),
         "ha.tt": KnownPerson(2, "ha.tt", "Trần Thị Hà", None,
                              frozenset({("council_secretariat", None)}))}, 2026)

    counts = checked(GOOD, known).plan.counts  # type: ignore[attr-defined]

    assert {k: (c.created, c.updated, c.unchanged) for k, c in counts.items()} == {
        "units": (0, 0, 3), "clusters": (0, 0, 1), "people": (0, 0, 2)}


def test_a_cluster_with_a_campaign_keeps_its_members() -> None:
    known = Directory(
        {c: KnownUnit(i, c, c, None, None) for i, c in enumerate(("SNV", "STC", "PTC"), 1)},
        {"CUM_01": KnownCluster(1, "CUM_01", "Cụm thi đua số 1", "cum", "HĐ", "STC", "SNV",
                                ("STC", "SNV"), True)}, {}, 2026)

    result = checked({"Cụm, khối": GOOD["Cụm, khối"]}, known)

    assert where(result.problems) == [("clusters", 2, "D", "members_locked")]  # type: ignore[attr-defined]  # noqa: E501


def test_a_csv_file_is_read_by_its_header_with_semicolons_too() -> None:
    text = "Tên đăng nhập (username);Họ và tên (full_name);Vai trò (roles)\nan.nv;An;\n"
    raw, problems = spreadsheets.read("nguoi.csv", text.encode("utf-8-sig"))

    result = check(raw, EMPTY, problems)

    assert problems == []
    assert result.problems == ()
    assert result.plan.people[0].full_name == "An"


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason() -> None:
    assert spreadsheets.read("a.pdf", b"%PDF")[1][0].code == "file_kind"
    assert spreadsheets.read("a.xlsx", b"not a zip")[1][0].code == "file_unreadable"
    assert spreadsheets.read("a.xlsx", b"x" * (6 << 20))[1][0].code == "file_too_large"


def test_the_template_has_the_three_sheets_with_headers_and_the_instructions() -> None:
    book = load_workbook(io.BytesIO(spreadsheets.template()))

    assert book.sheetnames == ["Đơn vị", "Cụm, khối", "Người dùng", "Hướng dẫn"]
    assert [c.value for c in book["Đơn vị"][1]] == headers(UNITS)
    raw, problems = spreadsheets.read("mau.xlsx", spreadsheets.template())
    assert check(raw, EMPTY, problems).problems == ()  # its examples import as they are


def test_the_error_file_keeps_the_failing_rows_and_never_writes_a_formula() -> None:
    sheets = {"Đơn vị": [headers(UNITS), ["SNV", "Sở Nội vụ"], ["-X", "+cmd|' /C calc'!A0"],
                         ["@SUM", "@SUM(1)"]]}
    result = checked(sheets)

    data = spreadsheets.error_file(result, lambda p: p.code, as_csv=False)  # type: ignore[arg-type]
    sheet = load_workbook(io.BytesIO(data))["Đơn vị"]

    assert [c.value for c in sheet[1]][-1] == "Lỗi cần sửa (errors)"
    assert [c.value for c in sheet["A"]][1:] == ["-X", "@SUM"]
    assert all(c.data_type == "s" and c.quotePrefix for c in (sheet["A2"], sheet["B2"]))
    assert "Dòng 3: cột A: bad_code" in sheet["E2"].value
    text = spreadsheets.error_file(result, lambda p: p.code, as_csv=True).decode("utf-8-sig")  # type: ignore[arg-type]  # noqa: E501
    assert "'-X,'+cmd|' /C calc'!A0" in text
    assert "'@SUM" in text


def test_the_overview_workbook_writes_text_never_as_a_formula() -> None:
    """Every export writes what people typed as text: the overview too (the ranking's test
    is in test_documents_gen)."""
    from workflow.documents.overview import SheetTable, overview_workbook

    data = overview_workbook("Tổng quan", [SheetTable(
        "Phong trào", ("Cụm", "Ghi chú"), (("=HYPERLINK(\"http://x\")", "+1"), ("@A", -5)))])
    sheet = load_workbook(io.BytesIO(data))["Phong trào"]

    assert [(c.value, c.data_type) for c in sheet[2]] == [('=HYPERLINK("http://x")', "s"),
                                                         ("+1", "s")]
    assert sheet["A2"].quotePrefix
    assert sheet["A3"].quotePrefix
    assert sheet["B3"].value == -5  # a number stays a number


def test_a_column_or_sheet_the_import_does_not_know_is_skipped_not_an_error() -> None:
    sheets = {**GOOD, "Ghi chú": [["Nội dung"], ["Gọi điện trước"]]}
    sheets["Đơn vị"] = [[*headers(UNITS), "Ghi chú"], ["SNV", "Sở Nội vụ", "", "", "x"],
                        ["STC", "Sở Tài chính"], ["PTC", "Phòng Tổ chức", "SNV"]]

    result = checked(sheets)

    assert result.ok  # type: ignore[attr-defined]
    assert where(result.warnings) == [("units", None, "E", "unknown_column"),  # type: ignore[attr-defined]
                                      ("Ghi chú", None, None, "unknown_sheet")]
