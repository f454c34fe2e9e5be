"""Objections to a posted dossier and the end of its posting: a flood of anonymous objections
cannot hold a dossier back (only those the council office judges admissible do, until they are
answered), the council office is told of each one, and the posting ends on its own at the end
of its period (the scheduler moves the dossier on; the public page stops listing it at once)."""

# ruff: noqa: F811  (the shared fixtures are imported by name and taken as arguments)

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_dossier import (  # noqa: F401  (bloc: the fixture)
    attach,
    bloc,
    cluster_vote,
    local,
)
from tests.year_support import Bloc
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import dossiers, notifications

DOCUMENTS = ["bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"]


def posted(bloc: Bloc, folder: Path) -> Instance:
    session = cluster_vote(bloc, folder)  # the clock at 10/12/2025
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    found: Instance = bloc.wf.fire(dossier, "post", bloc.leader).instance
    return found


def ready_to_submit(bloc: Bloc, dossier: Instance, folder: Path) -> None:
    dossiers.submission_letter(bloc.wf, dossier.id, bloc.leader, folder, number="12/TTr-KNC",
                               signer=("KHỐI TRƯỞNG", "Nguyễn Văn A"))
    attach(bloc, dossier, DOCUMENTS, folder)


def test_a_flood_of_unjudged_objections_does_not_hold_a_dossier_back(
    bloc: Bloc, tmp_path: Path
) -> None:
    dossier = posted(bloc, tmp_path)
    flood = [dossiers.file_objection(bloc.wf, dossier.id, f"Phản ánh số {n}") for n in range(100)]
    bloc.clock.set(local("2025-12-24"))
    ready_to_submit(bloc, dossier, tmp_path)

    submitted = bloc.wf.fire(dossier.id, "submit", bloc.leader).instance

    assert len(flood) == 100
    assert submitted.state == "submitted"
    assert {o.status for o in dossiers.objections_of(bloc.wf, dossier.id)} == {"waiting"}


def test_only_an_admissible_objection_holds_the_dossier_until_answered(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = posted(bloc, tmp_path)
    spam = dossiers.file_objection(wf, dossier.id, "Quảng cáo không liên quan")
    real = dossiers.file_objection(wf, dossier.id, "Số liệu quý IV chưa được kiểm tra",
                                   contact="cong.dan@example.vn")
    bloc.clock.set(local("2025-12-24"))
    ready_to_submit(bloc, dossier, tmp_path)

    with pytest.raises(PermissionDenied):  # the leader does not judge its own cluster's case
        dossiers.judge_objection(wf, real, bloc.leader, admissible=True, reason="Có căn cứ")
    with pytest.raises(InvalidInput, match="not judged yet"):
        dossiers.answer_objection(wf, real, office, "Chưa thụ lý mà đã trả lời")
    with pytest.raises(InvalidInput, match="reason"):
        dossiers.judge_objection(wf, spam, office, admissible=False, reason="  ")
    judged = dossiers.judge_objection(wf, spam, office, admissible=False,
                                      reason="Nội dung không liên quan đến hồ sơ")
    dossiers.judge_objection(wf, real, office, admissible=True, reason="Có căn cứ cần làm rõ")
    with pytest.raises(InvalidInput, match="already judged"):
        dossiers.judge_objection(wf, real, office, admissible=False, reason="Đổi ý")
    with pytest.raises(TransitionNotAllowed) as held:
        wf.fire(dossier.id, "submit", bloc.leader)
    with pytest.raises(InvalidInput, match="not admissible"):
        dossiers.answer_objection(wf, spam, office, "Không cần trả lời")
    dossiers.answer_objection(wf, real, bloc.leader, "Số liệu đã được đoàn kiểm tra chéo xác nhận")
    submitted = wf.fire(dossier.id, "submit", bloc.leader).instance

    assert (judged.status, judged.reason, judged.judged_by) == (
        "inadmissible", "Nội dung không liên quan đến hồ sơ", "vu_tdkt")
    assert "1 objection(s) still to be answered" in str(held.value)
    assert submitted.state == "submitted"
    assert [o.status for o in dossiers.objections_of(wf, dossier.id)] == [
        "inadmissible", "answered"]


def test_the_council_office_is_told_of_each_objection_and_the_leader_of_an_admitted_one(
        bloc: Bloc, tmp_path: Path) -> None:
    dossier = posted(bloc, tmp_path)

    objection = dossiers.file_objection(bloc.wf, dossier.id, "Đề nghị làm rõ số liệu quý IV")
    office = notifications.inbox(bloc.services.uow(), bloc.users["vu_tdkt"])
    leader = notifications.inbox(bloc.services.uow(), bloc.users["btp_head"])
    dossiers.judge_objection(bloc.wf, objection, bloc.actor("vu_tdkt"), admissible=True,
                             reason="Có căn cứ")
    told = [n for who in ("btp_head", "bca_head", "bqp_head")
            for n in notifications.inbox(bloc.services.uow(), bloc.users[who])
            if n.instance_id == dossier.id and n.kind == "notice"]

    assert [n.subject for n in told] == [
        "[Thi đua] Ý kiến phản ánh được thụ lý: hồ sơ Cờ thi đua của Chính phủ 2025 – Bộ Công an"
    ] * 2  # the leader and the nominee's head, not another member
    assert "Lý do thụ lý: Có căn cứ" in told[0].body
    [notice] = [n for n in office if n.instance_id == dossier.id]
    assert notice.link == f"/dossiers/{dossier.id}/objections"
    assert "Ý kiến phản ánh về hồ sơ Cờ thi đua của Chính phủ 2025 – Bộ Công an" in notice.subject
    assert "Đề nghị làm rõ số liệu quý IV" in notice.body
    assert not [n for n in leader if n.instance_id == dossier.id and n.kind == "notice"]


def test_the_posting_ends_on_its_own_at_the_end_of_its_period(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf = bloc.wf
    dossier = posted(bloc, tmp_path)  # 10/12/2025: ten working days end on 24/12/2025
    listed = [d for d in dossiers.public_listing(wf) if d.id == dossier.id]

    bloc.clock.set(local("2025-12-24", hour=23))
    last_day = dossiers.file_objection(wf, dossier.id, "Gửi ngày cuối")
    early = bloc.services.sweeper().sweep()
    bloc.clock.set(local("2025-12-25", hour=8))
    before_sweep = [d.id for d in dossiers.public_listing(wf)]
    with pytest.raises(TransitionNotAllowed, match="posting period is over"):
        dossiers.file_objection(wf, dossier.id, "Quá hạn")
    swept = bloc.services.sweeper().sweep()
    after = wf.get(dossier.id)

    assert [(d.posted_from, d.posted_until) for d in listed] == [
        (local("2025-12-10").date(), local("2025-12-24").date())]
    assert last_day > 0
    assert early.timeouts == 0
    assert dossier.id not in before_sweep  # the page follows the period, not the sweep
    assert swept.timeouts == 1
    assert after.state == "posted"
    assert dossier.id not in [d.id for d in dossiers.public_listing(wf)]
    with pytest.raises(TransitionNotAllowed):
        dossiers.file_objection(wf, dossier.id, "Sau khi kết thúc")
    ready_to_submit(bloc, after, tmp_path)
    assert wf.fire(dossier.id, "submit", bloc.leader).instance.state == "submitted"


def test_the_public_listing_shows_the_cluster_the_period_the_answers_and_the_decision(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = posted(bloc, tmp_path)
    asked = dossiers.file_objection(wf, dossier.id, "Số liệu quý IV?", contact="dan@example.vn")
    dossiers.file_objection(wf, dossier.id, "Chưa trả lời")
    dossiers.judge_objection(wf, asked, office, admissible=True, reason="Có căn cứ")
    dossiers.answer_objection(wf, asked, office, "Đã kiểm tra, số liệu đúng")

    [shown] = [d for d in dossiers.public_listing(wf) if d.id == dossier.id]

    assert shown.cluster == "Khối thi đua các bộ, ngành Nội chính Trung ương"
    assert shown.title == "Cờ thi đua của Chính phủ"
    assert [(a.text, a.answer) for a in shown.answers] == [
        ("Số liệu quý IV?", "Đã kiểm tra, số liệu đúng")]
    assert any("suy tôn" in line for line in shown.summary)
    assert shown.objections_open
