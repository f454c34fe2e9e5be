"""The import's files: reading an uploaded .xlsx or CSV into text cells, and writing the
template and the file of failing rows. Text is always written as text, never as a formula
(`generated._put` for .xlsx, `csv_cell` for CSV)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.documents.generated import AUTHOR, FONT, FORMULA_STARTS, _put
from workflow.domain.imports import (
    ERROR_COLUMN,
    IMPORTABLE_ROLES,
    INSTRUCTIONS_TITLE,
    MAX_BYTES,
    MAX_ROWS,
    SHEETS,
    UNIT_KINDS,
    Checked,
    Problem,
    RawSheet,
)
from workflow.domain.roles import ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MAX_COLUMNS = 30
_HEAD_FONT = Font(name=FONT, size=12, bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_ERROR_FONT = Font(name=FONT, size=12, color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="top")


def kind_of(filename: str) -> str | None:
    """xlsx or csv by the file's name; None for anything else."""
    name = filename.lower().strip()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    return None


def read(filename: str, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    """The file's sheets as text cells, or the problem that stops it being read."""
    if len(data) > MAX_BYTES:
        return [], [Problem(None, None, None, "file_too_large", {"limit": MAX_BYTES >> 20})]
    kind = kind_of(filename)
    if kind is None:
        return [], [Problem(None, None, None, "file_kind", {"name": filename})]
    try:
        sheets = _read_xlsx(data) if kind == "xlsx" else [_read_csv(filename, data)]
    except _TooManyRows:
        return [], [Problem(None, None, None, "too_many_rows", {"limit": MAX_ROWS})]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, csv.Error, UnicodeDecodeError,
            TypeError, IndexError, AttributeError):
        return [], [Problem(None, None, None, "file_unreadable", {"name": filename})]
    return sheets, []


class _TooManyRows(Exception):
    pass


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 12 not 12.0
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[RawSheet]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        out: list[RawSheet] = []
        total = 0
        for sheet in book.worksheets:
            header: tuple[str, ...] = ()
            rows: list[tuple[int, tuple[str, ...]]] = []
            formulas: list[tuple[int, int, str]] = []
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), 1):
                texts = []
                for index, cell in enumerate(cells):
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (
                            isinstance(value, str) and value.startswith("=")):
                        formulas.append((number, index, str(value)))  # read as no value
                    texts.append(_text(value))
                while texts and not texts[-1]:
                    texts.pop()
                if number == 1:
                    header = tuple(texts)
                elif texts:
                    total += 1
                    if total > MAX_ROWS:
                        raise _TooManyRows
                    rows.append((number, tuple(texts)))
            out.append(RawSheet(str(sheet.title), header, tuple(rows), tuple(formulas)))
        return out
    finally:
        book.close()


def _read_csv(filename: str, data: bytes) -> RawSheet:
    text = data.decode("utf-8-sig")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[str, ...]]] = []
    formulas: list[tuple[int, int, str]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        cells = cells[:MAX_COLUMNS]
        for index, value in enumerate(cells):
            if value.strip().startswith("="):
                formulas.append((number, index, value.strip()))  # read as no value
        texts = [c.strip() for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if number == 1:
            header = tuple(texts)
        elif texts:
            if len(rows) >= MAX_ROWS:
                raise _TooManyRows
            rows.append((number, tuple(texts)))
    title = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return RawSheet(title, header, tuple(rows), tuple(formulas))


def csv_cell(value: object) -> str:
    """A cell for a CSV file: text that a spreadsheet would run as a formula (= + - @, a tab
    or a carriage return first) gets a leading apostrophe, and is then shown as typed."""
    text = "" if value is None else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with its byte order mark (Excel then reads Vietnamese right), every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet(book: Workbook, title: str, header: Sequence[str],
           rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
    sheet = book.create_sheet(title)
    for column, text in enumerate(header, 1):
        cell = _put(sheet, 1, column, text)
        cell.font, cell.fill, cell.alignment = _HEAD_FONT, _HEAD_FILL, _WRAP
    for line, row in enumerate(rows, 2):
        for column, value in enumerate(row, 1):
            cell = _put(sheet, line, column, value)
            cell.alignment = _WRAP
            if column == len(header) and header[-1] == ERROR_COLUMN.header:
                cell.font = _ERROR_FONT
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _save(book: Workbook, title: str) -> bytes:
    book.properties.creator = AUTHOR
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


EXAMPLES: dict[str, list[list[str]]] = {
    "units": [["SNV", "Sở Nội vụ", "", "so_nganh"],
              ["STC", "Sở Tài chính", "", "so_nganh"],
              ["SYT", "Sở Y tế", "", "so_nganh"]],
    "clusters": [["CUM_01", "Cụm thi đua số 1", "cum", "SNV; STC; SYT", "SNV", "STC",
                  "Hội đồng TĐKT tỉnh"]],
    "people": [["an.nv", "Nguyễn Văn An", "an.nv@example.gov.vn", "SNV", "unit_officer"],
               ["binh.tt", "Trần Thị Bình", "", "SNV", "unit_head"]],
}


def template() -> bytes:
    """The template: one sheet per kind of row with its header (Vietnamese, the field code in
    brackets) and example rows, and the instructions sheet."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for spec in SHEETS:
        _sheet(book, spec.title, [c.header for c in spec.columns], EXAMPLES[spec.key],
               [max(16, len(c.header) + 4) for c in spec.columns])
    kinds = ", ".join(f"{code} ({name})" for code, name in UNIT_KINDS.items())
    roles = ", ".join(f"{r} ({ROLES[r].vi})" for r in IMPORTABLE_ROLES)
    lines: list[list[str]] = [
        ["Cách dùng", "Điền mỗi trang một loại: Đơn vị, Cụm, khối (của năm chọn khi tải lên), "
         "Người dùng. Giữ nguyên dòng tiêu đề; xoá các dòng ví dụ. Có thể để trống trang không "
         "dùng. Tệp CSV (UTF-8) chứa một trang, với cùng dòng tiêu đề."],
        ["Kiểm tra trước", "Tải tệp lên để kiểm tra: mọi lỗi được liệt kê theo trang, dòng và "
         "cột, kèm tệp các dòng lỗi để sửa. Chỉ khi không còn lỗi mới ghi được, và ghi tất cả "
         "hoặc không ghi gì."],
        ["Nhập lại", "Nhập lại cùng tệp thì cập nhật, không tạo bản trùng: đơn vị và cụm, khối "
         "theo mã, người dùng theo tên đăng nhập."],
        ["Mật khẩu", "Tệp không chứa mật khẩu. Người mới chưa đăng nhập được cho đến khi quản "
         "trị cấp mật khẩu tạm thời (Đặt lại mật khẩu trên trang Người dùng); họ đổi mật khẩu "
         "ở lần đăng nhập đầu."],
        ["Giới hạn", f"Tối đa {MAX_ROWS} dòng và {MAX_BYTES >> 20} MB mỗi tệp; không dùng công "
         "thức."],
    ]
    for spec in SHEETS:
        for column in spec.columns:
            need = "bắt buộc" if column.required else "không bắt buộc"
            lines.append([f"{spec.title} – {column.header}",
                          f"{need}. {column.hint.format(kinds=kinds, roles=roles)}"])
    _sheet(book, INSTRUCTIONS_TITLE, ["Mục", "Hướng dẫn"], lines, [40, 110])
    return _save(book, "Mẫu nhập dữ liệu thi đua")


def template_stream() -> io.BytesIO:
    return io.BytesIO(template())


def error_file(checked: Checked, describe: Callable[[Problem], str], as_csv: bool) -> bytes:
    """The failing rows as they were read, each with its problems in a last column; one sheet
    per sheet of the file (CSV: the first failing sheet)."""
    tables = [t for t in checked.tables if checked.failing_rows(t.spec.key)]
    book = Workbook()
    book.remove(book.worksheets[0])
    for table in tables:
        failing = checked.failing_rows(table.spec.key)
        texts: dict[int, list[str]] = {}
        for problem in checked.problems:
            if problem.sheet == table.spec.key and problem.row is not None:
                where = f"cột {problem.letter}: " if problem.letter else ""
                texts.setdefault(problem.row, []).append(where + describe(problem))
        header = [*table.header, ERROR_COLUMN.header]
        rows = []
        for number in sorted(failing):
            cells = list(table.originals.get(number, ()))
            cells += [""] * (len(table.header) - len(cells))
            rows.append([*cells, f"Dòng {number}: " + "; ".join(texts.get(number, []))])
        if as_csv:
            return to_csv(header, rows)
        _sheet(book, table.title[:31], header, rows, [*(20 for _ in table.header), 70])
    if as_csv:
        return to_csv([ERROR_COLUMN.header], [])
    if not tables:
        _sheet(book, "Lỗi", [ERROR_COLUMN.header], [], [70])
    return _save(book, "Các dòng lỗi")


def department_template(title: str, header: Sequence[str],
                        rows: Sequence[Sequence[object]]) -> bytes:
    """The workbook a professional department fills in: one row per member unit, one column
    per criterion (figures as text cells, decimal comma), and how to fill it in."""
    book = Workbook()
    book.remove(book.worksheets[0])
    _sheet(book, title, header, rows, [14, 40] + [max(18, min(60, len(h))) for h in header[2:]])
    _sheet(book, INSTRUCTIONS_TITLE, ["Mục", "Hướng dẫn"], [
        ["Cách dùng", "Mỗi dòng một đơn vị thành viên (giữ nguyên cột Mã đơn vị); mỗi cột một "
         "tiêu chí, nhận biết theo mã trong ngoặc vuông ở dòng tiêu đề. Ghi số liệu thực tế, "
         "là số không âm, tối đa 2 chữ số thập phân (dấu phẩy thập phân)."],
        ["Ô trống", "Ô để trống giữ nguyên số liệu đã có (nếu có)."],
        ["Kiểm tra", "Tệp có lỗi thì không ghi gì: mọi lỗi được liệt kê theo dòng và cột."],
    ], [30, 110])
    return _save(book, "Số liệu của cơ quan chuyên môn")
