"""Decree 152/2025 art. 4(4): nothing is proposed, carried or decided for a unit while discipline,
an investigation or an unresolved complaint recorded against it is active. The council office
(or the bloc's leader for its members) records one and its closure; the dossier's history keeps
both, hash-chained; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import Snapshots
from tests.integration.test_dossier import FLAG, attach, cluster_vote, council_bloc, local
from tests.year_support import REASON, YEAR, Bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.domain.refusals import Named, Ref
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import audit, dossiers, voting
from workflow.services import impediments as imps

DOCUMENTS = ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"]


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return council_bloc(services, clock, snapshots)


def posted_dossier(bloc: Bloc, folder: Path) -> Instance:
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    return dossier


def with_the_authority(bloc: Bloc, folder: Path) -> Instance:
    """The bca dossier through posting, appraisal and the council's vote, to the head."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = posted_dossier(bloc, folder)
    wf.fire(dossier, "post", bloc.leader)
    attach(bloc, dossier, DOCUMENTS, folder)
    bloc.clock.set(local("2025-12-24"))
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", office)
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier.id, "start_appraisal", office)
    wf.fire(dossier.id, "to_council", office)
    council = dossiers.schedule_council_vote(wf, office, [dossier.id], YEAR)
    wf.fire(council, "check_quorum", office,
            {"present": [f"user:{bloc.users[f'hd_{n}']}" for n in range(9)]})
    wf.fire(council, "open", office)
    for n in range(9):
        voting.cast_ballot(wf, council.id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})
    wf.fire(council, "close", office, {"comment": REASON})
    voting.draw_up_minutes(wf, council.id, office, folder, [("Lê Thị C", "Thư ký")])
    wf.fire(council.id, "lock", bloc.actor("hd_chutich"))
    dossiers.record_council_results(wf, council.id, office)
    return wf.get(dossier.id)


def test_a_complaint_holds_the_proposal_back_until_its_closure_is_recorded(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office, bca = bloc.wf, bloc.actor("vu_tdkt"), bloc.units["bca"]
    dossier = posted_dossier(bloc, tmp_path)
    complaint = imps.record(wf, office, unit_id=bca, kind="complaint",
                            reference="Đơn tố cáo số 15/ĐTC", start=dt.date(2025, 12, 1),
                            until=None, note="Tố cáo về số liệu thi đua")

    with pytest.raises(TransitionNotAllowed) as refused:
        wf.fire(dossier.id, "post", bloc.leader)
    refusal = refused.value.refusal
    assert refusal is not None
    assert refusal.code == "award_impediment"
    assert refusal.params["subject"] == Ref("unit", bca)
    assert refusal.params["kind"] == Named(
        "complaint", "đơn thư khiếu nại, tố cáo chưa được giải quyết",
        "a complaint or denunciation not yet resolved")
    assert refusal.params["since"] == dt.date(2025, 12, 1)
    # the bloc's year was launched under the 2024 rules: their article is cited
    assert refusal.params["basis"] == "Nghị định 98/2023/NĐ-CP, Điều 4"
    assert "record its closure (date, outcome, document)" in str(refused.value)

    closed = imps.close(wf, office, complaint.id, closed_on=dt.date(2025, 12, 10),
                        outcome="no_violation", reference="Kết luận số 7/KL-TTr")
    assert (closed.closed_on, closed.closed_by) == (dt.date(2025, 12, 10), "vu_tdkt")
    wf.fire(dossier.id, "post", bloc.leader)  # the clock reads 10/12/2025: closed that day

    notes = [h for h in wf.history(dossier.id) if h["kind"] == "impediment"]
    assert [(h["payload"]["event"], h["actor"]) for h in notes] == [
        ("recorded", "vu_tdkt"), ("closed", "vu_tdkt")]
    assert notes[0]["payload"]["reference"] == "Đơn tố cáo số 15/ĐTC"
    assert notes[0]["comment"] == "Tố cáo về số liệu thi đua"
    assert notes[1]["payload"]["closure_reference"] == "Kết luận số 7/KL-TTr"
    report = audit.verify(bloc.services.uow(), bloc.services.chain)
    assert report.ok, report.problems


def test_discipline_recorded_after_the_council_vote_holds_its_approval_back(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office, bca = bloc.wf, bloc.actor("vu_tdkt"), bloc.units["bca"]
    dossier = with_the_authority(bloc, tmp_path)
    imps.record(wf, office, unit_id=bca, kind="discipline", reference="Quyết định 3/QĐ-KL",
                start=dt.date(2026, 1, 5), until=dt.date(2026, 7, 4))

    with pytest.raises(TransitionNotAllowed) as council:
        wf.fire(dossier.id, "council_done", office)
    assert council.value.refusal is not None
    assert council.value.refusal.code == "award_impediment_until"
    assert council.value.refusal.params["until"] == dt.date(2026, 7, 4)

    # the page offers the step disabled, saying why
    available = {t.trigger: why for t, why in wf.available(wf.get(dossier.id), office)}
    assert available["council_done"] is not None
    assert available["council_done"].refusal is not None
    assert available["council_done"].refusal.code == "award_impediment_until"


def test_the_decision_is_refused_on_a_day_the_discipline_covers(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office, bca = bloc.wf, bloc.actor("vu_tdkt"), bloc.units["bca"]
    dossier = with_the_authority(bloc, tmp_path)
    wf.fire(dossier.id, "council_done", office)
    imps.record(wf, office, unit_id=bca, kind="investigation",
                reference="Quyết định thanh tra 21/QĐ-TTCP", start=dt.date(2026, 1, 6),
                until=None)
    authority = bloc.actor("thu_tuong")

    with pytest.raises(TransitionNotAllowed) as decided:
        wf.fire(dossier.id, "decide", authority, {
            "outcome": "approved", "reasons": ["Dẫn đầu"], "decision_number": "9/QĐ-TTg",
            "decision_date": "2026-01-07"})
    assert decided.value.refusal is not None
    assert decided.value.refusal.code == "award_impediment"

    # a rejection is never held back
    wf.fire(dossier.id, "decide", authority, {
        "outcome": "rejected", "reasons": ["Đang bị thanh tra"]})
    assert wf.get(dossier.id).state == "decided"


def test_the_leader_keeps_impediments_of_its_members_but_not_of_its_own_unit(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, bca, btp = bloc.wf, bloc.units["bca"], bloc.units["btp"]
    day = dt.date(2025, 12, 1)
    found = imps.record(wf, bloc.leader, unit_id=bca, kind="investigation",
                        reference="Công văn 5/TTr", start=day, until=None)
    assert found.recorded_by == "btp_head"

    with pytest.raises(PermissionDenied):
        imps.record(wf, bloc.leader, unit_id=btp, kind="investigation",
                    reference="Công văn 6/TTr", start=day, until=None)
    with pytest.raises(PermissionDenied):
        imps.record(wf, bloc.officer("bca"), unit_id=bca, kind="complaint",
                    reference="Đơn 1", start=day, until=None)
    with pytest.raises(PermissionDenied):
        imps.close(wf, bloc.head("bca"), found.id, closed_on=day, outcome="no_violation",
                   reference="KL 1")
    # the unit reads what holds it back; another member does not
    listed, may_keep = imps.of_subject(wf, bloc.head("bca"), unit_id=bca)
    assert ([i.id for i in listed], may_keep) == ([found.id], False)
    with pytest.raises(PermissionDenied):
        imps.of_subject(wf, bloc.head("bqp"), unit_id=bca)


def test_what_is_wrong_with_an_impediment_is_said_before_anything_is_written(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office, bca = bloc.wf, bloc.actor("vu_tdkt"), bloc.units["bca"]
    with pytest.raises(InvalidInput) as backwards:
        imps.record(wf, office, unit_id=bca, kind="discipline", reference="QĐ 1/QĐ-KL",
                    start=dt.date(2026, 3, 1), until=dt.date(2026, 2, 1))
    found = imps.record(wf, office, unit_id=bca, kind="discipline", reference="QĐ 1/QĐ-KL",
                        start=dt.date(2026, 3, 1), until=dt.date(2026, 9, 1))
    with pytest.raises(InvalidInput) as early:
        imps.close(wf, office, found.id, closed_on=dt.date(2026, 2, 1), outcome="served",
                   reference="QĐ 2")
    imps.close(wf, office, found.id, closed_on=dt.date(2026, 9, 1), outcome="served",
               reference="QĐ 2")
    with pytest.raises(InvalidInput) as twice:
        imps.close(wf, office, found.id, closed_on=dt.date(2026, 9, 2), outcome="served",
                   reference="QĐ 3")

    assert backwards.value.refusal is not None
    assert backwards.value.refusal.code == "impediment_until_before_start"
    assert early.value.refusal is not None
    assert early.value.refusal.code == "impediment_closed_before_start"
    assert twice.value.refusal is not None
    assert twice.value.refusal.code == "impediment_closed_already"
    listed, _ = imps.of_subject(wf, office, unit_id=bca)
    assert [i.reference for i in listed] == ["QĐ 1/QĐ-KL"]
