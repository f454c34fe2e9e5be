"""Importing a province's directory from a spreadsheet (nhập từ Excel/CSV): units, the year's
clusters and people, checked row by row before anything is written.

Plain Python: the sheets arrive as text cells (read by workflow/documents/spreadsheets.py), the
directory as it stands as plain records (read by the adapters); `check` says every problem at
its sheet, row and column and, when there is none, the plan of what to create and update.
A problem is a code and its values; `PROBLEM_TEXT` holds its sentence (English msgid, the pages
translate it)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflow.domain.roles import ROLES

MAX_ROWS = 5000  # data rows of one file, every sheet together
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # the code in the header, e.g. "code" in "Mã đơn vị (code)"
    label: str  # Vietnamese header
    required: bool
    hint: str  # for the instructions sheet (Vietnamese)

    @property
    def header(self) -> str:
        return f"{self.label} ({self.field})"


@dataclass(frozen=True, slots=True)
class SheetSpec:
    key: str
    title: str  # the sheet's Vietnamese name
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


UNITS = SheetSpec("units", "Đơn vị", (
    Column("code", "Mã đơn vị", True, "Mã duy nhất, không dấu cách, ví dụ SNV hoặc UBND_XA_1. "
           "Nhập lại cùng mã thì cập nhật đơn vị đó, không tạo bản trùng."),
    Column("name", "Tên đơn vị", True, "Tên đầy đủ, ví dụ Sở Nội vụ."),
    Column("parent", "Mã đơn vị cấp trên", False, "Mã của đơn vị cấp trên (trong tệp hoặc đã "
           "có); để trống nếu không có."),
    Column("kind", "Loại đơn vị", False, "Một trong: {kinds}."),
))
CLUSTERS = SheetSpec("clusters", "Cụm, khối", (
    Column("code", "Mã cụm/khối", True, "Mã duy nhất trong năm, ví dụ CUM_01. Nhập lại cùng mã "
           "thì cập nhật cụm, khối của năm đó."),
    Column("name", "Tên cụm/khối", True, "Ví dụ Cụm thi đua số 1."),
    Column("kind", "Loại (cụm/khối)", True, "cum (cụm thi đua) hoặc khoi (khối thi đua)."),
    Column("members", "Đơn vị thành viên", True, "Mã các đơn vị, cách nhau bằng dấu chấm phẩy, "
           "theo thứ tự luân phiên: thứ tự này được giữ nguyên."),
    Column("leader", "Đơn vị trưởng cụm/khối", False, "Mã một đơn vị thành viên."),
    Column("deputy", "Đơn vị phó cụm/khối", False, "Mã một đơn vị thành viên khác."),
    Column("council", "Hội đồng TĐKT tổ chức", False, "Ví dụ Hội đồng TĐKT tỉnh."),
))
PEOPLE = SheetSpec("people", "Người dùng", (
    Column("username", "Tên đăng nhập", True, "Chữ không dấu, số, dấu chấm, gạch ngang hoặc "
           "gạch dưới. Nhập lại cùng tên thì cập nhật người đó."),
    Column("full_name", "Họ và tên", True, "Ví dụ Nguyễn Văn An."),
    Column("email", "Thư điện tử", False, "Ví dụ an.nv@example.gov.vn."),
    Column("unit", "Mã đơn vị", False, "Đơn vị công tác (trong tệp hoặc đã có); cần khi có vai "
           "trò của đơn vị."),
    Column("roles", "Vai trò", False, "Các mã vai trò, cách nhau bằng dấu chấm phẩy: {roles}. "
           "Vai trò được giữ cho đến khi bị thu hồi; nhập lại không bỏ vai trò đã có."),
))
SHEETS = (UNITS, CLUSTERS, PEOPLE)
BY_KEY = {s.key: s for s in SHEETS}
ERROR_COLUMN = Column("errors", "Lỗi cần sửa", False, "")

# Unit kinds (loại đơn vị): the codes a file may give, or their Vietnamese names.
UNIT_KINDS = {
    "bo_nganh": "bộ, ngành, cơ quan trung ương",
    "tinh": "tỉnh, thành phố",
    "so_nganh": "sở, ban, ngành",
    "xa": "xã, phường, đặc khu",
    "doanh_nghiep": "doanh nghiệp",
    "su_nghiep": "đơn vị sự nghiệp",
    "doan_the": "tổ chức chính trị – xã hội",
    "khac": "khác",
}
CLUSTER_KINDS = {"cum": ("cum", "cụm", "cụm thi đua"), "khoi": ("khoi", "khối", "khối thi đua")}
# Roles a file may give: a person's own unit's roles and the council's (leadership follows
# the clusters' leader and deputy; admin and inspectors are granted in the pages).
IMPORTABLE_ROLES = ("unit_officer", "unit_head", "council_secretariat", "council_member",
                    "council_chair", "decision_authority")

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}\Z")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}\Z")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
SPLIT = re.compile(r"[;,\n]+")
LIMITS = {"name": 300, "full_name": 200, "email": 200, "council": 300}

# Each problem's sentence: says what is wrong and what to do.
PROBLEM_TEXT = {
    "file_kind": "The file %(name)s is neither an Excel workbook (.xlsx) nor a CSV file: "
                 "download the template, fill it in and upload it again.",
    "file_unreadable": "The file %(name)s cannot be read as a spreadsheet: save it again "
                       "as .xlsx or as CSV (UTF-8) and upload it again.",
    "file_too_large": "The file is larger than %(limit)s MB: split it into several files.",
    "too_many_rows": "The file has more than %(limit)s rows: split it into several files.",
    "no_sheet": "The file has none of the sheets Đơn vị, Cụm, khối or Người dùng: use the "
                "template's sheets and headers.",
    "unknown_sheet": "The sheet %(title)s is not one the import knows; it was skipped. Name "
                     "it Đơn vị, Cụm, khối or Người dùng if it should be imported.",
    "missing_column": "The column %(header)s is missing from the header row: copy it from "
                      "the template.",
    "unknown_column": "The column %(header)s is not one of the template's; it was skipped.",
    "duplicate_column": "The column %(header)s appears twice in the header row: keep one.",
    "formula": "The cell holds a formula (%(value)s): type the value itself.",
    "required": "Fill in %(header)s.",
    "too_long": "%(header)s is longer than %(limit)s characters: shorten it.",
    "bad_code": "The code %(value)s may hold only letters without accents, digits, . - and _ "
                "(at most 64): correct it.",
    "bad_username": "The username %(value)s may hold only letters without accents, digits, "
                    ". - and _: correct it.",
    "bad_email": "%(value)s is not an e-mail address: correct it or leave the cell empty.",
    "duplicate": "%(value)s already appears in row %(first)s of this sheet: keep one row.",
    "unknown_unit": "No unit has the code %(value)s, in this file or already: add it to the "
                    "sheet Đơn vị or correct the code.",
    "own_parent": "A unit cannot be its own parent: correct the parent's code.",
    "parent_cycle": "The parents go round in a circle (%(path)s): correct one of them.",
    "unit_kind": "%(value)s is not a kind of unit: write one of %(choices)s.",
    "cluster_kind": "%(value)s is not cum or khoi: write cum for a cụm, khoi for a khối.",
    "few_members": "A cluster needs at least two member units: list them separated by ;.",
    "member_twice": "The unit %(value)s is listed twice among the members: keep it once.",
    "not_member": "The unit %(value)s is not among the cluster's members: add it to the "
                  "members or choose a member.",
    "leader_is_deputy": "The leader and the deputy must be two different units.",
    "members_locked": "The cluster already has a campaign in %(year)s, so its members cannot "
                      "change by import: keep the members as they are (%(members)s).",
    "unknown_role": "%(value)s is not a role: write one of %(choices)s.",
    "role_not_imported": "The role %(value)s is not granted by import: grant it on the "
                         "people page.",
    "role_needs_unit": "The role %(value)s is held for a unit: fill in the unit's code.",
}


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str | None  # a SheetSpec key, or the sheet's own title when unknown
    row: int | None  # the row number in the file (the header is row 1)
    column: str | None  # a field code
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    letter: str | None = None  # the column's letter in the file (A, B, …)


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet as text: its title, header cells and each data row with its row number."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    formulas: tuple[tuple[int, int, str], ...] = ()  # row, column index (0-based), the formula


@dataclass(frozen=True, slots=True)
class Table:
    """A known sheet's rows by field code, with where each field's column is."""

    spec: SheetSpec
    title: str
    positions: Mapping[str, int]  # field -> column index
    rows: tuple[tuple[int, Mapping[str, str]], ...]
    originals: Mapping[int, tuple[str, ...]]  # row number -> the cells as read
    header: tuple[str, ...]
    formula_cells: frozenset[tuple[int, str]] = frozenset()  # (row, field): read as empty


# --- the directory as it stands ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownUnit:
    id: int
    code: str
    name: str
    parent_code: str | None
    kind: str | None


@dataclass(frozen=True, slots=True)
class KnownCluster:
    id: int
    code: str
    name: str
    kind: str
    council: str | None
    leader: str | None  # unit codes
    deputy: str | None
    members: tuple[str, ...]
    has_campaign: bool


@dataclass(frozen=True, slots=True)
class KnownPerson:
    id: int
    username: str
    full_name: str
    email: str | None
    grants: frozenset[tuple[str, str | None]]  # (role, unit code) held every year


@dataclass(frozen=True, slots=True)
class Directory:
    units: Mapping[str, KnownUnit]
    clusters: Mapping[str, KnownCluster]  # of the year imported
    people: Mapping[str, KnownPerson]
    year: int = 0  # the clusters' year


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRow:
    row: int
    code: str
    name: str
    parent: str | None
    kind: str | None


@dataclass(frozen=True, slots=True)
class ClusterRow:
    row: int
    code: str
    name: str
    kind: str
    members: tuple[str, ...]  # in rotation order, as written
    leader: str | None
    deputy: str | None
    council: str | None


@dataclass(frozen=True, slots=True)
class PersonRow:
    row: int
    username: str
    full_name: str
    email: str | None
    unit: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    units: tuple[UnitRow, ...]  # parents before their children
    clusters: tuple[ClusterRow, ...]
    people: tuple[PersonRow, ...]
    counts: Mapping[str, Counts]  # sheet key -> what the commit does


@dataclass(frozen=True, slots=True)
class Checked:
    plan: Plan
    problems: tuple[Problem, ...]
    tables: tuple[Table, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that stop the import."""
        return tuple(p for p in self.problems if p.code not in WARNINGS)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What was skipped (a sheet or a column the import does not know)."""
        return tuple(p for p in self.problems if p.code in WARNINGS)

    def failing_rows(self, key: str) -> set[int]:
        return {p.row for p in self.problems if p.sheet == key and p.row is not None}


# what only warns (a sheet or a column skipped); every other problem stops the import
WARNINGS = frozenset({"unknown_sheet", "unknown_column"})


def column_letter(index: int) -> str:
    """A (0) … Z, AA, …: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fold(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def _sheet_spec(title: str, header: Sequence[str]) -> SheetSpec | None:
    """The sheet a title names (Vietnamese name or key), or for a nameless one (CSV) the one
    its header fits."""
    name = _fold(title)
    for spec in SHEETS:
        if name in (_fold(spec.title), spec.key):
            return spec
    fields = {_header_field(spec, h) for spec in SHEETS for h in header}
    if "username" in fields:
        return PEOPLE
    if "members" in fields:
        return CLUSTERS
    if "code" in fields and "name" in fields:
        return UNITS
    return None


def _header_field(spec: SheetSpec, text: str) -> str | None:
    folded = _fold(text)
    if not folded:
        return None
    found = re.search(r"\(([a-z_]+)\)\s*$", folded)
    for column in spec.columns:
        if (found and found.group(1) == column.field) or folded in (
                column.field, _fold(column.label), _fold(column.header)):
            return column.field
    return None


def tables(sheets: Sequence[RawSheet]) -> tuple[list[Table], list[Problem]]:
    """Each known sheet's rows by field, and the problems of the headers and formulas."""
    found: list[Table] = []
    problems: list[Problem] = []
    for sheet in sheets:
        if _fold(sheet.title) == _fold(INSTRUCTIONS_TITLE):
            continue
        spec = _sheet_spec(sheet.title, sheet.header)
        if spec is None:
            if sheet.rows:
                problems.append(Problem(sheet.title, None, None, "unknown_sheet",
                                        {"title": sheet.title}))
            continue
        positions: dict[str, int] = {}
        for index, text in enumerate(sheet.header):
            name = _header_field(spec, text)
            if name is None:
                if text.strip() and _fold(text) != _fold(ERROR_COLUMN.header):
                    problems.append(Problem(spec.key, None, None, "unknown_column",
                                            {"header": text}, column_letter(index)))
            elif name in positions:
                problems.append(Problem(spec.key, None, name, "duplicate_column",
                                        {"header": spec.column(name).header},
                                        column_letter(index)))
            else:
                positions[name] = index
        for column in spec.columns:
            if column.required and column.field not in positions:
                problems.append(Problem(spec.key, None, column.field, "missing_column",
                                        {"header": column.header}))
        formulas = {(number, index) for number, index, _formula in sheet.formulas}
        rows = tuple((number, {name: "" if (number, i) in formulas else
                               (cells[i] if i < len(cells) else "").strip()
                               for name, i in positions.items()})
                     for number, cells in sheet.rows)
        for number, index, formula in sheet.formulas:
            name = next((n for n, i in positions.items() if i == index), None)
            problems.append(Problem(spec.key, number, name, "formula", {"value": formula[:40]},
                                    column_letter(index)))
        named = frozenset((number, name) for name, i in positions.items()
                          for number, index in formulas if index == i)
        found.append(Table(spec, sheet.title, positions, rows, dict(sheet.rows), sheet.header,
                           named))
    if not found:
        problems.append(Problem(None, None, None, "no_sheet"))
    return found, problems


INSTRUCTIONS_TITLE = "Hướng dẫn"


def split_list(text: str) -> list[str]:
    return [part.strip() for part in SPLIT.split(text) if part.strip()]


class _Sheet:
    """The checks of one table's rows, collecting problems at their row and column."""

    def __init__(self, table: Table, problems: list[Problem]) -> None:
        self.table = table
        self.problems = problems
        self.seen: dict[str, int] = {}

    def problem(self, row: int, column: str | None, code: str, **params: Any) -> None:
        index = self.table.positions.get(column or "")
        self.problems.append(Problem(self.table.spec.key, row, column, code, params,
                                     None if index is None else column_letter(index)))

    def text(self, row: int, values: Mapping[str, str], name: str) -> str | None:
        """The cell, or None (with a problem) when a required one is empty or one is too
        long."""
        value = values.get(name, "")
        column = self.table.spec.column(name)
        if (row, name) in self.table.formula_cells:
            return None  # said once: the cell holds a formula
        if not value:
            if column.required:
                self.problem(row, name, "required", header=column.header)
            return None
        limit = LIMITS.get(name)
        if limit is not None and len(value) > limit:
            self.problem(row, name, "too_long", header=column.header, limit=limit)
            return None
        return value

    def key(self, row: int, name: str, value: str | None, pattern: re.Pattern[str],
            code: str) -> str | None:
        if value is None:
            return None
        if not pattern.match(value):
            self.problem(row, name, code, value=value)
            return None
        if value in self.seen:
            self.problem(row, name, "duplicate", value=value, first=self.seen[value])
            return None
        self.seen[value] = row
        return value


def check(sheets: Sequence[RawSheet], known: Directory,
          file_problems: Iterable[Problem] = ()) -> Checked:
    """Every problem of the file against the directory, and the plan when there is none."""
    found, problems = tables(sheets)
    problems = [*file_problems, *problems]
    by_key = {t.spec.key: t for t in found}
    units = _units(by_key.get("units"), known, problems)
    unit_codes = set(known.units) | {u.code for u in units}
    clusters = _clusters(by_key.get("clusters"), known, unit_codes, problems)
    people = _people(by_key.get("people"), known, unit_codes, problems)
    plan = Plan(tuple(_parents_first(units)), tuple(clusters), tuple(people),
                _counts(units, clusters, people, known))
    problems.sort(key=lambda p: (SHEET_ORDER.get(p.sheet or "", 9), p.row or 0,
                                 p.letter or ""))
    return Checked(plan, tuple(problems), tuple(found))


SHEET_ORDER = {"": 0, "units": 1, "clusters": 2, "people": 3}


def _units(table: Table | None, known: Directory, problems: list[Problem]) -> list[UnitRow]:
    if table is None:
        return []
    sheet = _Sheet(table, problems)
    kinds = {_fold(k): k for k in UNIT_KINDS} | {_fold(v): k for k, v in UNIT_KINDS.items()}
    out: list[UnitRow] = []
    parents: list[tuple[int, str]] = []
    for row, values in table.rows:
        if not any(values.values()):
            continue
        code = sheet.key(row, "code", sheet.text(row, values, "code"), CODE, "bad_code")
        name = sheet.text(row, values, "name")
        parent = sheet.text(row, values, "parent")
        kind_text = sheet.text(row, values, "kind")
        kind = None
        if kind_text is not None:
            kind = kinds.get(_fold(kind_text))
            if kind is None:
                sheet.problem(row, "kind", "unit_kind", value=kind_text,
                              choices=", ".join(UNIT_KINDS))
        if code is not None and parent == code:
            sheet.problem(row, "parent", "own_parent")
            parent = None
        if parent is not None:
            parents.append((row, parent))
        if code and name:
            out.append(UnitRow(row, code, name, parent, kind))
    for row, parent in parents:
        if parent not in sheet.seen and parent not in known.units:
            sheet.problem(row, "parent", "unknown_unit", value=parent)
    _cycles(sheet, out, known)
    return out


def _cycles(sheet: _Sheet, rows: list[UnitRow], known: Directory) -> None:
    """A unit's parents, followed up, never come back to it (the file overrides the
    directory)."""
    parent = {code: u.parent_code for code, u in known.units.items()}
    parent.update({u.code: u.parent for u in rows})
    for unit in rows:
        path, at = [unit.code], unit.parent
        while at is not None and at not in path and len(path) <= len(parent):
            path.append(at)
            at = parent.get(at)
        if at == unit.code:
            sheet.problem(unit.row, "parent", "parent_cycle",
                          path=" → ".join([*path, unit.code]))


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    by_code = {u.code: u for u in rows}
    done: set[str] = set()
    out: list[UnitRow] = []

    def visit(unit: UnitRow, depth: int = 0) -> None:
        if unit.code in done or depth > len(rows):
            return
        above = by_code.get(unit.parent or "")
        if above is not None:
            visit(above, depth + 1)
        done.add(unit.code)
        out.append(unit)

    for unit in rows:
        visit(unit)
    return out


def _clusters(table: Table | None, known: Directory, unit_codes: set[str],
              problems: list[Problem]) -> list[ClusterRow]:
    if table is None:
        return []
    sheet = _Sheet(table, problems)
    kinds = {_fold(text): kind for kind, texts in CLUSTER_KINDS.items() for text in texts}
    out: list[ClusterRow] = []
    for row, values in table.rows:
        if not any(values.values()):
            continue
        code = sheet.key(row, "code", sheet.text(row, values, "code"), CODE, "bad_code")
        name = sheet.text(row, values, "name")
        kind_text = sheet.text(row, values, "kind")
        kind = kinds.get(_fold(kind_text)) if kind_text else None
        if kind_text and kind is None:
            sheet.problem(row, "kind", "cluster_kind", value=kind_text)
        members = _members(sheet, row, values.get("members", ""), unit_codes)
        leader = _leading(sheet, row, values, "leader", members, unit_codes)
        deputy = _leading(sheet, row, values, "deputy", members, unit_codes)
        if leader is not None and leader == deputy:
            sheet.problem(row, "deputy", "leader_is_deputy")
        council = sheet.text(row, values, "council")
        existing = known.clusters.get(code or "")
        if existing is not None and existing.has_campaign and members is not None \
                and tuple(members) != existing.members:
            sheet.problem(row, "members", "members_locked", year=known.year,
                          members="; ".join(existing.members))
        if code and name and kind and members is not None:
            out.append(ClusterRow(row, code, name, kind, tuple(members), leader, deputy,
                                  council))
    return out


def _members(sheet: _Sheet, row: int, text: str, unit_codes: set[str]) -> list[str] | None:
    codes = split_list(text)
    if not codes:
        sheet.problem(row, "members", "required", header=sheet.table.spec.column(
            "members").header)
        return None
    ok = True
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            sheet.problem(row, "members", "member_twice", value=code)
            ok = False
        elif code not in unit_codes:
            sheet.problem(row, "members", "unknown_unit", value=code)
            ok = False
        seen.add(code)
    if len(seen) < 2:
        sheet.problem(row, "members", "few_members")
        ok = False
    return codes if ok else None


def _leading(sheet: _Sheet, row: int, values: Mapping[str, str], name: str,
             members: list[str] | None, unit_codes: set[str]) -> str | None:
    code = values.get(name, "")
    if not code:
        return None
    if code not in unit_codes:
        sheet.problem(row, name, "unknown_unit", value=code)
    elif members is not None and code not in members:
        sheet.problem(row, name, "not_member", value=code)
    return code


def _people(table: Table | None, known: Directory, unit_codes: set[str],
            problems: list[Problem]) -> list[PersonRow]:
    if table is None:
        return []
    sheet = _Sheet(table, problems)
    role_names = {r: r for r in ROLES} | {_fold(i.vi): r for r, i in ROLES.items()}
    out: list[PersonRow] = []
    for row, values in table.rows:
        if not any(values.values()):
            continue
        username = sheet.key(row, "username", sheet.text(row, values, "username"), USERNAME,
                             "bad_username")
        full_name = sheet.text(row, values, "full_name")
        email = sheet.text(row, values, "email")
        if email is not None and not EMAIL.match(email):
            sheet.problem(row, "email", "bad_email", value=email)
        unit = sheet.text(row, values, "unit")
        if unit is not None and unit not in unit_codes:
            sheet.problem(row, "unit", "unknown_unit", value=unit)
        roles = _roles(sheet, row, values.get("roles", ""), role_names, unit)
        if username and full_name:
            out.append(PersonRow(row, username, full_name, email, unit, roles))
    return out


def _roles(sheet: _Sheet, row: int, text: str, names: Mapping[str, str],
           unit: str | None) -> tuple[str, ...]:
    roles: list[str] = []
    for given in split_list(text):
        inner = re.search(r"\(([a-z_]+)\)\s*$", given)
        role = names.get(inner.group(1) if inner else given) or names.get(_fold(given))
        if role is None:
            sheet.problem(row, "roles", "unknown_role", value=given,
                          choices=", ".join(IMPORTABLE_ROLES))
        elif role not in IMPORTABLE_ROLES:
            sheet.problem(row, "roles", "role_not_imported", value=given)
        elif ROLES[role].scope == "unit" and unit is None:
            sheet.problem(row, "roles", "role_needs_unit", value=given)
        elif role not in roles:
            roles.append(role)
    return tuple(roles)


def person_grants(person: PersonRow) -> set[tuple[str, str | None]]:
    """(role, unit code) of each role the row gives, held every year."""
    return {(r, person.unit if ROLES[r].scope == "unit" else None) for r in person.roles}


def _counts(units: list[UnitRow], clusters: list[ClusterRow], people: list[PersonRow],
            known: Directory) -> dict[str, Counts]:
    def tally(changes: Iterable[bool | None]) -> Counts:
        seen = list(changes)
        return Counts(seen.count(None), seen.count(True), seen.count(False))

    return {
        "units": tally(_unit_change(u, known) for u in units),
        "clusters": tally(_cluster_change(c, known) for c in clusters),
        "people": tally(_person_change(p, known) for p in people),
    }


def _unit_change(unit: UnitRow, known: Directory) -> bool | None:
    """None for a new unit, whether an existing one changes otherwise."""
    old = known.units.get(unit.code)
    if old is None:
        return None
    return (old.name, old.parent_code, old.kind) != (unit.name, unit.parent,
                                                     unit.kind or old.kind)


def _cluster_change(cluster: ClusterRow, known: Directory) -> bool | None:
    old = known.clusters.get(cluster.code)
    if old is None:
        return None
    return (old.name, old.kind, old.members, old.leader, old.deputy, old.council) != (
        cluster.name, cluster.kind, cluster.members, cluster.leader, cluster.deputy,
        cluster.council)


def _person_change(person: PersonRow, known: Directory) -> bool | None:
    old = known.people.get(person.username)
    if old is None:
        return None
    return (old.full_name, old.email) != (person.full_name, person.email or old.email) \
        or not person_grants(person) <= old.grants


def unit_change(unit: UnitRow, known: Directory) -> bool | None:
    return _unit_change(unit, known)


def cluster_change(cluster: ClusterRow, known: Directory) -> bool | None:
    return _cluster_change(cluster, known)


def person_change(person: PersonRow, known: Directory) -> bool | None:
    return _person_change(person, known)
