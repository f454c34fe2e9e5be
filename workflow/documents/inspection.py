"""Biên bản kiểm tra chéo: the minutes of one cross-inspection (.docx, Decree 30 layout).

A pure renderer like the others in `generated`: the same input gives the same bytes. It prints
who inspected whom and when, the team, the points found for every criterion of the campaign's
table with the team's note, the total, the conclusion and the two signature blocks (the team
lead and the inspected unit's head).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from docx.shared import Cm

from workflow.documents.generated import (
    GeneratedDocument,
    _body,
    _grid,
    _header,
    _heading,
    _new_document,
    _numbered,
    _para,
    _save_docx,
    _slug,
    _title,
    _two_signatures,
    dateline,
    vn_date,
)
from workflow.domain.scoring import show


@dataclass(frozen=True, slots=True)
class InspectionLine:
    """One criterion: its title, its maximum, the points the team found (None: not yet)."""

    criterion: str
    max_points: Decimal
    points: Decimal | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class InspectionMinutes:
    """Biên bản kiểm tra chéo; `issuer` is the cluster, `place` the city of the dateline."""

    issuer: str
    number: str
    place: str
    date: dt.date
    year: int
    inspecting_unit: str
    inspected_unit: str
    team: tuple[str, ...]
    lead: str
    inspected_head: str
    criteria_table: str
    lines: tuple[InspectionLine, ...]
    conclusion: str = ""
    issuer_parent: str = ""


def _points(value: Decimal | None) -> str:
    return show(value).replace(".", ",") if value is not None else "–"


def inspection_minutes(doc: InspectionMinutes) -> GeneratedDocument:
    """Biên bản kiểm tra chéo (.docx)."""
    subject = f"Kiểm tra chéo công tác thi đua, khen thưởng năm {doc.year} tại {doc.inspected_unit}"
    out = _new_document("Biên bản kiểm tra chéo", subject, doc.date)
    _header(out, doc.issuer_parent, doc.issuer, doc.number, dateline(doc.place, doc.date))
    _title(out, "BIÊN BẢN", subject)

    _heading(out, "I. THỜI GIAN, THÀNH PHẦN")
    _body(out, f"1. Thời gian: {vn_date(doc.date)}.")
    _body(out, f"2. Đơn vị kiểm tra: {doc.inspecting_unit}; đoàn kiểm tra gồm:")
    _numbered(out, [f"{name}{' (Trưởng đoàn)' if name == doc.lead else ''}"
                    for name in doc.team] or ["(chưa có thành viên)"])
    _body(out, f"3. Đơn vị được kiểm tra: {doc.inspected_unit}"
               + (f", đại diện: {doc.inspected_head}." if doc.inspected_head else "."))

    _heading(out, "II. KẾT QUẢ KIỂM TRA THEO TIÊU CHÍ")
    _body(out, f"Căn cứ {doc.criteria_table}, đoàn kiểm tra chấm điểm như sau:")
    rows = [(str(i), line.criterion, _points(line.max_points), _points(line.points), line.note)
            for i, line in enumerate(doc.lines, 1)]
    found = [line.points for line in doc.lines if line.points is not None]
    total = sum(found, Decimal(0))
    scale = sum((line.max_points for line in doc.lines), Decimal(0))
    rows.append(("", "Tổng cộng", _points(scale), _points(total), ""))
    _grid(out, ("STT", "Tiêu chí", "Điểm tối đa", "Điểm kiểm tra", "Ghi chú"), rows,
          (Cm(1.2), Cm(6.8), Cm(2.2), Cm(2.3), Cm(4)), centred=(0, 2, 3))
    missing = len(doc.lines) - len(found)
    if missing:
        _body(out, f"Còn {missing} tiêu chí chưa có kết quả kiểm tra.")

    _heading(out, "III. KẾT LUẬN")
    conclusion = doc.conclusion.strip() or (
        "Đoàn kiểm tra và đơn vị được kiểm tra thống nhất kết quả chấm điểm nêu trên.")
    for paragraph in conclusion.splitlines():
        if paragraph.strip():
            _body(out, paragraph.strip())
    _body(out, "Biên bản được lập thành 02 bản, đoàn kiểm tra giữ 01 bản, đơn vị được kiểm tra"
               " giữ 01 bản; kết quả được cập nhật vào bảng chấm điểm của đơn vị./.")
    _para(out, after=6)
    _two_signatures(out, ("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", doc.inspected_head),
                    ("TRƯỞNG ĐOÀN KIỂM TRA", doc.lead))
    name = f"bien-ban-kiem-tra-cheo_{_slug(doc.inspected_unit)}_{doc.year}.docx"
    return _save_docx(out, name, doc.date)
