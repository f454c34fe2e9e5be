"""The public page and a dossier's objections in the browser: a burst of anonymous objections
is cut off by the limits with a page in Vietnamese (and what gets through holds nothing back
until judged admissible), the council office judges and answers on /dossiers/<id>/objections,
the leader answers, the nominee's unit reads, the public reads the answers (never the writer's
contact), the posting period's dates and the announced decision with its number and date."""

# ruff: noqa: F811  (the shared fixtures are imported by name and taken as arguments)

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.conftest import AuthActions, csrf
from tests.web.test_security__limits import (  # noqa: F401  (fixtures)
    TOO_MANY_OBJECTIONS,
    other,
    posted_dossier,
    two_apps,
    with_settings,
)
from tests.web.test_web__year import page
from tests.year_support import YEAR, Bloc
from web import create_app
from workflow.adapters.tables import objections
from workflow.bootstrap import Services
from workflow.engine.instance import Instance
from workflow.services import dossiers, notifications, organisations, people

CONTACT = "cong.dan@example.vn"
COUNCIL = "Hội đồng Thi đua – Khen thưởng Trung ương"


def object_to(client: FlaskClient, dossier_id: int, text: str, token: str,
              address: str | None = None) -> TestResponse:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(f"/public/dossiers/{dossier_id}/objections", headers=headers, data={
        "csrf_token": token, "text": text, "contact": CONTACT})


def filed(bloc: Bloc) -> int:
    with bloc.services.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(objections)).scalar()
                   or 0)


# --- the flood ---------------------------------------------------------------------------------


def test_a_burst_of_a_hundred_objections_from_one_client_is_cut_off_at_the_limit(
        two_apps: tuple[Flask, Flask], bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    workers = 100
    clients = [two_apps[i % 2].test_client() for i in range(workers)]
    tokens = [csrf(c, "/public") for c in clients]
    barrier = threading.Barrier(workers)
    answers: list[TestResponse] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        barrier.wait()
        answer = object_to(clients[i], dossier.id, f"Phản ánh số {i}", tokens[i])
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(a.status_code for a in answers)
    refused = next(a for a in answers if a.status_code == 429).get_data(as_text=True)
    assert codes == [302] * 5 + [429] * 95
    assert filed(bloc) == 5
    assert TOO_MANY_OBJECTIONS in refused
    assert "vui lòng đợi 60 phút" in refused
    assert 'lang="vi"' in refused


def test_objections_from_many_addresses_hold_nothing_back_until_judged(
        services: Services, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    proxied = create_app(services=with_settings(services, app={"trusted_proxies": 1}),
                         testing=True).test_client()
    token = csrf(proxied, "/public")

    codes = [object_to(proxied, dossier.id, f"Phản ánh {i}", token,
                       address=f"203.0.113.{i}").status_code for i in range(100)]

    assert codes == [302] * 100
    assert [o.holds for o in dossiers.objections_of(bloc.wf, dossier.id)] == [False] * 100


# --- the council office's page ----------------------------------------------------------------


def test_the_council_office_judges_and_answers_an_objection_in_vietnamese(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    real = dossiers.file_objection(bloc.wf, dossier.id, "Số liệu quý IV chưa được kiểm tra",
                                   CONTACT)
    spam = dossiers.file_objection(bloc.wf, dossier.id, "Quảng cáo không liên quan")
    path = f"/dossiers/{dossier.id}/objections"
    auth.login("vu_tdkt")
    notices = [n for n in notifications.inbox(bloc.services.uow(), bloc.users["vu_tdkt"])
               if n.instance_id == dossier.id]

    before = page(client, path)
    no_reason = client.post(f"{path}/{real}/judge", data={
        "csrf_token": csrf(client, path), "admissible": "yes", "reason": " "})
    judged = client.post(f"{path}/{real}/judge", data={
        "csrf_token": csrf(client, path), "admissible": "yes",
        "reason": "Phản ánh có căn cứ"}, follow_redirects=True)
    client.post(f"{path}/{spam}/judge", data={
        "csrf_token": csrf(client, path), "admissible": "no",
        "reason": "Không liên quan đến hồ sơ"})
    answered = client.post(f"{path}/{real}/answer", data={
        "csrf_token": csrf(client, path), "answer": "Số liệu đã được đoàn kiểm tra xác nhận"},
        follow_redirects=True)
    again = client.post(f"{path}/{real}/answer", data={
        "csrf_token": csrf(client, path), "answer": "Trả lời lần hai"})

    assert [n.link for n in notices] == [path, path]  # one notice per objection
    assert "Ý kiến phản ánh về hồ sơ" in before
    assert "Chờ cơ quan thường trực Hội đồng xem xét thụ lý" in before
    assert CONTACT in before  # the council office may reach the writer
    assert "Ý kiến có được thụ lý không?" in before
    assert "Chưa có ý kiến" not in before
    assert no_reason.status_code == 400
    kept = no_reason.get_data(as_text=True)
    assert "Hãy ghi lý do thụ lý hoặc không thụ lý." in kept
    assert 'value="yes" checked' in kept  # the choice is kept as made
    judged_html = judged.get_data(as_text=True)
    assert "Ý kiến đã được thụ lý" in judged_html
    assert "Được thụ lý, chờ trả lời" in judged_html
    assert "1 ý kiến được thụ lý chưa được trả lời" in judged_html
    html = answered.get_data(as_text=True)
    assert "Số liệu đã được đoàn kiểm tra xác nhận" in html
    assert "Không thụ lý" in html
    assert "Không liên quan đến hồ sơ" in html
    assert "Vụ Thi đua – Khen thưởng" in html  # who judged, by name
    assert again.status_code == 400
    assert "Ý kiến này đã được trả lời." in again.get_data(as_text=True)
    for text in (before, html):
        assert "Not admissible" not in text  # Vietnamese
        assert "To be judged" not in text
        assert "2025-12-" not in text  # no ISO timestamp
        assert "+00:00" not in text


def test_the_leader_answers_and_the_unit_reads_but_neither_judges(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    real = dossiers.file_objection(bloc.wf, dossier.id, "Đề nghị làm rõ số liệu", CONTACT)
    waiting = dossiers.file_objection(bloc.wf, dossier.id, "Chưa xem xét")
    dossiers.judge_objection(bloc.wf, real, bloc.actor("vu_tdkt"), admissible=True,
                             reason="Có căn cứ")
    path = f"/dossiers/{dossier.id}/objections"

    auth.login("btp_head")  # the leader
    leading = page(client, path)
    refused = client.post(f"{path}/{waiting}/judge", data={
        "csrf_token": csrf(client, path), "admissible": "no", "reason": "Tự xét"})
    client.post(f"{path}/{real}/answer", data={
        "csrf_token": csrf(client, path), "answer": "Khối đã kiểm tra lại"})
    auth.logout()
    auth.login("bca_head")  # the nominee's head
    reading = page(client, path)
    not_answering = client.post(f"{path}/{real}/answer", data={
        "csrf_token": csrf(client, path), "answer": "Tự trả lời"})
    auth.logout()
    uow = bloc.services.uow()
    outside = organisations.create_unit(uow, "NGOAI", "Đơn vị ngoài khối")
    bloc.users["ngoai_officer"] = people.create_user(uow, "ngoai_officer", "Cán bộ ngoài khối")
    people.grant(uow, bloc.users["ngoai_officer"], "unit_officer", unit_id=outside, year=YEAR)
    auth.login("ngoai_officer")  # an officer of a unit outside the bloc: nothing of it
    elsewhere = client.get(path)

    assert 'name="answer"' in leading
    assert 'name="admissible"' not in leading
    assert CONTACT not in leading
    assert refused.status_code == 403
    assert "Khối đã kiểm tra lại" in reading
    assert "Đã trả lời" in reading
    assert 'name="answer"' not in reading
    assert CONTACT not in reading
    assert not_answering.status_code == 403
    assert elsewhere.status_code == 403
    assert [o.status for o in dossiers.objections_of(bloc.wf, dossier.id)] == [
        "answered", "waiting"]


def test_the_objections_page_needs_a_sign_in(client: FlaskClient, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)

    answer = client.get(f"/dossiers/{dossier.id}/objections")

    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


# --- the public page ----------------------------------------------------------------------------


def announced(bloc: Bloc, dossier: Instance) -> None:
    """A dossier moved by an admin repair to the authority, then decided and announced."""
    uow = bloc.services.uow()
    for n in range(4):  # four more blocs of the council: 20% of five leading units is one
        unit = organisations.create_unit(uow, f"X{n}", f"Đơn vị khối khác {n}")
        organisations.create_cluster(uow, f"K{n}", f"Khối {n}", "khoi", YEAR, [unit],
                                     council=COUNCIL)
    admin = people.create_user(uow, "quan_tri_web", "Quản trị")
    people.grant(uow, admin, "admin")
    authority = people.create_user(uow, "thu_tuong_web", "Thủ tướng")
    people.grant(uow, authority, "decision_authority", year=YEAR)
    bloc.users.update({"quan_tri_web": admin, "thu_tuong_web": authority})
    bloc.wf.move_to(dossier.id, "with_authority", bloc.actor("quan_tri_web"),
                    "thử trang công khai")
    bloc.wf.fire(dossier.id, "decide", bloc.actor("thu_tuong_web"), {
        "outcome": "approved", "reasons": ["Dẫn đầu phong trào"],
        "decision_number": "123/QĐ-TTg"})
    bloc.wf.fire(dossier.id, "announce", bloc.actor("vu_tdkt"))


def test_the_public_page_shows_the_posting_its_answers_and_the_announced_decision(
        client: FlaskClient, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)  # posted on 18/12/2025
    asked = dossiers.file_objection(bloc.wf, dossier.id, "Số liệu quý IV có đúng không?",
                                    CONTACT)
    dossiers.file_objection(bloc.wf, dossier.id, "Chưa được xem xét")
    dossiers.judge_objection(bloc.wf, asked, bloc.actor("vu_tdkt"), admissible=True,
                             reason="Có căn cứ")
    dossiers.answer_objection(bloc.wf, asked, bloc.actor("vu_tdkt"), "Số liệu đã được xác nhận")
    end = bloc.wf.calendar.add_working_days(dt.date(2025, 12, 18), 10)

    posting = page(client, "/public")
    token = csrf(client, "/public")
    bloc.clock.set(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(3), dt.UTC))
    over = page(client, "/public")
    late = client.post(f"/public/dossiers/{dossier.id}/objections", data={
        "csrf_token": token, "text": "Gửi muộn"}, follow_redirects=True)
    announced(bloc, dossier)
    result = page(client, "/public")

    assert "Khối thi đua các bộ, ngành Nội chính Trung ương" in posting
    assert f"từ 18/12/2025 đến {end:%d/%m/%Y}" in posting
    assert "suy tôn" in posting  # the achievements: the cluster's vote
    assert "Số liệu quý IV có đúng không?" in posting
    assert "Số liệu đã được xác nhận" in posting
    assert "Chưa được xem xét" not in posting  # not answered: not shown
    assert CONTACT not in posting
    assert f'action="/public/dossiers/{dossier.id}/objections"' not in over
    assert "Hiện không có hồ sơ nào đang công khai." in over  # over at the end of its period
    assert "Hồ sơ này hiện không nhận phản ánh." in late.get_data(as_text=True)
    assert filed(bloc) == 2
    today = bloc.clock.today()
    assert "Số 123/QĐ-TTg" in result
    assert f"ngày {today:%d/%m/%Y}" in result
    assert "Bộ Công an" in result
