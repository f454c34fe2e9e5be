"""The council office copies last year's criteria table in a real browser, breaks a sum and
sees the problem at its line in Vietnamese, fixes it, checks the preview, publishes the new
version, and creates the year's campaign on it; at desktop and phone widths."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Session
from tests.year_support import DATES, Bloc

TITLE = "Bảng tiêu chí thi đua Khối các bộ, ngành Nội chính Trung ương"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_council_office_publishes_a_new_version_and_plans_the_campaign_on_it(
    browser: object, server: str, bloc: Bloc, width: int,
) -> None:
    office = Session(browser, server, "vu_tdkt")
    page = office.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{server}/")  # type: ignore[attr-defined]
    page.click("nav >> text=Bảng tiêu chí")  # type: ignore[attr-defined]
    office.shot(f"criteria-{width}-1-tables")
    _fits(page, width)
    page.locator("#table-khoi_noi_chinh button:has-text('Sao chép thành phiên bản mới')").click()  # type: ignore[attr-defined]
    office.shot(f"criteria-{width}-2-draft")

    text = page.input_value("textarea[name=source_text]")  # type: ignore[attr-defined]
    assert "version: 2" in text
    line = next(n for n, ln in enumerate(text.split("\n"), 1) if ln.startswith("scale:"))
    page.fill("textarea[name=source_text]", text.replace("scale: 100", "scale: 95", 1))  # type: ignore[attr-defined]
    page.click("button:has-text('Kiểm tra')")  # type: ignore[attr-defined]
    office.shot(f"criteria-{width}-3-problem")
    problems = page.locator(".problems").inner_text()  # type: ignore[attr-defined]
    assert f"Dòng {line}" in problems
    assert "các nhóm cộng lại được 100 điểm nhưng thang điểm là 95" in problems
    assert "scale: 95" in page.input_value("textarea[name=source_text]")  # type: ignore[attr-defined]
    _fits(page, width)

    fixed = text.replace("appeal_days: 5", "appeal_days: 7", 1)
    page.fill("textarea[name=source_text]", fixed)  # type: ignore[attr-defined]
    page.click("button:has-text('Kiểm tra')")  # type: ignore[attr-defined]
    preview = page.locator(".criteria-preview").inner_text()  # type: ignore[attr-defined]
    assert TITLE in preview
    assert "Số ngày được khiếu nại kết quả chấm" in preview
    office.shot(f"criteria-{width}-4-preview")
    _fits(page, width)
    page.click("button:has-text('Ban hành')")  # type: ignore[attr-defined]
    office.shot(f"criteria-{width}-5-published")
    flash = page.locator(".flash").first.inner_text()  # type: ignore[attr-defined]
    assert f"Đã ban hành {TITLE}, phiên bản 2" in flash
    assert bloc.services.criteria.get("khoi_noi_chinh").appeal_days == 7

    page.click("nav >> text=Cụm và khối thi đua")  # type: ignore[attr-defined]
    page.click("text=Khối thi đua các bộ, ngành Nội chính Trung ương")  # type: ignore[attr-defined]
    options = page.locator("select[name=criteria_table]").inner_text()  # type: ignore[attr-defined]
    assert f"{TITLE} (phiên bản 2)" in options
    page.fill("textarea[name=theme]", "Đoàn kết, sáng tạo")  # type: ignore[attr-defined]
    page.select_option("select[name=criteria_table]", "khoi_noi_chinh")  # type: ignore[attr-defined]
    for key, day in DATES.items():
        page.fill(f"input[name={key}]", day)  # type: ignore[attr-defined]
    page.click("button:has-text('Lập phong trào')")  # type: ignore[attr-defined]
    page.click("button:has-text('Phát động')")  # type: ignore[attr-defined]
    [campaign] = bloc.services.reads.cluster_campaigns(bloc.cluster)
    assert bloc.wf.get(campaign.id).data["criteria_table"] == {"code": "khoi_noi_chinh",
                                                                "version": 2}
    office.close()


def _fits(page: object, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= width, f"the page is {wide} px wide in a {width} px window"
