"""One emulation year of the eight-member bloc, from launch to final ranked scores, as its
people do it through the services; and every refusal they would hit on the way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.year_support import (
    DATES,
    MEMBERS,
    YEAR,
    Bloc,
    at,
    inspect,
    inspect_all,
    launch,
    make_bloc,
    mid_year,
    plan_and_start_inspection,
    score,
    score_and_submit_all,
    sign_all_pledges,
    sign_pledge,
    submit_report,
    targets,
    verify_and_finalize_all,
)
from workflow.adapters.tables import score_adjustments
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.domain.refusals import Ref, Refusal
from workflow.errors import PermissionDenied, TransitionNotAllowed
from workflow.services import people, year
from workflow.services.audit import verify


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    return make_bloc(services, clock)


def penalties(bloc: Bloc) -> list[tuple[str, str, str]]:
    a = score_adjustments.c
    with bloc.services.engine.connect() as conn:
        rows = conn.execute(sa.select(a.unit_id, a.code, a.source).order_by(a.id)).all()
    return [(bloc.code_of(u), code, source.split(":")[0]) for u, code, source in rows]


def test_a_whole_year_ends_in_a_ranking_of_final_scores(bloc: Bloc) -> None:
    launch(bloc)
    assert len(bloc.children("pledge")) == 8
    sign_all_pledges(bloc)
    assert bloc.refresh().state == "active"
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    assert {i.state for i in bloc.children("inspection")} == {"applied"}
    score_and_submit_all(bloc)
    assert {s.state for s in bloc.children("score_sheet")} == {"cross_checked"}
    verify_and_finalize_all(bloc)

    assert bloc.refresh().state == "year_end_review"
    assert {r.data["period"] for r in bloc.children("report")} == {"six_month", "year_end"}
    assert len(bloc.children("report")) == 16
    result = year.ranking(bloc.wf, bloc.campaign.id)  # type: ignore[union-attr]
    assert result.pending_units == ()
    assert [s.unit_code for s in result.standings][-1] == "TTCP"
    assert [s.rank for s in result.standings] == [1, 1, 1, 1, 1, 1, 1, 8]
    top = result.standings[0]
    assert (top.base, top.bonus, top.penalty, top.total) == (
        Decimal("100.00"), Decimal(0), Decimal(0), Decimal("100.00"))
    ttcp = result.standings[-1]
    assert ttcp.total < Decimal(100)
    assert ttcp.gap_flags > 0  # claimed full marks, the inspection found less
    assert verify(bloc.services.uow(), bloc.services.chain).ok


def test_launch_needs_a_published_criteria_table_and_ordered_dates(bloc: Bloc) -> None:
    campaign = bloc.wf.start("campaign", bloc.leader, cluster_id=bloc.cluster, year=YEAR)

    with pytest.raises(TransitionNotAllowed) as unknown:
        bloc.wf.fire(campaign, "launch", bloc.leader, {
            "theme": "x", "criteria_table": "khong_co", "dates": DATES})
    with pytest.raises(TransitionNotAllowed) as disorder:
        bloc.wf.fire(campaign, "launch", bloc.leader, {
            "theme": "x", "criteria_table": "khoi_noi_chinh",
            "dates": DATES | {"six_month_report_due": "2025-01-01"}})

    assert unknown.value.refusal == Refusal("criteria_table_unknown", {"table": "khong_co"})
    assert "no published criteria table khong_co" in str(unknown.value)
    order = disorder.value.refusal
    assert order is not None
    assert order.code == "campaign_dates_order"
    assert order.params["later"] == Ref("term", "six_month_report_due")
    assert order.params["later_date"] == dt.date(2025, 1, 1)
    assert order.params["earlier"] == Ref("term", "pledge_deadline")
    assert "six_month_report_due (2025-01-01) comes before pledge_deadline" in str(
        disorder.value)
    assert bloc.wf.get(campaign.id).state == "draft"


def test_the_campaign_pins_the_criteria_table_version_it_launched_with(bloc: Bloc) -> None:
    campaign = launch(bloc)

    assert bloc.wf.get(campaign.id).data["criteria_table"] == {
        "code": "khoi_noi_chinh", "version": 1}


def test_another_units_officer_cannot_draft_a_pledge(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(pledge, "save_targets", bloc.officer("bqp"), {"targets": targets(bloc)})

    assert err.value.check == "role"


def test_last_years_leader_cannot_accept_this_years_pledge(bloc: Bloc) -> None:
    launch(bloc)
    uow = bloc.services.uow()
    old = people.create_user(uow, "old_leader", "Trưởng khối 2024")
    people.grant(uow, old, "cluster_leader", cluster_id=bloc.cluster, year=YEAR - 1)
    pledge = bloc.child("pledge", "bca")
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))

    old_leader = people.actor(uow, old)
    assert old_leader is not None

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(pledge, "accept", old_leader)

    assert "in 2025" in str(err.value)
    assert "in 2024" in str(err.value)


def test_a_pledge_missing_a_target_cannot_be_submitted(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    partial = dict(list(targets(bloc).items())[1:])
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": partial})

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(pledge, "submit", bloc.head("bca"))

    first = next(iter(targets(bloc)))
    assert f"targets missing for 1 criteria: {first}" in str(err.value)


def test_a_pledge_is_signed_once_and_changed_only_as_a_new_version(bloc: Bloc) -> None:
    launch(bloc)
    pledge = sign_pledge(bloc, "bca")
    first_hash = pledge.data["signed_hash"]

    with pytest.raises(TransitionNotAllowed) as twice:
        bloc.wf.fire(pledge, "sign", bloc.head("bca"))
    with pytest.raises(TransitionNotAllowed):
        bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "amend", bloc.head("bca"), {"comment": "Điều chỉnh chỉ tiêu"})
    changed = targets(bloc) | {next(iter(targets(bloc))): 120}
    bloc.wf.fire(pledge, "revise_targets", bloc.officer("bca"), {"targets": changed})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))
    bloc.wf.fire(pledge, "accept", bloc.leader)
    bloc.wf.fire(pledge, "sign", bloc.head("bca"))

    assert "'sign' is not possible from state 'signed'" in str(twice.value)
    assert pledge.data["pledge_version"] == 2
    assert pledge.data["signed_hash"] != first_hash
    assert [v["hash"] for v in pledge.data["signed_versions"]][0] == first_hash


def test_the_leader_does_not_accept_its_own_pledge(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "btp")
    bloc.wf.fire(pledge, "save_targets", bloc.officer("btp"), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head("btp"))

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(pledge, "accept", bloc.leader)

    assert "not_own_unit" in str(err.value)
    assert bloc.wf.fire(pledge, "accept", bloc.deputy).instance.state == "accepted"


def test_the_pledge_deadline_lists_who_did_not_sign_and_counts_it(bloc: Bloc) -> None:
    launch(bloc)
    for code in ("btp", "lang", "bqp"):
        sign_pledge(bloc, code)
    bloc.clock.set(at("2025-04-01"))

    bloc.wf.fire(bloc.refresh(), "close_pledging", bloc.actor("vu_tdkt"))

    campaign = bloc.refresh()
    assert campaign.state == "active"
    unsigned = {bloc.code_of(u) for u in campaign.data["unsigned_units"]}
    assert unsigned == {"bca", "tandtc", "vksndtc", "ttcp", "ktnn"}
    assert sorted(p for p in penalties(bloc)) == sorted(
        (code, "giao_uoc_cham", "pledge") for code in unsigned)


def test_a_late_report_is_penalised_exactly_once(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca", "ktnn"))
    bloc.clock.set(at("2025-07-20"))  # five days after the due date
    report = bloc.child("report", "bca")
    bloc.attach(report, bloc.officer("bca"), "report")
    bloc.wf.fire(report, "submit", bloc.officer("bca"))
    bloc.wf.fire(report, "return", bloc.leader, {"comment": "Thiếu số liệu quý II"})
    bloc.wf.fire(report, "submit", bloc.officer("bca"))  # late again: still one penalty

    late = [p for p in penalties(bloc) if p[1] == "bao_cao_cham"]
    assert late == [("bca", "bao_cao_cham", "report")]
    history = bloc.wf.history(report.id)
    assert "penalty bao_cao_cham -1" in history[-3]["payload"]["notes"][0]


def test_a_missing_report_is_penalised_when_the_review_moves_on(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("ktnn",))

    plan_and_start_inspection(bloc, reason="Đã quá hạn nộp báo cáo sơ kết")

    assert [p for p in penalties(bloc) if p[1] == "khong_bao_cao"] == [
        ("ktnn", "khong_bao_cao", "report")]


def test_an_on_time_report_costs_nothing(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca",))
    bloc.clock.set(at("2025-07-15", hour=23))  # late evening of the due date, local time

    submit_report(bloc, "bca")

    assert penalties(bloc) == []


def test_the_inspection_plan_pairs_no_unit_with_itself_or_its_inspector(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)

    proposal = plan_and_start_inspection(bloc)

    pairs = {(p["inspector_unit_id"], p["unit_id"]) for p in proposal["inspection_plan"]}
    assert len(pairs) == 8
    assert all(a != b and (b, a) not in pairs for a, b in pairs)
    assert all(p["team"] and p["lead"] in p["team"] for p in proposal["inspection_plan"])
    assert len(bloc.children("inspection")) == 8


def test_only_the_team_records_and_both_sides_sign_the_minutes(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    item = bloc.child("inspection", "bca")
    lead = item.data["plan"]["lead"]
    outsider = next(f"{c}_officer" for c, _ in MEMBERS
                    if f"{c}_officer" != lead and c != "bca")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(item, "record_results", bloc.actor(outsider), {"results": {}})
    assert "is not in the team of this inspection" in str(err.value)

    inspect(bloc, "bca")
    item = bloc.wf.get(item.id)
    assert item.state == "applied"
    assert set(item.data["signatures"]) == {"team", "unit"}
    assert item.data["signatures"]["unit"]["by"] == "bca_head"


def test_scoring_cannot_start_before_every_inspection_is_applied(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect(bloc, "bca")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(bloc.refresh(), "start_scoring", bloc.leader)

    assert "1 of 8 inspection items are applied" in str(err.value)


def _to_scoring(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)


def test_scores_without_evidence_cannot_be_submitted(bloc: Bloc) -> None:
    _to_scoring(bloc)
    sheet = score(bloc, "bca", evidence=False)

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(sheet, "submit", bloc.head("bca"))

    assert "evidence missing for 17 criteria: ke_hoach_phat_dong," in str(err.value)


def test_a_self_score_between_levels_is_refused(bloc: Bloc) -> None:
    _to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(sheet, "save_scores", bloc.officer("bca"),
                     {"scores": {"ke_hoach_phat_dong": {"points": "4.1"}}})

    assert "ke_hoach_phat_dong" in str(err.value)


def test_quantitative_scores_come_from_the_pledged_target(bloc: Bloc) -> None:
    _to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")
    code = bloc.table.targets_required()[0]
    bloc.wf.fire(sheet, "save_scores", bloc.officer("bca"),
                 {"scores": {code.code: {"achieved": "50"}}})

    with bloc.services.workflows.store.read() as tx:
        line = tx.score_lines(sheet.id)[code.code]

    assert (line.target, line.achieved) == (Decimal(100), Decimal(50))
    assert line.self_points == (code.max_points / 2).quantize(Decimal("0.01"))


def test_the_leader_cannot_verify_its_own_sheet_but_the_deputy_can(bloc: Bloc) -> None:
    _to_scoring(bloc)
    score_and_submit_all(bloc)
    bloc.clock.set(at("2025-12-05"))
    sheet = bloc.child("score_sheet", "btp")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(sheet, "verify", bloc.leader)

    assert "not_own_unit" in str(err.value)
    assert bloc.wf.fire(sheet, "verify", bloc.deputy).instance.state == "verified"


def test_a_unit_disputes_within_the_appeal_window_only(bloc: Bloc) -> None:
    _to_scoring(bloc)
    score_and_submit_all(bloc)
    sheet = bloc.child("score_sheet", "ttcp")

    with pytest.raises(TransitionNotAllowed) as early:
        bloc.wf.fire(sheet, "verify", bloc.leader)
    bloc.wf.fire(sheet, "dispute", bloc.head("ttcp"), {"comment": "Đề nghị xem lại 2.5"})
    bloc.wf.fire(sheet, "adjust_scores", bloc.leader,
                 {"scores": {"chat_luong_nhiem_vu": "5"}, "comment": "Chấp nhận khiếu nại"})
    bloc.wf.fire(sheet, "resolve", bloc.leader, {"comment": "Đã điều chỉnh"})
    bloc.clock.set(at("2025-12-05"))
    with pytest.raises(TransitionNotAllowed) as late:
        bloc.wf.fire(sheet, "dispute", bloc.head("ttcp"), {"comment": "Lần hai"})

    assert "may still dispute its scores until 2025-11-30" in str(early.value)
    assert "the appeal window closed on 2025-11-30" in str(late.value)
    bloc.wf.fire(sheet, "verify", bloc.leader)
    with bloc.services.workflows.store.read() as tx:
        lines = tx.score_lines(sheet.id)
    assert lines["chat_luong_nhiem_vu"].verified_points == Decimal(5)


def test_a_unit_cannot_be_scored_by_someone_from_another_unit(bloc: Bloc) -> None:
    _to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")

    with pytest.raises(TransitionNotAllowed) as err:
        bloc.wf.fire(sheet, "save_scores", bloc.officer("bqp"),
                     {"scores": {"ke_hoach_phat_dong": {"points": "5"}}})

    assert err.value.check == "role"


def test_rotation_after_the_year_makes_the_deputy_lead(bloc: Bloc) -> None:
    from workflow.services import organisations as orgs

    proposal = orgs.propose_rotation(bloc.services.uow(), bloc.clock, bloc.cluster,
                                     bloc.actor("vu_tdkt"))
    nxt = orgs.decide_rotation(bloc.services.uow(), bloc.clock, proposal.id,
                               bloc.actor("vu_tdkt"), confirm=True)

    assert nxt is not None
    cluster = orgs.get_cluster(bloc.services.uow(), nxt)
    assert (bloc.code_of(cluster.leader_unit_id), bloc.code_of(cluster.deputy_unit_id)) == (
        "lang", "bqp")
    with pytest.raises(PermissionDenied):
        orgs.propose_rotation(bloc.services.uow(), bloc.clock, bloc.cluster,
                              bloc.officer("bqp"))
