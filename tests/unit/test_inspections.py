"""The cross-inspection's form of points per criterion and its minutes (no I/O)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import docx

from workflow.definitions.criteria_loader import load_criteria_paths
from workflow.engine.instance import Instance
from workflow.services import inspections

ROOT = Path(__file__).resolve().parents[2]
TABLE = load_criteria_paths([ROOT / "definitions" / "criteria"], base=ROOT)["khoi_noi_chinh"]
QUANTITATIVE = next(c for c in TABLE.criteria if not c.levels)


def form(values: dict[str, str]) -> inspections.PointsForm:
    return inspections.read_points(TABLE, lambda key: values.get(key, ""), notes=True)


def test_points_are_read_per_criterion_with_a_decimal_comma() -> None:
    read = form({"points-ke_hoach_phat_dong": "1,5", f"points-{QUANTITATIVE.code}": " 2,25 ",
                 "note-ke_hoach_phat_dong": "  Thiếu hướng dẫn  ", "conclusion": "Tốt"})

    assert read.ok
    assert read.points == {"ke_hoach_phat_dong": Decimal("1.5"),
                           QUANTITATIVE.code: Decimal("2.25")}
    assert read.notes["ke_hoach_phat_dong"] == "Thiếu hướng dẫn"
    assert read.conclusion == "Tốt"
    assert read.typed[QUANTITATIVE.code] == "2,25"


def test_each_wrong_field_gets_its_own_refusal_and_the_right_ones_are_kept() -> None:
    read = form({"points-ky_giao_uoc": "3", f"points-{QUANTITATIVE.code}": "abc",
                 "points-ke_hoach_phat_dong": "5", "points-phong_trao_chuyen_de": "-2"})

    assert not read.ok
    assert read.errors["ky_giao_uoc"].code == "points_not_a_level"
    assert read.errors[QUANTITATIVE.code].code == "not_a_number"
    assert read.errors["phong_trao_chuyen_de"].code in ("points_negative", "points_not_a_level")
    assert read.points == {"ke_hoach_phat_dong": Decimal(5)}
    assert read.typed[QUANTITATIVE.code] == "abc"


def test_points_above_the_maximum_and_long_notes_are_refused() -> None:
    top = QUANTITATIVE.max_points
    read = form({f"points-{QUANTITATIVE.code}": str(top + 1), "note-ky_giao_uoc": "x" * 2001,
                 "conclusion": "y" * 5001})

    assert read.errors[QUANTITATIVE.code].code == "points_above_max"
    assert read.errors["ky_giao_uoc"].code == "inspection_notes_invalid"
    assert read.errors["conclusion"].code == "inspection_conclusion_invalid"


def test_the_payload_clears_a_note_only_when_one_was_recorded() -> None:
    read = form({"points-ky_giao_uoc": "4", "note-ky_giao_uoc": ""})

    payload = inspections.results_payload(read, {"notes": {"ky_giao_uoc": "cũ"}})
    fresh = inspections.results_payload(read, {})

    assert payload == {"results": {"ky_giao_uoc": "4"}, "notes": {"ky_giao_uoc": ""},
                       "conclusion": ""}
    assert fresh["notes"] == {}


def _inspection(results: dict[str, str]) -> Instance:
    data = {"plan": {"inspector_unit_id": 2, "unit_id": 4, "team": ["lang_officer"],
                     "lead": "lang_officer"},
            "results": results, "notes": {"ky_giao_uoc": "Ký đúng hạn"},
            "conclusion": "Đơn vị hoàn thành tốt.",
            "signatures": {"unit": {"by": "bca_head", "at": "2025-10-21T02:00:00+00:00"}}}
    return Instance(id=17, definition_id=1, workflow="inspection", state="conducted",
                    status="active", version=3, data=data, unit_id=4, cluster_id=1, year=2025,
                    parent_id=9, last_hash="", entered_at=dt.datetime(2025, 10, 20, tzinfo=dt.UTC))


NAMES = inspections.Names(
    "Khối thi đua các bộ, ngành Nội chính Trung ương",
    {2: "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh", 4: "Bộ Công an"},
    {"lang_officer": "Nguyễn Văn Lăng", "bca_head": "Trần Văn Công"})


def test_the_minutes_name_the_units_the_team_the_points_and_the_conclusion() -> None:
    results = {c.code: str(c.max_points) for c in TABLE.criteria}
    results["ke_hoach_phat_dong"] = "1.5"
    doc = inspections.minutes_document(_inspection(results), TABLE, NAMES,
                                       day=dt.date(2025, 10, 20), year=2025)

    document = docx.Document(io.BytesIO(doc.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert doc.filename == "bien-ban-kiem-tra-cheo_Bo-Cong-an_2025.docx"
    assert "KHỐI THI ĐUA CÁC BỘ, NGÀNH NỘI CHÍNH TRUNG ƯƠNG\n" in cells
    assert "Hà Nội, ngày 20 tháng 10 năm 2025" in cells
    assert "Đơn vị kiểm tra: Ban Quản lý Lăng Chủ tịch Hồ Chí Minh" in text
    assert "- Nguyễn Văn Lăng (Trưởng đoàn)" in text
    assert "Đơn vị được kiểm tra: Bộ Công an, đại diện: Trần Văn Công." in text
    assert "Đơn vị hoàn thành tốt." in text
    assert "1,5" in cells
    assert "Ký đúng hạn" in cells
    assert "96,5" in cells  # the total: 100 less the 3.5 points not given
    signatures = [c for c in cells if "TRƯỞNG ĐOÀN KIỂM TRA" in c or "ĐƯỢC KIỂM TRA" in c]
    assert any(c.endswith("Nguyễn Văn Lăng") for c in signatures)
    assert any(c.endswith("Trần Văn Công") for c in signatures)
    assert "Còn" not in text  # every criterion has its result


def test_the_minutes_are_the_same_bytes_for_the_same_results_and_say_what_is_missing() -> None:
    partial = {"ky_giao_uoc": "4"}
    one = inspections.minutes_document(_inspection(partial), TABLE, NAMES,
                                       day=dt.date(2025, 10, 20), year=2025)
    two = inspections.minutes_document(_inspection(partial), TABLE, NAMES,
                                       day=dt.date(2025, 10, 20), year=2025)

    assert one.sha256 == two.sha256
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(one.content)).paragraphs)
    assert f"Còn {len(TABLE.criteria) - 1} tiêu chí chưa có kết quả kiểm tra." in text
