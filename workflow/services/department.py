"""Department figures (số liệu của cơ quan chuyên môn): what a professional department enters
or imports for its criteria and every member unit of a cluster, and how a score sheet reads
them beside the unit's own result.

The figures are kept by one `department_data` item per campaign (its history says who entered
what, when); its step's guard (rules/department.py) checks them in the fire's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow.domain.criteria import CriteriaTable, Criterion
from workflow.domain.department import Comparison, compare
from workflow.domain.imports import Problem, RawSheet, column_letter
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput
from workflow.services.rules.department import WORKFLOW, figures_of, granted_criteria
from workflow.services.workflows import Fired, Workflows

__all__ = ["WORKFLOW", "granted_criteria"]

SHEET_TITLE = "Số liệu"
UNIT_CODE_HEADER = "Mã đơn vị"
UNIT_NAME_HEADER = "Tên đơn vị"
MAX_ROWS = 500


def item_of(wf: Workflows, campaign: Instance) -> Instance | None:
    """The campaign's department figures item (the first, if two were started at once)."""
    found = [c for c in wf.children(campaign.id) if c.workflow == WORKFLOW]
    return min(found, key=lambda c: c.id) if found else None


def values_of(wf: Workflows, campaign: Instance) -> dict[str, dict[int, Decimal]]:
    """Every department figure of the campaign, {criterion: {unit id: figure}}."""
    out: dict[str, dict[int, Decimal]] = {}
    for child in wf.children(campaign.id):
        if child.workflow != WORKFLOW:
            continue
        for code, per_unit in (child.data.get("values") or {}).items():
            for unit, value in per_unit.items():
                out.setdefault(code, {})[int(unit)] = Decimal(str(value))
    return out


def entered_of(wf: Workflows, campaign: Instance) -> dict[str, dict[str, str]]:
    """Who entered each criterion's figures last, and when (ISO), by criterion."""
    out: dict[str, dict[str, str]] = {}
    for child in wf.children(campaign.id):
        if child.workflow == WORKFLOW:
            out.update(child.data.get("entered") or {})
    return out


def criteria_for(actor: Actor, campaign: Instance, table: CriteriaTable) -> list[Criterion]:
    """The criteria of the table the actor gives the figures of in this campaign."""
    held = granted_criteria(actor, campaign.cluster_id, campaign.year)
    return [c for c in table.criteria if c.code in held and c.by_result]


def may_enter(actor: Actor, campaign: Instance, table: CriteriaTable | None) -> bool:
    """Whether the actor is a professional department of the campaign's cluster and year for
    some criterion of its table."""
    return table is not None and bool(criteria_for(actor, campaign, table))


def record(wf: Workflows, actor: Actor, campaign: Instance,
           values: Mapping[str, Mapping[str, Any]], expected_version: int | None = None
           ) -> Fired:
    """Record figures, {criterion: {unit id: figure}}: on the campaign's item, started by the
    first department to enter any."""
    item = item_of(wf, campaign)
    if item is None:
        item = wf.start(WORKFLOW, actor, cluster_id=campaign.cluster_id, year=campaign.year,
                        parent_id=campaign.id)
        expected_version = None
    return wf.fire(item.id, "record_values", actor, {"values": {
        code: {str(u): str(v) for u, v in per_unit.items()} for code, per_unit in values.items()}},
        expected_version=expected_version)


def comparisons(wf: Workflows, campaign: Instance, sheet: Instance, table: CriteriaTable,
                lines: Mapping[str, Any]) -> dict[str, Comparison]:
    """Each criterion of a unit's sheet with a department figure: the unit's result, the
    department's, whether they differ beyond the tolerance, and the leader's reason if the
    unit's own was kept."""
    figures = figures_of(wf.children(campaign.id), sheet.unit_id)
    kept = sheet.data.get("kept_unit_results") or {}
    out = {}
    for code, value in figures.items():
        try:
            criterion = table.criterion(code)
        except KeyError:
            continue
        line = lines.get(code)
        reported = None if line is None or line.achieved is None else Decimal(line.achieved)
        out[code] = compare(criterion, value, reported, str(kept.get(code) or ""))
    return out


# --- the workbook: a template per campaign, and reading it back ---------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    name: str


@dataclass(slots=True)
class Upload:
    """What a filled-in workbook gives: the figures, or the problems by row and column."""

    values: dict[str, dict[int, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def header(criteria: Sequence[Criterion]) -> list[str]:
    """The template's header: the unit's code and name, then one column per criterion, its
    title with its unit of measure and its code in brackets."""
    return [UNIT_CODE_HEADER, UNIT_NAME_HEADER] + [
        f"{c.title.vi}{f' ({c.unit})' if c.unit else ''} [{c.code}]" for c in criteria]


def template(criteria: Sequence[Criterion], units: Sequence[Unit],
             values: Mapping[str, Mapping[int, Decimal]]) -> bytes:
    """The workbook to fill in: one row per member unit, one column per criterion, with the
    figures already entered."""
    from workflow.documents.spreadsheets import department_template

    rows = [[u.code, u.name] + [_shown(values.get(c.code, {}).get(u.id)) for c in criteria]
            for u in units]
    return department_template(SHEET_TITLE, header(criteria), rows)


def _shown(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


def read_upload(sheets: Sequence[RawSheet], criteria: Sequence[Criterion],
                units: Sequence[Unit]) -> Upload:
    """The figures of the first sheet: each unit found by its code, each criterion by the code
    in brackets of its column; every problem with its row and column."""
    out = Upload()
    if not sheets:
        out.problems.append(Problem(None, None, None, "dept_empty_file"))
        return out
    sheet = sheets[0]
    by_code = {u.code.casefold(): u for u in units}
    columns: dict[int, Criterion] = {}
    unit_column = None
    for index, text in enumerate(sheet.header):
        cell = text.strip()
        if cell.casefold() == UNIT_CODE_HEADER.casefold():
            unit_column = index
        for c in criteria:
            if cell.endswith(f"[{c.code}]") or cell == c.code:
                columns[index] = c
    if unit_column is None:
        out.problems.append(Problem(sheet.title, 1, None, "dept_no_unit_column",
                                    {"header": UNIT_CODE_HEADER}))
    if not columns:
        out.problems.append(Problem(sheet.title, 1, None, "dept_no_criterion_column"))
    if out.problems:
        return out
    assert unit_column is not None
    if len(sheet.rows) > MAX_ROWS:
        out.problems.append(Problem(sheet.title, None, None, "too_many_rows",
                                    {"limit": MAX_ROWS}))
        return out
    seen: dict[int, int] = {}
    for number, cells in sheet.rows:
        code = cells[unit_column].strip() if unit_column < len(cells) else ""
        if not code and not any(c.strip() for c in cells):
            continue
        unit = by_code.get(code.casefold())
        if unit is None:
            out.problems.append(Problem(sheet.title, number, None, "dept_unit_unknown",
                                        {"value": code[:40]}, column_letter(unit_column)))
            continue
        if unit.id in seen:
            out.problems.append(Problem(sheet.title, number, None, "dept_unit_twice",
                                        {"value": code, "row": seen[unit.id]},
                                        column_letter(unit_column)))
            continue
        seen[unit.id] = number
        for index, criterion in columns.items():
            raw = cells[index].strip() if index < len(cells) else ""
            if not raw:
                continue
            text = raw.replace(" ", "").replace(",", ".")
            try:
                value = Decimal(text)
                ok = value.is_finite() and value >= 0 and value == round(value, 2)
            except ArithmeticError:
                ok = False
            if not ok:
                out.problems.append(Problem(
                    sheet.title, number, criterion.code, "dept_not_a_figure",
                    {"value": raw[:30], "criterion": criterion.title.vi},
                    column_letter(index)))
                continue
            out.values.setdefault(criterion.code, {})[unit.id] = text
    if not out.problems and not out.values:
        out.problems.append(Problem(sheet.title, None, None, "dept_no_figures"))
    return out


def import_workbook(wf: Workflows, actor: Actor, campaign: Instance, sheets: Sequence[RawSheet],
                    criteria: Sequence[Criterion], units: Sequence[Unit]) -> Upload:
    """Read a workbook and, when it has no problem, record all its figures at once."""
    found = read_upload(sheets, criteria, units)
    if found.problems:
        return found
    record(wf, actor, campaign, {c: {str(u): v for u, v in per.items()}
                                 for c, per in found.values.items()})
    return found


def read_file(filename: str, data: bytes) -> tuple[list[RawSheet], list[Problem]]:
    """The uploaded workbook's sheets as text (the directory import's reader)."""
    from workflow.documents.spreadsheets import read

    if not filename.lower().endswith(".xlsx"):
        return [], [Problem(None, None, None, "file_kind", {"name": filename[:100]})]
    return read(filename, data)


def no_criteria() -> InvalidInput:
    return InvalidInput("the actor gives the figures of no criterion of this campaign")




# --- the mid-year review: results so far against the pledged targets ----------------------

MID_YEAR_ELAPSED = Decimal("0.5")  # the six-month report covers half of the year


@dataclass(frozen=True, slots=True)
class Pace:
    """One unit and criterion at the mid-year review."""

    unit_id: int
    criterion: str
    target: Decimal | None  # pledged
    reported: Decimal | None  # in the six-month report
    expected: Decimal | None  # what the year's pace asks for by now
    behind: bool


def mid_year_pace(wf: Workflows, campaign: Instance, table: CriteriaTable,
                  unit_ids: Sequence[int]) -> list[Pace]:
    """Every member unit and criterion scored against a pledged target: the target, the result
    its six-month report gives, and whether it lags the year's pace (rule: behind_pace)."""
    from workflow.domain.department import behind_pace, expected_by_now

    targets: dict[int, Mapping[str, Any]] = {}
    results: dict[int, Mapping[str, Any]] = {}
    for child in wf.children(campaign.id):
        if child.unit_id is None:
            continue
        if child.workflow == "pledge":
            targets[child.unit_id] = child.data.get("targets") or {}
        elif child.workflow == "report" and child.data.get("period") == "six_month":
            results[child.unit_id] = child.data.get("results") or {}
    out = []
    for unit in unit_ids:
        for c in table.criteria:
            if not c.by_result:
                continue
            target = _number(targets.get(unit, {}).get(c.code))
            reported = _number(results.get(unit, {}).get(c.code))
            expected = None if target is None else \
                expected_by_now(target, MID_YEAR_ELAPSED, c.higher_is_better)
            behind = target is not None and reported is not None and \
                behind_pace(target, reported, MID_YEAR_ELAPSED, c.higher_is_better)
            out.append(Pace(unit, c.code, target, reported, expected, behind))
    return out


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
