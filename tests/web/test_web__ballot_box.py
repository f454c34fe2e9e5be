"""The sealed ballot box in the pages: the leader names the counting committee and k when
scheduling; each member collects their share once on the committee's page; the vote opens;
each voter's receipt and its check; the members release their shares at the count; a paper
tally instead; all in Vietnamese."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.web.test_web__votes import FLAG, bearer, bloc, page, schedule_form  # noqa: F401
from tests.year_support import MEMBERS, REASON, Bloc
from workflow.engine.instance import Instance
from workflow.services import voting

COMMITTEE = ("lang_head", "ktnn_head", "ttcp_head")
__all__ = ["bloc"]


def scheduled_with_committee(client: FlaskClient, auth: AuthActions, bloc: Bloc,  # noqa: F811
                             threshold: str = "2") -> Instance:
    campaign = bloc.refresh()
    auth.login("btp_head")
    form = page(client, f"/campaigns/{campaign.id}/votes/new")
    assert "Ban kiểm phiếu" in form
    token = csrf(client, f"/campaigns/{campaign.id}/votes/new")
    members = [str(bloc.users[u]) for u in COMMITTEE]
    response = client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc), "committee": members,
        "threshold": threshold})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [session] = voting.campaign_sessions(bloc.wf, campaign.id)
    return session


def test_the_committee_is_named_with_k_and_each_member_collects_their_share_once(
    client: FlaskClient, auth: AuthActions, bloc: Bloc  # noqa: F811
) -> None:
    campaign = bloc.refresh()
    auth.login("btp_head")
    token = csrf(client, f"/campaigns/{campaign.id}/votes/new")
    refused = client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc, place="Huế"),
        "committee": [str(bloc.users["lang_head"])], "threshold": "2"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Hãy chọn ít nhất hai thành viên ban kiểm phiếu" in text
    assert 'value="Huế"' in text  # what was typed is kept
    assert voting.campaign_sessions(bloc.wf, campaign.id) == []
    refused = client.post(f"/campaigns/{campaign.id}/votes", data={
        "csrf_token": token, **schedule_form(bloc),
        "committee": [str(bloc.users[u]) for u in COMMITTEE], "threshold": "4"})
    assert "Từ 2 đến 3 thành viên" in refused.get_data(as_text=True)

    session = scheduled_with_committee(client, auth, bloc)
    assert session.data["committee"] == {
        "members": sorted(bloc.users[u] for u in COMMITTEE), "threshold": 2}
    vote_page = page(client, f"/votes/{session.id}")
    assert "Hòm phiếu niêm phong" in vote_page
    assert "2 trong 3 thành viên mở kết quả kiểm phiếu." in vote_page
    assert "Chưa nhận mảnh khóa" in vote_page

    auth.logout()
    auth.login("lang_head")
    committee = page(client, f"/votes/{session.id}/committee")
    assert "Nhận mảnh khóa của tôi" in committee
    token = csrf(client, f"/votes/{session.id}/committee")
    shown = client.post(f"/votes/{session.id}/share", data={"csrf_token": token})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    [share] = re.findall(r'<code class="share">(TDKP-\d+-[0-9a-f]{32})</code>', text)
    assert "máy chủ đã xóa bản của mình" in text
    downloaded = client.post(f"/votes/{session.id}/share.txt",
                             data={"csrf_token": token, "share": share})
    assert downloaded.get_data(as_text=True).strip() == share
    assert "attachment" in downloaded.headers["Content-Disposition"]
    again = client.post(f"/votes/{session.id}/share", data={"csrf_token": token},
                        follow_redirects=True)
    assert "chỉ được giao một lần" in again.get_data(as_text=True)
    assert share not in again.get_data(as_text=True)

    auth.logout()
    auth.login("bca_officer")  # sees the vote, sits on no committee
    assert client.post(f"/votes/{session.id}/share",
                       data={"csrf_token": csrf(client, "/")}).status_code == 403


def collect(client: FlaskClient, auth: AuthActions, session: Instance) -> dict[str, str]:
    shares = {}
    for username in COMMITTEE:
        auth.logout()
        auth.login(username)
        token = csrf(client, f"/votes/{session.id}/committee")
        text = client.post(f"/votes/{session.id}/share",
                           data={"csrf_token": token}).get_data(as_text=True)
        [shares[username]] = re.findall(r'<code class="share">([^<]+)</code>', text)
    return shares


def test_receipts_and_the_count_opened_by_k_members(
    client: FlaskClient, auth: AuthActions, bloc: Bloc  # noqa: F811
) -> None:
    session = scheduled_with_committee(client, auth, bloc)
    shares = collect(client, auth, session)
    auth.logout()
    auth.login("btp_head")
    bloc.wf.fire(session.id, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session.id, "open", bloc.leader)
    receipts = {}
    for code, _name in MEMBERS:
        auth.logout()
        auth.login(f"{code}_head")
        path = f"/votes/{session.id}"
        form = {"csrf_token": csrf(client, path)}
        form.update({"abstain": "1"} if code == "bca" else
                    {f"choice-{FLAG}": str(bloc.units["bca"])})
        text = client.post(f"{path}/cast", data=form).get_data(as_text=True)
        [receipts[code]] = re.findall(r'<code class="receipt-hash">([0-9a-f]{64})</code>', text)
        assert "Kiểm tra biên nhận của tôi" in text
    checked = page(client, f"/votes/{session.id}/receipts?receipt={receipts['ttcp']}")
    assert "Danh sách được công bố sau khi đóng phiếu." in checked
    assert receipts["btp"] not in checked  # not published while open

    auth.logout()
    auth.login("btp_head")
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    waiting = page(client, f"/votes/{session.id}")
    assert "Đang chờ kiểm phiếu: đã nộp 0 trong 2 mảnh khóa cần thiết." in waiting
    listed = page(client, f"/votes/{session.id}/receipts?receipt={receipts['btp']}")
    assert "Biên nhận này có trong hòm phiếu vòng 1" in listed
    assert all(r in listed for r in receipts.values())
    missing = page(client, f"/votes/{session.id}/receipts?receipt={'0' * 64}")
    assert "Không có phiếu nào của phiên này mang biên nhận này" in missing

    auth.logout()
    auth.login("lang_head")
    path = f"/votes/{session.id}/committee"
    wrong = client.post(f"/votes/{session.id}/release", data={
        "csrf_token": csrf(client, path), "share": "TDKP-1-xyz"}, follow_redirects=True)
    assert "không phải là mảnh khóa" in wrong.get_data(as_text=True)
    first = client.post(f"/votes/{session.id}/release", data={
        "csrf_token": csrf(client, path), "share": shares["lang_head"]}, follow_redirects=True)
    assert "Mảnh khóa của đồng chí đã được nộp" in first.get_data(as_text=True)
    assert bloc.wf.get(session.id).state == "closed"
    auth.logout()
    auth.login("ttcp_head")
    counted = client.post(f"/votes/{session.id}/release", data={
        "csrf_token": csrf(client, path), "share": shares["ttcp_head"]}, follow_redirects=True)
    text = counted.get_data(as_text=True)
    assert "Đã mở kết quả kiểm phiếu" in text
    assert bloc.wf.get(session.id).state == "tallied"
    assert "8 phiếu trên 8 người bỏ phiếu, 1 phiếu trắng." in text
    for receipt in receipts.values():
        assert receipt not in text


def test_a_paper_vote_entered_by_the_chair(
    client: FlaskClient, auth: AuthActions, bloc: Bloc  # noqa: F811
) -> None:
    session = scheduled_with_committee(client, auth, bloc)
    collect(client, auth, session)
    auth.logout()
    auth.login("btp_head")
    bloc.wf.fire(session.id, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session.id, "open", bloc.leader)
    path = f"/votes/{session.id}"
    text = page(client, path)
    assert "Phiên bỏ phiếu bằng phiếu giấy: nhập kết quả kiểm phiếu của ban kiểm phiếu" in text
    bca, bqp = bloc.units["bca"], bloc.units["bqp"]
    refused = client.post(f"{path}/paper", data={
        "csrf_token": csrf(client, path), "ballots": "8", "blank": "0",
        f"votes-{FLAG}-{bca}": "9", f"votes-{FLAG}-{bqp}": "1"}, follow_redirects=True)
    body = refused.get_data(as_text=True)
    assert "Số phiếu của một ứng viên không quá số phiếu không để trống" in body
    done = client.post(f"{path}/paper", data={
        "csrf_token": csrf(client, path), "ballots": "8", "blank": "1",
        f"votes-{FLAG}-{bca}": "6", f"votes-{FLAG}-{bqp}": "1"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Đã ghi kết quả kiểm phiếu giấy." in text
    assert "8 phiếu trên 8 người bỏ phiếu, 1 phiếu trắng." in text


@pytest.mark.parametrize("username", ["bca_officer", "btp_head"])
def test_the_committee_page_is_for_those_who_see_the_vote(
    client: FlaskClient, auth: AuthActions, bloc: Bloc, username: str  # noqa: F811
) -> None:
    session = scheduled_with_committee(client, auth, bloc)
    auth.logout()
    auth.login(username)
    text = page(client, f"/votes/{session.id}/committee")
    assert "Nhận mảnh khóa của tôi" not in text
    assert "chưa nhận mảnh khóa của mình" in text


def test_the_api_names_the_committee_hands_out_shares_and_opens_the_count(
    client: FlaskClient, bloc: Bloc  # noqa: F811
) -> None:
    campaign = bloc.refresh()
    members = [bloc.users[u] for u in COMMITTEE]
    body = {"candidates": {FLAG: [bloc.units["bca"], bloc.units["bqp"]]},
            "meeting": {"date": "2025-12-19", "time": "08:30", "place": "Huế",
                        "conference": "Hội nghị tổng kết năm 2025"},
            "committee": {"members": members[:1], "threshold": 2}}
    path = f"/api/v1/campaigns/{campaign.id}/votes"
    lone = client.post(path, json=body, headers=bearer(bloc, "btp_head"))
    assert lone.status_code == 400
    made = client.post(path, json={**body, "committee": {"members": members, "threshold": 2}},
                       headers=bearer(bloc, "btp_head"))
    assert made.status_code == 201, made.get_json()
    session_id = made.get_json()["id"]
    assert made.get_json()["committee"] == {"members": members, "threshold": 2}

    state = client.get(f"/api/v1/votes/{session_id}/committee",
                       headers=bearer(bloc, "bca_officer"))
    assert state.status_code == 200
    assert {m["state"] for m in state.get_json()["members"]} == {"to_collect"}
    assert client.post(f"/api/v1/votes/{session_id}/share",
                       headers=bearer(bloc, "bca_officer")).status_code == 403
    shares = {}
    for username in COMMITTEE:
        got = client.post(f"/api/v1/votes/{session_id}/share", headers=bearer(bloc, username))
        assert got.status_code == 200, got.get_json()
        shares[username] = got.get_json()["share"]
    again = client.post(f"/api/v1/votes/{session_id}/share", headers=bearer(bloc, "lang_head"))
    assert again.status_code == 409
    assert "already collected your share" in again.get_json()["error"]["message"]

    bloc.wf.fire(session_id, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session_id, "open", bloc.leader)
    receipts = []
    for code, _name in MEMBERS:
        cast = client.post(f"/api/v1/votes/{session_id}/ballots", headers=bearer(
            bloc, f"{code}_head"), json={"choices": {} if code == "bqp" else
                                         {FLAG: [bloc.units["bqp"]]}})
        assert cast.status_code == 201
        receipts.append(cast.get_json()["receipt"])
    hidden = client.get(f"/api/v1/votes/{session_id}/receipts?receipt={receipts[0]}",
                        headers=bearer(bloc, "bca_officer")).get_json()
    assert hidden["published"] is False
    assert hidden["receipts"] == []
    bloc.wf.fire(session_id, "close", bloc.leader, {"comment": REASON})
    listed = client.get(f"/api/v1/votes/{session_id}/receipts?receipt={receipts[3]}",
                        headers=bearer(bloc, "bca_officer")).get_json()
    assert listed["receipts"] == sorted(receipts)
    assert listed["found_in_round"] == 1
    bad = client.get(f"/api/v1/votes/{session_id}/receipts?receipt=xyz",
                     headers=bearer(bloc, "bca_officer"))
    assert bad.status_code == 400

    first = client.post(f"/api/v1/votes/{session_id}/share/release",
                        headers=bearer(bloc, "ktnn_head"), json={"share": shares["ktnn_head"]})
    assert first.get_json() == {"session_id": session_id, "released": 1, "threshold": 2,
                                "counted": False, "state": "closed"}
    assert client.get(f"/api/v1/votes/{session_id}/result",
                      headers=bearer(bloc, "btp_head")).status_code == 403
    done = client.post(f"/api/v1/votes/{session_id}/share/release",
                       headers=bearer(bloc, "lang_head"), json={"share": shares["lang_head"]})
    assert done.get_json()["counted"] is True
    assert done.get_json()["state"] == "tallied"
    result = client.get(f"/api/v1/votes/{session_id}/result",
                        headers=bearer(bloc, "btp_head")).get_json()
    [counted] = result["tally"].values()
    assert counted["abstained"] == 1
    assert counted["titles"][FLAG]["candidates"][1]["yes"] == 7
