"""The demo: the Khối thi đua các bộ, ngành Nội chính Trung ương with its eight real members and
a campaign of the current year advanced to the mid-year review, and a second bloc of 17 units to
show scale, whose campaign (on its own criteria table) waits for its pledges.

The demo is dated in the current year, relative to today: the steps it took lie in the past, and
every deadline it still waits for lies ahead (a demo seeded in November does not open on reports
overdue since July). It reaches only states the pages reach, by the actions people take there.

Every step goes through the services as the person who would take it, so the demo's history is
the same as a real year's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from workflow.adapters.tables import users
from workflow.bootstrap import Services
from workflow.clock import Clock, FakeClock
from workflow.domain.roles import Actor
from workflow.engine.instance import Instance
from workflow.services import documents, organisations, people

CRITERIA = "khoi_noi_chinh"
BHXH_CRITERIA = "bhxh_tinh"
# The eight members [sourced, 2022 composition], leader and deputy first.
NOI_CHINH = (
    ("btp", "Bộ Tư pháp"),
    ("lang", "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh"),
    ("bqp", "Bộ Quốc phòng"),
    ("bca", "Bộ Công an"),
    ("tandtc", "Tòa án nhân dân tối cao"),
    ("vksndtc", "Viện kiểm sát nhân dân tối cao"),
    ("ttcp", "Thanh tra Chính phủ"),
    ("ktnn", "Kiểm toán Nhà nước"),
)
# Khối 1 of Vietnam Social Security after 2019 had 17 units [sourced]; names are illustrative.
BHXH_PROVINCES = (
    "Hà Nội", "TP. Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Thanh Hóa", "Nghệ An",
    "Quảng Ninh", "Bình Dương", "Đồng Nai", "Hải Dương", "Nam Định", "Thái Bình", "Bắc Ninh",
    "Khánh Hòa", "Lâm Đồng", "Long An",
)
# The campaign's dates as (month, day) of the demo's year, in the order they fall.
DATES = {
    "pledge_deadline": (3, 31),
    "six_month_report_due": (7, 15),
    "inspection_end": (11, 15),
    "scoring_deadline": (12, 10),
    "year_end_report_due": (12, 15),
}
LEAD_DAYS = 14  # the first deadline still ahead falls at least this long after today
STEP_DAYS = 7  # and each later one at least this long after the one before
PDF = b"%PDF-1.4\n% thidua demo document\n"
DEMO_PASSWORD = "thidua-demo"  # a demo only: every account shares it
Echo = Callable[[str], None]


def delete_sqlite_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def run(services: Services, echo: Echo) -> None:
    """Migrate, publish the definitions, seed the demo once, and print the accounts."""
    services.upgrade_schema()
    services.sync_definitions()
    with services.engine.connect() as conn:
        seeded = conn.execute(sa.select(users.c.id).where(users.c.username == "admin")).first()
    if seeded is None:
        seed(services, echo)
    else:
        echo("demo data already present (use `thidua demo --reset` to start again)")
    _print_accounts(services, echo)


class _Year:
    """The demo's year (the current one, in Việt Nam) and the moments of its steps: each on the
    day it would have had, but never after now, so a demo seeded in February is not dated in
    July."""

    def __init__(self, clock: Clock) -> None:
        self.now = clock.now()
        self.tz = clock.tz
        self.year = clock.today().year

    def at(self, month: int, day: int) -> dt.datetime:
        moment = dt.datetime(self.year, month, day, 9, tzinfo=self.tz).astimezone(dt.UTC)
        return min(moment, self.now)

    def dates(self, pending: str) -> dict[str, str]:
        """The campaign's dates: each on its usual day, but from `pending` on (the deadlines the
        campaign still waits for) never sooner than LEAD_DAYS after today, each STEP_DAYS
        after the one before, and never past the year's end."""
        today, last = self.now.astimezone(self.tz).date(), dt.date(self.year, 12, 31)
        out: dict[str, str] = {}
        floor: dt.date | None = None
        for key, (month, day) in DATES.items():
            date = dt.date(self.year, month, day)
            if key == pending:
                floor = today + dt.timedelta(days=LEAD_DAYS)
            if floor is not None:
                date = max(date, floor)
                floor = date + dt.timedelta(days=STEP_DAYS)
            out[key] = min(date, last).isoformat()
        return out

    def too_late_for(self, key: str) -> bool:
        """Whether the usual day of a deadline is less than LEAD_DAYS ahead (or past)."""
        month, day = DATES[key]
        lead = dt.timedelta(days=LEAD_DAYS)
        return self.now.astimezone(self.tz).date() > dt.date(self.year, month, day) - lead


def seed(services: Services, echo: Echo) -> None:
    """Seed both blocs; the campaign's steps carry the dates they would have had this year."""
    uow = services.uow()
    y = _Year(services.clock)
    year = y.year  # every grant and campaign of the demo is in this year
    office = people.create_user(uow, "vu_tdkt", "Vụ Thi đua – Khen thưởng")
    people.grant(uow, office, "council_secretariat", year=year)
    admin = people.create_user(uow, "admin", "Quản trị hệ thống")
    people.grant(uow, admin, "admin")
    for name, role, full in (("hd_thanhvien", "council_member", "Thành viên Hội đồng TĐKT"),
                             ("hd_chutich", "council_chair", "Chủ tịch Hội đồng TĐKT"),
                             ("thu_truong", "decision_authority", "Người có thẩm quyền")):
        people.grant(uow, people.create_user(uow, name, full), role, year=year)
    clock = FakeClock(y.at(2, 10), y.tz)
    dated = services.workflows
    real_clock, dated.clock = dated.clock, clock
    try:
        _noi_chinh(services, clock, y, echo)
        _bhxh(services, clock, y, echo)
    finally:
        dated.clock = real_clock
    with services.engine.connect() as conn:
        ids = conn.execute(sa.select(users.c.id)).scalars().all()
    for uid in ids:
        people.set_password(services.uow(), uid, DEMO_PASSWORD)


def _bloc(
    services: Services, y: _Year, code: str, name: str, members: tuple[tuple[str, str], ...]
) -> tuple[int, dict[str, int], dict[str, Actor]]:
    uow, year = services.uow(), y.year
    units = {c: organisations.create_unit(uow, c.upper(), n) for c, n in members}
    first, second = list(units.values())[:2]
    cluster = organisations.create_cluster(
        uow, code, name, "khoi", year, list(units.values()),
        council="Hội đồng Thi đua – Khen thưởng Trung ương", leader_unit_id=first,
        deputy_unit_id=second)
    actors: dict[str, Actor] = {}
    for c, n in members:
        head = people.create_user(uow, f"{c}_head", f"Thủ trưởng {n}")
        officer = people.create_user(uow, f"{c}_officer", f"Cán bộ thi đua {n}")
        people.grant(uow, head, "unit_head", unit_id=units[c], year=year)
        people.grant(uow, officer, "unit_officer", unit_id=units[c], year=year)
        people.grant(uow, officer, "inspector", cluster_id=cluster, year=year)
        for key, uid in ((f"{c}_head", head), (f"{c}_officer", officer)):
            found = people.actor(uow, uid)
            assert found is not None
            actors[key] = found
    return cluster, units, actors


def _launch(
    services: Services, y: _Year, cluster: int, leader: Actor, theme: str, *,
    criteria: str, pending: str, kind: str = "regular",
) -> Instance:
    wf = services.workflows
    campaign = wf.start("campaign", leader, cluster_id=cluster, year=y.year)
    what = "phong trào thi đua năm" if kind == "regular" else "đợt thi đua chuyên đề năm"
    return wf.fire(campaign, "launch", leader, {
        "theme": theme, "criteria_table": criteria, "dates": y.dates(pending), "kind": kind,
        "comment": f"Phát động {what} {y.year}"}).instance


def _noi_chinh(services: Services, clock: FakeClock, y: _Year, echo: Echo) -> None:
    wf = services.workflows
    cluster, units, a = _bloc(services, y, "KNC", "Khối thi đua các bộ, ngành Nội chính Trung "
                              "ương", NOI_CHINH)
    leader, deputy = a["btp_head"], a["lang_head"]
    campaign = _launch(services, y, cluster, leader,
                       "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ",
                       criteria=CRITERIA, pending="six_month_report_due")
    table = services.criteria.get(CRITERIA)
    targets = {c.code: 100 for c in table.targets_required()}
    clock.set(y.at(3, 20))
    code_of = {u: c for c, u in units.items()}
    for pledge in wf.children(campaign.id):
        code = code_of[pledge.unit_id or 0]
        head, checker = a[f"{code}_head"], deputy if code == "btp" else leader
        wf.fire(pledge, "save_targets", a[f"{code}_officer"], {"targets": targets})
        wf.fire(pledge, "submit", head)
        wf.fire(pledge, "accept", checker)
        documents.attach(wf, services.settings.documents_dir, pledge, head,
                         "signed_pledge", "giao-uoc-thi-dua.pdf", PDF)
        wf.fire(pledge, "sign", head)
    clock.set(y.at(7, 1))
    wf.fire(wf.get(campaign.id), "start_mid_year", leader)
    for report in wf.children(campaign.id):
        code = code_of.get(report.unit_id or 0, "")
        if report.workflow != "report" or code not in ("btp", "lang", "bqp", "bca"):
            continue  # the other four have not reported yet: the inbox shows them due
        officer = a[f"{code}_officer"]
        documents.attach(wf, services.settings.documents_dir, report, officer,
                         "report", "bao-cao-so-ket.pdf", PDF)
        wf.fire(report, "submit", officer)
    state = wf.get(campaign.id).state
    echo(f"Khối Nội chính: campaign {campaign.id} of {y.year} at '{state}', 8 pledges signed, "
         "4 of 8 mid-year reports submitted")


def _bhxh(services: Services, clock: FakeClock, y: _Year, echo: Echo) -> None:
    """Launched early in the year, or, when the demo is seeded after the pledges of a year
    are due, a few days ago as a thematic drive for the rest of it: either way its pledges are
    still to sign, before a deadline ahead."""
    members = tuple((f"bhxh{i + 1:02d}", f"BHXH {p}") for i, p in enumerate(BHXH_PROVINCES))
    cluster, _, a = _bloc(services, y, "BHXH1", "Khối thi đua số 1 – BHXH Việt Nam", members)
    if y.too_late_for("pledge_deadline"):
        clock.set(y.now - dt.timedelta(days=3))
        kind, theme = "thematic", f"Thi đua cao điểm hoàn thành nhiệm vụ thu, chi năm {y.year}"
    else:
        clock.set(y.at(2, 10))
        kind, theme = "regular", f"Thi đua thực hiện thắng lợi nhiệm vụ chính trị năm {y.year}"
    campaign = _launch(services, y, cluster, a["bhxh01_head"], theme,
                       criteria=BHXH_CRITERIA, pending="pledge_deadline", kind=kind)
    pledges = len(services.workflows.children(campaign.id))
    echo(f"Khối 1 BHXH: campaign {campaign.id} launched with {pledges} pledges to sign")


def _print_accounts(services: Services, echo: Echo) -> None:
    with services.engine.connect() as conn:
        names = conn.execute(sa.select(users.c.username, users.c.full_name).where(
            ~users.c.username.like("bhxh%")).order_by(users.c.id)).all()
    echo(f"demo accounts, all with the password '{DEMO_PASSWORD}' (http://127.0.0.1:5000):")
    for username, full_name in names:
        echo(f"  {username:20} {full_name}")
    echo("  bhxh01_head … bhxh17_officer: the 17 units of Khối 1 BHXH")
