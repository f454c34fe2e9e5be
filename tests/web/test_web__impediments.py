"""Impediments to an award in the browser (Decree 152/2025 art. 4(4)), in Vietnamese: the council
office records a complaint against the nominee from the dossier's page, the page warns and
disables the proposal saying why, a refused form keeps what was typed, the closure is recorded
and both steps read in the dossier's history; the unit's page lists them; the API lists, records
and closes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import Snapshots
from tests.integration.test_dossier import cluster_vote, council_bloc
from tests.integration.test_dossier__impediments import with_the_authority
from tests.web.conftest import AuthActions, csrf
from tests.web.test_web__admin_rules import page as rules_page
from tests.web.test_web__dossiers import page
from tests.year_support import Bloc
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.engine.instance import Instance
from workflow.services import api_tokens, dossiers, people
from workflow.services import impediments as imps


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    return council_bloc(services, clock, snapshots)


def drafted(bloc: Bloc) -> Instance:
    folder = bloc.services.settings.documents_dir
    session = cluster_vote(bloc, folder)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    return dossier


def test_the_office_records_a_complaint_and_the_dossier_page_warns_and_explains(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    dossier = drafted(bloc)
    path = f"/dossiers/{dossier.id}"
    auth.login("vu_tdkt")
    html = page(client, path)
    assert "Vướng mắc, căn cứ chưa xét khen thưởng" in html
    assert "Chưa ghi nhận vướng mắc nào." in html
    assert "Nghị định 152/2025/NĐ-CP, Điều 4 khoản 4" in html

    # a date that is not one: said above the form, which keeps what was typed
    refused = client.post(f"{path}/impediments", data={
        "csrf_token": csrf(client, path), "kind": "complaint", "reference": "Đơn tố cáo 15/ĐTC",
        "start": "32/12/2025", "note": "Tố cáo về số liệu"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "32/12/2025 không phải là ngày; hãy viết theo dạng dd/mm/yyyy." in text
    assert 'value="Đơn tố cáo 15/ĐTC"' in text
    assert "Tố cáo về số liệu</textarea>" in text
    assert '<option value="complaint" selected>' in text

    done = client.post(f"{path}/impediments", data={
        "csrf_token": csrf(client, path), "kind": "complaint", "reference": "Đơn tố cáo 15/ĐTC",
        "reference_date": "28/11/2025", "start": "01/12/2025", "note": "Tố cáo về số liệu"},
        follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Đã ghi nhận vướng mắc; lịch sử hồ sơ đã ghi lại." in html
    assert "Đang có vướng mắc khen thưởng" in html
    assert "đơn thư khiếu nại, tố cáo chưa được giải quyết · Đơn tố cáo 15/ĐTC · từ ngày " \
           "01/12/2025" in html
    assert "ngày 28/11/2025" in html
    assert "đang có hiệu lực: chưa xét khen thưởng" in html
    assert "Ghi nhận vướng mắc khen thưởng: đơn thư khiếu nại, tố cáo chưa được giải quyết " \
           "(Đơn tố cáo 15/ĐTC), từ ngày 01/12/2025 đến khi giải quyết xong" in html
    assert "2025-12-01" not in html

    # the leader sees the proposal disabled, with the reason and what to do
    auth.logout()
    auth.login("btp_head")
    html = page(client, path)
    assert "Bộ Công an: đơn thư khiếu nại, tố cáo chưa được giải quyết từ ngày 01/12/2025 " \
           "(Đơn tố cáo 15/ĐTC)" in html
    assert "hãy ghi nhận việc kết thúc (ngày, kết quả, văn bản)" in html


def test_the_closure_is_recorded_from_the_dossier_page_and_the_proposal_goes_on(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    dossier = drafted(bloc)
    found = imps.record(bloc.wf, bloc.actor("vu_tdkt"), unit_id=bloc.units["bca"],
                        kind="investigation", reference="QĐ thanh tra 21/QĐ-TTCP",
                        start=dt.date(2025, 12, 1), until=None)
    path = f"/dossiers/{dossier.id}"
    auth.login("btp_head")  # the leader keeps the impediments of the bloc's members
    close = f"{path}/impediments/{found.id}/close"
    early = client.post(close, data={
        "csrf_token": csrf(client, path), "closed_on": "30/11/2025", "outcome": "no_violation",
        "closure_reference": "Kết luận 7/KL-TTCP"})
    text = early.get_data(as_text=True)
    assert "không thể kết thúc ngày 30/11/2025, trước ngày bắt đầu 01/12/2025" in text.lower()
    assert 'value="Kết luận 7/KL-TTCP"' in text

    done = client.post(close, data={
        "csrf_token": csrf(client, path), "closed_on": "10/12/2025", "outcome": "no_violation",
        "closure_reference": "Kết luận 7/KL-TTCP"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Đã ghi nhận việc kết thúc vướng mắc; lịch sử hồ sơ đã ghi lại." in html
    assert "Đang có vướng mắc khen thưởng" not in html
    assert "Kết thúc ngày 10/12/2025: kết luận không có sai phạm (Kết luận 7/KL-TTCP)" in html
    assert "Kết thúc vướng mắc khen thưởng ngày 10/12/2025" in html  # the history
    fired = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "post", "version": dossier.version + 2})
    assert fired.status_code == 302
    assert bloc.wf.get(dossier.id).state == "posting"


def test_the_units_page_lists_its_impediments_for_the_unit_and_refuses_others(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    bca = bloc.units["bca"]
    imps.record(bloc.wf, bloc.actor("vu_tdkt"), unit_id=bca, kind="discipline",
                reference="Quyết định 3/QĐ-KL", start=dt.date(2025, 11, 1),
                until=dt.date(2026, 4, 30), note="Khiển trách")
    auth.login("bca_head")
    html = page(client, f"/units/{bca}/impediments")
    assert "<h1>Vướng mắc khen thưởng: Bộ Công an</h1>" in html
    assert "Hôm nay có 1 vướng mắc đang có hiệu lực" in html
    assert "kỷ luật, đang xem xét thi hành kỷ luật" in html
    assert "30/04/2026" in html
    assert "Ghi nhận vướng mắc</summary>" not in html  # the unit reads, it does not record
    auth.logout()
    auth.login("bqp_head")
    assert client.get(f"/units/{bca}/impediments").status_code == 403


def test_the_api_records_lists_and_closes_an_impediment(
    client: FlaskClient, bloc: Bloc
) -> None:
    uow = bloc.services.uow()
    office = {"Authorization": "Bearer " + api_tokens.create_token(
        uow, bloc.clock, bloc.users["vu_tdkt"], "thử")}
    head = {"Authorization": "Bearer " + api_tokens.create_token(
        uow, bloc.clock, bloc.users["bca_head"], "thử")}
    bca = bloc.units["bca"]
    made = client.post("/api/v1/impediments", headers=office, json={
        "unit_id": bca, "kind": "complaint", "reference": "Đơn 15/ĐTC",
        "start": "2025-12-01"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["kind"], body["until"], body["recorded_by"]) == ("complaint", None, "vu_tdkt")
    assert body["kind_label"] == "đơn thư khiếu nại, tố cáo chưa được giải quyết"

    refused = client.post("/api/v1/impediments", headers=head, json={
        "unit_id": bca, "kind": "complaint", "reference": "Đơn 16", "start": "2025-12-01"})
    assert refused.status_code == 403
    neither = client.post("/api/v1/impediments", headers=office, json={
        "kind": "complaint", "reference": "Đơn 16", "start": "2025-12-01"})
    # OpenAPI 3.0 cannot say "one of unit_id and user_id": the document allows it, so the
    # refusal is a 409 like every refusal of well-formed data
    assert neither.status_code == 409
    assert "unit_id or user_id" in neither.get_json()["error"]["message"]
    backwards = client.post("/api/v1/impediments", headers=office, json={
        "unit_id": bca, "kind": "discipline", "reference": "QĐ 1", "start": "2025-12-01",
        "until": "2025-11-01"})
    assert backwards.status_code == 400
    assert backwards.get_json()["error"]["message"] == (
        "the last day, 2025-11-01, is before the first, 2025-12-01")

    listed = client.get(f"/api/v1/impediments?unit_id={bca}&status=active", headers=head)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.get_json()["items"]] == [body["id"]]
    assert client.get(f"/api/v1/impediments/{body['id']}", headers=head).status_code == 200

    closed = client.post(f"/api/v1/impediments/{body['id']}/close", headers=office, json={
        "closed_on": "2025-12-10", "outcome": "withdrawn", "reference": "Thông báo 2/TB"})
    assert closed.status_code == 200, closed.get_json()
    assert (closed.get_json()["closed_on"], closed.get_json()["outcome"]) == (
        "2025-12-10", "withdrawn")
    again = client.post(f"/api/v1/impediments/{body['id']}/close", headers=office, json={
        "closed_on": "2025-12-11", "outcome": "withdrawn", "reference": "Thông báo 3/TB"})
    assert again.status_code == 400
    assert again.get_json()["error"]["message"] == (
        "this impediment was closed on 2025-12-10 already")
    assert client.get("/api/v1/impediments/999999", headers=office).status_code == 404


def test_the_openapi_document_describes_the_impediments(client: FlaskClient, bloc: Bloc) -> None:
    document = client.get("/api/openapi.json").get_json()
    paths = document["paths"]
    assert {"/api/v1/impediments", "/api/v1/impediments/{impediment_id}",
            "/api/v1/impediments/{impediment_id}/close"} <= set(paths)
    schemas = document["components"]["schemas"]
    assert {"Impediment", "ImpedimentPage"} <= set(schemas)


def test_a_discipline_after_the_council_warns_the_head_and_refuses_the_award(
    client: FlaskClient, auth: AuthActions, bloc: Bloc, tmp_path: Path
) -> None:
    """A dossier already with the deciding head when a discipline is recorded: its decision
    page warns, and approving it is refused in Vietnamese with what to do."""
    dossier = with_the_authority(bloc, tmp_path)
    bloc.wf.fire(dossier.id, "council_done", bloc.actor("vu_tdkt"))
    imps.record(bloc.wf, bloc.actor("vu_tdkt"), unit_id=bloc.units["bca"], kind="discipline",
                reference="Quyết định 3/QĐ-KL", start=dt.date(2026, 1, 5),
                until=dt.date(2026, 7, 4))
    auth.login("thu_tuong")
    path = f"/dossiers/{dossier.id}/decision"
    html = page(client, path)
    assert "Đang có vướng mắc khen thưởng" in html
    assert "Quyết định 3/QĐ-KL · từ ngày 05/01/2026 · đến ngày 04/07/2026" in html

    refused = client.post(path, data={
        "csrf_token": csrf(client, path), "outcome": "approved", "reasons": "Dẫn đầu",
        "number": "9/QĐ-TTg", "date": "2026-01-07", "signer": "Nguyễn Văn A",
        "version": str(bloc.wf.get(dossier.id).version)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Bộ Công an: kỷ luật, đang xem xét thi hành kỷ luật từ ngày 05/01/2026 đến ngày " \
           "04/07/2026 (Quyết định 3/QĐ-KL)" in text
    assert "hãy chờ hết thời hạn, hoặc ghi nhận việc kết thúc (ngày, kết quả, văn bản)" in text
    assert bloc.wf.get(dossier.id).state == "with_authority"


def test_the_rules_page_names_the_impediments_and_their_clause(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị viên")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    auth.login("quan_tri")

    second = rules_page(client.get("/admin/rules?page=2"))  # the rules of 01/7/2025

    assert ("Trường hợp chưa khen thưởng (kỷ luật, điều tra, khiếu nại, tố cáo) kỷ luật, đang "
            "xem xét thi hành kỷ luật; đang bị điều tra, thanh tra, kiểm tra; đơn thư khiếu "
            "nại, tố cáo chưa được giải quyết; vấn đề tham nhũng, tiêu cực được báo chí nêu "
            "đang được xác minh") in second
    assert "Nghị định 152/2025/NĐ-CP, Điều 4 khoản 4" in second
