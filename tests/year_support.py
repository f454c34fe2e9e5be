"""The Khối thi đua các bộ, ngành Nội chính Trung ương and its 2025 campaign, walked through the
service layer as its people: each helper is one stage of the year, done the way users do it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.demo import NOI_CHINH
from workflow.domain.criteria import CriteriaTable
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.services import documents, organisations, people, year

if TYPE_CHECKING:
    from tests.conftest import Snapshots

YEAR = 2025
MEMBERS = NOI_CHINH  # the eight real members, leader and deputy first
# The chair's reason for closing a vote before every present voter has voted.
REASON = "Hết thời gian bỏ phiếu theo chương trình họp"
PDF = b"%PDF-1.4\n% thidua test document\n"
DATES = {
    "pledge_deadline": "2025-03-31",
    "six_month_report_due": "2025-07-15",
    "inspection_end": "2025-11-15",
    "scoring_deadline": "2025-12-10",
    "year_end_report_due": "2025-12-15",
}


def at(day: str, hour: int = 9) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh, UTC+7) time of day as UTC."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


@dataclass
class Bloc:
    services: Services
    clock: FakeClock
    cluster: int
    units: dict[str, int]
    users: dict[str, int] = field(default_factory=dict)
    campaign: Instance | None = None

    @property
    def wf(self) -> Any:
        return self.services.workflows

    def actor(self, username: str) -> Actor:
        found = people.actor(self.services.uow(), self.users[username])
        assert found is not None
        return found

    def head(self, code: str) -> Actor:
        return self.actor(f"{code}_head")

    def officer(self, code: str) -> Actor:
        return self.actor(f"{code}_officer")

    @property
    def leader(self) -> Actor:
        return self.head("btp")

    @property
    def deputy(self) -> Actor:
        return self.head("lang")

    def checker_for(self, code: str) -> Actor:
        """Who accepts or verifies a unit's item: the leader, or the deputy for the leader's."""
        return self.deputy if code == "btp" else self.leader

    def code_of(self, unit_id: int | None) -> str:
        return next(c for c, u in self.units.items() if u == unit_id)

    def children(self, workflow: str) -> list[Instance]:
        assert self.campaign is not None
        return [c for c in self.wf.children(self.campaign.id) if c.workflow == workflow]

    def child(self, workflow: str, code: str) -> Instance:
        return next(c for c in self.children(workflow) if c.unit_id == self.units[code])

    @property
    def table(self) -> CriteriaTable:
        return self.services.criteria.get("khoi_noi_chinh")

    def attach(self, item: Instance, by: Actor, kind: str, ref: str | None = None) -> None:
        documents.attach(self.wf, self.services.settings.documents_dir, item, by, kind,
                         f"{kind}.pdf", PDF, ref=ref)

    def refresh(self) -> Instance:
        assert self.campaign is not None
        self.campaign = self.wf.get(self.campaign.id)
        return self.campaign


def make_bloc(services: Services, clock: FakeClock) -> Bloc:
    """The eight real members, Bộ Tư pháp leading and the Ban Quản lý Lăng deputy in 2025; a
    head and an emulation officer per unit, the officers also inspectors of the bloc."""
    uow = services.uow()
    units = {code: organisations.create_unit(uow, code.upper(), name) for code, name in MEMBERS}
    cluster = organisations.create_cluster(
        uow, "KNC", "Khối thi đua các bộ, ngành Nội chính Trung ương", "khoi", YEAR,
        list(units.values()), council="Hội đồng Thi đua – Khen thưởng Trung ương",
        leader_unit_id=units["btp"], deputy_unit_id=units["lang"])
    bloc = Bloc(services, clock, cluster, units)
    office = people.create_user(uow, "vu_tdkt", "Vụ Thi đua – Khen thưởng")
    people.grant(uow, office, "council_secretariat", year=YEAR)
    bloc.users["vu_tdkt"] = office
    for code, name in MEMBERS:
        head = people.create_user(uow, f"{code}_head", f"Thủ trưởng {name}")
        officer = people.create_user(uow, f"{code}_officer", f"Cán bộ thi đua {name}")
        people.grant(uow, head, "unit_head", unit_id=units[code], year=YEAR)
        people.grant(uow, officer, "unit_officer", unit_id=units[code], year=YEAR)
        people.grant(uow, officer, "inspector", cluster_id=cluster, year=YEAR)
        bloc.users.update({f"{code}_head": head, f"{code}_officer": officer})
    return bloc


# --- the stages of the year ------------------------------------------------------------------


def launch(bloc: Bloc) -> Instance:
    bloc.clock.set(at("2025-02-10"))
    campaign = bloc.wf.start("campaign", bloc.leader, cluster_id=bloc.cluster, year=YEAR)
    bloc.wf.fire(campaign, "launch", bloc.leader, {
        "theme": "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ",
        "criteria_table": "khoi_noi_chinh", "dates": DATES, "kind": "regular",
        "comment": "Phát động phong trào thi đua năm 2025",
    })
    bloc.campaign = campaign
    return campaign


def targets(bloc: Bloc) -> dict[str, int]:
    return {c.code: 100 for c in bloc.table.targets_required()}


def sign_pledge(bloc: Bloc, code: str) -> Instance:
    pledge = bloc.child("pledge", code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))
    bloc.wf.fire(pledge, "accept", bloc.checker_for(code))
    bloc.attach(pledge, bloc.head(code), "signed_pledge")
    return bloc.wf.fire(pledge, "sign", bloc.head(code)).instance


def sign_all_pledges(bloc: Bloc) -> None:
    bloc.clock.set(at("2025-03-20"))
    for code, _ in MEMBERS:
        sign_pledge(bloc, code)


def submit_report(bloc: Bloc, code: str) -> Instance:
    report = bloc.child("report", code)
    bloc.attach(report, bloc.officer(code), "report")
    bloc.wf.fire(report, "submit", bloc.officer(code))
    return bloc.wf.fire(report, "accept", bloc.checker_for(code)).instance


def mid_year(bloc: Bloc, skip: tuple[str, ...] = ()) -> None:
    bloc.clock.set(at("2025-07-01"))
    bloc.wf.fire(bloc.refresh(), "start_mid_year", bloc.leader)
    for code, _ in MEMBERS:
        if code not in skip:
            submit_report(bloc, code)


def plan_and_start_inspection(bloc: Bloc, reason: str | None = None) -> dict[str, Any]:
    """Plan and start the cross-inspection; with reports missing, the leader gives a reason."""
    bloc.clock.set(at("2025-09-15"))
    proposal = year.propose_inspection_plan(bloc.wf, bloc.refresh().id, bloc.leader, seed=7)
    bloc.wf.fire(bloc.refresh(), "plan_inspections", bloc.leader,
                 {"inspection_plan": proposal["inspection_plan"]})
    bloc.wf.fire(bloc.refresh(), "start_inspection", bloc.leader,
                 {"comment": reason} if reason else {})
    return proposal


def inspection_points(bloc: Bloc, code: str) -> dict[str, str]:
    """What the inspecting team finds: the top level or full points, one step lower for ttcp."""
    out = {}
    for c in bloc.table.criteria:
        points = c.max_points
        if code == "ttcp" and c.levels:
            points = sorted(c.level_points)[-2]
        out[c.code] = str(points)
    return out


def inspect(bloc: Bloc, code: str) -> Instance:
    item = bloc.child("inspection", code)
    lead = bloc.actor(item.data["plan"]["lead"])
    bloc.wf.fire(item, "record_results", lead, {"results": inspection_points(bloc, code)})
    bloc.wf.fire(item, "conclude", lead)
    bloc.wf.fire(item, "sign_minutes", lead)
    return bloc.wf.fire(item, "sign_minutes", bloc.head(code)).instance


def inspect_all(bloc: Bloc) -> None:
    bloc.clock.set(at("2025-10-20"))
    for code, _ in MEMBERS:
        inspect(bloc, code)
    bloc.wf.fire(bloc.refresh(), "start_scoring", bloc.leader)


def self_scores(bloc: Bloc, code: str) -> dict[str, dict[str, str]]:
    """Every unit claims full marks; qualitative as points, quantitative as results."""
    scores: dict[str, dict[str, str]] = {}
    for c in bloc.table.criteria:
        if c.kind == "quantitative" and c.target_required:
            scores[c.code] = {"achieved": "100"}
        else:
            scores[c.code] = {"points": str(c.max_points)}
    return scores


def score(bloc: Bloc, code: str, evidence: bool = True) -> Instance:
    sheet = bloc.child("score_sheet", code)
    bloc.wf.fire(sheet, "save_scores", bloc.officer(code), {"scores": self_scores(bloc, code)})
    if evidence:
        for c in bloc.table.criteria:
            if c.evidence:
                bloc.attach(sheet, bloc.officer(code), c.evidence[0], ref=c.code)
    return sheet


def score_and_submit_all(bloc: Bloc) -> None:
    bloc.clock.set(at("2025-11-25"))
    for code, _ in MEMBERS:
        sheet = score(bloc, code)
        bloc.wf.fire(sheet, "submit", bloc.head(code))


def verify_and_finalize_all(bloc: Bloc) -> None:
    bloc.clock.set(at("2025-12-05"))  # after the 5-day appeal window
    for code, _ in MEMBERS:
        sheet = bloc.child("score_sheet", code)
        bloc.wf.fire(sheet, "verify", bloc.checker_for(code))
        bloc.wf.fire(sheet, "finalize", bloc.checker_for(code))


def total(points: Decimal) -> str:
    return f"{points:.2f}"


def walk_to_year_end(bloc: Bloc) -> None:
    """The whole year up to the year-end review, every stage as in real life."""
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    score_and_submit_all(bloc)
    verify_and_finalize_all(bloc)
    year_end_reports(bloc)


def year_end_reports(bloc: Bloc) -> None:
    """Every unit's year-end report, submitted and accepted before the review meeting (the
    vote may start without a reason only then)."""
    for code, _ in MEMBERS:
        report = next(r for r in bloc.children("report")
                      if r.unit_id == bloc.units[code] and r.data.get("period") == "year_end")
        bloc.attach(report, bloc.officer(code), "report")
        bloc.wf.fire(report, "submit", bloc.officer(code))
        bloc.wf.fire(report, "accept", bloc.checker_for(code))


def walked_bloc(key: str, services: Services, clock: FakeClock, snapshots: Snapshots,
                *stages: Callable[[Bloc], object]) -> Bloc:
    """The bloc with the shipped criteria tables, walked through `stages` in order: built once
    per worker and database under `key`, then restored from its snapshot."""

    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        for stage in stages:
            stage(bloc)
        return bloc

    return snapshots.world(key, services, clock, build)
