"""An exemplary model (điển hình tiên tiến) through the services: registered from a unit's
report by the cluster's leader, returned for more information and resubmitted, accepted,
presented at a conference, spread to two units that record their adoption and results, and
counted as the evidence of the criterion about exemplary models in the unit's score sheet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.conftest import Snapshots
from tests.integration.test_dossier import cluster_vote, council_bloc
from tests.year_support import (
    Bloc,
    at,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
    walked_bloc,
)
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.services import dossiers, inbox, notifications
from workflow.services import exemplary_models as models


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return walked_bloc("models:bloc at mid-year", services, clock, snapshots,
                       launch, sign_all_pledges, mid_year)


MODEL = {"name": "Một cửa liên thông điện tử trong công tác hộ tịch",
         "field": "Cải cách hành chính",
         "description": "Tiếp nhận và trả kết quả hộ tịch trực tuyến, liên thông ba cấp.",
         "results": "Giảm 40% thời gian giải quyết hồ sơ trong 6 tháng đầu năm.",
         "people": "Cục Hộ tịch; Phòng Tư pháp các quận"}


def _from_report(bloc: Bloc, code: str = "bca", **changes: Any) -> Any:
    assert bloc.campaign is not None
    report = bloc.child("report", code)
    source = models.source_of(bloc.wf, bloc.campaign, report.id)
    return models.propose(bloc.wf, bloc.leader, bloc.campaign, bloc.units[code],
                          {**MODEL, **changes}, source=source, submit=True)


def test_a_model_found_in_a_report_is_returned_resubmitted_and_accepted(bloc: Bloc) -> None:
    model = _from_report(bloc)
    assert model.state == "submitted"
    assert model.data["source"]["kind"] == "report"
    assert models.name_of(model) == MODEL["name"]

    model = bloc.wf.fire(model, "return", bloc.leader,
                         {"comment": "Bổ sung số liệu kết quả"}).instance
    assert model.state == "returned"
    notices = notifications.inbox(bloc.services.uow(), bloc.users["bca_officer"])
    assert any(n.instance_id == model.id and "Bổ sung số liệu" in n.body for n in notices)

    with pytest.raises(TransitionNotAllowed) as empty:
        bloc.wf.fire(model, "revise", bloc.officer("bca"), {"model": {**MODEL, "results": ""}})
    assert empty.value.refusal is not None
    assert empty.value.refusal.code == "model_results_missing"
    model = bloc.wf.fire(model, "revise", bloc.officer("bca"), {"model": {
        **MODEL, "results": "Giảm 40% thời gian; 12.000 hồ sơ trực tuyến."}}).instance
    model = bloc.wf.fire(model, "resubmit", bloc.officer("bca")).instance
    model = bloc.wf.fire(model, "accept", bloc.deputy).instance
    assert model.state == "accepted"
    assert model.data["model"]["results"].startswith("Giảm 40%")


def test_a_unit_proposes_its_own_model_with_evidence_and_the_leader_reviews(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    model = models.propose(bloc.wf, bloc.officer("bqp"), bloc.campaign, bloc.units["bqp"],
                           MODEL)
    assert model.state == "draft"
    with pytest.raises(TransitionNotAllowed) as bare:
        bloc.wf.fire(model, "submit", bloc.officer("bqp"))
    assert bare.value.refusal is not None
    assert bare.value.refusal.code == "model_evidence_missing"
    bloc.attach(model, bloc.officer("bqp"), models.EVIDENCE_KIND)
    bloc.wf.fire(model, "submit", bloc.officer("bqp"))
    waiting, _total = inbox.waiting_for(bloc.wf, bloc.leader)
    assert model.id in [w.id for w in waiting]
    accepted = bloc.wf.fire(bloc.wf.get(model.id), "accept", bloc.leader).instance
    assert accepted.state == "accepted"


def test_nobody_proposes_for_another_unit_and_the_leader_not_for_its_own(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    with pytest.raises(PermissionDenied):
        models.propose(bloc.wf, bloc.officer("bqp"), bloc.campaign, bloc.units["bca"], MODEL)
    with pytest.raises(InvalidInput) as missing:
        models.propose(bloc.wf, bloc.officer("bqp"), bloc.campaign, bloc.units["bqp"],
                       {**MODEL, "name": " "})
    assert missing.value.refusal is not None
    assert missing.value.refusal.code == "model_name_missing"
    own = _from_report(bloc, "btp")
    with pytest.raises(TransitionNotAllowed) as mine:
        bloc.wf.fire(own, "accept", bloc.leader)  # the leader's own unit: the deputy reviews
    assert mine.value.refusal is not None
    assert mine.value.refusal.code == "own_unit"
    assert bloc.wf.fire(own, "accept", bloc.deputy).instance.state == "accepted"


def test_an_accepted_model_is_presented_spread_and_adopted(bloc: Bloc) -> None:
    assert bloc.campaign is not None
    model = bloc.wf.fire(_from_report(bloc), "accept", bloc.leader).instance
    conference = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster, year=2025,
                               parent_id=bloc.campaign.id)
    with pytest.raises(TransitionNotAllowed) as wrong:
        bloc.wf.fire(model, "present", bloc.leader,
                     {"presentation": {"conference_id": model.id, "presenter": ""}})
    assert wrong.value.refusal is not None
    assert wrong.value.refusal.code == "model_conference_invalid"
    model = bloc.wf.fire(model, "present", bloc.leader, {"presentation": {
        "conference_id": conference.id, "presenter": "Đại diện Bộ Công an"}}).instance
    assert model.data["presentations"][0]["conference_id"] == conference.id

    with pytest.raises(TransitionNotAllowed) as own:
        bloc.wf.fire(model, "spread", bloc.leader, {"spreading": {
            "units": [bloc.units["bca"]], "clusters": [], "sector": False, "note": ""}})
    assert own.value.refusal is not None
    assert own.value.refusal.code == "model_spreading_unit_taken"
    model = bloc.wf.fire(model, "spread", bloc.leader, {"spreading": {
        "units": [bloc.units["bqp"], bloc.units["tandtc"]], "clusters": [], "sector": True,
        "note": "Áp dụng trong quý IV"}}).instance
    assert model.state == "spreading"
    adoptions = models.adoptions_of(bloc.wf, model)
    assert [a.unit_id for a in adoptions] == [bloc.units["bqp"], bloc.units["tandtc"]]
    told = [n for n in notifications.inbox(bloc.services.uow(), bloc.users["tandtc_head"])
            if n.instance_id == model.id]
    assert told[0].subject == f"[Thi đua] Đề xuất áp dụng mô hình “{MODEL['name']}”"
    assert "Áp dụng trong quý IV" in told[0].body
    assert told[0].link == f"/models/{model.id}"
    assert adoptions[0].data["proposal"]["model"] == MODEL["name"]
    with pytest.raises(TransitionNotAllowed):  # asked already
        bloc.wf.fire(model, "spread", bloc.leader, {"spreading": {
            "units": [bloc.units["bqp"]], "clusters": [], "sector": False, "note": ""}})

    bloc.clock.set(at("2025-08-20"))
    with pytest.raises(TransitionNotAllowed) as future:
        bloc.wf.fire(adoptions[0], "adopt", bloc.officer("bqp"),
                     {"adoption": {"date": "2025-09-01", "how": "Triển khai"}})
    assert future.value.refusal is not None
    assert future.value.refusal.code == "adoption_date_invalid"
    with pytest.raises(TransitionNotAllowed):  # another unit's adoption
        bloc.wf.fire(adoptions[0], "adopt", bloc.officer("tandtc"),
                     {"adoption": {"date": "2025-08-15", "how": "Triển khai"}})
    first = bloc.wf.fire(adoptions[0], "adopt", bloc.officer("bqp"), {"adoption": {
        "date": "2025-08-15", "how": "Ban hành kế hoạch áp dụng tại 5 đơn vị"}}).instance
    assert first.state == "adopted"
    done = bloc.wf.fire(first, "report_results", bloc.head("bqp"),
                        {"results": "Rút ngắn 30% thời gian xử lý"}).instance
    assert done.state == "reported"
    second = bloc.wf.fire(adoptions[1], "adopt", bloc.officer("tandtc"), {"adoption": {
        "date": "2025-08-18", "how": "Áp dụng tại Văn phòng"}}).instance
    assert second.data["adoption"]["how"] == "Áp dụng tại Văn phòng"


def test_an_adoption_is_reminded_and_escalated_to_the_leader(bloc: Bloc) -> None:
    model = bloc.wf.fire(_from_report(bloc), "accept", bloc.leader).instance
    bloc.wf.fire(model, "spread", bloc.leader, {"spreading": {
        "units": [bloc.units["bqp"]], "clusters": [], "sector": False, "note": ""}})
    [adoption] = models.adoptions_of(bloc.wf, model)

    def kinds(user: str) -> list[str]:
        return [n.kind for n in notifications.inbox(bloc.services.uow(), bloc.users[user])
                if n.instance_id == adoption.id]

    bloc.clock.set(at("2025-07-24"))  # spread on 01/07: a month is out on 31/07
    bloc.services.sweeper().sweep()
    assert kinds("bqp_officer") == ["reminder"]
    bloc.clock.set(at("2025-08-01", 10))
    bloc.services.sweeper().sweep()
    assert "escalation" in kinds("btp_head")


def test_an_accepted_model_is_the_evidence_of_the_criterion_about_models(bloc: Bloc) -> None:
    from tests.year_support import inspect_all, self_scores

    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    sheets = {code: bloc.child("score_sheet", code) for code in ("bca", "bqp")}
    for code, sheet in sheets.items():
        bloc.wf.fire(sheet, "save_scores", bloc.officer(code),
                     {"scores": self_scores(bloc, code)})
        for c in bloc.table.criteria:
            if c.evidence and c.code != "dien_hinh_tien_tien":
                bloc.attach(sheet, bloc.officer(code), c.evidence[0], ref=c.code)
    assert "exemplary_model" in bloc.table.criterion("dien_hinh_tien_tien").evidence

    with pytest.raises(TransitionNotAllowed) as bare:
        bloc.wf.fire(sheets["bqp"].id, "submit", bloc.head("bqp"))
    assert bare.value.refusal is not None
    assert bare.value.refusal.code == "evidence_missing"

    bloc.wf.fire(_from_report(bloc, "bca"), "accept", bloc.leader)
    submitted = bloc.wf.fire(sheets["bca"].id, "submit", bloc.head("bca")).instance
    assert submitted.state != "self_scoring"
    assert [m.unit_id for m in models.accepted_models(bloc.wf, sheets["bca"].parent_id or 0,
                                                      bloc.units["bca"])] == [bloc.units["bca"]]


def test_a_dossier_cites_the_nominees_models_in_its_achievement_report(
        services: Services, clock: FakeClock, snapshots: Snapshots, tmp_path: Path) -> None:
    bloc = council_bloc(services, clock, snapshots)
    model = bloc.wf.fire(_from_report(bloc, "bca"), "accept", bloc.leader).instance
    bloc.wf.fire(model, "spread", bloc.leader, {"spreading": {
        "units": [bloc.units["bqp"]], "clusters": [], "sector": False, "note": ""}})
    [adoption] = models.adoptions_of(bloc.wf, model)
    bloc.wf.fire(adoption, "adopt", bloc.officer("bqp"), {"adoption": {
        "date": "2025-12-01", "how": "Áp dụng tại Văn phòng Bộ"}})
    session = cluster_vote(bloc, tmp_path)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, tmp_path)
    assert [m.id for m in models.models_of_unit(
        bloc.wf, services.reads, bloc.units["bca"], 2025)] == [model.id]
    with pytest.raises(PermissionDenied):
        models.cite_in_dossier(bloc.wf, services.reads, tmp_path, dossier, bloc.officer("bqp"))

    doc = models.cite_in_dossier(bloc.wf, services.reads, tmp_path, dossier, bloc.leader)
    [kept] = services.reads.documents(dossier.id, models.ANNEX_KIND)
    assert kept.filename == doc.filename
    annex = docx.Document(io.BytesIO(doc.content))
    text = "\n".join(p.text for p in annex.paragraphs)
    cells = "\n".join(c.text for t in annex.tables for r in t.rows for c in r.cells)
    assert "ĐIỂN HÌNH TIÊN TIẾN, MÔ HÌNH HAY CỦA BỘ CÔNG AN NĂM 2025" in text
    assert "Kèm theo Báo cáo thành tích đề nghị Cờ thi đua của Chính phủ" in text
    assert f"1. {MODEL['name']}" in text
    assert "Được nhân rộng, áp dụng tại 1 đơn vị:" in text
    assert "Bộ Quốc phòng" in cells
    assert "01/12/2025" in cells
