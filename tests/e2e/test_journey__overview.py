"""The council office's overview in a browser: from the inbox to the year's overview, filtered
to one stage, downloaded as a workbook, then the fairness pages with their chart and the
warnings that point at the votes. On a seeded province of ten clusters (five years)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from benchmarks.province import seed_province
from tests.e2e.conftest import Session
from tests.year_support import Bloc
from workflow.bootstrap import Services
from workflow.services import people

YEAR = 2024  # the test clock stands in January 2025


def test_the_council_office_reads_its_year_and_the_fairness_of_the_votes(
        e2e_services: Services, bloc: Bloc, server: str, browser: object) -> None:
    province = seed_province(e2e_services, clusters=10, members=4, year=YEAR)
    # the office's grant of the bloc is for 2025; it holds 2024's too, to open its items
    people.grant(e2e_services.uow(), bloc.users["vu_tdkt"], "council_secretariat", year=YEAR)
    office = Session(browser, server, "vu_tdkt")
    page = office.page
    page.click("text=Tổng quan năm: mọi cụm, khối và những việc chậm, thiếu")
    page.wait_for_url(f"{server}/overview")

    page.select_option("select[name=year]", str(YEAR))
    page.select_option("select[name=stage]", "scoring")
    page.click("button:has-text('Xem')")
    page.wait_for_url(f"{server}/overview?year={YEAR}*stage=scoring*")
    assert page.inner_text("h1") == f"Tổng quan năm {YEAR}"
    campaigns = page.inner_text("#campaigns")
    assert "Cụm thi đua số 5" in campaigns
    assert "Cụm thi đua số 1\n" not in campaigns
    assert "Chấm điểm" in campaigns
    issues = page.inner_text("#issues")
    assert "Bảng chấm điểm chưa thẩm định" in issues
    assert "05/12/2024" in issues
    office.shot("overview-scoring")

    with page.expect_download() as download:
        page.click("text=Tải về dạng Excel (.xlsx)")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["Phong trào thi đua"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["Cụm thi đua số 5"]

    page.click(f"a[href='/campaigns/{province.campaigns['K05']}']")
    page.wait_for_url(f"{server}/campaigns/{province.campaigns['K05']}")
    assert "Cụm thi đua số 5" in page.inner_text("body")

    office.open("/overview")
    page.click("text=Tính công bằng của bình xét qua các năm")
    page.wait_for_url(f"{server}/fairness")
    assert page.locator("svg.fairness-chart").count() == 1
    page.click("a[href='/fairness/K02']")
    page.wait_for_url(f"{server}/fairness/K02")
    warnings = page.inner_text("#warnings")
    assert "được suy tôn trong chính năm dẫn đầu" in warnings
    first = province.votes[("K02", YEAR - 4)]
    assert page.locator(f"#warnings a[href='/votes/{first}']").count() == 1
    assert page.locator("svg.fairness-chart circle").count() == 4
    office.shot("fairness-leader-wins")
    office.close()
