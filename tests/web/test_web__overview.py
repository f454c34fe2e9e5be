"""The council office's overview of the year and the fairness pages in the browser's terms:
Vietnamese, names never ids, each line linking to its item, the filter, the .xlsx download,
the SVG chart and the warnings linking to their votes; only the council and admins see them."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from benchmarks.province import Province, seed_province
from tests.web.conftest import PASSWORD, csrf, shared_app
from workflow.bootstrap import Services
from workflow.services import people

YEAR = 2024  # the test clock stands in January 2025: every date of 2024 has passed


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Callable[[str], str]) -> str:
    """SQLite only: the read side is tested on both in tests/integration/test_overview.py."""
    shutil.copyfile(migrated_template("sqlite"), tmp_path / "thidua.db")
    return f"sqlite:///{tmp_path}/thidua.db"


@pytest.fixture
def province(services: Services) -> Province:
    found = seed_province(services, clusters=10, members=4, year=YEAR)
    uow = services.uow
    for username, full_name, grant in (
            ("vu_tdkt", "Nguyễn Thị Thư", {"role": "council_secretariat"}),
            ("quan_tri", "Lê Quản Trị", {"role": "admin"}),
            ("hd_member", "Phạm Hội Đồng", {"role": "council_member"}),
            ("dv_officer", "Trần Cán Bộ", {"role": "unit_officer", "unit_id": found.units[0],
                                           "year": YEAR}),
            ("dv_head", "Đỗ Thủ Trưởng", {"role": "unit_head", "unit_id": found.units[1],
                                          "year": YEAR})):
        uid = people.create_user(uow(), username, full_name)
        people.grant(uow(), uid, grant["role"], unit_id=grant.get("unit_id"),
                     year=grant.get("year"))
        people.set_password(uow(), uid, PASSWORD)
    return found


@pytest.fixture
def app(services: Services, province: Province) -> Flask:
    return shared_app(services)


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": csrf(client)})
    return client


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def no_codes(html: str) -> None:
    """Nothing a person should not read: state or title codes, ISO dates, Python reprs."""
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html,
                                          flags=re.S))
    for code in ("co_thi_dua", "pledge_unsigned", "appraising", "mid_year_review",
                 "score_sheet", "None", "{'", "['"):
        assert code not in text, code
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)


def test_the_overview_shows_every_cluster_with_its_stage_in_vietnamese(
        app: Flask, province: Province) -> None:
    html = page(signed_in(app, "vu_tdkt"), f"/overview?year={YEAR}")

    assert f"Tổng quan năm {YEAR}" in html
    for name in province.names.values():
        assert name in html
    for label in ("Ký giao ước", "Đang triển khai", "Sơ kết 6 tháng", "Kiểm tra chéo",
                  "Chấm điểm", "Bình xét, suy tôn", "Đề nghị khen thưởng", "Dự thảo"):
        assert label in html, label
    assert "Giao ước chưa ký sau hạn" in html
    assert "15/03/2024" in html
    assert "Kiểm tra chéo chưa thực hiện" in html
    assert "Bảng chấm điểm chưa thẩm định" in html
    assert "Chênh lệch lớn giữa tự chấm và kiểm tra" in html
    assert "Hồ sơ đang thẩm định" in html
    assert "Cờ thi đua của Chính phủ" in html
    assert "Sở Ngành số" in html
    no_codes(html)


def test_each_line_links_to_its_item(app: Flask, province: Province) -> None:
    html = page(signed_in(app, "vu_tdkt"), f"/overview?year={YEAR}")

    for campaign in province.campaigns.values():
        assert f'href="/campaigns/{campaign}"' in html
    for pledge in province.unsigned:
        assert f'href="/pledges/{pledge}"' in html
    for sheet in province.gaps:
        assert f'href="/score-sheets/{sheet}"' in html
    for dossier in province.dossiers:
        assert f'href="/dossiers/{dossier}"' in html
    this_year = [s for (_code, y), s in province.votes.items() if y == YEAR]
    for session in this_year:
        assert f'href="/votes/{session}"' in html


def test_the_filter_keeps_one_cluster_and_one_stage(app: Flask, province: Province) -> None:
    client = signed_in(app, "vu_tdkt")
    cluster = province.clusters[("K05", YEAR)]
    one = page(client, f"/overview?year={YEAR}&cluster={cluster}")
    staged = page(client, f"/overview?year={YEAR}&stage=scoring")

    assert f'href="/campaigns/{province.campaigns["K05"]}"' in one
    assert f'href="/campaigns/{province.campaigns["K01"]}"' not in one
    assert f'<option value="{cluster}" selected>' in one
    assert f'href="/campaigns/{province.campaigns["K05"]}"' in staged  # K05 is scoring
    assert f'href="/campaigns/{province.campaigns["K06"]}"' not in staged
    assert '<option value="scoring" selected>' in staged
    junk = page(client, "/overview?year=abc&cluster=-1&stage=%3Cscript%3E")
    assert "<script>" not in junk.split("</header>", 1)[-1]
    assert "Không có phong trào nào phù hợp." in junk or "Phong trào" in junk


def test_the_overview_downloads_as_a_workbook_of_text(app: Flask, province: Province) -> None:
    client = signed_in(app, "vu_tdkt")
    response = client.get(f"/overview.xlsx?year={YEAR}&stage=active")

    assert response.status_code == 200
    assert "tong-quan-thi-dua-2024.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Phong trào thi đua", "Chậm, thiếu", "Chênh lệch lớn",
                               "Bỏ phiếu", "Hồ sơ"]
    campaigns = list(book["Phong trào thi đua"].iter_rows(values_only=True))
    assert campaigns[0][:3] == ("Cụm, khối", "Cụm trưởng, khối trưởng", "Giai đoạn")
    assert [row[2] for row in campaigns[1:]] == ["Đang triển khai"]
    issues = list(book["Chậm, thiếu"].iter_rows(values_only=True))
    assert any(row[2] == "Giao ước chưa ký sau hạn" and row[4] == "15/03/2024"
               for row in issues[1:])
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_fairness_summary_and_one_cluster(app: Flask, province: Province) -> None:
    client = signed_in(app, "vu_tdkt")
    summary = page(client, "/fairness")

    assert "Tính công bằng của bình xét qua các năm" in summary
    assert "Chỉ số luân phiên" in summary
    assert "<svg" in summary
    for code, name in province.names.items():
        assert name in summary
        assert f'href="/fairness/{code}"' in summary
    no_codes(summary)

    leader = page(client, "/fairness/K02")  # votes for the leader every year
    assert "Cụm trưởng, khối trưởng được suy tôn" in leader or "được suy tôn" in leader
    for shape in ("<svg", "<circle", "<rect"):
        assert shape in leader
    assert "trong chính năm dẫn đầu" in leader
    for y in range(YEAR - 4, YEAR):
        assert f'href="/votes/{province.votes[("K02", y)]}"' in leader
    same = page(client, "/fairness/K04")  # the same unit every year
    assert "năm liên tiếp" in same
    assert "Đơn vị được suy tôn nhiều lần" in same
    rotation = page(client, "/fairness/K03")
    assert "luân phiên" in rotation
    no_codes(leader)
    assert client.get("/fairness/KHONG_CO").status_code == 404


@pytest.mark.parametrize("username", ["vu_tdkt", "quan_tri", "hd_member"])
def test_the_council_and_admins_see_the_menu_link(app: Flask, province: Province,
                                                  username: str) -> None:
    client = signed_in(app, username)
    inbox = page(client, "/")
    assert 'href="/overview"' in inbox
    assert client.get("/fairness").status_code == 200


@pytest.mark.parametrize("username", ["dv_officer", "dv_head"])
def test_unit_users_neither_see_nor_open_it(app: Flask, province: Province,
                                            username: str) -> None:
    client = signed_in(app, username)
    assert 'href="/overview"' not in page(client, "/")
    for path in ("/overview", "/overview.xlsx", "/fairness", "/fairness/K01"):
        assert client.get(path).status_code == 403, path
    anonymous = app.test_client().get("/overview")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
