"""From the bloc's vote to a decided and announced Government-flag proposal: public posting
with objections, the documents of the title, two returns for supplement with the appraisal
clock paused, the council's secret vote, the decision, the public page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from tests.conftest import Snapshots
from tests.year_support import MEMBERS, REASON, YEAR, Bloc, make_bloc, walk_to_year_end
from workflow.adapters.tables import clusters, documents
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.domain.refusals import Ref
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import dossiers, notifications, organisations, people, voting

FLAG = "co_thi_dua_chinh_phu"
COUNCIL = "Hội đồng Thi đua – Khen thưởng Trung ương"
PDF = b"%PDF-1.4\n% dossier document\n"


def local(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return council_bloc(services, clock, snapshots)


def council_bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    """The bloc at year end, four more blocs of its council, the council's people."""
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        uow = services.uow()
        # four more blocs of the same council: 20% of five leading units is one flag
        for n in range(4):
            unit = organisations.create_unit(uow, f"X{n}", f"Đơn vị khối khác {n}")
            organisations.create_cluster(uow, f"K{n}", f"Khối {n}", "khoi", YEAR, [unit],
                                         council=COUNCIL)
        for name, role in [(f"hd_{n}", "council_member") for n in range(9)] + [
                ("hd_chutich", "council_chair"), ("thu_tuong", "decision_authority")]:
            bloc.users[name] = people.create_user(uow, name, name)
            people.grant(uow, bloc.users[name], role, year=YEAR)
        walk_to_year_end(bloc)
        return bloc

    return snapshots.world("dossier:bloc and council at year end", services, clock, build)


def cluster_vote(bloc: Bloc, folder: Path) -> Instance:
    bloc.clock.set(local("2025-12-10"))
    session = voting.schedule_cluster_vote(bloc.wf, bloc.refresh().id, bloc.leader,
                                           {FLAG: [bloc.units["bca"], bloc.units["bqp"]]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session, "open", bloc.leader)
    for code, _ in MEMBERS:
        pick = "bqp" if code in ("bca", "ttcp") else "bca"
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code), {FLAG: [bloc.units[pick]]})
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader, folder, [("Trần Văn B", "Thư ký")])
    bloc.wf.fire(session.id, "lock", bloc.leader)
    return bloc.wf.get(session.id)


def attach(bloc: Bloc, dossier: Instance, kinds: list[str], folder: Path) -> None:
    for kind in kinds:
        dossiers.attach(bloc.wf, bloc.wf.get(dossier.id), bloc.leader, folder, kind,
                        f"{kind}.pdf", PDF)


def test_the_bloc_proposes_bca_and_the_flag_is_decided_and_announced(
    bloc: Bloc, tmp_path: Path
) -> None:
    wf, folder, office = bloc.wf, tmp_path, bloc.actor("vu_tdkt")
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(wf, session.id, bloc.leader, folder)
    assert (dossier.unit_id, dossier.data["title"]) == (bloc.units["bca"], FLAG)

    wf.fire(dossier, "post", bloc.leader)
    objection = dossiers.file_objection(wf, dossier.id, "Đề nghị làm rõ số liệu quý IV",
                                        contact="cong.dan@example.vn")
    assert [d.id for d in dossiers.public_listing(wf) if d.objections_open] == [dossier.id]
    bloc.clock.set(local("2025-12-18"))
    with pytest.raises(TransitionNotAllowed) as early:
        wf.fire(dossier.id, "submit", bloc.leader)
    assert "posted publicly for 6 of the 10 working days required" in str(early.value)

    bloc.clock.set(local("2025-12-24"))  # ten working days after posting on 10 December
    # an objection holds the dossier back once the council office judges it admissible
    dossiers.judge_objection(wf, objection, office, admissible=True,
                             reason="Phản ánh có căn cứ về số liệu")
    with pytest.raises(TransitionNotAllowed) as unanswered:
        wf.fire(dossier.id, "submit", bloc.leader)
    assert "1 objection(s) still to be answered" in str(unanswered.value)
    dossiers.answer_objection(wf, objection, bloc.leader, "Số liệu đã được kiểm tra chéo")
    with pytest.raises(TransitionNotAllowed) as missing:
        wf.fire(dossier.id, "submit", bloc.leader)
    assert "documents missing: to_trinh, bao_cao_thanh_tich" in str(missing.value)
    refusal = missing.value.refusal
    assert refusal is not None
    assert [d.vi for d in refusal.params["documents"]][:2] == [
        "Tờ trình đề nghị khen thưởng", "Báo cáo thành tích"]

    letter_hash = dossiers.submission_letter(wf, dossier.id, bloc.leader, folder,
                                             number="12/TTr-KNC", signer=("KHỐI TRƯỞNG",
                                                                          "Nguyễn Văn A"))
    attach(bloc, dossier, ["bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"],
           folder)
    dossier = wf.fire(dossier.id, "submit", bloc.leader).instance
    assert dossier.state == "submitted"
    assert any(h["kind"] == "document" and h["payload"]["sha256"] == letter_hash
               for h in wf.history(dossier.id))

    wf.fire(dossier, "receive", office)
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier, "start_appraisal", office)
    bloc.clock.set(local("2026-01-09"))  # four working days of appraisal
    wf.fire(dossier, "return", office, {"comment": "Bổ sung báo cáo", "missing": ["số liệu"]})
    for told in ("bca_officer", "bca_head", "btp_head"):  # the unit, and the leader who files it
        [note] = [n for n in notifications.inbox(bloc.services.uow(), bloc.users[told])
                  if n.kind == "returned"]  # the leader and head were also told of the objection
        assert note.subject == (  # named by the title it proposes
            f"[Thi đua] Trả lại: Hồ sơ đề nghị Cờ thi đua của Chính phủ {YEAR} – Bộ Công an")
        assert "Bổ sung báo cáo" in note.body
    bloc.clock.set(local("2026-01-16"))  # the clock does not run while it is returned
    wf.fire(dossier, "resubmit", bloc.leader)
    bloc.clock.set(local("2026-01-20"))
    wf.fire(dossier, "return", office, {"comment": "Bổ sung lần 2", "missing": ["biên bản"]})
    bloc.clock.set(local("2026-01-22"))
    dossier = wf.fire(dossier, "resubmit", bloc.leader).instance
    assert dossier.data["times_returned"] == 2
    assert dossier.data["appraisal_days_used"] == 4 + 2
    # 20 working days at the central level (Decree 98/2023 art. 32(2)): 14 left, before Tết
    assert dossier.data["appraisal_due"] == "2026-02-11"

    wf.fire(dossier, "to_council", office)
    council = dossiers.schedule_council_vote(wf, office, [dossier.id], YEAR)
    wf.fire(council, "check_quorum", office,
            {"present": [f"user:{bloc.users[f'hd_{n}']}" for n in range(8)]})
    wf.fire(council, "open", office)
    for n in range(8):
        picked = {FLAG: [dossier.id]} if n < 8 else {}  # a flag needs 80% of all members
        voting.cast_ballot(wf, council.id, bloc.actor(f"hd_{n}"), picked)
    wf.fire(council, "close", office, {"comment": REASON})
    council = wf.get(council.id)
    line = voting.result(wf, council.id)["tally"]["1"]["titles"][FLAG]["candidates"][0]
    assert line["carried"]
    assert "8 yes of 9 members = 88.9%" in line["reason"]
    voting.draw_up_minutes(wf, council.id, office, folder, [("Lê Thị C", "Thư ký")])
    wf.fire(council.id, "lock", bloc.actor("hd_chutich"))
    dossiers.record_council_results(wf, council.id, office)
    wf.fire(dossier.id, "council_done", office)

    authority = bloc.actor("thu_tuong")
    wf.fire(dossier.id, "decide", authority, {
        "outcome": "approved", "reasons": ["Dẫn đầu phong trào thi đua Khối Nội chính 2025"],
        "decision_number": "123/QĐ-TTg"})
    decision_hash = dossiers.decision_list(wf, [dossier.id], office, folder,
                                           number="123/QĐ-TTg", decider="THỦ TƯỚNG")
    wf.fire(dossier.id, "announce", office)

    public = [d for d in dossiers.public_listing(wf) if d.id == dossier.id]
    assert [(p.state, p.unit, p.title, p.outcome) for p in public] == [
        ("announced", "Bộ Công an", "Cờ thi đua của Chính phủ", "approved")]
    assert [(p.decision_number, p.decision_date) for p in public] == [
        ("123/QĐ-TTg", bloc.clock.today())]
    history = wf.history(dossier.id)
    assert any(h["payload"].get("sha256") == decision_hash for h in history)
    with bloc.services.engine.connect() as conn:
        key = conn.execute(sa.select(documents.c.storage_key).where(
            documents.c.instance_id == dossier.id, documents.c.kind == "quyet_dinh")).scalar()
    decision = docx.Document(str(folder / str(key)))
    text = "\n".join(p.text for p in decision.paragraphs) + "\n".join(
        c.text for t in decision.tables for row in t.rows for c in row.cells)
    assert "123/QĐ-TTg" in text
    assert "Bộ Công an" in text


def test_one_dossier_per_nominee_title_and_year(bloc: Bloc, tmp_path: Path) -> None:
    session = cluster_vote(bloc, tmp_path)
    [first] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)
    bloc.wf.fire(first, "post", bloc.leader)

    [second] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)
    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(second, "post", bloc.leader)

    assert "already has a dossier for this title this year" in str(err.value)
    assert err.value.refusal is not None
    assert err.value.refusal.params["dossier"] == Ref("item", first.id)


def test_objections_only_while_posted_and_answers_need_text(bloc: Bloc, tmp_path: Path) -> None:
    session = cluster_vote(bloc, tmp_path)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)

    with pytest.raises(TransitionNotAllowed):
        dossiers.file_objection(bloc.wf, dossier.id, "Quá sớm")
    bloc.wf.fire(dossier, "post", bloc.leader)
    objection = dossiers.file_objection(bloc.wf, dossier.id, "Có khiếu nại chưa giải quyết")
    with pytest.raises(InvalidInput):
        dossiers.answer_objection(bloc.wf, objection, bloc.leader, "  ")
    with pytest.raises(InvalidInput):
        dossiers.file_objection(bloc.wf, dossier.id, "")


def test_a_council_with_too_few_leading_units_cannot_propose_the_flag(
    bloc: Bloc, tmp_path: Path
) -> None:
    session = cluster_vote(bloc, tmp_path)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)
    bloc.wf.fire(dossier, "post", bloc.leader)
    attach(bloc, dossier, ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet",
                           "bien_ban_suy_ton_cum"], tmp_path)
    with bloc.services.engine.begin() as conn:  # the other four blocs belong to a province
        conn.execute(clusters.update().where(clusters.c.code.like("K_")).values(
            council="Hội đồng TĐKT tỉnh"))
    bloc.clock.set(local("2025-12-24"))

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(dossier.id, "submit", bloc.leader)

    assert f"at most 0 of the 1 leading units of {COUNCIL} may be proposed" in str(err.value)


def test_nobody_appraises_votes_on_or_decides_their_own_units_dossier(
    bloc: Bloc, tmp_path: Path
) -> None:
    """Separation of duties: the bca dossier meets people of bca at each council step (an
    office clerk seconded from bca, the minister of bca sitting on the council, a deciding
    head who is also bca's): each is refused there, and the others go on."""
    wf, e, office = bloc.wf, bloc.services.uow(), bloc.actor("vu_tdkt")
    for name, role in (("clerk_bca", "council_secretariat"), ("hd_bca", "council_member"),
                       ("qd_bca", "decision_authority")):
        bloc.users[name] = people.create_user(e, name, name)
        people.grant(e, bloc.users[name], role, year=YEAR)
        people.grant(e, bloc.users[name], "unit_head" if name == "hd_bca" else "unit_officer",
                     unit_id=bloc.units["bca"], year=YEAR)
    session = cluster_vote(bloc, tmp_path)
    [dossier] = dossiers.open_dossiers(wf, session.id, bloc.leader, tmp_path)
    wf.fire(dossier, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    attach(bloc, dossier, ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet",
                           "bien_ban_suy_ton_cum"], tmp_path)
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", office)

    with pytest.raises(TransitionNotAllowed) as appraise:
        wf.fire(dossier.id, "start_appraisal", bloc.actor("clerk_bca"))
    assert "may not act on its own item" in str(appraise.value)
    wf.fire(dossier.id, "start_appraisal", office)
    with pytest.raises(TransitionNotAllowed):
        wf.fire(dossier.id, "to_council", bloc.actor("clerk_bca"))
    wf.fire(dossier.id, "to_council", office)

    council = dossiers.schedule_council_vote(wf, office, [dossier.id], YEAR)
    members = [f"hd_{n}" for n in range(9)] + ["hd_bca"]
    wf.fire(council, "check_quorum", office,
            {"present": [f"user:{bloc.users[m]}" for m in members]})
    wf.fire(council, "open", office)
    with pytest.raises(PermissionDenied) as vote:
        voting.cast_ballot(wf, council.id, bloc.actor("hd_bca"), {FLAG: [dossier.id]})
    assert "nobody votes on their own unit" in str(vote.value)
    assert voting.turnout(wf, council.id)["voted"] == []  # the refused ballot left no trace
    voting.cast_ballot(wf, council.id, bloc.actor("hd_bca"), {})  # abstaining is allowed
    for n in range(9):
        voting.cast_ballot(wf, council.id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})
    wf.fire(council, "close", office, {"comment": REASON})
    voting.draw_up_minutes(wf, council.id, office, tmp_path, [("Lê Thị C", "Thư ký")])
    wf.fire(council.id, "lock", bloc.actor("hd_chutich"))
    dossiers.record_council_results(wf, council.id, office)
    wf.fire(dossier.id, "council_done", office)

    decision = {"outcome": "approved", "reasons": ["Dẫn đầu Khối"], "decision_number": "1/QĐ"}
    with pytest.raises(TransitionNotAllowed) as decide:
        wf.fire(dossier.id, "decide", bloc.actor("qd_bca"), decision)
    assert "may not act on its own item" in str(decide.value)
    decided = wf.fire(dossier.id, "decide", bloc.actor("thu_tuong"), decision).instance
    assert decided.state == "decided"
