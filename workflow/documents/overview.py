"""The council office's overview of a year as an Excel workbook: one sheet per table of the
page, the rows already written for people (names, labels, dates dd/mm/yyyy). Text is always
written as text, never as a formula (see `generated._put`)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from workflow.documents.generated import AUTHOR, FONT, _put

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEAD_FONT = Font(name=FONT, size=12, bold=True)
_CELL_FONT = Font(name=FONT, size=12)
_WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_NAME_MAX = 31  # Excel's limit


@dataclass(frozen=True, slots=True)
class SheetTable:
    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    widths: tuple[int, ...] = ()


def overview_workbook(title: str, sheets: Sequence[SheetTable]) -> bytes:
    """The workbook's bytes: each table on its own sheet with a bold header row."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook has
    for table in sheets:
        sheet = book.create_sheet(table.name[:SHEET_NAME_MAX])
        for column, text in enumerate(table.header, 1):
            cell = _put(sheet, 1, column, text)
            cell.font, cell.fill, cell.border, cell.alignment = (
                _HEAD_FONT, _HEAD_FILL, _BOX, _WRAP)
        for line, row in enumerate(table.rows, 2):
            for column, value in enumerate(row, 1):
                cell = _put(sheet, line, column, value)
                cell.font, cell.border, cell.alignment = _CELL_FONT, _BOX, _WRAP
        for column, width in enumerate(table.widths, 1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"
    book.properties.creator = AUTHOR
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
