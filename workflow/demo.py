"""The demo: the Khối thi đua các bộ, ngành Nội chính Trung ương and one campaign walked through
the engine, as the different people of the bloc."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from workflow.adapters.tables import users
from workflow.bootstrap import Services
from workflow.services import documents, organisations, people

YEAR = 2025

# The eight real members of the bloc [sourced, DOMAIN.md], leader and deputy first.
MEMBERS = (
    ("BTP", "Bộ Tư pháp"),
    ("BQLLANG", "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh"),
    ("BQP", "Bộ Quốc phòng"),
    ("BCA", "Bộ Công an"),
    ("TANDTC", "Tòa án nhân dân tối cao"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao"),
    ("TTCP", "Thanh tra Chính phủ"),
    ("KTNN", "Kiểm toán Nhà nước"),
)
PASSWORD_NOTE = "(sign-in arrives with the web app; the CLI acts as these users with --as)"
PDF = b"%PDF-1.4\n% thidua demo document\n"


def delete_sqlite_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def run(services: Services, echo: Callable[[str], None]) -> None:
    """Migrate, publish the definitions, seed the bloc once, and show a campaign advancing."""
    services.upgrade_schema()
    services.sync_definitions()
    engine = services.engine
    with engine.connect() as conn:
        seeded = conn.execute(sa.select(users.c.id).where(users.c.username == "admin")).first()
    if seeded is None:
        _seed(services, echo)
    else:
        echo("demo data already present (use `thidua demo --reset` to start again)")
    _print_accounts(services, echo)


def _seed(services: Services, echo: Callable[[str], None]) -> None:
    engine = services.engine
    unit_ids = [organisations.create_unit(engine, code, name) for code, name in MEMBERS]
    bloc = organisations.create_cluster(
        engine, "KNC", "Khối thi đua các bộ, ngành Nội chính Trung ương", "khoi", YEAR, unit_ids
    )
    admin = people.create_user(engine, "admin", "Quản trị hệ thống")
    people.grant(engine, admin, "admin")
    office = people.create_user(engine, "vu_tdkt", "Vụ Thi đua – Khen thưởng")
    people.grant(engine, office, "council_secretariat", year=YEAR)
    heads = []
    for (code, name), unit in zip(MEMBERS, unit_ids, strict=True):
        head = people.create_user(engine, f"{code.lower()}_head", f"Thủ trưởng {name}")
        officer = people.create_user(engine, f"{code.lower()}_officer", f"Cán bộ thi đua {name}")
        people.grant(engine, head, "unit_head", unit_id=unit, year=YEAR)
        people.grant(engine, officer, "unit_officer", unit_id=unit, year=YEAR)
        heads.append(head)
    people.grant(engine, heads[0], "cluster_leader", cluster_id=bloc, year=YEAR)
    people.grant(engine, heads[1], "cluster_deputy", cluster_id=bloc, year=YEAR)

    wf = services.workflows
    leader = people.actor(engine, heads[0])
    deputy = people.actor(engine, heads[1])
    assert leader is not None
    assert deputy is not None
    campaign = wf.start("campaign", leader, cluster_id=bloc, year=YEAR)
    wf.fire(campaign, "launch", leader, {
        "theme": "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ",
        "comment": "Phát động phong trào thi đua năm 2025",
    })
    echo(f"campaign {campaign.id} launched: {campaign.state}")
    pledges = sorted(wf.children(campaign.id), key=lambda p: p.id)
    folder = services.settings.documents_dir
    for pledge, head_id in zip(pledges[:3], heads[:3], strict=True):
        signer = people.actor(engine, head_id)
        assert signer is not None
        wf.fire(pledge, "save_targets", signer,
                {"targets": [{"criterion": "1.1", "target": 100}]})
        wf.fire(pledge, "submit", signer)
        checker = deputy if pledge.unit_id == unit_ids[0] else leader  # not its own unit
        wf.fire(pledge, "accept", checker)
        documents.attach(engine, services.clock, folder, pledge, signer, "signed_pledge",
                         "giao-uoc.pdf", PDF)
        wf.fire(pledge, "sign", signer)
    for pledge in wf.children(campaign.id):
        echo(f"  pledge {pledge.id} unit {pledge.unit_id}: {pledge.state}")


def _print_accounts(services: Services, echo: Callable[[str], None]) -> None:
    with services.engine.connect() as conn:
        names = conn.execute(sa.select(users.c.username, users.c.full_name).order_by(users.c.id))
        echo(f"demo accounts {PASSWORD_NOTE}:")
        for username, full_name in names:
            echo(f"  {username:20} {full_name}")
