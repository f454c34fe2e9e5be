"""A cross-inspection through the services: the team's notes and conclusion beside its points,
and the minutes drawn up, attached once and dated the day the inspection was concluded."""

from __future__ import annotations

import io

import docx
import pytest

from tests.conftest import Snapshots
from tests.year_support import (
    Bloc,
    at,
    inspection_points,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
    walked_bloc,
)
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import PermissionDenied, TransitionNotAllowed
from workflow.services import inspections


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return walked_bloc("inspection:bloc inspecting", services, clock, snapshots,
                       launch, sign_all_pledges, mid_year, plan_and_start_inspection)


def test_notes_and_the_conclusion_are_kept_beside_the_points(bloc: Bloc) -> None:
    item = bloc.child("inspection", "bca")
    lead = bloc.actor(item.data["plan"]["lead"])
    bloc.wf.fire(item, "record_results", lead, {
        "results": {"ky_giao_uoc": "2"}, "notes": {"ky_giao_uoc": "Ký chậm 5 ngày"},
        "conclusion": "Cần ký giao ước đúng hạn."})

    again = bloc.wf.fire(item.id, "record_results", lead, {
        "results": {"ke_hoach_phat_dong": "5"}, "notes": {"ky_giao_uoc": ""}}).instance

    assert again.data["results"] == {"ky_giao_uoc": "2", "ke_hoach_phat_dong": "5"}
    assert again.data["notes"] == {}
    assert again.data["conclusion"] == "Cần ký giao ước đúng hạn."


def test_a_note_on_an_unknown_criterion_or_too_long_is_refused(bloc: Bloc) -> None:
    item = bloc.child("inspection", "bca")
    lead = bloc.actor(item.data["plan"]["lead"])

    with pytest.raises(TransitionNotAllowed) as unknown:
        bloc.wf.fire(item, "record_results", lead, {
            "results": {"ky_giao_uoc": "2"}, "notes": {"khong_co": "x"}})
    with pytest.raises(TransitionNotAllowed) as long_note:
        bloc.wf.fire(item, "record_results", lead, {
            "results": {"ky_giao_uoc": "2"}, "notes": {"ky_giao_uoc": "x" * 2001}})

    assert unknown.value.refusal is not None
    assert unknown.value.refusal.code == "inspection_result_unknown"
    assert long_note.value.refusal is not None
    assert long_note.value.refusal.code == "inspection_notes_invalid"
    assert "results" not in bloc.wf.get(item.id).data


def _names(bloc: Bloc) -> inspections.Names:
    reads = bloc.services.reads
    return inspections.Names("Khối thi đua các bộ, ngành Nội chính Trung ương",
                             reads.unit_names(bloc.units.values()),
                             reads.full_names(f"{c}_{r}" for c in bloc.units
                                              for r in ("officer", "head")))


def test_the_minutes_are_attached_once_and_dated_the_day_of_the_conclusion(bloc: Bloc) -> None:
    item = bloc.child("inspection", "bca")
    lead = bloc.actor(item.data["plan"]["lead"])
    folder = bloc.services.settings.documents_dir
    bloc.clock.set(at("2025-10-20"))
    bloc.wf.fire(item, "record_results", lead, {"results": inspection_points(bloc, "bca")})
    concluded = bloc.wf.fire(item.id, "conclude", lead).instance
    bloc.clock.set(at("2025-10-23"))

    first = inspections.draw_up_minutes(bloc.wf, folder, concluded, lead, bloc.table,
                                        _names(bloc))
    second = inspections.draw_up_minutes(bloc.wf, folder, bloc.wf.get(item.id), lead,
                                         bloc.table, _names(bloc))

    assert first.sha256 == second.sha256
    attached = bloc.services.reads.documents(item.id, inspections.MINUTES_KIND)
    assert [d.storage_key for d in attached] == [first.sha256]
    cells = [c.text for t in docx.Document(io.BytesIO(first.content)).tables
             for r in t.rows for c in r.cells]
    assert "Hà Nội, ngày 20 tháng 10 năm 2025" in cells
    with pytest.raises(PermissionDenied):
        inspections.draw_up_minutes(bloc.wf, folder, concluded, bloc.actor("vu_tdkt"),
                                    bloc.table, _names(bloc))
