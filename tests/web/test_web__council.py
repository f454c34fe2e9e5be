"""The council's meeting and the decision in the browser (Flask client), read in Vietnamese:
the office schedules the meeting for the dossiers waiting, ticks the members present by name,
an absent member votes in writing, the result is written from the count; the head decides with
the decision's number and date, the decision is downloaded, announced and revoked; the
Government-flag cap says how its number was reached."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.integration.test_council import dossier_at_council, lock, member
from tests.integration.test_dossier import FLAG, attach, bloc, cluster_vote, local
from tests.web.conftest import AuthActions, csrf
from tests.year_support import REASON, Bloc
from workflow.adapters.tables import clusters
from workflow.services import dossiers, voting

__all__ = ["bloc"]  # the integration tests' bloc at year end, with its council

VERSION = re.compile(r'name="version" value="(\d+)"')


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_office_schedules_the_council_and_the_head_decides(
    bloc: Bloc, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    wf = bloc.wf
    dossier = dossier_at_council(bloc, bloc.services.settings.documents_dir)
    auth.login("vu_tdkt")
    text = page(client, "/council/2025")
    assert "Hồ sơ chờ Hội đồng xét" in text
    assert "Bộ Công an" in text
    assert "Cờ thi đua của Chính phủ" in text
    assert "Thành viên Hội đồng" in text
    assert "hd_0" in text
    assert "9 thành viên bỏ phiếu." in text

    token = csrf(client, "/council/2025")
    refused = client.post("/council/2025/schedule", data={
        "csrf_token": token, "dossier": str(dossier.id), "date": "2025-12-01", "time": "08:30",
        "place": "Nhà Quốc hội"})
    body = refused.get_data(as_text=True)
    assert "Ngày họp không được ở trong quá khứ" in body
    assert 'value="Nhà Quốc hội"' in body  # what was typed is kept

    done = client.post("/council/2025/schedule", data={
        "csrf_token": token, "dossier": str(dossier.id), "date": "2026-01-20", "time": "08:30",
        "place": "Nhà Quốc hội"})
    assert done.status_code == 302
    session_id = int(done.headers["Location"].rsplit("/", 1)[1])
    text = page(client, f"/votes/{session_id}")
    assert "Đã lên lịch phiên họp Hội đồng" in text
    assert "20/01/2026 08:30" in text
    assert "Nhà Quốc hội" in text
    for n in range(9):  # the attendance boxes name the council's members
        assert f'value="{member(bloc, n)}"' in text
    [invitation] = [m for m in _messages(bloc, bloc.users["hd_0"]) if "Mời họp" in m]
    assert "20/01/2026" in invitation

    client.post(f"/votes/{session_id}/fire", data={
        "csrf_token": token, "trigger": "check_quorum", "version": wf.get(session_id).version,
        "present": [member(bloc, n) for n in range(7)]})
    client.post(f"/votes/{session_id}/fire", data={
        "csrf_token": token, "trigger": "open", "version": wf.get(session_id).version})
    assert wf.get(session_id).state == "open"
    for n in range(9):
        voting.cast_ballot(wf, session_id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})
    wf.fire(session_id, "close", bloc.actor("vu_tdkt"), {"comment": REASON})
    lock(bloc, wf.get(session_id), tmp_path)
    text = page(client, f"/votes/{session_id}")
    assert "Phiếu bằng văn bản của thành viên vắng mặt (2): hd_7, hd_8" in text
    assert "Có mặt (7)" in text
    assert "Vắng mặt (2)" in text
    text = client.post(f"/votes/{session_id}/council-results", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã ghi kết quả của Hội đồng vào 1 hồ sơ; 1 hồ sơ được trình cấp có thẩm quyền." in text
    assert wf.get(dossier.id).state == "with_authority"
    text = page(client, "/council")  # the office's own year, with the dossier carried
    assert "Hồ sơ được Hội đồng thông qua" in text
    assert f'href="/dossiers/{dossier.id}/decision"' in text

    auth.logout()
    auth.login("thu_tuong")
    url = f"/dossiers/{dossier.id}/decision"
    text = page(client, url)
    for label in ("Đồng ý", "Không đồng ý", "Khen mức thấp hơn", "Số quyết định",
                  "Ngày quyết định"):
        assert label in text
    assert "9 phiếu đồng ý trên 9 thành viên" in text
    assert "outcome" not in text.replace('name="outcome"', "")
    token = csrf(client, url)
    version = VERSION.search(text)
    assert version
    refused = client.post(url, data={
        "csrf_token": token, "version": version.group(1), "outcome": "approved",
        "reasons": "Dẫn đầu phong trào thi đua", "number": "", "date": "2026-03-02"})
    body = refused.get_data(as_text=True)
    assert "hi số quyết định (ví dụ 123/QĐ-TTg) và ngày quyết định" in body
    assert "Dẫn đầu phong trào thi đua</textarea>" in body
    client.post(url, data={
        "csrf_token": token, "version": version.group(1), "outcome": "approved",
        "reasons": "Dẫn đầu phong trào thi đua", "number": "123/QĐ-TTg", "date": "2026-03-02",
        "signer": "Phạm Minh C"})
    text = page(client, url)
    assert "Số 123/QĐ-TTg" in text
    assert "ngày 02/03/2026" in text
    assert "Tải quyết định" in text
    download = client.get(f"/dossiers/{dossier.id}/decision.docx")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith(".docx")
    # the prize money: 12 times the base salary in force on 02/03/2026 (2.340.000 đồng)
    assert "Tiền thưởng: <strong>28.080.000 đồng</strong>" in text
    assert ("12 lần mức lương cơ sở 2.340.000 đồng áp dụng từ 01/07/2024, làm tròn lên bội "
            "số của 10.000 đồng") in text
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    assert ("Kèm theo tiền thưởng 28.080.000 đồng (12 lần mức lương cơ sở 2.340.000 đồng (từ "
            "01/07/2024), làm tròn lên bội số của 10.000 đồng).") in words

    auth.logout()
    auth.login("vu_tdkt")
    text = client.post(f"/dossiers/{dossier.id}/announce", data={
        "csrf_token": csrf(client, url), "version": wf.get(dossier.id).version},
        follow_redirects=True).get_data(as_text=True)
    assert "Đã công bố quyết định trên trang công khai." in text
    auth.logout()
    auth.login("thu_tuong")
    text = client.post(f"/dossiers/{dossier.id}/revoke", data={
        "csrf_token": csrf(client, url), "version": wf.get(dossier.id).version,
        "comment": "Thành tích không đúng sự thật"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi khen thưởng." in text
    assert wf.get(dossier.id).state == "revoked"


def _messages(bloc: Bloc, user_id: int) -> list[str]:
    from workflow.services import notifications

    return [f"{n.subject}\n{n.body}" for n in notifications.inbox(bloc.services.uow(), user_id)]


def test_the_flag_cap_says_how_its_number_was_reached(
    bloc: Bloc, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    folder = bloc.services.settings.documents_dir
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    bloc.wf.fire(dossier, "post", bloc.leader)
    attach(bloc, dossier, ["to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet",
                           "bien_ban_suy_ton_cum"], folder)
    with bloc.services.engine.begin() as conn:  # two blocs left in the council
        conn.execute(update(clusters).where(clusters.c.code.in_(["K1", "K2", "K3"])).values(
            council="Hội đồng TĐKT tỉnh"))
    bloc.clock.set(local("2025-12-24"))
    auth.login("btp_head")
    text = client.post(f"/items/{dossier.id}/fire", data={
        "csrf_token": csrf(client, f"/items/{dossier.id}"), "trigger": "submit",
        "version": bloc.wf.get(dossier.id).version}, follow_redirects=True).get_data(as_text=True)
    assert "20% của 2 đơn vị dẫn đầu = 0,4 → tối đa 0 (làm tròn xuống)" in text


def test_the_head_decides_from_the_dossier_page_and_the_office_announces_there(
    bloc: Bloc, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    """The decision form is on the dossier page too, for whom the access policy gives the
    decision; its forms lead back to the dossier page, which keeps what was typed when refused
    and then offers the generated decision and the announcement."""
    from workflow.services import council as council_service

    wf = bloc.wf
    dossier = dossier_at_council(bloc, bloc.services.settings.documents_dir)
    session = council_service.schedule(
        wf, bloc.services.reads, bloc.actor("vu_tdkt"), [dossier.id], 2025,
        voting.Meeting(dt.date(2026, 1, 20), dt.time(8, 30), "Nhà Quốc hội",
                       "Phiên họp Hội đồng"))
    wf.fire(session, "check_quorum", bloc.actor("vu_tdkt"),
            {"present": [member(bloc, n) for n in range(9)]})
    wf.fire(session, "open", bloc.actor("vu_tdkt"))
    for n in range(9):
        voting.cast_ballot(wf, session.id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})
    wf.fire(session, "close", bloc.actor("vu_tdkt"), {"comment": REASON})
    lock(bloc, wf.get(session.id), tmp_path)
    council_service.write_results(wf, session.id, bloc.actor("vu_tdkt"))
    url = f"/dossiers/{dossier.id}"

    for who in ("vu_tdkt", "btp_head"):  # the office and the cluster see no decision form
        auth.login(who)
        text = page(client, url)
        assert "Chưa có quyết định." in text
        assert "Ghi quyết định" not in text
        assert client.post(f"{url}/decision", data={
            "csrf_token": csrf(client, url), "outcome": "approved", "reasons": "x",
            "number": "1/QĐ", "date": "2026-03-02"}).status_code == 403
        auth.logout()

    auth.login("thu_tuong")
    text = page(client, url)
    for label in ("Đồng ý", "Không đồng ý", "Khen mức thấp hơn", "Số quyết định",
                  "Ngày quyết định", "Ghi quyết định"):
        assert label in text
    assert 'name="back" value="dossier"' in text
    token = csrf(client, url)
    version = VERSION.search(text)
    assert version
    refused = client.post(f"{url}/decision", data={
        "csrf_token": token, "version": version.group(1), "outcome": "approved",
        "reasons": "Dẫn đầu phong trào thi đua", "number": "", "date": "2026-03-02",
        "back": "dossier"})
    body = refused.get_data(as_text=True)
    assert "Thành phần hồ sơ" in body  # the dossier page again, not the decision page
    assert "hi số quyết định (ví dụ 123/QĐ-TTg) và ngày quyết định" in body
    assert "Dẫn đầu phong trào thi đua</textarea>" in body
    done = client.post(f"{url}/decision", data={
        "csrf_token": token, "version": version.group(1), "outcome": "approved",
        "reasons": "Dẫn đầu phong trào thi đua", "number": "123/QĐ-TTg", "date": "2026-03-02",
        "signer": "Phạm Minh C", "back": "dossier"})
    assert done.headers["Location"].endswith(f"{url}#decision")
    text = page(client, url)
    assert "Đã ghi quyết định." in text
    assert "Số 123/QĐ-TTg" in text
    assert "ngày 02/03/2026" in text
    assert f'href="/dossiers/{dossier.id}/decision.docx"' in text
    assert "Ghi quyết định" not in text
    auth.logout()

    auth.login("vu_tdkt")
    text = page(client, url)
    assert "Công bố quyết định" in text
    text = client.post(f"{url}/announce", data={
        "csrf_token": csrf(client, url), "version": wf.get(dossier.id).version,
        "back": "dossier"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã công bố quyết định trên trang công khai." in text
    assert "Thành phần hồ sơ" in text
    assert wf.get(dossier.id).state == "announced"
