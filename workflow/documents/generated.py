"""Generated documents in Vietnamese administrative format (Decree 30/2020/NĐ-CP layout).

One plain input dataclass and one function per document; each function returns a
`GeneratedDocument` whose bytes depend only on the input: core properties take the document
date and every zip entry carries a fixed timestamp, so equal inputs give an equal sha256.

- `submission_letter`   tờ trình đề nghị khen thưởng (.docx)
- `meeting_minutes`     biên bản họp bình xét thi đua (.docx)
- `vote_count_minutes`  biên bản kiểm phiếu (.docx); secret ballot: never any voter identity
- `decision_list`       danh sách kèm theo quyết định (.docx)
- `ranking_workbook`    bảng tổng hợp điểm và xếp hạng of a cluster (.xlsx)

The documents only render results decided elsewhere (tallies, pass/fail, ranks, gap flags).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from docx import Document as _new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from workflow.domain.rulesets import Prize
from workflow.domain.scoring import round_points, show
from workflow.errors import InvalidInput

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PASSED = "Đạt"
FAILED = "Không đạt"

FONT = "Times New Roman"
AUTHOR = "thidua"
TEXT_WIDTH = Mm(165)  # A4 210 mm minus margins 30 mm (left) and 15 mm (right)
HEADER_LEFT = Cm(6.5)
HEADER_RIGHT = Cm(10)


# --- output and input types ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeneratedDocument:
    filename: str
    content_type: str
    content: bytes
    sha256: str


class Nominee(NamedTuple):
    """A proposed unit or person; a plain (name, title_label, note) tuple works as well."""

    name: str
    title_label: str
    note: str


@dataclass(frozen=True, slots=True)
class SubmissionLetter:
    """Tờ trình đề nghị khen thưởng.

    `place` is the city of the dateline ("Hà Nội"); `number` the number and symbol
    ("12/TTr-KNC"); `vote_summary` a sentence on the vote, completed with
    "yes/total phiếu đồng ý (percent)" when `vote_yes` and `vote_total` are given.
    `closing` defaults to "Kính trình <recipient> xem xét, quyết định./.".
    """

    issuer: str
    number: str
    place: str
    date: dt.date
    recipient: str
    subject: str
    legal_basis: tuple[str, ...]
    body: tuple[str, ...]
    nominees: tuple[tuple[str, str, str], ...]
    vote_summary: str
    recipients: tuple[str, ...]
    signer_position: str
    signer_name: str
    vote_yes: int | None = None
    vote_total: int | None = None
    signer_authority: str = ""  # e.g. "TM. KHỐI THI ĐUA", "KT. BỘ TRƯỞNG"
    issuer_parent: str = ""  # the governing body printed above the issuer, if any
    closing: str = ""


@dataclass(frozen=True, slots=True)
class MeetingMinutes:
    """Biên bản họp bình xét thi đua; `venue` is where the meeting was held."""

    issuer: str
    number: str
    place: str
    date: dt.date
    subject: str  # e.g. "Họp bình xét thi đua năm 2025"
    venue: str
    start_time: dt.time
    chair_name: str
    chair_position: str
    secretary_name: str
    secretary_position: str
    attendees_present: int
    attendees_total: int
    agenda: tuple[str, ...]
    discussion: tuple[str, ...]
    conclusions: tuple[str, ...]
    attendees: tuple[str, ...] = ()  # units or people present, printed as a list
    end_time: dt.time | None = None
    issuer_parent: str = ""


@dataclass(frozen=True, slots=True)
class CommitteeMember:
    name: str
    role: str  # "Trưởng ban", "Thành viên", "Thư ký"


@dataclass(frozen=True, slots=True)
class CandidateTally:
    """One candidate's result; `passed` and `reason` come from the tally rules."""

    name: str
    yes: int
    passed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class TitleTally:
    """The count for one title in one round; percentages are `yes / base`.

    `base_label` states the base ("tổng số thành viên" or "số thành viên có mặt"),
    `threshold` the required share ("trên 50%") and `rule` where it comes from.
    A round above 1 is a runoff among tied candidates.
    """

    title_label: str
    base: int
    base_label: str
    threshold: str
    rule: str
    candidates: tuple[CandidateTally, ...]
    round: int = 1
    note: str = ""


@dataclass(frozen=True, slots=True)
class VoteCountMinutes:
    """Biên bản kiểm phiếu.

    `participants` may hold who took part in the vote: only their number is printed, never
    a name (secret ballot).
    """

    issuer: str
    number: str
    place: str
    date: dt.date
    venue: str
    session_name: str
    committee: tuple[CommitteeMember, ...]
    voters_eligible: int
    ballots_issued: int
    ballots_received: int
    ballots_valid: int
    ballots_invalid: int
    abstentions: int
    tallies: tuple[TitleTally, ...]
    warnings: tuple[str, ...] = ()  # fairness warnings
    participants: tuple[str, ...] = ()
    issuer_parent: str = ""
    # the members at the meeting (the quorum check's list): a public fact, unlike who voted
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    time: dt.time | None = None  # when the meeting started


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    recipient: str  # unit or person
    title_label: str
    reason: str


@dataclass(frozen=True, slots=True)
class DecisionList:
    """Danh sách kèm theo Quyết định số `number` ngày `date` của `decider`."""

    issuer: str
    number: str
    date: dt.date
    decider: str  # e.g. "Thủ tướng Chính phủ"
    decided_title: str  # e.g. "Cờ thi đua của Chính phủ"
    subject: str  # e.g. "Các tập thể được tặng Cờ thi đua của Chính phủ năm 2025"
    entries: tuple[DecisionEntry, ...]
    issuer_parent: str = ""


@dataclass(frozen=True, slots=True)
class CriterionInfo:
    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True, slots=True)
class CriterionGroupInfo:
    code: str
    name: str
    max_points: Decimal
    criteria: tuple[CriterionInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class RankingRow:
    """A unit's final result; `group_points` maps every group code to its points.

    `penalty` is the number of points deducted (printed positive, the sign is ignored).
    """

    unit: str
    group_points: Mapping[str, Decimal]
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int
    gap_flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankingTable:
    cluster: str
    year: int
    criteria_table: str  # name and version of the criteria table
    date: dt.date
    groups: tuple[CriterionGroupInfo, ...]
    rows: tuple[RankingRow, ...]


# --- Vietnamese formatting ------------------------------------------------------------------


def vn_date(day: dt.date) -> str:
    """The date as "ngày 20 tháng 12 năm 2025"; days below 10 and months 1–2 take a 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def dateline(place: str, day: dt.date) -> str:
    """The dateline: "Hà Nội, ngày 20 tháng 12 năm 2025"."""
    return f"{place}, {vn_date(day)}"


def vn_time(moment: dt.time) -> str:
    """The time as "08 giờ 30 phút"."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút"


def vn_percent(part: int | Decimal, whole: int | Decimal) -> str:
    """part/whole as a percentage with one decimal and a comma: 8, 9 -> "88,9%"."""
    if whole <= 0:
        raise InvalidInput(f"the base of a percentage must be more than 0, got {whole}")
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share:f}".replace(".", ",") + "%"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-") or "x"


def _list_item(text: str, last: bool) -> str:
    core = text.strip().rstrip(";.,")
    return f"- {core}{'.' if last else ';'}"


# --- packaging ------------------------------------------------------------------------------


def _stable_zip(raw: bytes, day: dt.date) -> bytes:
    """The same archive with every entry dated `day` (00:00) and no platform attributes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def _result(filename: str, content_type: str, raw: bytes, day: dt.date) -> GeneratedDocument:
    content = _stable_zip(raw, day)
    return GeneratedDocument(filename, content_type, content, hashlib.sha256(content).hexdigest())


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


# --- docx building blocks -------------------------------------------------------------------

Container = DocxDocument | _Cell
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def _new_document(title: str, subject: str, day: dt.date) -> DocxDocument:
    doc = _new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    # Document defaults: Times New Roman 14 pt, Vietnamese, single spacing, no gap after.
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            for name in list(fonts.attrib):
                del fonts.attrib[name]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)
        for size in (*defaults.iter(qn("w:sz")), *defaults.iter(qn("w:szCs"))):
            size.set(qn("w:val"), "28")
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
        for spacing in defaults.iter(qn("w:spacing")):
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)

    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.comments = ""
    props.revision = 1
    props.created = _midnight(day)
    props.modified = _midnight(day)
    return doc


def _para(
    where: Container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    after: float = 0,
) -> Paragraph:
    """A paragraph of one run; a table cell's first, still empty paragraph is reused."""
    paragraph: Paragraph
    if isinstance(where, _Cell) and len(where.paragraphs) == 1 and not where.paragraphs[0].runs:
        paragraph = where.paragraphs[0]
    else:
        paragraph = where.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1)
    fmt.space_after = Pt(after)
    return paragraph


# Elements that follow w:pBdr inside w:pPr (ECMA-376 order), to insert the border in place.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(where: Container, width: Length, box: Length) -> None:
    """A short centred horizontal line under the previous paragraph (a bottom border)."""
    paragraph = _para(where)
    fmt = paragraph.paragraph_format
    side = Length((box - width) // 2)
    fmt.left_indent, fmt.right_indent = side, side
    fmt.line_spacing = Pt(2)
    fmt.space_after = Pt(6)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _widths(table: Table, widths: Sequence[Length]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _layout_table(doc: DocxDocument, rows: int, widths: Sequence[Length]) -> Table:
    """A borderless table used for page layout (header, signatures)."""
    table: Table = doc.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    return table


def _header(doc: DocxDocument, parent: str, issuer: str, number: str, line: str) -> None:
    """The two-column heading: issuer and number left, national name and dateline right."""
    table = _layout_table(doc, 2, (HEADER_LEFT, HEADER_RIGHT))
    left, right = table.rows[0].cells
    if parent:
        _para(left, parent.upper(), size=13, align=CENTER)
    _para(left, issuer.upper(), bold=True, size=13, align=CENTER)
    _rule(left, Cm(2), HEADER_LEFT)
    _para(right, NATIONAL_NAME, bold=True, size=13, align=CENTER)
    _para(right, NATIONAL_MOTTO, bold=True, size=14, align=CENTER)
    _rule(right, Cm(6), HEADER_RIGHT)
    low_left, low_right = table.rows[1].cells
    _para(low_left, f"Số: {number}" if number else "", size=13, align=CENTER)
    _para(low_right, line, italic=True, size=14, align=CENTER)
    _para(doc, after=6)


def _title(doc: DocxDocument, name: str, subject: str) -> None:
    _para(doc, name, bold=True, size=14, align=CENTER)
    if subject:
        _para(doc, subject, bold=True, size=14, align=CENTER)
    _rule(doc, Cm(4), TEXT_WIDTH)


def _body(doc: DocxDocument, text: str) -> Paragraph:
    return _para(doc, text, align=JUSTIFY, indent=True, after=6)


def _heading(doc: DocxDocument, text: str) -> Paragraph:
    paragraph = _para(doc, text, bold=True, align=JUSTIFY, after=6)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _grid(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[Length],
    centred: Sequence[int] = (0,),
) -> Table:
    """A bordered table of 12 pt text; the header row repeats on every page."""
    table: Table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(head.cells, header, strict=True):
        _para(cell, text, bold=True, size=12, align=CENTER)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for values, row in zip(rows, table.rows[1:], strict=True):
        for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _para(cell, text, size=12, align=CENTER if index in centred else LEFT)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _widths(table, widths)
    _para(doc, after=6)
    return table


def _signature(cell: _Cell, authority: str, position: str, name: str) -> None:
    if authority:
        _para(cell, authority.upper(), bold=True, size=14, align=CENTER)
    _para(cell, position.upper(), bold=True, size=14, align=CENTER)
    for _ in range(4):
        _para(cell, size=14)
    _para(cell, name, bold=True, size=14, align=CENTER)


def _footer(
    doc: DocxDocument, recipients: Sequence[str], authority: str, position: str, name: str
) -> None:
    """The list of recipients ("Nơi nhận:") left, the signature block right."""
    left_width, right_width = Cm(7.5), Cm(9)
    left, right = _layout_table(doc, 1, (left_width, right_width)).rows[0].cells
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12)
    items = list(recipients)
    if not any(item.strip().startswith("Lưu") for item in items):
        items.append("Lưu: VT")
    for index, item in enumerate(items):
        _para(left, _list_item(item, index == len(items) - 1), size=11)
    _signature(right, authority, position, name)


def _save_docx(doc: DocxDocument, filename: str, day: dt.date) -> GeneratedDocument:
    buffer = io.BytesIO()
    doc.save(buffer)
    return _result(filename, DOCX_TYPE, buffer.getvalue(), day)


# --- tờ trình -------------------------------------------------------------------------------


def submission_letter(doc: SubmissionLetter) -> GeneratedDocument:
    """Tờ trình đề nghị khen thưởng (.docx)."""
    out = _new_document("Tờ trình", doc.subject, doc.date)
    _header(out, doc.issuer_parent, doc.issuer, doc.number, dateline(doc.place, doc.date))
    _title(out, "TỜ TRÌNH", doc.subject)
    _para(out, f"Kính gửi: {doc.recipient}.", align=CENTER, after=12)

    for basis in doc.legal_basis:
        text = basis.strip()
        _body(out, text if text.endswith((";", ".", ",")) else f"{text};")
    for paragraph in doc.body:
        _body(out, paragraph)
    vote = doc.vote_summary.strip()
    if doc.vote_yes is not None and doc.vote_total is not None:
        share = vn_percent(doc.vote_yes, doc.vote_total)
        result = f"Kết quả: {doc.vote_yes}/{doc.vote_total} phiếu đồng ý, đạt tỷ lệ {share}."
        vote = f"{vote} {result}" if vote else result
    if vote:
        _body(out, vote)

    if doc.nominees:
        _body(out, f"Danh sách đề nghị ({len(doc.nominees)}):")
        _grid(
            out,
            ("STT", "Tên tập thể, cá nhân", "Danh hiệu, hình thức đề nghị", "Tóm tắt thành tích"),
            [(str(i), name, title, note) for i, (name, title, note) in enumerate(doc.nominees, 1)],
            (Cm(1.2), Cm(5), Cm(4.3), Cm(6)),
        )
    closing = doc.closing or f"Kính trình {doc.recipient} xem xét, quyết định./."
    _body(out, closing)
    _para(out, after=6)
    _footer(out, doc.recipients, doc.signer_authority, doc.signer_position, doc.signer_name)
    return _save_docx(out, f"to-trinh_{_slug(doc.number)}.docx", doc.date)


# --- biên bản họp ---------------------------------------------------------------------------


def _numbered(doc: DocxDocument, items: Sequence[str]) -> None:
    for item in items:
        _para(doc, f"- {item.strip()}", align=JUSTIFY, indent=True, after=3)


def _two_signatures(doc: DocxDocument, left: tuple[str, str], right: tuple[str, str]) -> None:
    half = Length(TEXT_WIDTH // 2)
    cells = _layout_table(doc, 1, (half, half)).rows[0].cells
    for cell, (position, name) in zip(cells, (left, right), strict=True):
        _signature(cell, "", position, name)


def meeting_minutes(doc: MeetingMinutes) -> GeneratedDocument:
    """Biên bản họp bình xét thi đua (.docx)."""
    if not 0 <= doc.attendees_present <= doc.attendees_total:
        raise InvalidInput(
            f"attendees_present must be between 0 and attendees_total ({doc.attendees_total}),"
            f" got {doc.attendees_present}"
        )
    out = _new_document("Biên bản họp", doc.subject, doc.date)
    _header(out, doc.issuer_parent, doc.issuer, doc.number, dateline(doc.place, doc.date))
    _title(out, "BIÊN BẢN", doc.subject)

    _heading(out, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    _body(out, f"1. Thời gian: bắt đầu vào hồi {vn_time(doc.start_time)}, {vn_date(doc.date)}.")
    _body(out, f"2. Địa điểm: {doc.venue}.")
    _body(
        out,
        f"3. Thành phần: có mặt {doc.attendees_present}/{doc.attendees_total} thành viên"
        f" ({vn_percent(doc.attendees_present, doc.attendees_total)})"
        + (":" if doc.attendees else "."),
    )
    _numbered(out, doc.attendees)
    _body(out, f"- Chủ trì: {doc.chair_name}, {doc.chair_position}.")
    _body(out, f"- Thư ký: {doc.secretary_name}, {doc.secretary_position}.")

    _heading(out, "II. NỘI DUNG")
    _body(out, "1. Chương trình họp:")
    _numbered(out, doc.agenda)
    _body(out, "2. Ý kiến thảo luận:")
    _numbered(out, doc.discussion)

    _heading(out, "III. KẾT LUẬN")
    _numbered(out, doc.conclusions)
    if doc.end_time is not None:
        _body(
            out,
            f"Cuộc họp kết thúc vào hồi {vn_time(doc.end_time)} cùng ngày. Biên bản đã được"
            " đọc lại cho các thành viên dự họp cùng nghe và thống nhất thông qua./.",
        )
    _para(out, after=6)
    _two_signatures(out, ("THƯ KÝ", doc.secretary_name), ("CHỦ TRÌ", doc.chair_name))
    return _save_docx(out, f"bien-ban-hop_{doc.date.isoformat()}.docx", doc.date)


# --- biên bản kiểm phiếu --------------------------------------------------------------------


def _check_counts(doc: VoteCountMinutes) -> None:
    counts = {
        "voters_eligible": doc.voters_eligible,
        "ballots_issued": doc.ballots_issued,
        "ballots_received": doc.ballots_received,
        "ballots_valid": doc.ballots_valid,
        "ballots_invalid": doc.ballots_invalid,
        "abstentions": doc.abstentions,
    }
    for name, value in counts.items():
        if value < 0:
            raise InvalidInput(f"{name} must be at least 0, got {value}")
    if doc.ballots_valid + doc.ballots_invalid != doc.ballots_received:
        raise InvalidInput(
            f"ballots_valid ({doc.ballots_valid}) + ballots_invalid ({doc.ballots_invalid})"
            f" must equal ballots_received ({doc.ballots_received})"
        )
    if doc.ballots_received > doc.ballots_issued:
        raise InvalidInput(
            f"ballots_received ({doc.ballots_received}) exceeds"
            f" ballots_issued ({doc.ballots_issued})"
        )
    for tally in doc.tallies:
        if tally.base <= 0:
            raise InvalidInput(f"tally '{tally.title_label}': base must be more than 0")
        for candidate in tally.candidates:
            if not 0 <= candidate.yes <= tally.base:
                raise InvalidInput(
                    f"tally '{tally.title_label}', candidate '{candidate.name}': yes votes"
                    f" must be between 0 and the base {tally.base}, got {candidate.yes}"
                )


def vote_count_minutes(doc: VoteCountMinutes) -> GeneratedDocument:
    """Biên bản kiểm phiếu (.docx): counts and results only, never who voted how or who voted."""
    _check_counts(doc)
    out = _new_document("Biên bản kiểm phiếu", doc.session_name, doc.date)
    heading = dateline(doc.place, doc.date) if doc.place.strip() else \
        vn_date(doc.date).capitalize()
    _header(out, doc.issuer_parent, doc.issuer, doc.number, heading)
    _title(out, "BIÊN BẢN KIỂM PHIẾU", doc.session_name)

    when = f"{vn_time(doc.time)} " if doc.time is not None else ""
    where = f"{doc.venue}, {doc.place}" if doc.place.strip() else doc.venue
    if doc.present or doc.absent:
        total = len(doc.present) + len(doc.absent)
        _body(out, f"Thành phần: có mặt {len(doc.present)}/{total} đơn vị thành viên: "
                   f"{', '.join(doc.present)}"
                   + (f"; vắng mặt: {', '.join(doc.absent)}." if doc.absent else "."))
    _body(out, f"Vào hồi {when}{vn_date(doc.date)}, tại {where}, Ban Kiểm phiếu gồm:"
          if when else f"Hôm nay, {vn_date(doc.date)}, tại {where}, Ban Kiểm phiếu gồm:")
    for index, member in enumerate(doc.committee, 1):
        _para(out, f"{index}. {member.name} – {member.role};", indent=True, after=3)
    _body(
        out,
        "đã tiến hành kiểm phiếu bỏ phiếu kín. Biên bản chỉ ghi số liệu và kết quả,"
        " không ghi danh tính người bỏ phiếu.",
    )

    _heading(out, "I. KẾT QUẢ PHÁT PHIẾU, THU PHIẾU")
    counts = [
        ("Số người có quyền bỏ phiếu", doc.voters_eligible),
        ("Số phiếu phát ra", doc.ballots_issued),
        ("Số phiếu thu về", doc.ballots_received),
        ("Số phiếu hợp lệ", doc.ballots_valid),
        ("Số phiếu không hợp lệ", doc.ballots_invalid),
        ("Số phiếu không bày tỏ ý kiến", doc.abstentions),
    ]
    if doc.participants:
        counts.insert(1, ("Số người đã tham gia bỏ phiếu", len(set(doc.participants))))
    _grid(
        out,
        ("STT", "Nội dung", "Số lượng"),
        [(str(i), label, str(value)) for i, (label, value) in enumerate(counts, 1)],
        (Cm(1.2), Cm(11), Cm(4.3)),
        centred=(0, 2),
    )

    _heading(out, "II. KẾT QUẢ KIỂM PHIẾU")
    for index, tally in enumerate(doc.tallies, 1):
        runoff = f" – vòng {tally.round} (bỏ phiếu lại)" if tally.round > 1 else ""
        _heading(out, f"{index}. {tally.title_label}{runoff}")
        _body(
            out,
            f"Tỷ lệ tính trên {tally.base_label}: {tally.base}. Ngưỡng: {tally.threshold}."
            f" Quy định: {tally.rule.strip().rstrip('.')}.",
        )
        _grid(
            out,
            (
                "STT",
                "Tập thể, cá nhân",
                "Số phiếu đồng ý",
                f"Tỷ lệ (% {tally.base_label})",
                "Kết quả",
                "Lý do",
            ),
            [
                (
                    str(i),
                    c.name,
                    str(c.yes),
                    vn_percent(c.yes, tally.base),
                    PASSED if c.passed else FAILED,
                    c.reason,
                )
                for i, c in enumerate(tally.candidates, 1)
            ],
            (Cm(1.1), Cm(4.2), Cm(2.2), Cm(2.4), Cm(2.1), Cm(4.5)),
            centred=(0, 2, 3, 4),
        )
        if tally.note:
            _body(out, tally.note)

    if doc.warnings:
        _heading(out, "III. CẢNH BÁO VỀ TÍNH KHÁCH QUAN")
        _numbered(out, doc.warnings)

    _body(
        out,
        "Biên bản được lập ngay sau khi kết thúc kiểm phiếu; phiếu bầu được niêm phong"
        " và lưu trữ theo quy định./.",
    )
    _para(out, after=6)
    _heading(out, "BAN KIỂM PHIẾU").alignment = CENTER
    members = list(doc.committee)
    per_row = min(3, max(1, len(members)))
    width = Length(TEXT_WIDTH // per_row)
    rows = (len(members) + per_row - 1) // per_row
    if members:
        table = _layout_table(out, rows, [width] * per_row)
        for index, member in enumerate(members):
            cell = table.rows[index // per_row].cells[index % per_row]
            _signature(cell, "", member.role, member.name)
    return _save_docx(out, f"bien-ban-kiem-phieu_{doc.date.isoformat()}.docx", doc.date)


# --- danh sách kèm theo quyết định ----------------------------------------------------------


def decision_list(doc: DecisionList) -> GeneratedDocument:
    """Danh sách kèm theo Quyết định (.docx)."""
    out = _new_document("Danh sách kèm theo Quyết định", doc.subject, doc.date)
    _header(out, doc.issuer_parent, doc.issuer, "", "")
    _para(out, "DANH SÁCH", bold=True, size=14, align=CENTER)
    _para(out, doc.subject, bold=True, size=14, align=CENTER)
    _para(
        out,
        f"(Kèm theo Quyết định số {doc.number} {vn_date(doc.date)} của {doc.decider})",
        italic=True,
        size=14,
        align=CENTER,
    )
    _rule(out, Cm(4), TEXT_WIDTH)
    _grid(
        out,
        ("STT", "Tập thể, cá nhân", "Danh hiệu, hình thức khen thưởng", "Thành tích"),
        [(str(i), e.recipient, e.title_label, e.reason) for i, e in enumerate(doc.entries, 1)],
        (Cm(1.2), Cm(5.3), Cm(4), Cm(6)),
    )
    _body(out, f"Danh sách có {len(doc.entries)} tập thể, cá nhân được tặng {doc.decided_title}./.")
    return _save_docx(out, f"danh-sach-kem-qd_{_slug(doc.number)}.docx", doc.date)


# --- bảng xếp hạng (xlsx) -------------------------------------------------------------------

RANKING_SHEET = "Xếp hạng"
CRITERIA_SHEET = "Tiêu chí"
RANKING_HEADER_ROW = 6
POINTS_FORMAT = "0.00"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEAD_FONT = Font(name=FONT, size=12, bold=True)
_CELL_FONT = Font(name=FONT, size=12)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write a cell; text (unit names, criteria, anything a user typed) is always written as
    text, never as a formula: openpyxl would store "=HYPERLINK(…)" as one, which Excel runs."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # shown as typed, and kept as text when edited in Excel
    return cell


def ranking_workbook(doc: RankingTable) -> GeneratedDocument:
    """The cluster's score and ranking table (.xlsx), ordered by rank; a second sheet lists
    the criteria and their maximum points."""
    codes = [group.code for group in doc.groups]
    for row in doc.rows:
        missing = [code for code in codes if code not in row.group_points]
        extra = sorted(set(row.group_points) - set(codes))
        if missing or extra:
            raise InvalidInput(
                f"unit '{row.unit}': group points missing {missing or '-'}, unknown {extra or '-'}"
            )
        if row.rank < 1:
            raise InvalidInput(f"unit '{row.unit}': rank must be at least 1, got {row.rank}")

    book = Workbook()
    sheet = book.active
    sheet.title = RANKING_SHEET
    header = [
        "STT",
        "Đơn vị",
        *(f"{g.code}. {g.name} (tối đa {show(g.max_points)})" for g in doc.groups),
        "Điểm thưởng",
        "Điểm trừ",
        "Tổng điểm",
        "Xếp hạng",
        "Cờ chênh lệch",
    ]
    last = get_column_letter(len(header))
    _put(sheet, 1, 1, f"BẢNG TỔNG HỢP ĐIỂM VÀ XẾP HẠNG THI ĐUA NĂM {doc.year}")
    sheet["A1"].font = Font(name=FONT, size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    _put(sheet, 2, 1, f"Cụm/Khối thi đua: {doc.cluster}")
    _put(sheet, 3, 1, f"Năm: {doc.year}")
    _put(sheet, 4, 1, f"Bảng tiêu chí: {doc.criteria_table} (lập {vn_date(doc.date)})")
    for ref in ("A2", "A3", "A4"):
        sheet[ref].font = Font(name=FONT, size=12, bold=ref == "A2")

    for column, text in enumerate(header, 1):
        cell = _put(sheet, RANKING_HEADER_ROW, column, text)
        cell.font, cell.fill, cell.border, cell.alignment = _HEAD_FONT, _HEAD_FILL, _BOX, _CENTRE
    sheet.row_dimensions[RANKING_HEADER_ROW].height = 48

    ordered = sorted(enumerate(doc.rows), key=lambda pair: (pair[1].rank, pair[0]))
    for number, (_, row) in enumerate(ordered, 1):
        values: list[object] = [
            number,
            row.unit,
            *(round_points(row.group_points[code]) for code in codes),
            round_points(row.bonus),
            round_points(abs(row.penalty)),
            round_points(row.total),
            row.rank,
            "; ".join(row.gap_flags) or None,
        ]
        line = RANKING_HEADER_ROW + number
        for column, value in enumerate(values, 1):
            cell = _put(sheet, line, column, value)
            cell.font, cell.border = _CELL_FONT, _BOX
            if isinstance(value, Decimal):
                cell.number_format = POINTS_FORMAT
                cell.alignment = Alignment(horizontal="right", vertical="center")
            elif isinstance(value, int):
                cell.number_format = "0"
                cell.alignment = _CENTRE
            else:
                cell.alignment = _WRAP
        if row.gap_flags:
            sheet.cell(row=line, column=len(header)).font = Font(name=FONT, size=12, color="C00000")

    widths = [6, 42, *([16] * len(codes)), 12, 12, 12, 10, 36]
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=RANKING_HEADER_ROW + 1, column=3)
    sheet.print_title_rows = f"{RANKING_HEADER_ROW}:{RANKING_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4

    criteria = book.create_sheet(CRITERIA_SHEET)
    for column, text in enumerate(("Mã", "Nhóm / tiêu chí", "Điểm tối đa"), 1):
        cell = _put(criteria, 1, column, text)
        cell.font, cell.fill, cell.border, cell.alignment = _HEAD_FONT, _HEAD_FILL, _BOX, _CENTRE
    line = 1
    for group in doc.groups:
        entries = [(group.code, group.name, group.max_points, True)]
        entries += [(c.code, c.name, c.max_points, False) for c in group.criteria]
        for code, name, top, is_group in entries:
            line += 1
            for column, value in enumerate((code, name, round_points(top)), 1):
                cell = _put(criteria, line, column, value)
                cell.font = Font(name=FONT, size=12, bold=is_group)
                cell.border = _BOX
                cell.alignment = _WRAP
                if column == 3:
                    cell.number_format = POINTS_FORMAT
    for letter, size in zip("ABC", (12, 70, 14), strict=True):
        criteria.column_dimensions[letter].width = size
    criteria.freeze_panes = "A2"

    props = book.properties
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    props.title = f"Xếp hạng thi đua {doc.cluster} {doc.year}"
    props.created = _midnight(doc.date)
    props.modified = _midnight(doc.date)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # unlike Workbook.save, keeps `modified`
    filename = f"bang-xep-hang_{_slug(doc.cluster)}_{doc.year}.xlsx"
    return _result(filename, XLSX_TYPE, buffer.getvalue(), doc.date)


# --- quyết định khen thưởng -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """Quyết định khen thưởng: số `number`, ngày `date`, của `decider` (e.g. Thủ tướng Chính
    phủ), tặng `granted_title` cho `recipient` (or refusing it, with the reasons)."""

    issuer: str  # e.g. "THỦ TƯỚNG CHÍNH PHỦ"
    number: str
    place: str
    date: dt.date
    decider: str  # e.g. "Thủ tướng Chính phủ"
    recipient: str
    granted_title: str
    year: int
    reasons: tuple[str, ...]
    legal_basis: tuple[str, ...]
    signer_position: str
    signer_name: str
    recipients: tuple[str, ...] = ("Như Điều 3",)
    prize: Prize | None = None  # the prize money that goes with the award


def decision(doc: Decision) -> GeneratedDocument:
    """Quyết định về việc tặng một danh hiệu, hình thức khen thưởng (.docx)."""
    subject = f"Về việc tặng {doc.granted_title}"
    out = _new_document("Quyết định", subject, doc.date)
    _header(out, "", doc.issuer, doc.number, dateline(doc.place, doc.date))
    _title(out, "QUYẾT ĐỊNH", subject)
    _para(out, doc.decider.upper(), bold=True, size=14, align=CENTER, after=6)
    for basis in doc.legal_basis:
        text = basis.strip()
        _body(out, text if text.endswith((";", ".", ",")) else f"{text};")
    _para(out, "QUYẾT ĐỊNH:", bold=True, size=14, align=CENTER, after=6)
    _body(out, f"Điều 1. Tặng {doc.granted_title} năm {doc.year} cho {doc.recipient}, "
               "đã có thành tích:")
    for reason in doc.reasons:
        _body(out, f"- {reason.strip()}")
    if doc.prize is not None:
        _body(out, f"Kèm theo tiền thưởng {doc.prize.text} ({doc.prize.reckoning}).")
    _body(out, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    _body(out, f"Điều 3. {doc.recipient} và các cơ quan, đơn vị có liên quan chịu trách nhiệm "
               "thi hành Quyết định này./.")
    _footer(out, doc.recipients, "", doc.signer_position, doc.signer_name)
    return _save_docx(out, f"quyet-dinh_{_slug(doc.number)}.docx", doc.date)
