"""Read side and helpers of the cluster year: inspection plans, rankings, campaign progress."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.documents import generated as gen
from workflow.domain.inspection_pairing import propose_pairs
from workflow.domain.roles import Actor
from workflow.domain.scoring import RankRow, capped_adjustments, rank
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import access, documents
from workflow.services.ports import UnitOfWork
from workflow.services.workflows import Workflows

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Standing:
    """One unit's line of the ranking table (bảng xếp hạng)."""

    rank: int
    unit_id: int
    unit_code: str
    unit_name: str
    base: Decimal  # verified points of the criteria
    bonus: Decimal
    penalty: Decimal  # negative
    total: Decimal
    gap_flags: int  # criteria whose self and inspection scores differ too much
    groups: dict[str, Decimal]  # verified points per criterion group


@dataclass(frozen=True, slots=True)
class Ranking:
    campaign_id: int
    criteria_table: str
    standings: tuple[Standing, ...]
    pending_units: tuple[int, ...]  # units whose score sheet is not final yet


def _campaign(uow: UnitOfWork, campaign_id: int) -> Any:
    row = uow.year.campaign(campaign_id)
    if row is None:
        raise NotFound(f"no campaign with id {campaign_id}")
    return row


def ranking(workflows: Workflows, campaign_id: int) -> Ranking:
    """Final scores ranked with the criteria table's tie-break, computed in three queries."""
    with workflows.catalog.uow().read() as uow:
        campaign = _campaign(uow, campaign_id)
        ref = campaign.data.get("criteria_table") or {}
        if workflows.store.criteria is None or not ref:
            raise InvalidInput(f"campaign {campaign_id} has no criteria table yet")
        table = workflows.store.criteria(ref["code"], ref["version"])
        groups, flags, final = uow.year.final_lines(campaign_id)
        counts = uow.year.adjustment_counts(campaign_id)
        names = uow.year.unit_codes_and_names(sorted(final))
        sheets = uow.year.unfinished_sheet_units(campaign_id)
    rows, parts = [], {}
    for unit_id in final:
        adjusted = capped_adjustments(table, counts.get(unit_id, {}))
        bonus = sum((v for v in adjusted.values() if v > 0), ZERO)
        penalty = sum((v for v in adjusted.values() if v < 0), ZERO)
        base = sum(groups[unit_id].values(), ZERO)
        parts[unit_id] = (base, bonus, penalty)
        rows.append(RankRow(unit_id, base + bonus + penalty, groups[unit_id], penalty))
    standings = tuple(
        Standing(position, unit_id, *names[unit_id], *parts[unit_id], sum(parts[unit_id], ZERO),
                 flags.get(unit_id, 0), dict(groups[unit_id]))
        for unit_id, position in rank(table, rows)
    )
    return Ranking(campaign_id, table.code, standings, tuple(sorted(u for u in sheets if u)))


# --- inspection plan -----------------------------------------------------------------------


def propose_inspection_plan(
    workflows: Workflows, campaign_id: int, actor: Actor, seed: int | None = None
) -> dict[str, Any]:
    """A plan the leader can edit: who inspects whom (no self, no reciprocal, last year's
    pairs avoided when possible) with a team of the inspecting unit's inspectors."""
    with workflows.catalog.uow().read() as uow:
        campaign = _campaign(uow, campaign_id)
        if "cluster_leader" not in actor.roles_for(None, campaign.cluster_id, campaign.year):
            raise PermissionDenied("planning the cross-inspection is for the cluster leader")
        cluster = uow.organisations.cluster(campaign.cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster with id {campaign.cluster_id}")
        members = uow.year.members(cluster.id)
        last_year = _last_year_pairs(uow.year.inspection_plans(cluster.code, cluster.year - 1))
        teams: dict[int, list[str]] = defaultdict(list)
        for unit_id, username in uow.year.inspectors(cluster.id, cluster.year):
            teams[unit_id].append(username)
    pairing = propose_pairs(members, last_year, seed=seed)
    plan = []
    for inspector, inspected in pairing.pairs:
        team = teams.get(inspector, [])
        plan.append({"inspector_unit_id": inspector, "unit_id": inspected, "team": team,
                     "lead": team[0] if team else ""})
    return {"inspection_plan": plan, "repeated": [list(p) for p in pairing.repeated],
            "notes": list(pairing.notes)}


def _last_year_pairs(plans: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    pairs = []
    for data in plans:
        plan = data.get("plan") or {}
        if "inspector_unit_id" in plan and "unit_id" in plan:
            pairs.append((int(plan["inspector_unit_id"]), int(plan["unit_id"])))
    return pairs


# Who may generate the official ranking workbook (and so write it into the campaign's
# history): the cluster's leader and the council office. Officers hold the cluster-wide
# `inspector` grant and the deputy helps the leader: they read the ranking, not issue it.
EXPORTERS = frozenset({"cluster_leader", "council_secretariat"})


def may_export_ranking(actor: Actor, campaign: Any) -> bool:
    return access.may_export_official(actor, campaign, EXPORTERS)


def ranking_workbook(
    workflows: Workflows, campaign_id: int, actor: Actor, folder: Path
) -> str:
    """The cluster's score and ranking table as an Excel file, attached to the campaign with
    its hash in the campaign's history; only for the leader and the council office."""
    campaign = workflows.get(campaign_id)
    if not may_export_ranking(actor, campaign):
        raise PermissionDenied(
            f"'{actor.username}' may not generate the official ranking of campaign "
            f"{campaign_id}: only the cluster leader and the council office may")
    result = ranking(workflows, campaign_id)
    assert workflows.store.criteria is not None
    ref = campaign.data["criteria_table"]
    table = workflows.store.criteria(ref["code"], ref["version"])
    with workflows.catalog.uow().read() as uow:
        cluster = uow.organisations.cluster_name(campaign.cluster_id)
    book = gen.ranking_workbook(gen.RankingTable(
        cluster=str(cluster), year=campaign.year or 0,
        criteria_table=f"{table.title.vi} (phiên bản {table.version})",
        date=workflows.clock.today(),
        groups=tuple(gen.CriterionGroupInfo(g.code, g.title.vi, g.max_points, tuple(
            gen.CriterionInfo(c.code, c.title.vi, c.max_points) for c in g.criteria))
            for g in table.groups),
        rows=tuple(gen.RankingRow(s.unit_name, {g.code: s.groups.get(g.code, ZERO)
                                                for g in table.groups},
                                  s.bonus, -s.penalty, s.total, s.rank)
                   for s in result.standings)))
    return documents.attach(workflows, folder, campaign, actor, "bang_xep_hang", book.filename,
                            book.content, uploaded=False).sha256
