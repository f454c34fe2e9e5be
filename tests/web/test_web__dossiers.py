"""The dossier in the browser (Flask test client): opened from the cluster's counted vote in
one step, its documents as a checklist with upload and download, the tờ trình generated in one
click, returned for supplement naming the missing documents, which the unit then reads; all
in Vietnamese."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask.testing import FlaskClient

from tests.conftest import Snapshots
from tests.integration.test_dossier import council_bloc, local
from tests.web.conftest import AuthActions, csrf
from tests.year_support import MEMBERS, PDF, REASON, Bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.engine.instance import Instance
from workflow.services import api_tokens, dossier_page, dossiers, voting

FLAG = "co_thi_dua_chinh_phu"
NAME = "Hồ sơ đề nghị Cờ thi đua của Chính phủ 2025 – Bộ Công an"


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return council_bloc(services, clock, snapshots)


def minuted_vote(bloc: Bloc) -> Instance:
    """The bloc's vote counted (bca chosen) and its minutes drawn up, not yet locked."""
    bloc.clock.set(local("2025-12-10"))
    wf = bloc.wf
    session = voting.schedule_cluster_vote(wf, bloc.refresh().id, bloc.leader,
                                           {FLAG: [bloc.units["bca"], bloc.units["bqp"]]})
    wf.fire(session, "check_quorum", bloc.leader,
            {"present": [f"unit:{u}" for u in bloc.units.values()]})
    wf.fire(session, "open", bloc.leader)
    for code, _ in MEMBERS:
        pick = "bqp" if code in ("bca", "ttcp") else "bca"
        voting.cast_ballot(wf, session.id, bloc.head(code), {FLAG: [bloc.units[pick]]})
    wf.fire(session, "close", bloc.leader, {"comment": REASON})
    voting.draw_up_minutes(wf, session.id, bloc.leader, bloc.services.settings.documents_dir,
                           [("Trần Văn B", "Thư ký")])
    return wf.get(session.id)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def opened(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> Instance:
    session = minuted_vote(bloc)
    auth.login("btp_head")
    path = f"/votes/{session.id}"
    assert "Lập hồ sơ đề nghị cho các đơn vị được suy tôn" in page(client, path)
    response = client.post(f"{path}/dossiers", data={"csrf_token": csrf(client, path)},
                           follow_redirects=True)
    assert response.status_code == 200
    assert f"Đã lập hồ sơ: {NAME}" in response.get_data(as_text=True)
    [dossier] = [d for d in bloc.wf.children(bloc.refresh().id) if d.workflow == "dossier"]
    return dossier


def test_the_leader_opens_the_winners_dossiers_from_the_vote_in_one_step(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    dossier = opened(client, auth, bloc)
    session_id = dossier.data["vote_session_id"]

    assert bloc.wf.get(session_id).state == "locked"  # the result cannot change any more
    assert dossier.unit_id == bloc.units["bca"]
    html = page(client, f"/dossiers/{dossier.id}")
    assert f"<h1>{NAME}</h1>" in html
    assert "Biên bản kiểm phiếu</td>\n        <td>✓ Đã có" in html
    assert "Tờ trình đề nghị khen thưởng</td>\n        <td><strong class=\"overdue\">Còn thiếu" \
        in html
    assert f'href="/dossiers/{dossier.id}/objections"' in html
    assert f'href="/votes/{session_id}"' in html
    vote = page(client, f"/votes/{session_id}")
    assert NAME in vote  # listed, with a link, and no second button
    assert "Lập hồ sơ đề nghị cho các đơn vị được suy tôn" not in vote
    again = client.post(f"/votes/{session_id}/dossiers",
                        data={"csrf_token": csrf(client, f"/votes/{session_id}")},
                        follow_redirects=True)
    assert "Mọi đơn vị được suy tôn trong phiên này đều đã có hồ sơ." in \
        again.get_data(as_text=True)


def test_a_unit_officer_cannot_open_the_dossiers(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = minuted_vote(bloc)
    auth.login("bca_officer")
    path = f"/votes/{session.id}"
    assert "Lập hồ sơ đề nghị cho các đơn vị được suy tôn" not in page(client, path)

    response = client.post(f"{path}/dossiers", data={"csrf_token": csrf(client, path)})

    assert response.status_code == 403
    assert bloc.wf.get(session.id).state == "minuted"


def test_documents_are_uploaded_downloaded_and_the_letter_generated_in_one_click(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    dossier = opened(client, auth, bloc)
    path = f"/dossiers/{dossier.id}"

    uploaded = client.post(f"{path}/documents", data={
        "csrf_token": csrf(client, path), "kind": "bao_cao_thanh_tich",
        "file": (io.BytesIO(PDF), "bao-cao-thanh-tich-bca.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    html = uploaded.get_data(as_text=True)
    assert "Đã tải lên tài liệu: bao-cao-thanh-tich-bca.pdf" in html
    assert "Báo cáo thành tích</td>\n        <td>✓ Đã có" in html
    link = html.split('href="/items/')[1].split('"')[0]
    download = client.get(f"/items/{link}")
    assert download.status_code == 200
    assert download.data == PDF

    refused = client.post(f"{path}/letter", data={
        "csrf_token": csrf(client, path), "number": "12/TTr-KNC", "signer_position": "",
        "signer_name": "Nguyễn Văn A"})
    assert "Hãy ghi số tờ trình, chức vụ và họ tên người ký." in refused.get_data(as_text=True)
    assert 'value="12/TTr-KNC"' in refused.get_data(as_text=True)  # what was typed is kept
    made = client.post(f"{path}/letter", data={
        "csrf_token": csrf(client, path), "number": "12/TTr-KNC",
        "signer_position": "Khối trưởng", "signer_name": "Nguyễn Văn A"},
        follow_redirects=True)
    html = made.get_data(as_text=True)
    assert "Đã tạo và đính kèm tờ trình." in html
    assert "Tờ trình đề nghị khen thưởng</td>\n        <td>✓ Đã có" in html
    assert "to_trinh" not in html.replace('value="to_trinh"', "")  # no code on the page


def test_a_return_names_the_missing_documents_and_the_unit_reads_them(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    dossier = opened(client, auth, bloc)
    wf, folder = bloc.wf, bloc.services.settings.documents_dir
    wf.fire(dossier.id, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    for kind in ("to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"):
        dossiers.attach(wf, wf.get(dossier.id), bloc.leader, folder, kind, f"{kind}.pdf", PDF)
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", bloc.actor("vu_tdkt"))
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier.id, "start_appraisal", bloc.actor("vu_tdkt"))
    bloc.clock.set(local("2026-01-09"))
    auth.logout()
    auth.login("vu_tdkt")
    path = f"/dossiers/{dossier.id}"
    html = page(client, path)
    assert "Nội dung cần bổ sung" in html
    assert 'name="missing" value="bao_cao_thanh_tich"' in html
    assert "4 ngày làm việc" in html  # used so far, 6 to 9 January

    version = str(wf.get(dossier.id).version)
    refused = client.post(f"{path}/return", data={
        "csrf_token": csrf(client, path), "version": version, "comment": "Bổ sung số liệu"})
    text = refused.get_data(as_text=True)
    assert "Hãy đánh dấu từng tài liệu cần bổ sung" in text
    assert "Bổ sung số liệu</textarea>" in text
    done = client.post(f"{path}/return", data={
        "csrf_token": csrf(client, path), "version": version,
        "missing": ["bao_cao_thanh_tich", "bien_ban_binh_xet"],
        "missing_other": "Số liệu quý IV", "comment": "Bổ sung số liệu"},
        follow_redirects=True)
    assert "Đã trả lại hồ sơ để bổ sung; thời hạn thẩm định tạm dừng." in \
        done.get_data(as_text=True)
    returned = wf.get(dossier.id)
    assert returned.state == "returned"
    assert returned.data["returns"][-1]["missing"] == [
        "bao_cao_thanh_tich", "bien_ban_binh_xet", "Số liệu quý IV"]

    auth.logout()
    auth.login("bca_officer")
    html = page(client, path)
    told = html.split("Cần bổ sung:")[1].split("</ul>")[0]
    assert "<li>Báo cáo thành tích</li>" in told
    assert "<li>Biên bản họp bình xét" in told
    assert "<li>Số liệu quý IV</li>" in told
    assert "Bổ sung số liệu" in html
    assert "tạm dừng" in html
    assert "09/01/2026" in html  # the clock's history, dates as people write them
    assert dt.date(2026, 1, 9).isoformat() not in html


# --- the API -----------------------------------------------------------------------------------


def bearer(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username],
                                    "test")
    return {"Authorization": f"Bearer {token}"}


def test_the_api_opens_the_winners_dossiers_once_for_the_leader_only(
    client: FlaskClient, bloc: Bloc
) -> None:
    session = minuted_vote(bloc)
    path = f"/api/v1/votes/{session.id}/dossiers"

    refused = client.post(path, json={}, headers=bearer(bloc, "bca_officer"))
    made = client.post(path, json={}, headers=bearer(bloc, "btp_head"))
    again = client.post(path, json={}, headers=bearer(bloc, "btp_head"))

    assert refused.status_code == 403
    assert made.status_code == 201
    [item] = made.get_json()["items"]
    assert (item["title"], item["unit_id"], item["state"]) == (NAME, bloc.units["bca"], "draft")
    assert again.status_code == 409
    assert bloc.wf.get(session.id).state == "locked"


def test_the_api_gives_the_appraisal_clock_paused_after_a_return(
    client: FlaskClient, bloc: Bloc
) -> None:
    session = minuted_vote(bloc)
    wf, folder, office = bloc.wf, bloc.services.settings.documents_dir, bloc.actor("vu_tdkt")
    [dossier] = dossier_page.open_after_vote(wf, session.id, bloc.leader, folder)
    wf.fire(dossier.id, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    for kind in ("to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"):
        dossiers.attach(wf, wf.get(dossier.id), bloc.leader, folder, kind, f"{kind}.pdf", PDF)
    wf.fire(dossier.id, "submit", bloc.leader)
    wf.fire(dossier.id, "receive", office)
    path = f"/api/v1/dossiers/{dossier.id}/clock"
    before = client.get(path, headers=bearer(bloc, "bca_officer")).get_json()
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier.id, "start_appraisal", office)
    bloc.clock.set(local("2026-01-09"))
    dossier_page.return_for_supplement(wf, dossier.id, office, ["bao_cao_thanh_tich"],
                                       "Bổ sung số liệu")

    clock = client.get(path, headers=bearer(bloc, "bca_officer")).get_json()

    assert (before["started"], before["used"], before["left"]) == (False, 0, 20)
    assert (clock["used"], clock["left"], clock["paused"], clock["running"]) == (4, 16, True,
                                                                                  False)
    assert clock["due"] is None
    assert clock["spans"] == [{"started": "2026-01-05", "stopped": "2026-01-09", "days": 4,
                               "stopped_by": "return"}]
    assert client.get(path).status_code == 401
