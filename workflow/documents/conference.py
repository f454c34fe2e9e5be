"""Biên bản hội nghị: the minutes of a cluster's conference (.docx, Decree 30 layout).

A pure renderer like the others in `generated`: the same input gives the same bytes. It prints
when and where the conference was held and who hosted it, the units that attended and who
represented them (and those absent), the agenda with its presenters, the conclusions with the
tasks they assign and their due dates, and the signature of the cluster's leader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.shared import Cm

from workflow.documents.generated import (
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
    vn_date,
)


@dataclass(frozen=True, slots=True)
class Attendance:
    unit: str
    present: bool
    attendees: str


@dataclass(frozen=True, slots=True)
class AgendaItem:
    title: str
    presenter: str


@dataclass(frozen=True, slots=True)
class Conclusion:
    text: str
    unit: str = ""
    due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ConferenceMinutes:
    """Biên bản hội nghị; `issuer` is the cluster, `name` the conference's name."""

    issuer: str
    number: str
    name: str
    date: dt.date
    time: str
    place: str
    host: str
    attendance: tuple[Attendance, ...]
    agenda: tuple[AgendaItem, ...]
    conclusions: tuple[Conclusion, ...]
    leader: str = ""
    secretary: str = ""
    issuer_parent: str = ""
    city: str = "Hà Nội"  # of the dateline


def conference_minutes(doc: ConferenceMinutes) -> GeneratedDocument:
    """Biên bản hội nghị (.docx)."""
    out = _new_document("Biên bản hội nghị", doc.name, doc.date)
    _header(out, doc.issuer_parent, doc.issuer, doc.number, dateline(doc.city, doc.date))
    _title(out, "BIÊN BẢN", doc.name)

    _heading(out, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    when = f"{doc.time}, {vn_date(doc.date)}" if doc.time else vn_date(doc.date)
    _body(out, f"1. Thời gian: {when}.")
    _body(out, f"2. Địa điểm: {doc.place}; đơn vị đăng cai: {doc.host}.")
    present = [a for a in doc.attendance if a.present]
    absent = [a for a in doc.attendance if not a.present]
    _body(out, f"3. Thành phần: {len(present)}/{len(doc.attendance)} đơn vị thành viên có mặt.")
    _grid(out, ("STT", "Đơn vị", "Có mặt", "Người dự"),
          [(str(i), a.unit, "Có" if a.present else "Vắng", a.attendees or "–")
           for i, a in enumerate(doc.attendance, 1)],
          (Cm(1.2), Cm(7), Cm(2), Cm(6.3)), centred=(0, 2))
    if absent:
        _body(out, "Đơn vị vắng mặt: " + ", ".join(a.unit for a in absent) + ".")

    _heading(out, "II. NỘI DUNG HỘI NGHỊ")
    _grid(out, ("STT", "Nội dung", "Người trình bày"),
          [(str(i), a.title, a.presenter or "–") for i, a in enumerate(doc.agenda, 1)],
          (Cm(1.2), Cm(10), Cm(5.3)), centred=(0,))

    _heading(out, "III. KẾT LUẬN")
    for i, c in enumerate(doc.conclusions, 1):
        text = c.text.strip()
        if c.unit:
            due = f", hoàn thành trước {c.due.strftime('%d/%m/%Y')}" if c.due else ""
            text = f"{text} (giao {c.unit} thực hiện{due})"
        _body(out, f"{i}. {text}")
    if not doc.conclusions:
        _body(out, "(Chưa có kết luận.)")
    _body(out, "Hội nghị kết thúc cùng ngày. Biên bản được gửi các đơn vị thành viên để thực "
               "hiện./.")
    _para(out, after=6)
    _two_signatures(out, ("THƯ KÝ HỘI NGHỊ", doc.secretary),
                    ("TRƯỞNG CỤM, KHỐI THI ĐUA", doc.leader))
    name = f"bien-ban-hoi-nghi_{_slug(doc.name)}.docx"
    return _save_docx(out, name, doc.date)
