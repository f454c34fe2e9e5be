"""Phụ lục báo cáo thành tích: the exemplary models (điển hình tiên tiến, mô hình hay) a unit
cites in the achievement report of a dossier (.docx, Decree 30 layout).

A pure renderer like the others in `generated`: the same input gives the same bytes. For each
model accepted by the cluster it prints what it does, its results, the people involved, when it
was accepted, the conferences it was presented at and the units that adopted it, with their
results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.shared import Cm

from workflow.documents.generated import (
    CENTER,
    GeneratedDocument,
    _body,
    _grid,
    _header,
    _heading,
    _new_document,
    _para,
    _save_docx,
    _slug,
    _title,
    _two_signatures,
    dateline,
)


@dataclass(frozen=True, slots=True)
class Adopter:
    unit: str
    adopted_on: dt.date | None
    results: str


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    field: str
    description: str
    results: str
    people: str
    accepted_on: dt.date | None
    conferences: tuple[str, ...] = ()
    adopters: tuple[Adopter, ...] = ()


@dataclass(frozen=True, slots=True)
class AchievementAnnex:
    """The annex of `unit`'s achievement report for the dossier proposing `title`."""

    unit: str
    year: int
    title: str
    date: dt.date
    models: tuple[ModelEntry, ...]
    city: str = "Hà Nội"


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


def achievement_annex(doc: AchievementAnnex) -> GeneratedDocument:
    """Phụ lục báo cáo thành tích: điển hình tiên tiến, mô hình hay (.docx)."""
    subject = f"Điển hình tiên tiến, mô hình hay của {doc.unit} năm {doc.year}"
    out = _new_document("Phụ lục báo cáo thành tích", subject, doc.date)
    _header(out, "", doc.unit, "", dateline(doc.city, doc.date))
    _title(out, "PHỤ LỤC", subject.upper())
    _para(out, f"(Kèm theo Báo cáo thành tích đề nghị {doc.title})", italic=True,
          align=CENTER, after=6)
    for i, m in enumerate(doc.models, 1):
        _heading(out, f"{i}. {m.name}")
        _body(out, f"Lĩnh vực: {m.field}.")
        _body(out, f"Nội dung, cách làm: {m.description}")
        _body(out, f"Kết quả: {m.results}")
        if m.people:
            _body(out, f"Tập thể, cá nhân tham gia: {m.people}.")
        _body(out, f"Được cụm, khối thi đua công nhận ngày {_day(m.accepted_on)}.")
        if m.conferences:
            _body(out, "Trình bày tại: " + "; ".join(m.conferences) + ".")
        if m.adopters:
            _body(out, f"Được nhân rộng, áp dụng tại {len(m.adopters)} đơn vị:")
            _grid(out, ("STT", "Đơn vị áp dụng", "Ngày áp dụng", "Kết quả"),
                  [(str(n), a.unit, _day(a.adopted_on), a.results or "–")
                   for n, a in enumerate(m.adopters, 1)],
                  (Cm(1.2), Cm(5.5), Cm(2.8), Cm(7)), centred=(0, 2))
    if not doc.models:
        _body(out, "(Đơn vị chưa có điển hình được công nhận trong năm.)")
    _para(out, after=6)
    _two_signatures(out, ("NGƯỜI LẬP", ""), ("THỦ TRƯỞNG ĐƠN VỊ", ""))
    return _save_docx(out, f"phu-luc-dien-hinh_{_slug(doc.unit)}_{doc.year}.docx", doc.date)
