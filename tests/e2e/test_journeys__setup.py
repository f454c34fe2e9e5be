"""The council office sets the cluster's year up in a real browser: from the menu to the
cluster, the campaign's plan typed (a wrong date first, told beside its field, what was typed
kept), then the launch that gives every member its pledge; at desktop and phone widths."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Session
from tests.year_support import DATES, Bloc

THEME = "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ"
TITLE = "Phong trào thi đua 2025 – Khối thi đua các bộ, ngành Nội chính Trung ương"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_council_office_creates_and_launches_the_campaign(
    browser: object, server: str, bloc: Bloc, width: int,
) -> None:
    office = Session(browser, server, "vu_tdkt")
    page = office.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{server}/")  # type: ignore[attr-defined]
    page.click("nav >> text=Cụm và khối thi đua")  # type: ignore[attr-defined]
    office.shot(f"setup-{width}-1-clusters")
    page.click("text=Khối thi đua các bộ, ngành Nội chính Trung ương")  # type: ignore[attr-defined]
    page.fill("textarea[name=theme]", THEME)  # type: ignore[attr-defined]
    page.select_option("select[name=criteria_table]", "khoi_noi_chinh")  # type: ignore[attr-defined]
    for key, day in DATES.items():
        page.fill(f"input[name={key}]", day)  # type: ignore[attr-defined]
    page.fill("input[name=inspection_end]", "2025-06-30")  # type: ignore[attr-defined]
    page.click("button:has-text('Lập phong trào')")  # type: ignore[attr-defined]
    office.shot(f"setup-{width}-2-refused")

    error = page.locator("#plan-inspection_end-error")  # type: ignore[attr-defined]
    assert "Hạn kết thúc kiểm tra chéo (30/06/2025) lại trước" in error.inner_text()
    assert page.input_value("textarea[name=theme]") == THEME  # type: ignore[attr-defined]
    assert page.input_value("input[name=scoring_deadline]") == DATES["scoring_deadline"]  # type: ignore[attr-defined]
    _fits(page, width)

    page.fill("input[name=inspection_end]", DATES["inspection_end"])  # type: ignore[attr-defined]
    page.click("button:has-text('Lập phong trào')")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == TITLE  # type: ignore[attr-defined]
    office.shot(f"setup-{width}-3-draft")
    _fits(page, width)
    page.click("button:has-text('Phát động')")  # type: ignore[attr-defined]
    office.shot(f"setup-{width}-4-launched")

    flash = page.locator(".flash").first.inner_text()  # type: ignore[attr-defined]
    assert "Đã phát động phong trào: 8 đơn vị thành viên" in flash
    [campaign] = bloc.services.reads.cluster_campaigns(bloc.cluster)
    assert campaign.state == "pledging"
    assert len(bloc.wf.children(campaign.id)) == 8
    _fits(page, width)
    office.close()


def _fits(page: object, width: int) -> None:
    """No page wider than the window (a phone scrolls tables inside their box)."""
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= width, f"the page is {wide} px wide in a {width} px window"
