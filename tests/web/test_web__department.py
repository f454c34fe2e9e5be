"""Department figures and the mid-year pace in the pages and the API (HTTP level): the
department imports its figures, the leader sees the flag on the score sheet and keeps a unit's
result with a reason; the six-month review's table flags the units behind the year's pace."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    YEAR,
    Bloc,
    at,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    score_and_submit_all,
    sign_all_pledges,
)
from workflow.services import api_tokens, people

CRITERION = "hoan_thanh_chi_tieu"
REFUSED = 409  # the API answers a refused action (a guard) with 409 and its reason


def _department(bloc: Bloc) -> None:
    user = people.create_user(bloc.services.uow(), "cuc_thong_ke", "Cục Thống kê")
    people.grant(bloc.services.uow(), user, "department", cluster_id=bloc.cluster, year=YEAR,
                 criteria=[CRITERION])
    bloc.users["cuc_thong_ke"] = user


def _workbook(client: FlaskClient, campaign_id: int, figures: dict[str, str]) -> bytes:
    got = client.get(f"/campaigns/{campaign_id}/department-data/template.xlsx")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "Mã đơn vị"
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row, 1).value) in figures:
            sheet.cell(row, 3).value = figures[str(sheet.cell(row, 1).value)]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_department_imports_figures_and_the_leader_sees_the_flag(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    _department(bloc)
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    score_and_submit_all(bloc)
    auth.login("cuc_thong_ke")
    page = client.get(f"/campaigns/{campaign.id}/department-data").get_data(as_text=True)
    assert "Số liệu của cơ quan chuyên môn" in page
    assert "Tải tệp mẫu (.xlsx)" in page or "Tải" in page
    token = csrf(client, f"/campaigns/{campaign.id}/department-data")

    bad = client.post(f"/campaigns/{campaign.id}/department-data/import", data={
        "csrf_token": token, "file": (io.BytesIO(_workbook(
            client, campaign.id, {"BCA": "nhiều"})), "so-lieu.xlsx")})
    good = client.post(f"/campaigns/{campaign.id}/department-data/import", data={
        "csrf_token": token, "file": (io.BytesIO(_workbook(
            client, campaign.id, {"BCA": "80"})), "so-lieu.xlsx")})

    assert bad.status_code == 422
    assert "cột C: nhiều không phải là số liệu" in bad.get_data(as_text=True)
    assert good.status_code == 302
    auth.login("btp_head")
    sheet = bloc.child("score_sheet", "bca")
    html = client.get(f"/score-sheets/{sheet.id}").get_data(as_text=True)
    assert "Số liệu của cơ quan chuyên môn: 80" in html
    assert "vượt mức sai số cho phép" in html
    assert "điểm thẩm định dùng số liệu của cơ quan chuyên môn" in html
    assert "Giữ kết quả của đơn vị" in html
    token = csrf(client, f"/score-sheets/{sheet.id}")
    empty = client.post(f"/score-sheets/{sheet.id}/keep-unit-result", data={
        "csrf_token": token, "criterion": CRITERION, "comment": "",
        "version": str(bloc.child("score_sheet", "bca").version)})
    kept = client.post(f"/score-sheets/{sheet.id}/keep-unit-result", data={
        "csrf_token": token, "criterion": CRITERION, "comment": "Đã đối chiếu biên bản",
        "version": str(bloc.child("score_sheet", "bca").version)})
    assert empty.status_code == 422
    assert "Hãy ghi lý do giữ kết quả của đơn vị" in empty.get_data(as_text=True)
    assert kept.status_code == 302
    html = client.get(f"/score-sheets/{sheet.id}").get_data(as_text=True)
    assert "giữ kết quả của đơn vị: Đã đối chiếu biên bản" in html


def test_the_mid_year_table_flags_a_unit_behind_the_pace(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    bloc.clock.set(at("2025-07-01"))
    bloc.wf.fire(bloc.refresh(), "start_mid_year", bloc.leader)
    auth.login("bca_officer")
    report = bloc.child("report", "bca")
    token = csrf(client, f"/reports/{report.id}")
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Kết quả thực hiện các chỉ tiêu đã đăng ký đến nay" in html
    saved = client.post(f"/reports/{report.id}/results", data={
        "csrf_token": token, "version": str(report.version), f"r-{CRITERION}": "30"})
    assert saved.status_code == 302
    auth.login("bca_officer")
    assert client.get(f"/campaigns/{campaign.id}/mid-year-targets").status_code == 403

    auth.login("btp_head")
    html = client.get(f"/campaigns/{campaign.id}/mid-year-targets").get_data(as_text=True)
    assert "Sơ kết 6 tháng: chỉ tiêu và tiến độ" in html
    assert "thấp hơn 50% chỉ tiêu đã đăng ký" in html
    assert "chậm tiến độ" in html
    assert "Lập kế hoạch hội nghị chuyên đề" in html
    assert "kind=thematic" in html
    form = client.get(f"/campaigns/{campaign.id}/conferences?kind=thematic&topic=Chỉ+tiêu"
                      ).get_data(as_text=True)
    assert 'value="Chỉ tiêu"' in form


def test_department_figures_through_the_api(client: FlaskClient, bloc: Bloc) -> None:
    _department(bloc)
    campaign = launch(bloc)
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock,
                                    bloc.users["cuc_thong_ke"], "test")
    officer = api_tokens.create_token(bloc.services.uow(), bloc.clock,
                                      bloc.users["bca_officer"], "test")
    path = f"/api/v1/campaigns/{campaign.id}/department-figures"
    auth = {"Authorization": f"Bearer {token}"}

    made = client.post(path, headers=auth, json={
        "values": {CRITERION: {str(bloc.units["bca"]): "91.5"}}})
    refused = client.post(path, headers=auth, json={
        "values": {"giai_quyet_don_thu": {str(bloc.units["bca"]): "90"}}})
    stale = client.post(path, headers=auth, json={
        "values": {CRITERION: {str(bloc.units["bqp"]): "70"}}, "version": 1})
    read = client.get(path, headers=auth)
    hidden = client.get(path, headers={"Authorization": f"Bearer {officer}"})
    pace = client.get(f"/api/v1/campaigns/{campaign.id}/mid-year-pace", headers=auth)

    assert made.status_code == 200, made.get_data(as_text=True)
    assert made.get_json()["figures"] == [{"criterion": CRITERION, "unit_id": bloc.units["bca"],
                                           "unit": "Bộ Công an", "value": "91.5"}]
    assert refused.status_code == REFUSED, refused.get_data(as_text=True)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_state"
    assert "not granted" in refused.get_data(as_text=True)
    assert read.get_json()["version"] == made.get_json()["version"]
    assert hidden.status_code == 403
    assert pace.status_code == 200
    assert "behind" in pace.get_json()["rule"]
