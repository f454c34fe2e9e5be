"""Conferences in the browser (HTTP level): the leader plans one from the campaign page, the
members find the invitation in their inbox, the leader records who attended and the
conclusions, downloads the minutes and signs; the assigned unit sees its task and due date."""

from __future__ import annotations

import io
import re

import docx
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import Bloc, at, launch
from workflow.services import api_tokens


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def bearer(bloc: Bloc, username: str) -> str:
    return api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username], "test")


PLAN = {"kind": "six_month", "topic": "", "date": "15/07/2025", "time": "08:30",
        "place": "Hội trường Bộ Tư pháp", "agenda_title": ["Báo cáo sơ kết 6 tháng", ""],
        "agenda_presenter": ["Thủ trưởng Bộ Tư pháp", ""]}


def test_a_conference_from_plan_to_a_task(client: FlaskClient, auth: AuthActions,
                                          bloc: Bloc) -> None:
    campaign = launch(bloc)
    auth.login("btp_head")
    html = page(client, f"/campaigns/{campaign.id}")
    assert "Hội nghị" in html
    assert "Lập kế hoạch và tổ chức hội nghị" in html

    token = csrf(client, f"/campaigns/{campaign.id}/conferences")
    wrong = client.post(f"/campaigns/{campaign.id}/conferences",
                        data={**PLAN, "date": "15/07/2024", "csrf_token": token,
                              "host_unit_id": str(bloc.units["btp"])})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Hãy nhập ngày tổ chức hội nghị (dd/mm/yyyy), trong năm 2025" in body
    assert 'value="Hội trường Bộ Tư pháp"' in body  # what was typed is kept

    made = client.post(f"/campaigns/{campaign.id}/conferences",
                       data={**PLAN, "csrf_token": token, "host_unit_id": str(bloc.units["btp"])})
    assert made.status_code == 302
    path = made.headers["Location"]
    html = page(client, path)
    assert "Hội nghị sơ kết 6 tháng 2025" in html
    assert "15/07/2025" in html
    assert "Bộ Tư pháp" in html
    assert "Gửi giấy mời" in html
    client.post(f"{path}/fire", data={"trigger": "invite", "version": _version(html),
                                      "csrf_token": token})

    auth.login("bca_head")
    inbox = page(client, "/")
    assert "Hội nghị sơ kết 6 tháng 2025" in inbox
    member = page(client, path)
    assert "Ghi thành phần tham dự" not in member
    other = csrf(client, path)
    assert client.post(f"{path}/attendance", data={"csrf_token": other}).status_code == 403

    auth.login("btp_head")
    token = csrf(client, path)
    html = page(client, path)
    form = {f"present-{u}": "1" for c, u in bloc.units.items() if c != "lang"}
    form.update({f"attendees-{u}": f"Đại diện {c.upper()}" for c, u in bloc.units.items()
                 if c != "lang"})
    client.post(f"{path}/attendance", data={**form, "version": _version(html),
                                            "csrf_token": token})
    html = page(client, path)
    assert "Đã ghi thành phần tham dự." in html, html[html.find("<main"):][:1500]
    client.post(f"{path}/fire", data={"trigger": "hold", "version": _version(html),
                                      "csrf_token": token})
    bloc.clock.set(at("2025-07-15", 12))
    html = page(client, path)
    assert "Đã tổ chức" in html
    client.post(f"{path}/conclusions", data={
        "conclusion_text": ["Hoàn thành chỉ tiêu 6 tháng cuối năm", "Xây dựng mô hình điểm"],
        "conclusion_unit": ["", str(bloc.units["bca"])],
        "conclusion_due": ["", "30/09/2025"], "version": _version(html), "csrf_token": token})
    minutes = client.post(f"{path}/minutes.docx", data={"csrf_token": token})
    assert minutes.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(minutes.data)).paragraphs)
    assert "7/8 đơn vị thành viên có mặt" in text
    assert "Xây dựng mô hình điểm" in text
    html = page(client, path)
    client.post(f"{path}/fire", data={"trigger": "draw_up", "version": _version(html),
                                      "csrf_token": token})
    html = page(client, path)
    client.post(f"{path}/fire", data={"trigger": "sign", "version": _version(html),
                                      "csrf_token": token})
    html = page(client, path)
    assert "Đã ký biên bản" in html
    assert "Xây dựng mô hình điểm" in html
    assert "30/09/2025" in html
    assert "Bộ Công an" in html

    auth.login("bca_officer")
    inbox = page(client, "/")
    assert "Nhiệm vụ theo kết luận hội nghị 2025" in inbox
    assert "30/09/2025" in inbox
    task_link = re.search(r'href="(/items/\d+)">Xây dựng mô hình điểm<', html)
    assert task_link
    task = page(client, task_link.group(1))
    assert "Xây dựng mô hình điểm" in task
    assert "30/09/2025" in task
    assert "Bộ Công an" in task
    assert "Báo cáo kết quả" in task
    token = csrf(client, task_link.group(1))
    client.post(f"{task_link.group(1)}/fire", data={
        "trigger": "report", "comment": "Đã xây dựng mô hình điểm tại 3 đơn vị",
        "version": _version(task), "csrf_token": token})

    auth.login("btp_head")
    task = page(client, task_link.group(1))
    assert "Đã báo cáo kết quả" in task
    assert "Đã xây dựng mô hình điểm tại 3 đơn vị" in task
    token = csrf(client, task_link.group(1))
    client.post(f"{task_link.group(1)}/fire", data={
        "trigger": "accept", "version": _version(task), "csrf_token": token})
    assert "Đã hoàn thành" in page(client, path)


def test_the_api_plans_a_conference_and_lists_it_with_its_tasks(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    leader = {"Authorization": f"Bearer {bearer(bloc, 'btp_head')}"}
    body = {"kind": "year_end", "date": "2025-12-20", "time": "08:00",
            "place": "Hội trường Bộ Tư pháp", "host_unit_id": bloc.units["bca"],
            "agenda": [{"title": "Báo cáo tổng kết năm", "presenter": "Bộ Công an"}]}
    wrong = client.post(f"/api/v1/campaigns/{campaign.id}/conferences",
                        json={**body, "date": "2026-01-05"}, headers=leader)
    assert wrong.status_code == 409  # a day outside the campaign's year
    assert wrong.json is not None
    assert wrong.json["error"]["refusals"]["plan"]["code"] == "conference_date_invalid"
    member = {"Authorization": f"Bearer {bearer(bloc, 'bca_head')}"}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/conferences", json=body,
                       headers=member).status_code == 403

    made = client.post(f"/api/v1/campaigns/{campaign.id}/conferences", json=body,
                       headers=leader)
    assert made.status_code == 201
    assert made.json is not None
    assert made.json["name"] == "Hội nghị tổng kết năm 2025"
    assert made.json["host_unit"] == "Bộ Công an"
    assert made.json["state_label"] == "Đã lên kế hoạch"
    listed = client.get(f"/api/v1/campaigns/{campaign.id}/conferences", headers=member)
    assert listed.status_code == 200
    assert listed.json is not None
    assert [c["id"] for c in listed.json["items"]] == [made.json["id"]]
    assert listed.json["items"][0]["agenda"] == [
        {"title": "Báo cáo tổng kết năm", "presenter": "Bộ Công an"}]
    assert listed.json["items"][0]["tasks"] == []
