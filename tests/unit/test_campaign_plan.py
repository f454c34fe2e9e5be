"""A campaign's plan on its own: every field checked (theme, kind, criteria table, each date in
its year and in order), the title people use, and who may create a campaign (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.test_access import (
    COUNCIL,
    INSPECTOR,
    LEADER_LAST_YEAR,
    OFFICER,
    OUTSIDER,
    actor,
    spec,
)
from workflow.domain.campaigns import DATE_KEYS, campaign_title, read_plan
from workflow.domain.refusals import Ref, Refusal
from workflow.domain.roles import Actor, RoleGrant
from workflow.services import access

YEAR = 2026
DATES = {"pledge_deadline": "2026-03-31", "six_month_report_due": "2026-07-15",
         "inspection_end": "2026-11-15", "scoring_deadline": "2026-12-10",
         "year_end_report_due": "2026-12-15"}
FORM = {"theme": "Đoàn kết, sáng tạo", "kind": "regular", "criteria_table": "knc",
        "dates": DATES}


def test_a_complete_plan_is_read_with_its_dates() -> None:
    plan, errors = read_plan(FORM | {"theme": "  Đoàn kết,   sáng tạo "}, YEAR, {"knc"})

    assert errors == {}
    assert plan is not None
    assert plan.theme == "Đoàn kết, sáng tạo"
    assert plan.dates["inspection_end"] == dt.date(2026, 11, 15)
    assert plan.data()["criteria_table"] == {"code": "knc", "version": None}
    assert plan.launch_payload()["dates"] == DATES


def test_the_year_end_report_may_fall_due_before_the_scoring_deadline() -> None:
    plan, errors = read_plan(FORM | {"dates": DATES | {"year_end_report_due": "2026-12-05"}},
                             YEAR, {"knc"})

    assert errors == {}
    assert plan is not None


def test_a_date_before_an_earlier_stage_is_named_with_the_stage_it_precedes() -> None:
    _, errors = read_plan(FORM | {"dates": DATES | {"scoring_deadline": "2026-06-01"}}, YEAR,
                          {"knc"})

    assert errors == {"scoring_deadline": Refusal("campaign_dates_order", {
        "later": Ref("term", "scoring_deadline"), "later_date": dt.date(2026, 6, 1),
        "earlier": Ref("term", "inspection_end"), "earlier_date": dt.date(2026, 11, 15)})}


@pytest.mark.parametrize(("value", "code"), [
    ("", "campaign_date_missing"), ("31/03/2026", "campaign_date_invalid"),
    ("2025-03-31", "campaign_date_outside_year"), ("2026-02-30", "campaign_date_invalid")])
def test_a_wrong_date_is_told_on_its_own_field(value: str, code: str) -> None:
    _, errors = read_plan(FORM | {"dates": DATES | {"pledge_deadline": value}}, YEAR, {"knc"})

    assert set(errors) == {"pledge_deadline"}
    assert errors["pledge_deadline"].code == code


def test_theme_kind_and_table_are_checked_together() -> None:
    _, errors = read_plan({"theme": "x" * 501, "kind": "weekly", "criteria_table": "",
                           "dates": "not a mapping"}, YEAR, {"knc"})

    assert errors["theme"] == Refusal("campaign_theme_too_long", {"max": 500})
    assert errors["kind"] == Refusal("campaign_kind_invalid", {"kind": "weekly"})
    assert errors["criteria_table"] == Refusal("criteria_table_missing")
    assert set(DATE_KEYS) <= set(errors)


def test_a_campaign_is_titled_by_its_year_and_cluster_and_a_thematic_one_by_its_theme() -> None:
    assert campaign_title(2026, "Khối thi đua các bộ, ngành Nội chính Trung ương") == (
        "Phong trào thi đua 2026 – Khối thi đua các bộ, ngành Nội chính Trung ương")
    assert campaign_title(2026, "Khối 1", "regular", "x", locale="en") == (
        "Emulation campaign 2026 – Khối 1")
    assert campaign_title(2026, "Khối 1", "thematic", "Chuyển đổi số") == "Chuyển đổi số"


PLAN_SPEC = spec(("council_secretariat", "admin", "cluster_leader"))
BLOC = 7


def test_who_may_create_a_campaign_is_who_may_revise_its_plan() -> None:
    office = actor(RoleGrant("council_secretariat", year=YEAR))
    leader = actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR))
    other_bloc = actor(RoleGrant("cluster_leader", cluster_id=BLOC + 1, year=YEAR))

    def may(who: Actor) -> bool:
        return access.may_take(who, PLAN_SPEC, "t0", cluster_id=BLOC, year=YEAR)

    assert may(office)
    assert may(leader)
    assert not may(other_bloc)
    assert not may(OFFICER)
    assert not may(INSPECTOR)
    assert not may(actor(RoleGrant("cluster_leader", cluster_id=BLOC, year=YEAR - 1)))


def test_a_cluster_is_seen_by_its_members_its_roles_and_the_council_that_year() -> None:
    members = {1, 2}

    def sees(who: Actor, year: int = 2025) -> bool:
        return access.may_see_cluster(who, 7, year, members)

    assert sees(OFFICER)  # an officer of a member unit
    assert sees(INSPECTOR)
    assert sees(COUNCIL)
    assert not sees(OUTSIDER)
    assert not sees(LEADER_LAST_YEAR)
    assert not sees(OFFICER, year=2026)
