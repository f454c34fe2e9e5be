"""Read side and helpers of the cluster year: inspection plans, rankings, campaign progress."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workflow.adapters import documents_gen as gen
from workflow.adapters.db import read_connection
from workflow.adapters.tables import (
    cluster_members,
    clusters,
    instances,
    role_assignments,
    score_adjustments,
    score_lines,
    units,
    users,
)
from workflow.domain.inspection_pairing import propose_pairs
from workflow.domain.roles import Actor
from workflow.domain.scoring import RankRow, capped_adjustments, rank
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.services import documents
from workflow.services.deadlines import LOCAL
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


def _campaign(conn: Connection, campaign_id: int) -> Any:
    row = conn.execute(sa.select(instances).where(
        instances.c.id == campaign_id, instances.c.workflow == "campaign")).first()
    if row is None:
        raise NotFound(f"no campaign with id {campaign_id}")
    return row


def ranking(workflows: Workflows, campaign_id: int) -> Ranking:
    """Final scores ranked with the criteria table's tie-break, computed in three queries."""
    with read_connection(workflows.engine) as conn:
        campaign = _campaign(conn, campaign_id)
        ref = campaign.data.get("criteria_table") or {}
        if workflows.store.criteria is None or not ref:
            raise InvalidInput(f"campaign {campaign_id} has no criteria table yet")
        table = workflows.store.criteria(ref["code"], ref["version"])
        groups, flags, final = _final_lines(conn, campaign_id)
        counts = _adjustment_counts(conn, campaign_id)
        names = {r.id: (r.code, r.name) for r in conn.execute(sa.select(
            units.c.id, units.c.code, units.c.name).where(units.c.id.in_(list(final) or [0])))}
        sheets = conn.execute(sa.select(instances.c.unit_id).where(
            instances.c.parent_id == campaign_id, instances.c.workflow == "score_sheet",
            instances.c.state != "final")).scalars().all()
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


def _final_lines(
    conn: Connection, campaign_id: int
) -> tuple[dict[int, dict[str, Decimal]], dict[int, int], set[int]]:
    sheet = instances.alias("sheet")
    sl = score_lines.c
    rows = conn.execute(
        sa.select(sl.unit_id, sl.group_code, sa.func.sum(sl.verified_points),
                  sa.func.sum(sa.case((sl.gap_flag, 1), else_=0)))
        .join(sheet, sheet.c.id == sl.sheet_id)
        .where(sl.campaign_id == campaign_id, sheet.c.state == "final")
        .group_by(sl.unit_id, sl.group_code)
    )
    groups: dict[int, dict[str, Decimal]] = defaultdict(dict)
    flags: dict[int, int] = defaultdict(int)
    for unit_id, group_code, points, gaps in rows:
        groups[unit_id][group_code] = Decimal(points or 0)
        flags[unit_id] += int(gaps or 0)
    return groups, flags, set(groups)


def _adjustment_counts(conn: Connection, campaign_id: int) -> dict[int, dict[str, Decimal]]:
    a = score_adjustments.c
    rows = conn.execute(sa.select(a.unit_id, a.code, sa.func.count()).where(
        a.campaign_id == campaign_id).group_by(a.unit_id, a.code))
    counts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for unit_id, code, n in rows:
        counts[unit_id][code] = Decimal(n)
    return counts


# --- inspection plan -----------------------------------------------------------------------


def propose_inspection_plan(
    workflows: Workflows, campaign_id: int, actor: Actor, seed: int | None = None
) -> dict[str, Any]:
    """A plan the leader can edit: who inspects whom (no self, no reciprocal, last year's
    pairs avoided when possible) with a team of the inspecting unit's inspectors."""
    with read_connection(workflows.engine) as conn:
        campaign = _campaign(conn, campaign_id)
        if "cluster_leader" not in actor.roles_for(None, campaign.cluster_id, campaign.year):
            raise PermissionDenied("planning the cross-inspection is for the cluster leader")
        cluster = conn.execute(sa.select(clusters).where(
            clusters.c.id == campaign.cluster_id)).one()
        members = _members(conn, cluster.id)
        last_year = _last_year_pairs(conn, cluster.code, cluster.year - 1)
        teams = _inspectors(conn, cluster.id, cluster.year)
    pairing = propose_pairs(members, last_year, seed=seed)
    plan = []
    for inspector, inspected in pairing.pairs:
        team = teams.get(inspector, [])
        plan.append({"inspector_unit_id": inspector, "unit_id": inspected, "team": team,
                     "lead": team[0] if team else ""})
    return {"inspection_plan": plan, "repeated": [list(p) for p in pairing.repeated],
            "notes": list(pairing.notes)}


def _members(conn: Connection, cluster_id: int) -> Sequence[int]:
    cm = cluster_members
    return conn.execute(sa.select(cm.c.unit_id).where(cm.c.cluster_id == cluster_id)
                        .order_by(cm.c.position)).scalars().all()


def _last_year_pairs(conn: Connection, code: str, year: int) -> list[tuple[int, int]]:
    previous = conn.execute(sa.select(clusters.c.id).where(
        clusters.c.code == code, clusters.c.year == year)).scalar()
    if previous is None:
        return []
    rows = conn.execute(sa.select(instances.c.data).where(
        instances.c.workflow == "inspection", instances.c.cluster_id == previous))
    pairs = []
    for (data,) in rows:
        plan = data.get("plan") or {}
        if "inspector_unit_id" in plan and "unit_id" in plan:
            pairs.append((int(plan["inspector_unit_id"]), int(plan["unit_id"])))
    return pairs


def _inspectors(conn: Connection, cluster_id: int, year: int) -> dict[int, list[str]]:
    """Inspectors of the cluster and year, grouped by the unit they also work for."""
    insp = role_assignments.alias("insp")
    home = role_assignments.alias("home")
    rows = conn.execute(
        sa.select(home.c.unit_id, users.c.username)
        .join(home, home.c.user_id == insp.c.user_id)
        .join(users, users.c.id == insp.c.user_id)
        .where(insp.c.role == "inspector", insp.c.cluster_id == cluster_id,
               insp.c.year == year, home.c.unit_id.is_not(None), home.c.year == year)
        .distinct().order_by(home.c.unit_id, users.c.username)
    )
    teams: dict[int, list[str]] = defaultdict(list)
    for unit_id, username in rows:
        teams[unit_id].append(username)
    return teams


# Who may generate the official ranking workbook (and so write it into the campaign's
# history): the cluster's leader and deputy, and the council's secretariat. Officers hold the
# cluster-wide `inspector` grant and may read the ranking, not issue it.
EXPORTERS = frozenset({"cluster_leader", "cluster_deputy", "council_secretariat"})


def may_export_ranking(actor: Actor, campaign: Any) -> bool:
    return bool(actor.roles_for(None, campaign.cluster_id, campaign.year) & EXPORTERS)


def ranking_workbook(
    workflows: Workflows, campaign_id: int, actor: Actor, folder: Path
) -> str:
    """The cluster's score and ranking table as an Excel file, attached to the campaign with
    its hash in the campaign's history; only for the leader, the deputy and the secretariat."""
    campaign = workflows.get(campaign_id)
    if not may_export_ranking(actor, campaign):
        raise PermissionDenied(
            f"'{actor.username}' may not generate the official ranking of campaign "
            f"{campaign_id}: only the cluster leader, its deputy and the council secretariat may")
    result = ranking(workflows, campaign_id)
    assert workflows.store.criteria is not None
    ref = campaign.data["criteria_table"]
    table = workflows.store.criteria(ref["code"], ref["version"])
    with read_connection(workflows.engine) as conn:
        cluster = conn.execute(sa.select(clusters.c.name).where(
            clusters.c.id == campaign.cluster_id)).scalar()
    book = gen.ranking_workbook(gen.RankingTable(
        cluster=str(cluster), year=campaign.year or 0,
        criteria_table=f"{table.title.vi} (phiên bản {table.version})",
        date=workflows.clock.now().astimezone(LOCAL).date(),
        groups=tuple(gen.CriterionGroupInfo(g.code, g.title.vi, g.max_points, tuple(
            gen.CriterionInfo(c.code, c.title.vi, c.max_points) for c in g.criteria))
            for g in table.groups),
        rows=tuple(gen.RankingRow(s.unit_name, {g.code: s.groups.get(g.code, ZERO)
                                                for g in table.groups},
                                  s.bonus, -s.penalty, s.total, s.rank)
                   for s in result.standings)))
    return documents.attach(workflows, folder, campaign, actor, "bang_xep_hang", book.filename,
                            book.content, uploaded=False).sha256
