"""Department figures (số liệu của cơ quan chuyên môn): a professional department imports the
actual results of its criterion for every member unit; where a unit's own result differs
beyond the tolerance, its score sheet flags it and the verified score takes the department's
figure, unless the leader keeps the unit's result with a reason kept in the history."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.year_support import (
    MEMBERS,
    YEAR,
    Bloc,
    at,
    inspect_all,
    launch,
    make_bloc,
    mid_year,
    plan_and_start_inspection,
    score_and_submit_all,
    sign_all_pledges,
)
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import department, people

CRITERION = "hoan_thanh_chi_tieu"  # ratio against a pledged target of 100 (%), 15 points


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    """The bloc on version 2 of its table, whose first criterion has a tolerance of 5%, and a
    statistics department granted that criterion for the bloc and year."""
    base = services.settings.definitions_dir
    services.criteria.sync([base / "criteria"], base=base.parent)
    text = (base / "criteria" / "khoi-noi-chinh.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1", "version: 2", 1).replace(
        "        formula: ratio\n        evidence: [report]\n      - code: giai_quyet_don_thu",
        "        formula: ratio\n        evidence: [report]\n        tolerance: {percent: 5}\n"
        "      - code: giai_quyet_don_thu", 1)
    services.criteria.publish_text(text, "khoi-noi-chinh.yaml", author="test")
    found = make_bloc(services, clock)
    user = people.create_user(services.uow(), "cuc_thong_ke", "Cục Thống kê")
    people.grant(services.uow(), user, "department", cluster_id=found.cluster, year=YEAR,
                 criteria=[CRITERION])
    found.users["cuc_thong_ke"] = user
    return found


def _to_verification(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    score_and_submit_all(bloc)  # every unit reports 100 (%) against its target of 100


def _units(bloc: Bloc) -> list[department.Unit]:
    return [department.Unit(bloc.units[c], c.upper(), name) for c, name in MEMBERS]


def _filled_workbook(bloc: Bloc, figures: dict[str, str]) -> bytes:
    """The template of the department's criterion, filled in as the department would."""
    dept = bloc.actor("cuc_thong_ke")
    criteria = department.criteria_for(dept, bloc.refresh(), bloc.table)
    book = load_workbook(io.BytesIO(department.template(criteria, _units(bloc), {})))
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        code = str(sheet.cell(row, 1).value).lower()
        if code in figures:
            sheet.cell(row, 3).value = figures[code]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(bloc: Bloc, data: bytes) -> department.Upload:
    dept = bloc.actor("cuc_thong_ke")
    campaign = bloc.refresh()
    sheets, problems = department.read_file("so-lieu.xlsx", data)
    assert not problems
    return department.import_workbook(
        bloc.wf, dept, campaign, sheets, department.criteria_for(dept, campaign, bloc.table),
        _units(bloc))


def _line(bloc: Bloc, code: str) -> object:
    with bloc.wf.store.read() as tx:
        return tx.score_lines(bloc.child("score_sheet", code).id)[CRITERION]


def test_imported_figures_flag_the_gap_and_the_verified_score_uses_the_department_figure(
        bloc: Bloc) -> None:
    _to_verification(bloc)
    upload = _import(bloc, _filled_workbook(bloc, {"bca": "80", "ttcp": "96,5", "bqp": "60"}))
    assert not upload.problems
    campaign = bloc.refresh()
    sheet = bloc.child("score_sheet", "bca")
    with bloc.wf.store.read() as tx:
        lines = tx.score_lines(sheet.id)

    flags = department.comparisons(bloc.wf, campaign, sheet, bloc.table, lines)
    within = department.comparisons(bloc.wf, campaign, bloc.child("score_sheet", "ttcp"),
                                    bloc.table, lines)

    assert flags[CRITERION].department == Decimal("80")
    assert flags[CRITERION].reported == Decimal("100")
    assert flags[CRITERION].differs
    assert not within[CRITERION].differs  # 96.5 is within 5% of 100
    bloc.clock.set(at("2025-12-05"))
    bloc.wf.fire(sheet, "verify", bloc.leader)
    max_points = bloc.table.criterion(CRITERION).max_points
    assert _line(bloc, "bca").verified_points == max_points * Decimal("0.8")
    bloc.wf.fire(bloc.child("score_sheet", "ttcp"), "verify", bloc.leader)
    assert _line(bloc, "ttcp").verified_points == max_points  # the inspection's, not flagged


def test_the_leader_keeps_the_units_result_with_a_reason_kept_in_history(bloc: Bloc) -> None:
    _to_verification(bloc)
    _import(bloc, _filled_workbook(bloc, {"bqp": "60", "bca": "100"}))
    sheet = bloc.child("score_sheet", "bqp")
    reason = "Số liệu của Cục chưa tính các nhiệm vụ quốc phòng mật, đã đối chiếu biên bản"

    with pytest.raises(TransitionNotAllowed) as nothing_to_keep:
        bloc.wf.fire(bloc.child("score_sheet", "bca"), "keep_unit_result", bloc.leader,
                     {"criterion": CRITERION, "comment": reason})
    bloc.wf.fire(sheet, "keep_unit_result", bloc.leader,
                 {"criterion": CRITERION, "comment": reason})
    bloc.clock.set(at("2025-12-05"))
    bloc.wf.fire(sheet, "verify", bloc.leader)

    assert "does not differ" in str(nothing_to_keep.value)
    assert _line(bloc, "bqp").verified_points == bloc.table.criterion(CRITERION).max_points
    kept = [h for h in bloc.wf.history(sheet.id) if h.get("trigger") == "keep_unit_result"]
    assert kept[0]["comment"] == reason


def test_a_department_enters_only_its_own_criteria_for_member_units(bloc: Bloc) -> None:
    launch(bloc)
    dept = bloc.actor("cuc_thong_ke")
    campaign = bloc.refresh()

    with pytest.raises(TransitionNotAllowed) as other_criterion:
        department.record(bloc.wf, dept, campaign, {"giai_quyet_don_thu": {
            str(bloc.units["bca"]): "90"}})
    with pytest.raises(TransitionNotAllowed) as not_a_member:
        department.record(bloc.wf, dept, campaign, {CRITERION: {"999999": "90"}})
    with pytest.raises(TransitionNotAllowed) as negative:
        department.record(bloc.wf, dept, campaign, {CRITERION: {
            str(bloc.units["bca"]): "-3"}})
    done = department.record(bloc.wf, dept, campaign, {CRITERION: {
        str(bloc.units["bca"]): "91.5"}})

    assert "not granted for" in str(other_criterion.value)
    assert "not a member unit" in str(not_a_member.value)
    assert "is not a number of at least 0" in str(negative.value)
    assert department.values_of(bloc.wf, campaign) == {
        CRITERION: {bloc.units["bca"]: Decimal("91.5")}}
    assert done.instance.data["entered"][CRITERION]["by"] == "cuc_thong_ke"
    with pytest.raises(InvalidInput):
        people.grant(bloc.services.uow(), bloc.users["bca_officer"], "department",
                     cluster_id=bloc.cluster, year=YEAR)  # a department's grant names criteria


def test_a_workbook_with_errors_records_nothing_and_says_row_and_column(bloc: Bloc) -> None:
    launch(bloc)
    upload = _import(bloc, _filled_workbook(bloc, {"bca": "nhiều", "ttcp": "-1", "bqp": "70"}))

    rows = {code: row for row, (code, _name) in enumerate(MEMBERS, start=2)}
    assert sorted((p.row, p.letter, p.code) for p in upload.problems) == sorted([
        (rows["bca"], "C", "dept_not_a_figure"), (rows["ttcp"], "C", "dept_not_a_figure")])
    assert department.values_of(bloc.wf, bloc.refresh()) == {}
