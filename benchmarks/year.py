"""Seeding and ranking a campaign of 500 units (target: under 5 s on this machine).

    python benchmarks/year.py [--units 500] [--repeat 3] [--smoke]

Seeding writes the units, the cluster, a launched campaign with its 500 pledges (spawned by
the engine in one step), 500 final score sheets with a line per criterion, and penalty entries,
in bulk. Ranking is `year.ranking`, a few aggregate queries; the baseline is the same ranking
computed with two queries per unit, measured in the same run. Exits 1 when the target is
missed; `--smoke` runs 20 units once and enforces nothing. Also the cross-inspection plan of a
40-unit cluster against last year's pairs (target: under 100 ms a plan), beside a plan with no
previous year to avoid, measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.common import Targets, smoke_argument  # noqa: E402
from workflow.adapters.tables import (  # noqa: E402
    cluster_members,
    clusters,
    instances,
    score_adjustments,
    score_lines,
    units,
)
from workflow.bootstrap import Services, bootstrap  # noqa: E402
from workflow.config import PROJECT_ROOT, load_settings  # noqa: E402
from workflow.domain.inspection_pairing import propose_pairs  # noqa: E402
from workflow.domain.roles import Actor, RoleGrant  # noqa: E402
from workflow.domain.scoring import RankRow, capped_adjustments, rank  # noqa: E402
from workflow.engine.hashing import GENESIS  # noqa: E402
from workflow.services import year  # noqa: E402

YEAR = 2025
TARGET_S = 5.0  # seeding and ranking 500 units
DATES = {"pledge_deadline": "2025-03-31", "six_month_report_due": "2025-07-15",
         "inspection_end": "2025-11-15", "scoring_deadline": "2025-12-10",
         "year_end_report_due": "2025-12-15"}


def _services(url: str) -> Services:
    svc = bootstrap(load_settings(environ={}, overrides={"database": {"url": url}}))
    svc.upgrade_schema()
    definitions = PROJECT_ROOT / "definitions"
    svc.criteria.sync([definitions / "criteria"], base=PROJECT_ROOT)
    svc.catalog.sync([definitions], base=PROJECT_ROOT)
    return svc


def seed(svc: Services, n: int) -> int:
    """Everything a ranking reads, for n units; returns the campaign id."""
    engine = svc.engine
    with engine.begin() as conn:
        conn.execute(units.insert(), [{"code": f"U{i:04d}", "name": f"Đơn vị {i}"}
                                      for i in range(n)])
        unit_ids = conn.execute(sa.select(units.c.id).order_by(units.c.id)).scalars().all()
        cluster = conn.execute(clusters.insert().values(
            code="BIG", name="Cụm lớn", kind="cum", year=YEAR, leader_unit_id=unit_ids[0],
            deputy_unit_id=unit_ids[1])).inserted_primary_key[0]
        conn.execute(cluster_members.insert(), [
            {"cluster_id": cluster, "unit_id": u, "position": i} for i, u in enumerate(unit_ids)])
    leader = Actor(None, "leader", (RoleGrant("cluster_leader", cluster_id=cluster, year=YEAR),))
    wf = svc.workflows
    campaign = wf.start("campaign", leader, cluster_id=cluster, year=YEAR)
    wf.fire(campaign, "launch", leader, {"theme": "Thi đua", "criteria_table": "khoi_noi_chinh",
                                         "dates": DATES})
    _final_sheets(svc, campaign.id, cluster, list(unit_ids))
    return campaign.id


def _final_sheets(svc: Services, campaign_id: int, cluster: int, unit_ids: list[int]) -> None:
    table = svc.criteria.get("khoi_noi_chinh")
    sheet_def = svc.catalog.latest("score_sheet").definition_id
    now = svc.clock.now()
    with svc.engine.begin() as conn:
        conn.execute(instances.insert(), [{
            "definition_id": sheet_def, "workflow": "score_sheet", "state": "final",
            "status": "completed", "version": 1, "unit_id": u, "cluster_id": cluster,
            "year": YEAR, "parent_id": campaign_id, "data": {}, "last_hash": GENESIS,
            "created_at": now, "entered_at": now} for u in unit_ids])
        sheets = dict(conn.execute(sa.select(instances.c.unit_id, instances.c.id).where(
            instances.c.workflow == "score_sheet", instances.c.parent_id == campaign_id)).all())
        lines = []
        for i, unit in enumerate(unit_ids):
            for j, c in enumerate(table.criteria):
                points = c.max_points - Decimal((i + j) % 3) if c.max_points > 2 else c.max_points
                lines.append({"sheet_id": sheets[unit], "campaign_id": campaign_id,
                              "unit_id": unit, "criterion": c.code, "group_code": c.group,
                              "self_points": points, "inspection_points": points,
                              "verified_points": points, "gap_flag": False,
                              "updated_by": "bench", "updated_at": now})
        conn.execute(score_lines.insert(), lines)
        conn.execute(score_adjustments.insert(), [{
            "campaign_id": campaign_id, "unit_id": u, "code": "bao_cao_cham", "kind": "penalty",
            "points": Decimal(1), "source": f"report:{u}", "reason": "muộn", "created_by": "b",
            "created_at": now} for u in unit_ids[::3]])


def naive_ranking(svc: Services, campaign_id: int) -> list[tuple[int, int]]:
    """The same ranking, two queries per unit: what a view loop would do."""
    table = svc.criteria.get("khoi_noi_chinh")
    rows = []
    with svc.engine.connect() as conn:
        unit_ids = conn.execute(sa.select(instances.c.unit_id).where(
            instances.c.parent_id == campaign_id, instances.c.workflow == "score_sheet",
            instances.c.state == "final")).scalars().all()
        for unit in unit_ids:
            groups: dict[str, Decimal] = {}
            for group, points in conn.execute(sa.select(
                    score_lines.c.group_code, score_lines.c.verified_points).where(
                    score_lines.c.campaign_id == campaign_id, score_lines.c.unit_id == unit)):
                groups[group] = groups.get(group, Decimal(0)) + points
            counts = {code: Decimal(1) for code in conn.execute(sa.select(
                score_adjustments.c.code).where(score_adjustments.c.campaign_id == campaign_id,
                                                score_adjustments.c.unit_id == unit)).scalars()}
            adjusted = capped_adjustments(table, counts)
            penalty = sum((v for v in adjusted.values() if v < 0), Decimal(0))
            rows.append(RankRow(unit, sum(groups.values(), Decimal(0)) + sum(adjusted.values(),
                                Decimal(0)), groups, penalty))
    return rank(table, rows)


def once(n: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        svc = _services(f"sqlite:///{tmp}/year.db")
        try:
            start = time.perf_counter()
            campaign = seed(svc, n)
            seeded = time.perf_counter()
            result = year.ranking(svc.workflows, campaign)
            ranked = time.perf_counter()
            naive = naive_ranking(svc, campaign)
            done = time.perf_counter()
            assert len(result.standings) == n
            assert [(s.unit_id, s.rank) for s in result.standings] == naive
            return seeded - start, ranked - seeded, done - ranked
        finally:
            svc.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    smoke_argument(parser)
    args = parser.parse_args()
    if args.smoke:
        args.units, args.repeat = 20, 1
    targets = Targets(args.smoke)
    runs = [once(args.units) for _ in range(args.repeat)]
    seed_s, rank_s, naive_s = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"year: {args.units} units, 17 criteria each; medians of {args.repeat} runs (SQLite)")
    total = seed_s + rank_s
    print(f"  seeding {seed_s:.2f} s + ranking {rank_s:.3f} s = {total:.2f} s "
          f"(target < {TARGET_S:.0f} s) " + targets.check(
              f"seeding and ranking took {total:.2f} s", total < TARGET_S))
    print(f"  ranking in bulk {rank_s * 1000:.0f} ms vs two queries per unit "
          f"{naive_s * 1000:.0f} ms: x{naive_s / rank_s:.1f} faster", flush=True)
    plan_s, fresh_s = pairing_times(2 if args.smoke else 20)
    print(f"  inspection plan of 40 units against last year's pairs: {plan_s * 1000:.1f} ms "
          f"(no previous year: {fresh_s * 1000:.1f} ms; target < "
          f"{PAIRING_TARGET_S * 1000:.0f} ms) " + targets.check(
              f"an inspection plan took {plan_s * 1000:.0f} ms", plan_s < PAIRING_TARGET_S),
          flush=True)
    return targets.exit_code("year")


PAIRING_TARGET_S = 0.1


def pairing_times(seeds: int) -> tuple[float, float]:
    """Seconds per plan of a 40-unit cluster, with and without last year's pairs to avoid."""
    units = list(range(1, 41))
    last = propose_pairs(units, seed=1).pairs
    timed = []
    for previous in (last, ()):
        started = time.perf_counter()
        for seed in range(seeds):
            propose_pairs(units, previous, seed=seed)
        timed.append((time.perf_counter() - started) / seeds)
    return timed[0], timed[1]


if __name__ == "__main__":
    sys.exit(main())
