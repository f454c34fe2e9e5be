"""The year-end vote held from the pages: the leader schedules it from the campaign page,
ticks who is present, voters find it in their inbox, the tally and the minutes in Vietnamese."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from flask.testing import FlaskClient

from tests.conftest import Snapshots
from tests.web.conftest import AuthActions, csrf
from tests.year_support import MEMBERS, Bloc, make_bloc, walk_to_year_end
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.engine.instance import Instance
from workflow.services import api_tokens, voting

FLAG = "co_thi_dua_chinh_phu"
MINISTRY_FLAG = "co_thi_dua_bo"
NAMES = dict(MEMBERS)


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        bloc = make_bloc(services, clock)
        walk_to_year_end(bloc)
        bloc.clock.set(dt.datetime(2025, 12, 18, 1, tzinfo=dt.UTC))  # 08:00 in Hà Nội
        bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)
        return bloc

    return snapshots.world("web:bloc at the vote", services, clock, build)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def schedule_form(bloc: Bloc, **fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title": [FLAG], f"candidate-{FLAG}": [str(bloc.units["bca"]), str(bloc.units["bqp"])],
        "date": "2025-12-19", "time": "08:30", "closes": "10:30", "place": "Đà Nẵng",
        "conference": "Hội nghị tổng kết công tác thi đua năm 2025 của Khối",
    }
    form.update(fields)
    return form


def scheduled(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> Instance:
    campaign = bloc.refresh()
    auth.login("btp_head")
    token = csrf(client, f"/campaigns/{campaign.id}/votes/new")
    response = client.post(f"/campaigns/{campaign.id}/votes",
                           data={"csrf_token": token, **schedule_form(bloc)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [session] = voting.campaign_sessions(bloc.wf, campaign.id)
    return session


# --- scheduling --------------------------------------------------------------------------------


def test_the_leader_schedules_the_vote_from_the_campaign_page_with_the_ranking_proposed(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = bloc.refresh()
    auth.login("btp_head")

    html = page(client, f"/campaigns/{campaign.id}")
    assert "Lên lịch bỏ phiếu cuối năm" in html
    form = page(client, f"/campaigns/{campaign.id}/votes/new")

    assert "Cờ thi đua của Chính phủ" in form
    for _code, name in MEMBERS:
        assert name in form
    ticked = re.findall(rf'name="candidate-{FLAG}" value="(\d+)" checked', form)
    assert len(ticked) == 3  # the top three of the ranking
    assert "Hội nghị tổng kết" in form

    token = csrf(client, f"/campaigns/{campaign.id}/votes/new")
    refused = client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc, place="", date="31/02/2025", closes="07:00",
                                             **{f"candidate-{FLAG}": []})})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Hãy nhập nơi họp" in text
    assert "Hãy nhập ngày họp" in text
    assert "Hãy chọn ít nhất một ứng viên cho Cờ thi đua của Chính phủ" in text
    assert 'value="Hội nghị tổng kết công tác thi đua năm 2025 của Khối"' in text  # kept
    assert voting.campaign_sessions(bloc.wf, campaign.id) == []

    done = client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc)}, follow_redirects=True)
    text = done.get_data(as_text=True)
    [session] = voting.campaign_sessions(bloc.wf, campaign.id)
    assert done.status_code == 200
    assert "19/12/2025" in text
    assert "08:30" in text
    assert "Đà Nẵng" in text
    assert session.state == "scheduled"
    assert list(session.data["candidates"]) == [FLAG]
    assert sorted(session.data["candidates"][FLAG]) == sorted([bloc.units["bca"],
                                                               bloc.units["bqp"]])
    assert session.data["meeting"] == {
        "date": "2025-12-19", "time": "08:30", "place": "Đà Nẵng",
        "conference": "Hội nghị tổng kết công tác thi đua năm 2025 của Khối"}
    assert session.data["ends_at"] == "2025-12-19T03:30:00+00:00"  # 10:30 in Hà Nội
    again = page(client, f"/campaigns/{campaign.id}")
    assert "Lên lịch bỏ phiếu cuối năm" not in again  # one vote at a time
    assert f'href="/votes/{session.id}"' in again


def test_only_the_leader_or_the_council_office_schedules_the_vote(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = bloc.refresh()
    auth.login("bca_head")

    assert "Lên lịch bỏ phiếu" not in page(client, f"/campaigns/{campaign.id}")
    token = csrf(client, f"/campaigns/{campaign.id}")
    assert client.get(f"/campaigns/{campaign.id}/votes/new").status_code == 403
    assert client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc)}).status_code == 403
    assert voting.campaign_sessions(bloc.wf, campaign.id) == []


# --- attendance --------------------------------------------------------------------------------


def test_ticking_the_members_present_checks_the_quorum(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = scheduled(client, auth, bloc)
    path = f"/votes/{session.id}"

    html = page(client, path)
    button = re.search(r'<button type="submit" ?(disabled)?>Kiểm tra số lượng</button>', html)
    assert button is not None
    assert button.group(1) is None
    assert html.count('name="present"') == len(MEMBERS)
    nobody = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "check_quorum",
        "version": str(session.version)}, follow_redirects=True).get_data(as_text=True)
    assert "Hãy đánh dấu các thành viên có mặt trước khi kiểm tra số lượng" in nobody
    assert bloc.wf.get(session.id).state == "scheduled"
    present = [f"unit:{bloc.units[c]}" for c, _name in MEMBERS if c != "ktnn"]
    done = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "check_quorum", "present": present,
        "version": str(session.version)}, follow_redirects=True)

    text = done.get_data(as_text=True)
    after = bloc.wf.get(session.id)
    assert after.state == "quorum_checked"
    assert sorted(after.data["present"]) == sorted(present)
    assert "Đã thực hiện: Kiểm tra số lượng" in text
    assert "Kiểm toán Nhà nước" in text  # named among the absent


# --- the vote, the tally and the minutes from the pages ----------------------------------------


def fire(client: FlaskClient, path: str, session_id: int, bloc: Bloc, trigger: str,
         **fields: object) -> str:
    response = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": trigger,
        "version": str(bloc.wf.get(session_id).version), **fields}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_vote_is_held_counted_and_minuted_from_the_pages_in_vietnamese(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = scheduled(client, auth, bloc)
    path = f"/votes/{session.id}"
    present = [f"unit:{bloc.units[c]}" for c, _name in MEMBERS if c != "ktnn"]
    fire(client, path, session.id, bloc, "check_quorum", present=present)
    fire(client, path, session.id, bloc, "open")
    for code, _name in MEMBERS:
        if code in ("ktnn", "tandtc"):
            continue
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code),
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    voting.cast_ballot(bloc.wf, session.id, bloc.head("tandtc"), {FLAG: [bloc.units["bqp"]]})
    assert bloc.wf.get(session.id).state == "open"

    counted = fire(client, path, session.id, bloc, "close")  # every present voter has voted

    assert bloc.wf.get(session.id).state == "tallied"
    assert "5/8 thành viên tán thành = 62,5%, đạt quy định trên 50% tổng số thành viên" \
        in counted
    assert "1/8 thành viên tán thành = 12,5%, không đạt quy định trên 50% tổng số thành viên" \
        in counted
    assert " yes of " not in counted
    assert "meets the rule" not in counted
    assert "Lập biên bản kiểm phiếu" in counted
    assert 'value="record_minutes"' not in counted  # its own form, not a bare action

    refused = client.post(f"{path}/minutes", data={
        "csrf_token": csrf(client, path), "member_name": ["", ""],
        "member_role": ["Trưởng ban", "Thư ký"]}, follow_redirects=True)
    assert "Hãy ghi tên ít nhất một thành viên Ban Kiểm phiếu" in refused.get_data(as_text=True)
    made = client.post(f"{path}/minutes", data={
        "csrf_token": csrf(client, path), "member_name": ["Nguyễn Văn An", "Lê Thị Bình", ""],
        "member_role": ["Trưởng ban", "Thư ký", "Thành viên"]}, follow_redirects=True)
    html = made.get_data(as_text=True)
    assert "Đã lập biên bản kiểm phiếu" in html
    assert bloc.wf.get(session.id).state == "minuted"
    download = client.get(f"{path}/minutes")
    assert download.status_code == 200

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    cells = "\n".join(c.text for t in docx.Document(io.BytesIO(download.data)).tables
                      for row in t.rows for c in row.cells)
    assert "Đà Nẵng, ngày 19 tháng 12 năm 2025" in text + cells
    assert "Hội nghị tổng kết công tác thi đua năm 2025 của Khối" in text
    assert "08 giờ 30 phút" in text
    assert "có mặt 7/8 đơn vị thành viên" in text
    assert "vắng mặt: Kiểm toán Nhà nước" in text
    assert "Hà Nội" not in text + cells
    assert "đạt quy định trên 50% tổng số thành viên" in cells
    assert "meets the rule" not in text + cells
    assert "Nguyễn Văn An" in text + cells


# --- the inbox and the notifications -----------------------------------------------------------


def test_an_open_vote_waits_in_every_voters_inbox_with_its_closing_time_and_a_message(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = scheduled(client, auth, bloc)
    path = f"/votes/{session.id}"
    fire(client, path, session.id, bloc, "check_quorum",
         present=[f"unit:{u}" for u in bloc.units.values()])
    fire(client, path, session.id, bloc, "open")
    auth.logout()

    auth.login("bqp_head")
    inbox = page(client, "/")
    assert f'href="/votes/{session.id}"' in inbox
    assert "Bỏ phiếu" in inbox
    assert "19/12/2025 10:30" in inbox  # when the vote closes, local time
    assert "Mời bỏ phiếu: Phiên bỏ phiếu 2025" in inbox  # the notification, to the vote page
    assert inbox.count(f'href="/votes/{session.id}"') == 2
    voting.cast_ballot(bloc.wf, session.id, bloc.head("bqp"), {FLAG: [bloc.units["bca"]]})
    after = page(client, "/")
    assert after.count(f'href="/votes/{session.id}"') == 1  # the message only: done, not waiting
    auth.logout()
    auth.login("bqp_officer")  # not the unit's voter
    assert f'href="/votes/{session.id}"' not in page(client, "/")

    with bloc.services.uow().read() as uow:
        told = {uid for uid in bloc.users.values()
                for n in uow.outbox.in_app(uid, unread_only=False, limit=50, offset=0)
                if n["kind"] == "vote_open"}
    assert told == {bloc.users[f"{code}_head"] for code, _name in MEMBERS}


def test_the_members_are_told_the_result_once_counted(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = scheduled(client, auth, bloc)
    path = f"/votes/{session.id}"
    fire(client, path, session.id, bloc, "check_quorum",
         present=[f"unit:{u}" for u in bloc.units.values()])
    fire(client, path, session.id, bloc, "open")
    for code, _name in MEMBERS:
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code),
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    fire(client, path, session.id, bloc, "close")

    with bloc.services.uow().read() as uow:
        results = [n for n in uow.outbox.in_app(bloc.users["ktnn_officer"], unread_only=False,
                                                limit=50, offset=0)
                   if n["kind"] == "vote_result"]
    assert len(results) == 1
    assert "Cờ thi đua của Chính phủ: Bộ Công an" in results[0]["body"]
    assert results[0]["link"].endswith(f"/votes/{session.id}")


# --- the API -----------------------------------------------------------------------------------


def bearer(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username],
                                    "test")
    return {"Authorization": f"Bearer {token}"}


def test_the_api_schedules_the_vote_for_the_leader_only_and_once(
    client: FlaskClient, bloc: Bloc
) -> None:
    campaign = bloc.refresh()
    body = {"candidates": {FLAG: [bloc.units["bca"], bloc.units["bqp"]]},
            "meeting": {"date": "2025-12-19", "time": "08:30", "place": "Huế",
                        "conference": "Hội nghị tổng kết năm 2025"}}
    path = f"/api/v1/campaigns/{campaign.id}/votes"

    stranger = client.post(path, json=body, headers=bearer(bloc, "bca_head"))
    unknown = client.post(path, json={**body, "candidates": {"khong_co": [1]}},
                          headers=bearer(bloc, "btp_head"))
    made = client.post(path, json=body, headers=bearer(bloc, "btp_head"))
    again = client.post(path, json=body, headers=bearer(bloc, "btp_head"))

    assert stranger.status_code == 403
    assert unknown.status_code == 409  # no title of the rules: the data refuses it
    assert made.status_code == 201, made.get_json()
    answer = made.get_json()
    assert answer["state"] == "scheduled"
    assert answer["meeting"]["place"] == "Huế"
    assert answer["ends_at"] == "2025-12-19T03:30:00+00:00"  # two hours after 08:30 local
    assert again.status_code == 409
    assert "is under way" in again.get_json()["error"]["message"]
    [session] = voting.campaign_sessions(bloc.wf, campaign.id)
    assert session.id == answer["id"]


def test_the_vote_page_refuses_to_check_the_quorum_with_four_of_eight_units_present(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = scheduled(client, auth, bloc)
    path = f"/votes/{session.id}"
    four = [f"unit:{bloc.units[c]}" for c, _name in MEMBERS[:4]]

    text = fire(client, path, session.id, bloc, "check_quorum", present=four)

    assert ("Mới có 4/8 đơn vị thành viên có mặt: cuộc bỏ phiếu của cụm chỉ được mở khi có "
            "ít nhất 6 đơn vị có mặt (2/3 số thành viên)") in text.replace("\n", " ")
    assert bloc.wf.get(session.id).state == "scheduled"
    for key in (f"unit:{u}" for u in bloc.units.values()):  # the four ticks are kept
        box = f'name="present" value="{key}" checked' in text
        assert box == (key in four), key
