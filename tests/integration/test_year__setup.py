"""A cluster's campaign created from nothing: the council office plans it (theme, kind,
criteria table, dates), every problem is told by field, a second regular campaign of the year is
refused, and the launch spawns the pledges; moving on with members missing needs a reason."""

from __future__ import annotations

import pytest

from tests.year_support import DATES, YEAR, Bloc, at, make_bloc, mid_year, sign_all_pledges
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.domain.refusals import Ref, Refusal
from workflow.errors import PermissionDenied, TransitionNotAllowed
from workflow.services import campaigns, people, year

THEME = "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ"
FORM = {"theme": THEME, "kind": "regular", "criteria_table": "khoi_noi_chinh", "dates": DATES}


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    bloc = make_bloc(services, clock)
    clock.set(at("2025-01-15"))
    return bloc


def create(bloc: Bloc, form: dict[str, object] | None = None, by: str = "vu_tdkt") -> int:
    return campaigns.create(bloc.wf, bloc.services.criteria, bloc.actor(by), bloc.cluster,
                            form or FORM).id


def test_the_council_office_creates_the_draft_and_launches_it(bloc: Bloc) -> None:
    campaign_id = create(bloc)
    draft = bloc.wf.get(campaign_id)

    fired = campaigns.launch(bloc.wf, bloc.actor("vu_tdkt"), campaign_id, draft.version)

    assert draft.state == "draft"
    assert draft.data["criteria_table"] == {"code": "khoi_noi_chinh", "version": None}
    launched = fired.instance
    assert launched.state == "pledging"
    assert launched.data["theme"] == THEME
    assert launched.data["criteria_table"] == {"code": "khoi_noi_chinh", "version": 1}
    assert launched.data["dates"] == DATES
    assert len([c for c in bloc.wf.children(campaign_id) if c.workflow == "pledge"]) == 8
    [summary] = bloc.services.reads.cluster_campaigns(bloc.cluster)
    assert summary.title == ("Phong trào thi đua 2025 – Khối thi đua các bộ, ngành Nội chính "
                             "Trung ương")
    history = bloc.wf.history(campaign_id)
    assert history[0]["comment"].startswith("Lập kế hoạch: Phong trào thi đua 2025")
    assert history[-1]["comment"] == "Phát động phong trào thi đua năm 2025"


def test_the_leader_may_create_and_launch_as_the_definition_allows(bloc: Bloc) -> None:
    campaign_id = create(bloc, by="btp_head")

    launched = campaigns.launch(bloc.wf, bloc.leader, campaign_id).instance

    assert launched.state == "pledging"


def test_a_unit_officer_may_not_create_a_campaign(bloc: Bloc) -> None:
    with pytest.raises(PermissionDenied):
        create(bloc, by="bca_officer")

    assert bloc.services.reads.cluster_campaigns(bloc.cluster) == []


def test_every_problem_of_the_plan_is_told_by_its_field(bloc: Bloc) -> None:
    form = {"theme": "  ", "kind": "thematic", "criteria_table": "khong_co", "dates": DATES | {
        "six_month_report_due": "2025-01-01", "inspection_end": "15/11/2025",
        "scoring_deadline": "2026-01-10", "year_end_report_due": ""}}

    with pytest.raises(campaigns.PlanRefused) as refused:
        create(bloc, form)

    errors = refused.value.errors
    assert errors["theme"] == Refusal("campaign_theme_missing")
    assert errors["criteria_table"] == Refusal("criteria_table_unknown", {"table": "khong_co"})
    assert errors["six_month_report_due"].code == "campaign_dates_order"
    assert errors["six_month_report_due"].params["earlier"] == Ref("term", "pledge_deadline")
    assert errors["inspection_end"] == Refusal("campaign_date_invalid", {
        "key": Ref("term", "inspection_end"), "value": "15/11/2025"})
    assert errors["scoring_deadline"].code == "campaign_date_outside_year"
    assert errors["year_end_report_due"].code == "campaign_date_missing"
    assert "pledge_deadline" not in errors
    assert bloc.services.reads.cluster_campaigns(bloc.cluster) == []


def test_a_second_regular_campaign_of_the_year_is_refused_but_a_thematic_one_is_not(
    bloc: Bloc,
) -> None:
    create(bloc)

    with pytest.raises(campaigns.PlanRefused) as again:
        create(bloc)
    thematic = create(bloc, FORM | {"kind": "thematic", "theme": "Chuyển đổi số năm 2025"})

    assert again.value.errors == {"cluster": Refusal("campaign_exists", {
        "cluster": Ref("cluster", bloc.cluster), "year": str(YEAR)})}
    titles = [c.title for c in bloc.services.reads.cluster_campaigns(bloc.cluster)]
    assert titles[0] == "Chuyển đổi số năm 2025"
    assert bloc.services.reads.campaigns([thematic])[thematic].kind == "thematic"


def test_a_cancelled_campaign_does_not_block_a_new_one(bloc: Bloc) -> None:
    first = create(bloc)
    bloc.wf.fire(first, "cancel", bloc.actor("vu_tdkt"), {"comment": "Lập nhầm"})

    assert create(bloc) != first


def test_the_draft_plan_is_revised_then_launched_with_the_new_dates(bloc: Bloc) -> None:
    campaign_id = create(bloc)
    office = bloc.actor("vu_tdkt")

    with pytest.raises(campaigns.PlanRefused):
        campaigns.revise(bloc.wf, bloc.services.criteria, office, campaign_id,
                         FORM | {"dates": DATES | {"pledge_deadline": "2024-03-31"}})
    campaigns.revise(bloc.wf, bloc.services.criteria, office, campaign_id,
                     FORM | {"theme": "Chủ đề mới", "dates": DATES | {
                         "pledge_deadline": "2025-04-15"}})
    launched = campaigns.launch(bloc.wf, office, campaign_id).instance

    assert launched.data["theme"] == "Chủ đề mới"
    assert launched.data["dates"]["pledge_deadline"] == "2025-04-15"


def test_the_form_starts_from_last_years_table_and_dates(bloc: Bloc) -> None:
    first = campaigns.defaults(bloc.wf, bloc.services.criteria, bloc.cluster)
    create(bloc, FORM | {"dates": DATES | {"pledge_deadline": "2025-02-28"}})
    from workflow.services import organisations

    uow = bloc.services.uow()
    cluster = organisations.get_cluster(uow, bloc.cluster)
    next_year = organisations.create_cluster(
        uow, cluster.code, cluster.name, cluster.kind, YEAR + 1, list(cluster.members),
        leader_unit_id=cluster.deputy_unit_id, deputy_unit_id=cluster.members[2])

    later = campaigns.defaults(bloc.wf, bloc.services.criteria, next_year)

    assert first.criteria_table == ""  # two tables are published: the office picks one
    assert first.dates["pledge_deadline"] == "2025-03-31"
    assert later.last_year is not None
    assert later.dates["pledge_deadline"] == "2026-02-28"
    assert later.dates["year_end_report_due"] == "2026-12-15"
    assert later.criteria_table == "khoi_noi_chinh"


def test_starting_the_inspection_with_reports_missing_needs_a_reason(bloc: Bloc) -> None:
    campaign_id = create(bloc, by="btp_head")
    bloc.campaign = campaigns.launch(bloc.wf, bloc.leader, campaign_id).instance
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca", "ktnn"))
    bloc.clock.set(at("2025-09-15"))
    proposal = year.propose_inspection_plan(bloc.wf, campaign_id, bloc.leader, seed=7)
    bloc.wf.fire(campaign_id, "plan_inspections", bloc.leader,
                 {"inspection_plan": proposal["inspection_plan"]})

    with pytest.raises(TransitionNotAllowed) as refused:
        bloc.wf.fire(campaign_id, "start_inspection", bloc.leader)
    bloc.wf.fire(campaign_id, "start_inspection", bloc.leader,
                 {"comment": "Đã quá hạn sơ kết, hai đơn vị chưa nộp"})

    assert refused.value.refusal == Refusal("six_month_reports_missing_reason", {
        "count": 2, "units": [Ref("unit", bloc.units["bca"]), Ref("unit", bloc.units["ktnn"])]})
    assert bloc.wf.get(campaign_id).state == "cross_inspection"
    assert bloc.wf.history(campaign_id)[-1]["comment"] == "Đã quá hạn sơ kết, hai đơn vị chưa nộp"


def test_moving_on_without_unsigned_pledges_needs_a_reason(bloc: Bloc) -> None:
    campaign_id = create(bloc, by="btp_head")
    bloc.campaign = campaigns.launch(bloc.wf, bloc.leader, campaign_id).instance
    bloc.wf.fire(campaign_id, "close_pledging", bloc.actor("vu_tdkt"))

    with pytest.raises(TransitionNotAllowed) as refused:
        bloc.wf.fire(campaign_id, "start_mid_year", bloc.leader)
    bloc.wf.fire(campaign_id, "start_mid_year", bloc.leader, {"comment": "Theo kế hoạch"})

    assert refused.value.refusal is not None
    assert refused.value.refusal.code == "pledges_unsigned_reason"
    assert refused.value.refusal.params["count"] == 8


def test_an_admin_may_plan_but_the_office_or_the_leader_launches(bloc: Bloc) -> None:
    uow = bloc.services.uow()
    admin = people.create_user(uow, "quan_tri", "Quản trị")
    people.grant(uow, admin, "admin")
    bloc.users["quan_tri"] = admin
    campaign_id = create(bloc, by="quan_tri")

    with pytest.raises(TransitionNotAllowed) as refused:
        campaigns.launch(bloc.wf, bloc.actor("quan_tri"), campaign_id)

    assert refused.value.check == "role"
