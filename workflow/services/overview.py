"""The council office's overview of a year and the fairness of the clusters' votes over the
years on record: a handful of set-based reads (workflow/services/read_side.py), then the pure
rules of workflow/domain/overview.py. Nothing here is per item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.domain.overview import (
    ClusterFairness,
    ClusterYear,
    FairnessRules,
    GapLine,
    Issue,
    Progress,
    YearCampaign,
    YearDossier,
    YearVote,
    cluster_fairness,
    late_items,
    overdue_dossiers,
    progress,
)
from workflow.domain.roles import Actor
from workflow.domain.rulesets import RuleBook
from workflow.services.read_side import ReadSide

# who sees the overview and the fairness pages: the council's people and administrators
OVERVIEW_ROLES = ("council_secretariat", "council_member", "council_chair",
                  "decision_authority", "admin")
COUNTED = frozenset({"tallied", "minuted", "locked"})


def may_see_overview(actor: Actor) -> bool:
    """The council's people and administrators, who hold their roles everywhere."""
    return any(actor.has_global_role(role) for role in OVERVIEW_ROLES)


@dataclass(frozen=True, slots=True)
class CampaignLine:
    """A campaign as the overview lists it: its progress and what it has gone wrong."""

    campaign: YearCampaign
    progress: dict[str, Progress]
    issues: int
    gaps: int
    votes: tuple[YearVote, ...]
    dossiers: int


@dataclass(frozen=True, slots=True)
class YearOverview:
    year: int
    years: tuple[int, ...]  # the years on record, for choosing another
    clusters: tuple[tuple[int, str], ...]  # every cluster of the year (id, name), to filter by
    stages: tuple[tuple[str, int], ...]  # every campaign state of the year, with its first def.
    campaigns: tuple[CampaignLine, ...]
    issues: tuple[Issue, ...]
    gaps: tuple[GapLine, ...]
    votes: tuple[YearVote, ...]
    dossiers: tuple[YearDossier, ...]
    overdue: frozenset[int]  # dossiers whose appraisal is past due
    unit_ids: frozenset[int]  # every unit named, for reading their names at once


def year_overview(reads: ReadSide, year: int, today: dt.date, *, cluster_id: int | None = None,
                  stage: str | None = None) -> YearOverview:
    """Every campaign of the year with its stage and progress, what is late or missing, the
    large gaps, the votes and the dossiers in appraisal; only those of one cluster and stage
    when asked."""
    every = reads.year_campaigns(year)
    clusters = tuple(sorted({(c.cluster_id, c.cluster_name) for c in every},
                            key=lambda c: c[1]))
    stages: dict[str, int] = {}
    for c in every:
        stages.setdefault(c.state, c.definition_id)
    shown = [c for c in every if (cluster_id is None or c.cluster_id == cluster_id)
             and (not stage or c.state == stage)]
    wanted = {c.campaign_id: c for c in shown}
    in_view = {c.cluster_id for c in shown}
    items = [i for i in reads.year_items(year) if i.campaign_id in wanted]
    issues = late_items(items, wanted, reads.late_reports(year), today)
    gaps = [g for g in reads.year_gaps(year) if g.campaign_id in wanted]
    votes = [v for v in reads.year_votes(year) if v.cluster_id in in_view]
    dossiers = [d for d in reads.year_dossiers(year) if d.cluster_id in in_view]
    late_dossiers = overdue_dossiers(dossiers, today)
    done = progress(items)
    lines = []
    for c in shown:
        lines.append(CampaignLine(
            c, done.get(c.campaign_id, {}),
            sum(1 for i in issues if i.campaign_id == c.campaign_id),
            sum(1 for g in gaps if g.campaign_id == c.campaign_id),
            tuple(v for v in votes if v.campaign_id == c.campaign_id),
            sum(1 for d in dossiers if d.cluster_id == c.cluster_id)))
    units = {i.unit_id for i in issues} | {g.unit_id for g in gaps} | \
        {d.unit_id for d in dossiers} | {c.leader_unit_id for c in shown} | \
        {u for v in votes for us in v.winners.values() for u in us}
    return YearOverview(
        year, tuple(sorted({year, *reads.campaign_years()}, reverse=True)), clusters,
        tuple(stages.items()), tuple(lines), (*issues, *late_dossiers), tuple(gaps),
        tuple(votes), tuple(dossiers), frozenset(d.item_id for d in late_dossiers),
        frozenset(u for u in units if u is not None))


def fairness_rules(rulebook: RuleBook | None, today: dt.date) -> FairnessRules:
    """The warning thresholds of the rule set in force today (the defaults without one)."""
    if rulebook is None:
        return FairnessRules()
    try:
        found = rulebook.in_force(today).fairness
    except Exception:  # noqa: BLE001  (no rule set in force: the design defaults)
        return FairnessRules()
    return FairnessRules(found.leader_wins_own, found.same_winner_years, found.top_rank)


def fairness(reads: ReadSide, rules: FairnessRules, code: str | None = None
             ) -> list[ClusterFairness]:
    """Each cluster's votes over its years on record (one cluster's when `code` is given),
    in two queries; clusters by code."""
    years, votes = reads.cluster_history(code)
    by_code: dict[str, list[ClusterYear]] = {}
    for y in years:
        by_code.setdefault(y.code, []).append(y)
    out = []
    for found in by_code.values():
        ids = {y.cluster_id for y in found}
        out.append(cluster_fairness(found, [v for v in votes if v.cluster_id in ids], rules))
    return sorted(out, key=lambda c: c.code)
