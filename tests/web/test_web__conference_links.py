"""What a conference hosts, in the pages (Vietnamese): the pledge-signing conference lists the
members' pledges and which were signed at it, a pledge is signed at it from its page; the scan
of the signed minutes is uploaded (PDF only) and downloaded; the year-end review links to the
cluster vote it hosts, with its result once counted, and the vote links back."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    PDF,
    REASON,
    Bloc,
    at,
    launch,
    targets,
    walk_to_year_end,
)
from workflow.engine.instance import Instance
from workflow.errors import InvalidInput
from workflow.services import api_tokens, conferences, voting

FLAG = "co_thi_dua_chinh_phu"


def _conference(bloc: Bloc, kind: str, day: str, *, steps: int = 1) -> Instance:
    """A conference of the kind planned on `day`, invited (steps 1), held with its conclusions
    (2), minuted (3)."""
    assert bloc.campaign is not None
    plan = {"kind": kind, "topic": "", "date": day, "time": "08:00",
            "place": "Hội trường Bộ Tư pháp", "host_unit_id": bloc.units["btp"],
            "agenda": [{"title": "Khai mạc", "presenter": "Bộ Tư pháp"}]}
    conf = conferences.plan(bloc.wf, bloc.leader, bloc.campaign, plan, bloc.units.values())
    if steps >= 1:
        bloc.wf.fire(conf.id, "invite", bloc.leader)
    if steps >= 2:
        bloc.wf.fire(conf.id, "record_attendance", bloc.leader, {"attendance": {
            str(u): {"present": True, "attendees": "Đại diện"} for u in bloc.units.values()}})
        bloc.wf.fire(conf.id, "hold", bloc.leader)
        bloc.wf.fire(conf.id, "record_conclusions", bloc.leader,
                     {"conclusions": [{"text": "Thống nhất", "unit_id": None, "due": None}]})
    if steps >= 3:
        names = conferences.Names("Khối", bloc.services.reads.unit_names(bloc.units.values()))
        conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir,
                                    bloc.wf.get(conf.id), bloc.leader, names)
        bloc.wf.fire(conf.id, "draw_up", bloc.leader)
    return bloc.wf.get(conf.id)


def _accepted(bloc: Bloc, code: str) -> Instance:
    pledge = bloc.child("pledge", code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))
    bloc.wf.fire(pledge, "accept", bloc.checker_for(code))
    bloc.attach(pledge, bloc.head(code), "signed_pledge")
    return bloc.wf.get(pledge.id)


def _bearer(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username], "t")
    return {"Authorization": f"Bearer {token}"}


def _json(response: Any) -> Any:
    assert response.json is not None, response.get_data(as_text=True)
    return response.json


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_pledges_signed_at_the_pledge_signing_conference(client: FlaskClient,
                                                         auth: AuthActions, bloc: Bloc) -> None:
    launch(bloc)
    bloc.clock.set(at("2025-03-10"))
    signing = _conference(bloc, "pledge_signing", "2025-03-20")
    six_month = _conference(bloc, "six_month", "2025-07-20")
    for code in ("bca", "bqp"):
        _accepted(bloc, code)
    bloc.clock.set(at("2025-03-20", 10))

    auth.login("bca_head")
    path = f"/pledges/{bloc.child('pledge', 'bca').id}"
    html = client.get(path).get_data(as_text=True)
    assert "Ký tại hội nghị" in html
    assert "Hội nghị ký kết giao ước thi đua 2025" in html
    assert "Hội nghị sơ kết 6 tháng 2025" not in html  # only pledge-signing conferences
    wrong = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "sign", "version": _version(html),
        "conference_id": str(six_month.id)})
    assert "Hãy chọn một hội nghị ký kết giao ước của phong trào này đã gửi giấy mời" in \
        wrong.get_data(as_text=True)
    signed = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "sign", "version": _version(html),
        "conference_id": str(signing.id)}, follow_redirects=True)
    html = signed.get_data(as_text=True)
    assert "Ký tại" in html
    assert f'href="/conferences/{signing.id}"' in html
    auth.logout()

    auth.login("bqp_head")  # signs on its own, at no conference
    path = f"/pledges/{bloc.child('pledge', 'bqp').id}"
    html = client.get(path).get_data(as_text=True)
    client.post(f"{path}/fire", data={"csrf_token": csrf(client, path), "trigger": "sign",
                                      "version": _version(html), "conference_id": ""})
    assert bloc.child("pledge", "bqp").state == "signed"
    assert "conference_id" not in bloc.child("pledge", "bqp").data
    auth.logout()

    auth.login("btp_head")
    html = client.get(f"/conferences/{signing.id}").get_data(as_text=True)
    assert "Giao ước thi đua của các đơn vị thành viên" in html
    html = html[html.index('id="pledges"'):]
    row = re.search(r"<tr><td>Bộ Công an</td>.*?</tr>", html, re.S)
    assert row is not None
    assert "Ký tại hội nghị này" not in row.group(0)
    assert ">có<" in row.group(0)
    row = re.search(r"<tr><td>Bộ Quốc phòng</td>.*?</tr>", html, re.S)
    assert row is not None
    assert "đã ký, không tại hội nghị này" in row.group(0)
    assert "2/8 đơn vị đã ký giao ước, trong đó 1 đơn vị ký tại hội nghị này." in html
    other = client.get(f"/conferences/{six_month.id}").get_data(as_text=True)
    assert "Giao ước thi đua của các đơn vị thành viên" not in other
    api = client.get(f"/api/v1/campaigns/{bloc.refresh().id}/conferences",
                     headers=_bearer(bloc, "btp_head"))
    hosted = {c["id"]: c["pledges_signed_here"] for c in _json(api)["items"]}
    assert hosted == {signing.id: [bloc.child("pledge", "bca").id], six_month.id: []}


def test_the_scan_of_the_signed_minutes(client: FlaskClient, auth: AuthActions,
                                        bloc: Bloc) -> None:
    launch(bloc)
    bloc.clock.set(at("2025-07-01"))
    held = _conference(bloc, "six_month", "2025-07-15", steps=2)
    bloc.clock.set(at("2025-07-16"))
    auth.login("btp_head")
    path = f"/conferences/{held.id}"
    token = csrf(client, path)
    early = client.post(f"{path}/signed-minutes", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "bien-ban.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Bản chụp biên bản đã ký được tải lên sau khi chốt biên bản." in \
        early.get_data(as_text=True)
    names = conferences.Names("Khối", bloc.services.reads.unit_names(bloc.units.values()))
    conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir,
                                bloc.wf.get(held.id), bloc.leader, names)
    bloc.wf.fire(held.id, "draw_up", bloc.leader)
    html = client.get(path).get_data(as_text=True)
    assert "Bản chụp biên bản đã ký (PDF)" in html
    assert "Chưa tải lên bản chụp biên bản đã ký." in html
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64))
    image = client.post(f"{path}/signed-minutes", data={
        "csrf_token": token, "file": (png, "bien-ban.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Không nhận tệp bien-ban.png: biên bản đã ký được tải lên dưới dạng bản chụp PDF" \
        in image.get_data(as_text=True)
    fake = client.post(f"{path}/signed-minutes", data={
        "csrf_token": token, "file": (io.BytesIO(b"<html>"), "bien-ban.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Không nhận tệp bien-ban.pdf: nội dung tệp không đúng" in fake.get_data(as_text=True)
    done = client.post(f"{path}/signed-minutes", data={
        "csrf_token": token, "file": (io.BytesIO(PDF), "bien-ban-da-ky.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Đã đính kèm bản chụp biên bản đã ký: bien-ban-da-ky.pdf" in html
    link = re.search(rf'href="({path}/documents/\d+)">bien-ban-da-ky.pdf', html)
    assert link is not None
    auth.logout()

    auth.login("bca_head")  # a member reads it, and may not upload
    got = client.get(link.group(1))
    assert got.status_code == 200
    assert got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    refused = client.post(f"{path}/signed-minutes", data={
        "csrf_token": csrf(client, path), "file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data")
    assert refused.status_code == 403


def _close_vote(bloc: Bloc, conference: Instance) -> Instance:
    meeting = voting.Meeting(dt.date(2025, 12, 18), dt.time(8), "Hà Nội",
                             "Hội nghị tổng kết năm 2025", conference.id)
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader,
        {FLAG: [bloc.units["bca"], bloc.units["bqp"]]}, meeting=meeting)
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    session = bloc.wf.fire(session, "open", bloc.leader).instance
    for voter in ("btp", "lang", "bqp", "bca", "tandtc", "vksndtc", "ttcp"):
        voting.cast_ballot(bloc.wf, session.id, bloc.head(voter),
                           {FLAG: [bloc.units["bqp" if voter == "bca" else "bca"]]})
    return session


def test_the_year_end_review_links_to_its_vote(client: FlaskClient, auth: AuthActions,
                                               bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    bloc.clock.set(dt.datetime(2025, 12, 17, 2, tzinfo=dt.UTC))
    review = _conference(bloc, "year_end", "2025-12-18")
    bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)
    auth.login("btp_head")
    html = client.get(f"/campaigns/{bloc.refresh().id}/votes/new").get_data(as_text=True)
    assert "Tổ chức tại hội nghị tổng kết" in html  # the planned review, proposed
    assert f'<option value="{review.id}" selected>' in html
    assert 'value="Hội trường Bộ Tư pháp"' in html
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    session = _close_vote(bloc, review)
    path = f"/conferences/{review.id}"
    html = client.get(path).get_data(as_text=True)
    assert "Bình xét, suy tôn tại hội nghị này" in html
    assert f'href="/votes/{session.id}"' in html
    assert "Kết quả được hiển thị sau khi kiểm phiếu." in html
    vote_page = client.get(f"/votes/{session.id}").get_data(as_text=True)
    assert f'href="/conferences/{review.id}">Hội nghị tổng kết năm 2025</a>' in vote_page

    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})
    html = client.get(path).get_data(as_text=True)
    assert "Kết quả được hiển thị sau khi kiểm phiếu." not in html
    assert re.search(r"<li>[^<]*: <strong>Bộ Công an</strong></li>", html), html[-3000:]
    api = client.get(f"/api/v1/campaigns/{bloc.refresh().id}/conferences",
                     headers=_bearer(bloc, "btp_head"))
    assert [c["vote_sessions"] for c in _json(api)["items"]] == [[session.id]]


def test_a_vote_cannot_name_another_conference(client: FlaskClient, bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    bloc.clock.set(dt.datetime(2025, 12, 17, 2, tzinfo=dt.UTC))
    review = _conference(bloc, "thematic", "2025-12-18")
    campaign: Any = bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader).instance
    refused = client.post(f"/api/v1/campaigns/{campaign.id}/votes", json={
        "candidates": {FLAG: [bloc.units["bca"]]}, "meeting": {
            "date": "2025-12-18", "time": "08:00", "place": "Hà Nội", "conference": "Hội nghị",
            "conference_id": review.id}}, headers=_bearer(bloc, "btp_head"))
    assert refused.status_code == 400
    assert "conference_id" in refused.get_data(as_text=True)
    with pytest.raises(InvalidInput, match="conference_id"):
        voting.schedule_year_end_vote(
            bloc.wf, campaign.id, bloc.leader, {FLAG: [bloc.units["bca"]]},
            voting.Meeting(dt.date(2025, 12, 18), dt.time(8), "Hà Nội", "Hội nghị",
                           review.id))
