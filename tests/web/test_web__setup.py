"""Setting a cluster's year up in the browser: the council office opens the cluster from the
menu, creates the year's campaign with a form that tells each problem beside its field and keeps
what was typed, revises the draft's plan and launches it; moving the campaign on while members
are missing lists them and asks for a reason."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import DATES, Bloc, at, launch, mid_year, sign_all_pledges, year

CLUSTER_NAME = "Khối thi đua các bộ, ngành Nội chính Trung ương"
THEME = "Đoàn kết, sáng tạo, thi đua hoàn thành xuất sắc nhiệm vụ"


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def form(theme: str = THEME, **dates: str) -> dict[str, str]:
    return {"theme": theme, "kind": "regular", "criteria_table": "khoi_noi_chinh",
            **DATES, **dates}


def post(client: FlaskClient, path: str, data: dict[str, str], token_from: str) -> object:
    return client.post(path, data={**data, "csrf_token": csrf(client, token_from)})


def campaign_ids(bloc: Bloc) -> list[int]:
    return [c.id for c in bloc.services.reads.cluster_campaigns(bloc.cluster)]


def test_the_office_finds_the_cluster_from_the_menu_and_creates_the_campaign(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("vu_tdkt")
    bloc.clock.set(at("2025-01-10"))

    inbox = page(client, "/")
    clusters = page(client, "/clusters")
    cluster = page(client, f"/clusters/{bloc.cluster}")
    created = post(client, f"/clusters/{bloc.cluster}/campaigns", form(),
                   f"/clusters/{bloc.cluster}")

    assert 'href="/clusters"' in inbox
    assert "Cụm và khối thi đua" in inbox
    assert CLUSTER_NAME in clusters
    assert "8 đơn vị thành viên" in clusters
    assert "Lập phong trào thi đua năm 2025" in cluster
    assert "Cụm, khối này chưa có phong trào thi đua nào." in cluster
    assert 'value="2025-03-31"' in cluster  # the usual calendar is offered
    assert "Bảng tiêu chí chấm điểm" in cluster
    assert "Chủ đề phong trào" in cluster
    [campaign_id] = campaign_ids(bloc)
    assert created.status_code == 302  # type: ignore[attr-defined]
    assert created.headers["Location"].endswith(f"/campaigns/{campaign_id}")  # type: ignore[attr-defined]
    html = page(client, f"/campaigns/{campaign_id}")
    assert f"<h1>Phong trào thi đua 2025 – {CLUSTER_NAME}</h1>" in html
    assert "Đã lập phong trào ở dạng dự thảo" in html
    assert "Phát động phong trào" in html
    assert "Sửa kế hoạch" in html
    assert THEME in html
    assert "31/03/2025" in html


def test_a_refused_form_tells_each_problem_in_vietnamese_and_keeps_what_was_typed(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("vu_tdkt")

    response = post(client, f"/clusters/{bloc.cluster}/campaigns", form(
        theme="Chủ đề đã gõ", six_month_report_due="2025-01-01",
        scoring_deadline="2026-01-10", year_end_report_due=""), f"/clusters/{bloc.cluster}")

    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Chủ đề đã gõ" in html  # kept
    assert 'value="2025-01-01"' in html
    assert 'value="2026-01-10"' in html
    assert ("Hạn nộp báo cáo sơ kết 6 tháng (01/01/2025) lại trước Hạn ký giao ước "
            "(31/03/2025)") in html
    assert ("Hạn chấm điểm (10/01/2026) không thuộc năm 2025 của phong trào; hãy chọn một ngày "
            "trong năm 2025") in html
    assert "chưa nhập mốc «Hạn nộp báo cáo tổng kết năm»" in html
    assert html.count('aria-invalid="true"') == 3
    assert not re.search(r"campaign_date|_deadline\b(?![\w-]*\")", re.sub(r'"[^"]*"', '""', html))
    assert campaign_ids(bloc) == []


def test_a_second_regular_campaign_is_refused_with_a_sentence(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("vu_tdkt")
    post(client, f"/clusters/{bloc.cluster}/campaigns", form(), f"/clusters/{bloc.cluster}")

    again = post(client, f"/clusters/{bloc.cluster}/campaigns", form(),
                 f"/clusters/{bloc.cluster}")

    html = again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert (f"{CLUSTER_NAME} đã có phong trào thi đua thường xuyên năm 2025; hãy mở phong trào "
            "đó từ trang của cụm, khối, hoặc lập một phong trào chuyên đề") in html
    assert len(campaign_ids(bloc)) == 1


def test_the_draft_is_revised_then_launched_and_the_pledges_appear(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("vu_tdkt")
    post(client, f"/clusters/{bloc.cluster}/campaigns", form(), f"/clusters/{bloc.cluster}")
    [campaign_id] = campaign_ids(bloc)
    plan_page = page(client, f"/campaigns/{campaign_id}/plan")
    version = bloc.wf.get(campaign_id).version

    bad = post(client, f"/campaigns/{campaign_id}/plan", {
        **form(pledge_deadline="2025-08-01"), "version": str(version)},
        f"/campaigns/{campaign_id}/plan")
    good = post(client, f"/campaigns/{campaign_id}/plan", {
        **form(theme="Chủ đề sửa lại"), "version": str(version)},
        f"/campaigns/{campaign_id}/plan")
    launched = post(client, f"/campaigns/{campaign_id}/launch", {
        "version": str(bloc.wf.get(campaign_id).version)}, f"/campaigns/{campaign_id}")

    assert "Kế hoạch phong trào" in plan_page
    assert "Lưu kế hoạch" in plan_page
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert ("Hạn nộp báo cáo sơ kết 6 tháng (15/07/2025) lại trước Hạn ký giao ước (01/08/2025)"
            in bad.get_data(as_text=True))  # type: ignore[attr-defined]
    assert good.status_code == 302  # type: ignore[attr-defined]
    assert launched.status_code == 302  # type: ignore[attr-defined]
    campaign = bloc.wf.get(campaign_id)
    assert campaign.state == "pledging"
    assert campaign.data["theme"] == "Chủ đề sửa lại"
    html = page(client, f"/campaigns/{campaign_id}")
    assert "Đã phát động phong trào: 8 đơn vị thành viên đã có giao ước thi đua để ký." in html
    assert "Ký giao ước" in html
    assert "Sửa kế hoạch" not in html


def test_a_stale_launch_is_refused(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("vu_tdkt")
    post(client, f"/clusters/{bloc.cluster}/campaigns", form(), f"/clusters/{bloc.cluster}")
    [campaign_id] = campaign_ids(bloc)

    stale = post(client, f"/campaigns/{campaign_id}/launch", {"version": "0"},
                 f"/campaigns/{campaign_id}")

    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert bloc.wf.get(campaign_id).state == "draft"


def test_a_unit_officer_sees_the_cluster_but_no_form(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("bca_officer")

    html = page(client, f"/clusters/{bloc.cluster}")
    refused = post(client, f"/clusters/{bloc.cluster}/campaigns", form(),
                   f"/clusters/{bloc.cluster}")

    assert CLUSTER_NAME in html
    assert "Bộ Công an" in html
    assert "Lập phong trào" not in html
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert campaign_ids(bloc) == []


def test_starting_the_inspection_with_reports_missing_lists_them_and_needs_a_reason(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca", "ktnn"))
    bloc.clock.set(at("2025-09-15"))
    proposal = year.propose_inspection_plan(bloc.wf, campaign.id, bloc.leader, seed=7)
    bloc.wf.fire(campaign.id, "plan_inspections", bloc.leader,
                 {"inspection_plan": proposal["inspection_plan"]})
    auth.login("btp_head")

    html = page(client, f"/campaigns/{campaign.id}")
    version = bloc.wf.get(campaign.id).version
    moved = post(client, f"/campaigns/{campaign.id}/fire", {
        "trigger": "start_inspection", "version": str(version),
        "comment": "Hai đơn vị chưa nộp dù đã nhắc"}, f"/campaigns/{campaign.id}")

    assert ("2 đơn vị chưa nộp báo cáo sơ kết 6 tháng: Bộ Công an; Kiểm toán Nhà nước; hãy ghi "
            "lý do chuyển bước khi chưa đủ") in html
    assert "Lý do chuyển bước (bắt buộc)" in html
    assert moved.status_code == 302  # type: ignore[attr-defined]
    assert bloc.wf.get(campaign.id).state == "cross_inspection"
    history = page(client, f"/items/{campaign.id}")
    assert "Hai đơn vị chưa nộp dù đã nhắc" in history
