"""An empty installation onboarded as a new customer would: `thidua db upgrade`, `thidua
definitions sync` and `thidua users create-admin` on the command line, then everything else in
the browser: the administrator creates the units, the bloc and the council office's account,
and the council office creates and launches the bloc's first campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.e2e.conftest import SHOTS, serving
from workflow.bootstrap import Services, bootstrap
from workflow.cli import cli
from workflow.clock import FakeClock
from workflow.config import load_settings

ADMIN_PASSWORD = "Quan-tri-2026!"
OFFICE_PASSWORD = "Vu-thi-dua-2026!"
UNITS = (("BTP", "Bộ Tư pháp"), ("LANG", "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh"),
         ("BQP", "Bộ Quốc phòng"), ("BCA", "Bộ Công an"), ("TTCP", "Thanh tra Chính phủ"))
BLOC = "Khối thi đua các bộ, ngành Nội chính Trung ương"


@pytest.fixture
def empty_install(tmp_path: Path) -> Iterator[tuple[Services, str]]:
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{tmp_path}/onboarding.db",
           "THIDUA_APP_DOCUMENTS_DIR": str(tmp_path / "documents"),
           "THIDUA_SCHEDULER_ENABLED": "false"}
    runner = CliRunner()
    for args in (["db", "upgrade"], ["definitions", "sync"],
                 ["users", "create-admin", "quantri", "--full-name", "Quản trị hệ thống"]):
        result = runner.invoke(cli, args, env=env | {"THIDUA_ADMIN_PASSWORD": ADMIN_PASSWORD},
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
    settings = load_settings(environ={}, overrides={
        "database": {"url": env["THIDUA_DATABASE_URL"]},
        "app": {"documents_dir": env["THIDUA_APP_DOCUMENTS_DIR"]},
        "scheduler": {"enabled": False}})
    services = bootstrap(settings, clock=FakeClock(dt.datetime(2026, 1, 12, 2, tzinfo=dt.UTC)))
    with serving(services) as base:
        yield services, base
    services.close()


def sign_in(browser: object, base: str, username: str, password: str) -> object:
    context = browser.new_context(locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"onboarding-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_an_empty_installation_runs_its_first_campaign_from_the_browser(
    browser: object, empty_install: tuple[Services, str],
) -> None:
    services, base = empty_install
    admin = sign_in(browser, base, "quantri", ADMIN_PASSWORD)
    admin.goto(f"{base}/clusters")  # type: ignore[attr-defined]
    assert "Đồng chí chưa tham gia cụm, khối thi đua nào." in admin.content()  # type: ignore[attr-defined]
    admin.goto(f"{base}/admin/units")  # type: ignore[attr-defined]
    for code, name in UNITS:
        admin.fill("input[name=code]", code)  # type: ignore[attr-defined]
        admin.fill("input[name=name]", name)  # type: ignore[attr-defined]
        admin.click("button:has-text('Tạo đơn vị')")  # type: ignore[attr-defined]
    admin.goto(f"{base}/admin/clusters")  # type: ignore[attr-defined]
    admin.fill("input[name=code]", "KNC")  # type: ignore[attr-defined]
    admin.fill("input[name=name]", BLOC)  # type: ignore[attr-defined]
    admin.select_option("select[name=kind]", "khoi")  # type: ignore[attr-defined]
    admin.fill("input[name=year]", "2026")  # type: ignore[attr-defined]
    admin.select_option("select[name=members]", label=[f"{c} – {n}" for c, n in UNITS])  # type: ignore[attr-defined]
    admin.select_option("select[name=leader_unit_id]", label="BTP – Bộ Tư pháp")  # type: ignore[attr-defined]
    admin.select_option("select[name=deputy_unit_id]",  # type: ignore[attr-defined]
                        label="LANG – Ban Quản lý Lăng Chủ tịch Hồ Chí Minh")
    admin.click("button:has-text('Tạo cụm')")  # type: ignore[attr-defined]
    shot(admin, "1-admin-clusters")
    admin.goto(f"{base}/admin/people")  # type: ignore[attr-defined]
    admin.fill("input[name=username] >> nth=0", "vu_tdkt")  # type: ignore[attr-defined]
    admin.fill("input[name=full_name]", "Vụ Thi đua – Khen thưởng")  # type: ignore[attr-defined]
    admin.fill("input[name=password]", OFFICE_PASSWORD)  # type: ignore[attr-defined]
    admin.click("button:has-text('Tạo người dùng')")  # type: ignore[attr-defined]
    admin.fill("input[name=username] >> nth=1", "vu_tdkt")  # type: ignore[attr-defined]
    admin.select_option("select[name=role]", "council_secretariat")  # type: ignore[attr-defined]
    admin.fill("input[name=year]", "2026")  # type: ignore[attr-defined]
    admin.click("button:has-text('Giao vai trò')")  # type: ignore[attr-defined]
    shot(admin, "2-admin-people")
    [cluster] = services.reads.clusters()
    assert len(cluster.member_ids) == 5

    office = sign_in(browser, base, "vu_tdkt", OFFICE_PASSWORD)
    office.click("nav >> text=Cụm và khối thi đua")  # type: ignore[attr-defined]
    office.click(f"text={BLOC}")  # type: ignore[attr-defined]
    office.fill("textarea[name=theme]", "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc "  # type: ignore[attr-defined]
                "nhiệm vụ năm 2026")
    assert office.input_value("input[name=pledge_deadline]") == "2026-03-31"  # type: ignore[attr-defined]
    office.select_option("select[name=criteria_table]", "khoi_noi_chinh")  # type: ignore[attr-defined]
    office.click("button:has-text('Lập phong trào')")  # type: ignore[attr-defined]
    assert office.locator("h1").inner_text() == f"Phong trào thi đua 2026 – {BLOC}"  # type: ignore[attr-defined]
    office.click("button:has-text('Phát động')")  # type: ignore[attr-defined]
    shot(office, "3-office-launched")

    [campaign] = services.reads.cluster_campaigns(cluster.id)
    assert campaign.state == "pledging"
    assert len(services.workflows.children(campaign.id)) == 5
    assert "5 đơn vị thành viên đã có giao ước thi đua để ký" in office.content()  # type: ignore[attr-defined]
