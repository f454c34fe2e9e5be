"""The council office's overview and the fairness over the years, read from a seeded province
on each database: what is late or missing, the gaps, votes, dossiers and their clocks; who led,
who won, and the warnings with the votes they come from."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.province import FLAG, Province, seed_province
from workflow.bootstrap import Services
from workflow.domain.overview import (
    ClusterYear,
    FairnessRules,
    WinnerYear,
    YearVote,
    cluster_fairness,
    rotation_index,
    title_history,
)
from workflow.services import overview

pytestmark = pytest.mark.integration
YEAR = 2024  # the test clock stands in January 2025: every date of 2024 has passed


@pytest.fixture
def province(services: Services) -> Province:
    return seed_province(services, clusters=10, members=4, year=YEAR)


def test_the_year_lists_every_campaign_with_its_stage_and_progress(
        services: Services, province: Province) -> None:
    ov = overview.year_overview(services.reads, YEAR, services.clock.today())

    assert len(ov.campaigns) == 10
    assert {line.campaign.cluster_code: line.campaign.state for line in ov.campaigns} == \
        province.stages
    assert {c.campaign_id for c in (line.campaign for line in ov.campaigns)} == \
        set(province.campaigns.values())
    active = next(line for line in ov.campaigns if line.campaign.state == "active")
    assert active.progress["pledge"].total == 4
    assert active.progress["pledge"].done == 3  # one in four never signed
    assert ov.years == tuple(range(YEAR, YEAR - 5, -1))  # the years on record


def test_late_or_missing_gaps_votes_and_dossiers_are_found(
        services: Services, province: Province) -> None:
    ov = overview.year_overview(services.reads, YEAR, services.clock.today())

    unsigned = {i.item_id for i in ov.issues if i.kind == "pledge_unsigned"}
    assert unsigned == set(province.unsigned)
    assert all(i.due == dt.date(YEAR, 3, 15) and i.days_late > 250
               for i in ov.issues if i.kind == "pledge_unsigned")
    kinds = {i.kind for i in ov.issues}
    assert {"report_missing", "inspection_not_held", "sheet_not_verified",
            "appraisal_overdue"} <= kinds
    assert {g.sheet_id for g in ov.gaps} == set(province.gaps)
    assert all(g.flagged == 1 and g.largest == 6 for g in ov.gaps)
    assert {v.session_id for v in ov.votes} == {
        s for (code, y), s in province.votes.items() if y == YEAR}
    assert {d.dossier_id for d in ov.dossiers} == set(province.dossiers)
    assert all(d.days_used == 4 and d.due is not None for d in ov.dossiers)
    assert ov.overdue
    assert ov.overdue < {d.dossier_id for d in ov.dossiers}


def test_the_filter_keeps_one_cluster_and_one_stage(
        services: Services, province: Province) -> None:
    today = services.clock.today()
    every = overview.year_overview(services.reads, YEAR, today)
    cluster_id = province.clusters[("K02", YEAR)]
    one = overview.year_overview(services.reads, YEAR, today, cluster_id=cluster_id)
    staged = overview.year_overview(services.reads, YEAR, today, stage="scoring")

    assert [line.campaign.cluster_code for line in one.campaigns] == ["K02"]
    assert {i.cluster_id for i in one.issues} <= {cluster_id}
    assert [line.campaign.state for line in staged.campaigns] == ["scoring"]
    assert one.clusters == every.clusters  # the choice of clusters stays whole
    assert len(every.stages) == 10


def test_a_late_report_is_read_from_its_penalty(services: Services, province: Province) -> None:
    import sqlalchemy as sa

    from workflow.adapters.tables import instances, score_adjustments
    campaign = province.campaigns["K04"]  # mid-year review
    with services.engine.begin() as conn:
        report, unit = conn.execute(sa.select(instances.c.id, instances.c.unit_id).where(
            instances.c.parent_id == campaign, instances.c.workflow == "report",
            instances.c.state == "accepted").limit(1)).one()
        conn.execute(score_adjustments.insert().values(
            campaign_id=campaign, unit_id=unit, code="late_report", kind="penalty",
            points=1, source=f"report:{report}", reason="nộp muộn 3 ngày",
            created_by="seed", created_at=services.clock.now()))

    assert services.reads.late_reports(YEAR) == {report: "nộp muộn 3 ngày"}
    ov = overview.year_overview(services.reads, YEAR, services.clock.today())
    assert [i.item_id for i in ov.issues if i.kind == "report_late"] == [report]


def test_fairness_reads_five_years_of_leaders_and_winners(
        services: Services, province: Province) -> None:
    found = overview.fairness(services.reads, FairnessRules())

    assert len(found) == 10
    merit = next(c for c in found if c.code == "K01")  # votes on merit
    leader = next(c for c in found if c.code == "K02")  # votes for the leader
    rotation = next(c for c in found if c.code == "K03")  # in turn
    same = next(c for c in found if c.code == "K04")  # the same unit every year
    assert [y.year for y in merit.years] == list(range(YEAR - 4, YEAR + 1))
    [flag] = merit.titles
    assert flag.title == FLAG
    assert len(flag.years) == 4  # this year's vote is not counted
    assert all(y.ranks[y.winners[0]] == 1 for y in flag.years)
    assert not [w for w in merit.warnings if w.kind != "leader_won"]
    assert {w.kind for w in leader.warnings} >= {"leader_won"}
    assert all(y.leader_won for y in leader.titles[0].years)
    assert leader.titles[0].rotation_index == 1.0
    assert {w.kind for w in rotation.warnings} >= {"rotation", "low_rank"}
    assert same.titles[0].rotation_index == 0.0
    assert {w.kind for w in same.warnings} >= {"same_winner"}
    assert all(w.session_id in province.votes.values() for c in found for w in c.warnings)
    one = overview.fairness(services.reads, FairnessRules(), "K03")
    assert [c.code for c in one] == ["K03"]


# --- the rules themselves ------------------------------------------------------------------------


def _years(winners: list[int], ranks: list[int], leaders: list[int]) -> list[WinnerYear]:
    return [WinnerYear(2020 + n, 1, leaders[n], 100 + n, (w,), {w: ranks[n]},
                       leaders[n] == w) for n, w in enumerate(winners)]


def test_the_rotation_index_runs_from_the_same_unit_to_a_new_unit_every_year() -> None:
    assert rotation_index([(1,), (1,), (1,)]) == 0.0
    assert rotation_index([(1,), (2,), (3,)]) == 1.0
    assert rotation_index([(1,), (2,), (1,), (2,), (3,)]) == 0.5
    assert rotation_index([(1,)]) is None


def test_three_years_running_warns_once_the_run_reaches_three() -> None:
    history = title_history(FLAG, _years([5, 5, 5, 5], [1, 1, 1, 1], [1, 2, 3, 4]),
                            FairnessRules())

    runs = [w for w in history.warnings if w.kind == "same_winner"]
    assert [(w.year, w.count, w.since, w.session_id) for w in runs] == [
        (2022, 3, 2020, 102), (2023, 4, 2020, 103)]
    assert history.repeated == {5: (2020, 2021, 2022, 2023)}
    assert history.merit_share == 1.0


def test_a_gap_in_the_years_breaks_a_run() -> None:
    years = [WinnerYear(y, 1, None, y, (5,), {5: 1}, False) for y in (2019, 2020, 2022)]
    assert not [w for w in title_history(FLAG, years, FairnessRules()).warnings
                if w.kind == "same_winner"]


def test_a_cluster_reformed_keeps_its_history_by_code() -> None:
    years = [ClusterYear(10 + n, "K1", "Khối 1", "khoi", 2020 + n, 7, 8) for n in range(3)]
    votes = [YearVote(200 + n, None, 10 + n, 2020 + n, "locked", "completed", 1,
                      {FLAG: [7]}, {7: 4}, None) for n in range(3)]
    found = cluster_fairness(years, votes, FairnessRules())

    kinds = sorted({w.kind for w in found.warnings})
    assert kinds == ["leader_won", "low_rank", "same_winner"]
