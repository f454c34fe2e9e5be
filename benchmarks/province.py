"""A seeded province for the council office's overview and the fairness pages: `clusters`
clusters (and blocs) of `members` units each, five years of history (leaders rotating, counted
votes with their winners and ranks) and, this year, campaigns at every stage with pledges,
reports, inspections, score sheets (some gaps flagged), votes and dossiers in appraisal.

Used by benchmarks/overview.py and by the tests (tests/integration/test_overview.py). Rows are
written in bulk, as the web benchmark does: the pages read them, they are not stepped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow.adapters.tables import history, instances, score_lines
from workflow.bootstrap import Services
from workflow.engine.hashing import GENESIS
from workflow.services import organisations

FLAG = "co_thi_dua_chinh_phu"
# this year's campaign of each cluster, in turn: every stage the overview filters by
STAGES = ("pledging", "active", "mid_year_review", "cross_inspection", "scoring",
          "year_end_review", "voting", "proposing", "closed", "draft")
ORDER = {s: n for n, s in enumerate(("draft", "pledging", "active", "mid_year_review",
                                    "cross_inspection", "scoring", "year_end_review", "voting",
                                    "proposing", "closed"))}
# how each cluster's history votes: on merit (the best scored wins), for the leader of the
# year, in turn whatever the scores, or the same unit every year
HABITS = ("merit", "leader", "rotation", "same")


@dataclass
class Province:
    """What was seeded: ids to look for in the pages."""

    year: int
    units: list[int] = field(default_factory=list)
    clusters: dict[tuple[str, int], int] = field(default_factory=dict)  # (code, year) -> id
    campaigns: dict[str, int] = field(default_factory=dict)  # code -> this year's campaign
    stages: dict[str, str] = field(default_factory=dict)  # code -> this year's stage
    votes: dict[tuple[str, int], int] = field(default_factory=dict)  # (code, year) -> session
    habits: dict[str, str] = field(default_factory=dict)  # code -> how its history voted
    unsigned: list[int] = field(default_factory=list)  # pledges unsigned past the deadline
    gaps: list[int] = field(default_factory=list)  # score sheets with gaps flagged
    dossiers: list[int] = field(default_factory=list)  # dossiers in appraisal
    names: dict[str, str] = field(default_factory=dict)  # code -> cluster name


def _dates(year: int) -> dict[str, str]:
    return {"pledge_deadline": f"{year}-03-15", "six_month_report_due": f"{year}-07-15",
            "inspection_end": f"{year}-11-15", "scoring_deadline": f"{year}-12-05",
            "year_end_report_due": f"{year}-12-10"}


def seed_province(svc: Services, *, clusters: int = 12, members: int = 10, years: int = 5,
                  year: int | None = None) -> Province:
    """Seed the province on the services' (migrated, definitions synced) database."""
    today = svc.clock.today()
    year = year or today.year
    out = Province(year)
    uow = svc.uow()
    out.units = [organisations.create_unit(uow, f"DV{i:03d}", f"Sở Ngành số {i}")
                 for i in range(clusters * members)]
    definitions = {w: svc.catalog.latest(w).definition_id
                   for w in ("campaign", "pledge", "report", "inspection", "score_sheet",
                             "vote_session", "dossier")}
    now = svc.clock.now()
    rows: list[dict[str, Any]] = []

    def item(workflow: str, state: str, *, cluster: int, y: int, unit: int | None = None,
             parent: int | None = None, data: dict[str, Any] | None = None,
             done: bool = False) -> dict[str, Any]:
        row = {"definition_id": definitions[workflow], "workflow": workflow, "state": state,
               "status": "completed" if done else "active", "version": 1, "unit_id": unit,
               "cluster_id": cluster, "year": y, "parent_id": parent, "data": data or {},
               "last_hash": GENESIS, "created_at": now, "entered_at": now}
        rows.append(row)
        return row

    engine = svc.engine

    def insert(pending: list[dict[str, Any]]) -> list[int]:
        """The rows as instances, each with its first history entry chained as the engine
        chains it (so that `thidua audit verify` holds on the seeded database)."""
        ids = []
        with engine.begin() as conn:
            for r in pending:
                new = int(conn.execute(instances.insert().values(**r)).inserted_primary_key[0])
                entry = {"instance_id": new, "seq": 1, "definition_id": r["definition_id"],
                         "kind": "start", "from_state": None, "to_state": r["state"],
                         "trigger": None, "actor": "seed", "on_behalf_of": None,
                         "role": None, "at": now, "comment": None, "payload": {},
                         "prev_hash": GENESIS}
                entry["hash"] = svc.chain.entry_hash(GENESIS, entry)
                conn.execute(history.insert().values(**entry))
                conn.execute(instances.update().where(instances.c.id == new).values(
                    last_hash=entry["hash"]))
                ids.append(new)
        return ids

    for c in range(clusters):
        code, kind = f"K{c + 1:02d}", "khoi" if c % 2 else "cum"
        name = f"{'Khối' if kind == 'khoi' else 'Cụm'} thi đua số {c + 1}"
        out.names[code] = name
        habit = HABITS[c % len(HABITS)]
        out.habits[code] = habit
        unit_ids = out.units[c * members:(c + 1) * members]
        for n, y in enumerate(range(year - years + 1, year + 1)):
            leader = unit_ids[n % members]
            deputy = unit_ids[(n + 1) % members]
            cid = organisations.create_cluster(uow, code, name, kind, y, unit_ids,
                                               leader_unit_id=leader, deputy_unit_id=deputy)
            out.clusters[(code, y)] = cid
            if y == year:
                continue
            # a closed campaign and its counted vote: ranks shift each year
            ranks = {unit_ids[(i + 3 * n) % members]: i + 1 for i in range(members)}
            best = next(u for u, r in ranks.items() if r == 1)
            winner = {"merit": best, "leader": leader, "rotation": unit_ids[(n + 5) % members],
                      "same": unit_ids[7 % members]}[habit]
            rows.clear()
            item("campaign", "closed", cluster=cid, y=y, done=True,
                 data={"theme": f"Thi đua năm {y}", "dates": _dates(y)})
            [campaign_id] = insert(rows)
            rows.clear()
            item("vote_session", "locked", cluster=cid, y=y, parent=campaign_id, done=True,
                 data={"kind": "cluster", "campaign_id": campaign_id, "titles": [FLAG],
                       "winners": {FLAG: [winner]},
                       "ranks": {str(u): r for u, r in ranks.items()},
                       "leader_unit_id": leader, "secret": True})
            [session] = insert(rows)
            out.votes[(code, y)] = session
        out.campaigns[code] = _this_year(svc, out, item, insert, rows, code, c, unit_ids,
                                         definitions, today)
    return out


def _this_year(svc: Services, out: Province, item: Any, insert: Any, rows: list[Any],
               code: str, c: int, unit_ids: list[int], definitions: dict[str, int],
               today: dt.date) -> int:
    """This year's campaign of a cluster at its stage, with its items."""
    year = out.year
    stage = STAGES[c % len(STAGES)]
    out.stages[code] = stage
    cid = out.clusters[(code, year)]
    rows.clear()
    item("campaign", stage, cluster=cid, y=year, done=stage == "closed",
         data={"theme": f"Thi đua hoàn thành xuất sắc nhiệm vụ năm {year}",
               "dates": _dates(year), "kind": "regular"})
    [campaign] = insert(rows)
    at = ORDER[stage]
    if at < ORDER["pledging"]:
        return campaign
    rows.clear()
    for i, unit in enumerate(unit_ids):
        signed = at > ORDER["pledging"] and i % 4 != 3  # a quarter never signed
        item("pledge", "signed" if signed else "submitted", cluster=cid, y=year, unit=unit,
             parent=campaign, done=signed)
        if at >= ORDER["mid_year_review"]:
            item("report", "accepted" if i % 3 else "due", cluster=cid, y=year, unit=unit,
                 parent=campaign, data={"period": "six_month"}, done=bool(i % 3))
        if at >= ORDER["cross_inspection"]:
            held = at > ORDER["cross_inspection"] or i % 2 == 0
            item("inspection", "applied" if held else "planned", cluster=cid, y=year,
                 unit=unit, parent=campaign, done=held,
                 data={"plan": {"inspector_unit_id": unit_ids[(i + 1) % len(unit_ids)],
                                "unit_id": unit}})
        if at >= ORDER["scoring"]:
            verified = at > ORDER["scoring"] or i % 2 == 0
            item("score_sheet", "final" if verified else "submitted", cluster=cid, y=year,
                 unit=unit, parent=campaign, done=verified)
    ids = insert(rows)
    placed = list(zip(rows, ids, strict=True))
    out.unsigned += [i for r, i in placed if r["workflow"] == "pledge" and
                     r["state"] != "signed" and today > dt.date(year, 3, 15)
                     and stage != "closed"]
    sheets = [(r, i) for r, i in placed if r["workflow"] == "score_sheet"]
    lines = []
    for n, (r, sheet) in enumerate(sheets):
        gap = n % 5 == 0
        if gap:
            out.gaps.append(sheet)
        for k in range(3):
            self_points = Decimal(10)
            lines.append({"sheet_id": sheet, "campaign_id": campaign, "unit_id": r["unit_id"],
                          "criterion": f"1.{k + 1}", "group_code": "1",
                          "self_points": self_points,
                          "inspection_points": self_points - (6 if gap and k == 0 else 0),
                          "verified_points": self_points - (6 if gap and k == 0 else 0),
                          "gap_flag": gap and k == 0, "updated_by": "seed",
                          "updated_at": svc.clock.now()})
    if lines:
        with svc.engine.begin() as conn:
            conn.execute(score_lines.insert(), lines)
    if at >= ORDER["voting"]:
        counted = at >= ORDER["proposing"]
        ranks = {u: n + 1 for n, u in enumerate(unit_ids)}
        rows.clear()
        item("vote_session", "locked" if counted else "open", cluster=cid, y=year,
             parent=campaign, done=counted,
             data={"kind": "cluster", "campaign_id": campaign, "titles": [FLAG],
                   "winners": {FLAG: [unit_ids[0]]} if counted else {},
                   "ranks": {str(u): r for u, r in ranks.items()}})
        [session] = insert(rows)
        out.votes[(code, year)] = session
        if counted:
            due = today + dt.timedelta(days=-3 if c % 2 else 12)
            rows.clear()
            item("dossier", "appraising", cluster=cid, y=year, unit=unit_ids[0],
                 data={"title": FLAG, "vote_session_id": session,
                       "appraisal_days_used": 4, "appraisal_resumed_on": today.isoformat(),
                       "appraisal_due": due.isoformat()})
            out.dossiers += insert(rows)
    del definitions
    return campaign
