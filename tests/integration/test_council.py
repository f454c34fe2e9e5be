"""The council's meeting on dossiers: attendance, written votes of absent members, ballots only
from the voters the session accepts, and the result written on each dossier from the count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from tests.integration.test_dossier import FLAG, attach, bloc, cluster_vote, local
from tests.year_support import REASON, YEAR, Bloc
from workflow.adapters.tables import clusters, documents
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, TransitionNotAllowed
from workflow.services import council as council_service
from workflow.services import decisions, dossiers, people, voting

__all__ = ["bloc"]  # the fixture, shared with the dossier's tests


def dossier_at_council(bloc: Bloc, folder: Path) -> Instance:
    """The bca dossier for the Government flag, appraised and put to the council."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(wf, session.id, bloc.leader, folder)
    wf.fire(dossier, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    dossiers.submission_letter(wf, dossier.id, bloc.leader, folder, number="12/TTr-KNC",
                               signer=("KHỐI TRƯỞNG", "Nguyễn Văn A"))
    attach(bloc, dossier, ["bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"],
           folder)
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", office)
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier.id, "start_appraisal", office)
    return wf.fire(dossier.id, "to_council", office).instance


def member(bloc: Bloc, n: int) -> str:
    return f"user:{bloc.users[f'hd_{n}']}"


def council_vote(bloc: Bloc, dossier: Instance, present: int, yes: int, voters: int
                 ) -> Instance:
    """A council session: `present` of the 9 members ticked, `voters` ballots of which the
    first `yes` choose the dossier; closed and counted."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    council = dossiers.schedule_council_vote(wf, office, [dossier.id], YEAR)
    wf.fire(council, "check_quorum", office, {"present": [member(bloc, n) for n in range(present)]})
    wf.fire(council, "open", office)
    for n in range(voters):
        voting.cast_ballot(wf, council.id, bloc.actor(f"hd_{n}"),
                           {FLAG: [dossier.id]} if n < yes else {})
    wf.fire(council, "close", office, {"comment": REASON})
    return wf.get(council.id)


def lock(bloc: Bloc, council: Instance, folder: Path) -> None:
    voting.draw_up_minutes(bloc.wf, council.id, bloc.actor("vu_tdkt"), folder,
                           [("Lê Thị C", "Thư ký")])
    bloc.wf.fire(council.id, "lock", bloc.actor("hd_chutich"))


def test_a_typed_council_result_is_ignored_the_count_decides(bloc: Bloc, tmp_path: Path) -> None:
    """7 of 9 for a flag that needs 80% of all members: not carried, whatever is typed."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    council = council_vote(bloc, dossier, present=9, yes=7, voters=9)
    assert council.state == "tallied"
    with pytest.raises(TransitionNotAllowed) as early:  # before the session is locked
        wf.fire(dossier.id, "record_council_result", office, {"council_session_id": council.id})
    assert early.value.refusal is not None
    assert early.value.refusal.code == "council_session_not_counted"
    lock(bloc, council, tmp_path)

    with pytest.raises(TransitionNotAllowed) as untyped:  # no session named: refused
        wf.fire(dossier.id, "record_council_result", office, {"council_result": {"carried": True}})
    assert untyped.value.refusal is not None  # the session must be named
    fired = wf.fire(dossier.id, "record_council_result", office, {
        "council_result": {"carried": True, "yes": 9}, "council_session_id": council.id})
    result = fired.instance.data["council_result"]
    assert (result["carried"], result["yes"], result["eligible"]) == (False, 7, 9)
    with pytest.raises(TransitionNotAllowed) as refused:
        wf.fire(dossier.id, "council_done", office)
    assert "the council did not carry it" in str(refused.value)
    assert wf.get(dossier.id).state == "council_review"


def test_a_council_session_of_another_dossier_gives_no_result(bloc: Bloc, tmp_path: Path
                                                              ) -> None:
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    session = [c for c in wf.children(dossier.parent_id or 0) if c.workflow == "vote_session"][0]
    with pytest.raises(TransitionNotAllowed) as other:  # the cluster's vote is no council's
        wf.fire(dossier.id, "record_council_result", office, {"council_session_id": session.id})
    assert other.value.refusal is not None
    assert other.value.refusal.code == "council_session_other"


def test_absent_members_vote_in_writing_and_the_session_is_counted(
    bloc: Bloc, tmp_path: Path
) -> None:
    """7 of 9 present, all 9 ballots: the two absent members' ballots are written votes (the
    2024 rule set takes them for the flag); the session closes, is counted on all 9 members
    and carries the flag; the quorum is the 7 at the meeting."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    council = council_vote(bloc, dossier, present=7, yes=8, voters=9)
    assert council.state == "tallied"
    assert council.data["written_voters"]["1"] == sorted([member(bloc, 7), member(bloc, 8)])
    tally = council.data["tally"]["1"]
    assert (tally["eligible"], tally["ballots"]) == (9, 9)
    line = tally["titles"][FLAG]["candidates"][0]
    assert line["carried"]
    assert "8 yes of 9 members" in line["reason"]
    # the quorum counts who sat at the meeting, not the written votes of the absent
    assert "7 of 9 members present" in line["reason"]
    lock(bloc, council, tmp_path)
    dossiers.record_council_results(wf, council.id, office)
    assert wf.fire(dossier.id, "council_done", office).instance.state == "with_authority"


def test_a_member_added_after_the_vote_opened_cannot_cast_a_ballot(
    bloc: Bloc, tmp_path: Path
) -> None:
    """Ballots never outnumber the voters fixed when the vote opened."""
    wf, office = bloc.wf, bloc.actor("vu_tdkt")
    dossier = dossier_at_council(bloc, tmp_path)
    council = dossiers.schedule_council_vote(wf, office, [dossier.id], YEAR)
    wf.fire(council, "check_quorum", office, {"present": [member(bloc, n) for n in range(9)]})
    wf.fire(council, "open", office)
    uow = bloc.services.uow()
    bloc.users["hd_late"] = people.create_user(uow, "hd_late", "hd_late")
    people.grant(uow, bloc.users["hd_late"], "council_member", year=YEAR)
    with pytest.raises(TransitionNotAllowed) as late:
        voting.cast_ballot(wf, council.id, bloc.actor("hd_late"), {FLAG: [dossier.id]})
    assert late.value.refusal is not None
    assert late.value.refusal.code == "ballot_not_a_voter"
    assert voting.turnout(wf, council.id)["voted"] == []
    for n in range(9):
        voting.cast_ballot(wf, council.id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})
    closed = wf.fire(council.id, "close", office).instance
    assert wf.get(closed.id).state == "tallied"


def test_a_locked_session_stays_listed_and_holds_its_dossiers_until_the_result_is_written(
    bloc: Bloc, tmp_path: Path
) -> None:
    """Locking ends the session's workflow: the council's page must still list it (where the
    office writes the result) and must not offer its dossier for another meeting meanwhile;
    a dossier the council did not carry is offered again once its result is written."""
    wf, reads = bloc.wf, bloc.services.reads
    dossier = dossier_at_council(bloc, tmp_path)
    council = council_vote(bloc, dossier, present=9, yes=7, voters=9)
    assert council_service.waiting(wf, reads, YEAR) == []
    lock(bloc, council, tmp_path)
    assert [s.id for s in council_service.sessions(wf, reads, YEAR)] == [council.id]
    assert council_service.waiting(wf, reads, YEAR) == []
    council_service.write_results(wf, council.id, bloc.actor("vu_tdkt"))
    assert [d.id for d in council_service.waiting(wf, reads, YEAR)] == [dossier.id]


def carried_dossier(bloc: Bloc, folder: Path) -> Instance:
    """The bca dossier carried by the council (9 of 9) and with the authority."""
    dossier = dossier_at_council(bloc, folder)
    council = council_vote(bloc, dossier, present=9, yes=9, voters=9)
    lock(bloc, council, folder)
    [moved] = council_service.write_results(bloc.wf, council.id, bloc.actor("vu_tdkt"))
    assert moved.state == "with_authority"
    return moved


def test_the_head_decides_in_vietnamese_and_the_decision_is_generated_announced_revoked(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, office, head = bloc.wf, bloc.actor("vu_tdkt"), bloc.actor("thu_tuong")
    dossier = carried_dossier(bloc, tmp_path)
    with pytest.raises(TransitionNotAllowed) as unnumbered:
        decisions.decide(wf, dossier.id, head, decisions.DecisionForm(
            "đồng ý", "Dẫn đầu Khối", "", None), tmp_path)
    assert unnumbered.value.refusal is not None
    assert unnumbered.value.refusal.code == "decision_number_missing"
    decided = decisions.decide(wf, dossier.id, head, decisions.DecisionForm(
        "Đồng ý", "Dẫn đầu phong trào thi đua\nHoàn thành xuất sắc nhiệm vụ", "123/QĐ-TTg",
        dt.date(2026, 3, 2), signer_name="Phạm Minh C"), tmp_path)
    assert (decided.state, decided.data["outcome"], decided.data["decision_number"],
            decided.data["decision_date"]) == ("decided", "approved", "123/QĐ-TTg", "2026-03-02")
    assert decided.data["reasons"] == ["Dẫn đầu phong trào thi đua",
                                       "Hoàn thành xuất sắc nhiệm vụ"]
    with bloc.services.engine.connect() as conn:
        key = conn.execute(sa.select(documents.c.storage_key).where(
            documents.c.instance_id == dossier.id, documents.c.kind == "quyet_dinh")).scalar()
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / str(key))).paragraphs)
    assert "QUYẾT ĐỊNH" in text
    assert "Tặng Cờ thi đua của Chính phủ năm 2025 cho Bộ Công an" in text
    assert "Hoàn thành xuất sắc nhiệm vụ" in text

    announced = decisions.announce(wf, dossier.id, office)
    assert announced.state == "announced"
    with pytest.raises(InvalidInput):
        decisions.revoke(wf, dossier.id, head, "  ")
    revoked = decisions.revoke(wf, dossier.id, head, "Thành tích không đúng sự thật")
    assert revoked.state == "revoked"
    assert wf.history(dossier.id)[-1]["comment"] == "Thành tích không đúng sự thật"


def test_a_downgrade_names_a_lower_title_and_a_refusal_needs_no_number(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, head = bloc.wf, bloc.actor("thu_tuong")
    dossier = carried_dossier(bloc, tmp_path)
    lower = decisions.lower_titles(wf, dossier)
    assert lower
    assert all(code != FLAG for code, _label in lower)
    with pytest.raises(TransitionNotAllowed):
        decisions.decide(wf, dossier.id, head, decisions.DecisionForm(
            "khen mức thấp hơn", "Chưa đủ tiêu chuẩn Cờ", "5/QĐ-TTg", None), tmp_path)
    decided = decisions.decide(wf, dossier.id, head, decisions.DecisionForm(
        "không đồng ý", "Chưa đủ tiêu chuẩn", "", None), tmp_path)
    assert decided.data["outcome"] == "rejected"
    with pytest.raises(InvalidInput):
        decisions.decide(wf, dossier.id, head, decisions.DecisionForm(
            "maybe", "x", "1", None), tmp_path)


def test_the_flag_cap_explains_its_count_and_rounding(bloc: Bloc, tmp_path: Path) -> None:
    """With two blocs of the council the flag cap is 20% of 2 = 0.4, rounded down to 0."""
    session = cluster_vote(bloc, tmp_path)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)
    bloc.wf.fire(dossier, "post", bloc.leader)
    attach(bloc, dossier, ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet",
                           "bien_ban_suy_ton_cum"], tmp_path)
    with bloc.services.engine.begin() as conn:  # three of the other four blocs leave
        conn.execute(clusters.update().where(clusters.c.code.in_(["K1", "K2", "K3"])).values(
            council="Hội đồng TĐKT tỉnh"))
    bloc.clock.set(local("2025-12-24"))
    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(dossier.id, "submit", bloc.leader)
    assert ("at most 0 of the 2 leading units of Hội đồng Thi đua – Khen thưởng Trung ương may "
            "be proposed: 20% of 2 leading units = 0.4 → at most 0 (down)") in str(err.value)
