"""Supervision in the browser (HTTP level), in Vietnamese: the council office assigns a council
member to the bloc; the member finds the bloc's year on their page (stage, pledges signed,
conferences), records a note (a wrong day said, the note kept as typed); the leader reads the
note; another member of the bloc, the deputy and an unassigned council member do not."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import YEAR, Bloc, at, launch, sign_all_pledges
from workflow.services import people


def _member(bloc: Bloc, username: str, name: str) -> int:
    user = people.create_user(bloc.services.uow(), username, name)
    people.grant(bloc.services.uow(), user, "council_member", year=YEAR)
    bloc.users[username] = user
    return user


def test_assign_follow_and_write_notes(client: FlaskClient, auth: AuthActions,
                                       bloc: Bloc) -> None:
    member = _member(bloc, "hd_giam_sat", "Nguyễn Văn Giám Sát")
    _member(bloc, "hd_khac", "Trần Thị Khác")
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    bloc.clock.set(at("2025-04-02"))

    auth.login("hd_giam_sat")
    assert client.get("/supervision").status_code == 403  # not assigned yet
    auth.logout()

    auth.login("vu_tdkt")
    html = client.get("/supervision?year=2025").get_data(as_text=True)
    assert "Giám sát cụm, khối thi đua 2025" in html
    assert "Khối thi đua các bộ, ngành Nội chính Trung ương" in html
    assert "Nguyễn Văn Giám Sát" in html  # offered among the council members
    token = csrf(client, "/supervision?year=2025")
    empty = client.post("/supervision/assignments", data={
        "csrf_token": token, "user_id": "", "cluster_id": str(bloc.cluster)},
        follow_redirects=True)
    assert "Hãy chọn thành viên Hội đồng được phân công." in empty.get_data(as_text=True)
    wrong = client.post("/supervision/assignments", data={
        "csrf_token": token, "user_id": str(bloc.users["bca_head"]),
        "cluster_id": str(bloc.cluster)}, follow_redirects=True)
    assert "Thủ trưởng Bộ Công an không phải thành viên Hội đồng năm 2025; hãy chọn một " \
           "thành viên Hội đồng của năm đó" in wrong.get_data(as_text=True)
    done = client.post("/supervision/assignments", data={
        "csrf_token": token, "user_id": str(member), "cluster_id": str(bloc.cluster)},
        follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Nguyễn Văn Giám Sát phụ trách Khối thi đua các bộ, ngành Nội chính Trung ương " \
           "năm 2025." in html
    assert "Thôi phân công" in html
    again = client.post("/supervision/assignments", data={
        "csrf_token": token, "user_id": str(member), "cluster_id": str(bloc.cluster)},
        follow_redirects=True)
    assert "Nguyễn Văn Giám Sát đã được phân công phụ trách Khối thi đua các bộ, ngành Nội " \
           "chính Trung ương năm 2025" in again.get_data(as_text=True)
    auth.logout()

    auth.login("hd_giam_sat")
    html = client.get("/supervision").get_data(as_text=True)
    assert "Cụm, khối tôi phụ trách" in html
    assert "Giao ước đã ký" in html
    assert "8/8" in html
    assert "Đang thực hiện" in html or "Đã ký" in html or "Hội nghị" in html
    path = f"/supervision/clusters/{bloc.cluster}"
    html = client.get(path).get_data(as_text=True)
    assert "Chưa có ghi chép giám sát nào." in html
    assert 'value="02/04/2025"' in html  # today, proposed
    token = csrf(client, path)
    refused = client.post(f"{path}/notes", data={
        "csrf_token": token, "date": "02/04/2024", "content": "Khối triển khai đúng kế hoạch",
        "recommendations": "Đôn đốc nộp báo cáo"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Hãy nhập ngày giám sát, một ngày của năm 2025" in body
    assert "Khối triển khai đúng kế hoạch</textarea>" in body
    made = client.post(f"{path}/notes", data={
        "csrf_token": token, "date": "01/04/2025", "content": "Khối triển khai đúng kế hoạch",
        "recommendations": "Đôn đốc nộp báo cáo"}, follow_redirects=True)
    html = made.get_data(as_text=True)
    assert "Đã ghi nội dung giám sát; đơn vị trưởng cụm đã được thông báo." in html
    assert "01/04/2025 – Nguyễn Văn Giám Sát" in html
    assert "Kiến nghị:</strong> Đôn đốc nộp báo cáo" in html
    auth.logout()

    auth.login("btp_head")  # the leader
    campaign_page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/supervision/clusters/{bloc.cluster}">Ghi chép giám sát' in campaign_page
    inbox = client.get("/").get_data(as_text=True)
    assert "Giám sát Khối thi đua các bộ, ngành Nội chính Trung ương năm 2025" in inbox
    link = re.search(r'href="(/supervision/items/\d+)"', inbox)
    assert link is not None
    opened = client.get(link.group(1), follow_redirects=True).get_data(as_text=True)
    assert "Khối triển khai đúng kế hoạch" in opened
    assert "Ghi nội dung giám sát" not in opened  # reading, not writing
    auth.logout()

    for who in ("bca_head", "lang_head", "hd_khac"):
        auth.login(who)
        assert f"/supervision/clusters/{bloc.cluster}" not in client.get(
            f"/campaigns/{campaign.id}").get_data(as_text=True)
        assert client.get(path).status_code == 403
        assert client.get(link.group(1)).status_code == 403
        auth.logout()

    auth.login("vu_tdkt")
    html = client.get(path).get_data(as_text=True)
    assert "Khối triển khai đúng kế hoạch" in html
    page_html = client.get("/supervision?year=2025").get_data(as_text=True)
    grant = re.search(r'/supervision/assignments/(\d+)/end', page_html)
    assert grant is not None
    ended = client.post(f"/supervision/assignments/{grant.group(1)}/end?year=2025",
                        data={"csrf_token": csrf(client, "/supervision?year=2025")},
                        follow_redirects=True)
    assert "Đã thôi phân công giám sát." in ended.get_data(as_text=True)
    auth.logout()
    auth.login("hd_giam_sat")
    assert client.get(path).status_code == 403
