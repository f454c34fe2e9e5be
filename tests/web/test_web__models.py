"""Exemplary models in the browser (HTTP level): the cluster's leader proposes one from a unit's
report page, the form kept when a field is missing; returned and resubmitted by the unit;
accepted; presented at a conference; spread to two units that record their adoption and
results; found on the campaign page, the public page and as the evidence of the criterion about
exemplary models in the unit's score sheet."""

from __future__ import annotations

import html as htmllib
import re
from io import BytesIO

from flask.testing import FlaskClient

from tests.integration.test_dossier import cluster_vote
from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    PDF,
    Bloc,
    at,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
    walk_to_year_end,
)
from workflow.services import dossiers
from workflow.services import exemplary_models as models


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return htmllib.unescape(response.get_data(as_text=True))


def _version(html: str, action: str = "") -> str:
    at_form = html.index(action) if action else 0
    found = re.search(r'name="version" value="(\d+)"', html[at_form:])
    assert found
    return found.group(1)


MODEL = {"name": "Một cửa liên thông điện tử trong công tác hộ tịch",
         "field": "Cải cách hành chính",
         "description": "Tiếp nhận và trả kết quả hộ tịch trực tuyến, liên thông ba cấp.",
         "results": "Giảm 40% thời gian giải quyết hồ sơ.",
         "people": "Cục Hộ tịch"}


def _year(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)


def _propose_from_report(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> str:
    auth.login("btp_head")
    report = bloc.child("report", "bca")
    html = page(client, f"/reports/{report.id}")
    assert "Đề xuất điển hình từ báo cáo này" in html
    link = re.search(r'href="([^"]*/models\?source=\d+[^"]*)"', html)
    assert link
    form = page(client, link.group(1))
    assert "Đề xuất điển hình phát hiện qua Báo cáo sơ kết 2025 – Bộ Công an" in form
    assert bloc.campaign is not None
    token = csrf(client, link.group(1))
    missing = client.post(f"/campaigns/{bloc.campaign.id}/models", data={
        **MODEL, "results": "", "source_id": str(report.id), "submit": "1",
        "csrf_token": token})
    body = htmllib.unescape(missing.get_data(as_text=True))
    assert missing.status_code == 422
    assert "Hãy mô tả kết quả mô hình đã mang lại" in body
    assert MODEL["description"] in body  # what was typed is kept
    made = client.post(f"/campaigns/{bloc.campaign.id}/models", data={
        **MODEL, "source_id": str(report.id), "submit": "1", "csrf_token": token})
    assert made.status_code == 302
    return str(made.headers["Location"])


def test_a_model_from_a_report_is_reviewed_presented_and_spread(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    _year(bloc)
    path = _propose_from_report(client, auth, bloc)
    html = page(client, path)
    assert "Điển hình “Một cửa liên thông điện tử trong công tác hộ tịch” 2025 – Bộ Công an" \
        in html
    assert "Chờ cụm, khối xem xét" in html
    assert "Báo cáo sơ kết 2025 – Bộ Công an" in html  # where it was found
    token = csrf(client, path)
    client.post(f"{path}/fire", data={"trigger": "return", "version": _version(html),
                                      "comment": "Bổ sung số liệu", "csrf_token": token})

    auth.login("bca_officer")
    inbox = page(client, "/")
    assert "Điển hình “Một cửa liên thông" in inbox
    html = page(client, path)
    assert "Bổ sung số liệu" in html
    token = csrf(client, path)
    edited = client.post(f"{path}/edit", data={
        **MODEL, "results": "Giảm 40% thời gian; 12.000 hồ sơ trực tuyến.",
        "version": _version(html, "/edit"), "csrf_token": token})
    assert edited.status_code == 302
    html = page(client, path)
    client.post(f"{path}/fire", data={"trigger": "resubmit", "version": _version(html),
                                      "csrf_token": token})
    assert "Công nhận điển hình" not in page(client, path)  # the unit does not review it

    auth.login("btp_head")
    html = page(client, path)
    token = csrf(client, path)
    client.post(f"{path}/fire", data={"trigger": "accept", "version": _version(html),
                                      "csrf_token": token})
    assert bloc.campaign is not None
    conference = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster,
                               year=2025, parent_id=bloc.campaign.id)
    bloc.wf.fire(conference, "revise_plan", bloc.leader, {"plan": {
        "kind": "six_month", "topic": "", "date": "2025-07-20", "time": "08:30",
        "place": "Hà Nội", "host_unit_id": bloc.units["btp"],
        "agenda": [{"title": "Sơ kết", "presenter": ""}]}})
    html = page(client, path)
    assert "Đã công nhận" in html
    assert "Hội nghị sơ kết 6 tháng 2025" in html
    presented = client.post(f"{path}/present", data={
        "conference_id": str(conference.id), "presenter": "Đại diện Bộ Công an",
        "version": _version(html, "/present"), "csrf_token": token})
    assert presented.status_code == 302
    html = page(client, path)
    assert "Đại diện Bộ Công an" in html
    assert f"/conferences/{conference.id}" in html
    none = client.post(f"{path}/spread", data={"version": _version(html, "/spread"),
                                               "note": "Quý IV", "csrf_token": token})
    assert none.status_code == 422
    assert "Hãy chọn ít nhất một đơn vị" in htmllib.unescape(none.get_data(as_text=True))
    spread = client.post(f"{path}/spread", data={
        "units": [str(bloc.units["bqp"]), str(bloc.units["tandtc"])], "sector": "1",
        "note": "Áp dụng trong quý IV", "version": _version(html, "/spread"),
        "csrf_token": token})
    assert spread.status_code == 302
    html = page(client, path)
    assert "Đang nhân rộng" in html
    assert "cho 2 đơn vị trong cụm, khối; toàn ngành – Áp dụng trong quý IV" in html
    assert "Bộ Quốc phòng" in html

    model_id = int(path.rsplit("/", 1)[1])
    adoptions = models.adoptions_of(bloc.wf, bloc.wf.get(model_id))
    bloc.clock.set(at("2025-08-20"))
    for code, adoption in zip(("bqp", "tandtc"), adoptions, strict=True):
        auth.login(f"{code}_officer")
        assert "Áp dụng mô hình “Một cửa liên thông" in page(client, "/")
        where = f"/adoptions/{adoption.id}"
        html = page(client, where)
        assert "Được đề xuất áp dụng" in html
        token = csrf(client, where)
        late = client.post(f"{where}/adopt", data={
            "date": "01/09/2025", "how": "Ban hành kế hoạch", "csrf_token": token,
            "version": _version(html, "/adopt")})
        assert late.status_code == 422
        assert 'value="01/09/2025"' in late.get_data(as_text=True)
        done = client.post(f"{where}/adopt", data={
            "date": "15/08/2025", "how": f"Ban hành kế hoạch áp dụng tại {code.upper()}",
            "csrf_token": token, "version": _version(html, "/adopt")})
        assert done.status_code == 302
        html = page(client, where)
        assert "15/08/2025" in html
        client.post(f"{where}/results", data={
            "results": "Rút ngắn 30% thời gian", "csrf_token": token,
            "version": _version(html, "/results")})
        assert "Đã báo cáo kết quả" in page(client, where)
        assert "Rút ngắn 30% thời gian" in page(client, path)  # the model's page, as a member

    auth.logout()
    public = page(client, "/public")
    assert "Điển hình tiên tiến, mô hình hay" in public
    assert MODEL["name"] in public
    assert "Bộ Quốc phòng, Tòa án nhân dân tối cao" in public
    assert "Đề xuất nhân rộng toàn ngành" in public


def test_an_accepted_model_is_evidence_in_the_units_score_sheet(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    _year(bloc)
    path = _propose_from_report(client, auth, bloc)
    html = page(client, path)
    token = csrf(client, path)
    client.post(f"{path}/fire", data={"trigger": "accept", "version": _version(html),
                                      "csrf_token": token})
    assert bloc.campaign is not None
    campaign = page(client, f"/campaigns/{bloc.campaign.id}")
    assert "Điển hình tiên tiến" in campaign
    assert MODEL["name"] in campaign

    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    auth.login("bca_officer")
    sheet = bloc.child("score_sheet", "bca")
    html = page(client, f"/score-sheets/{sheet.id}")
    assert MODEL["name"] in html
    assert "(điển hình tiên tiến đã được công nhận)" in html
    other = page(client, f"/score-sheets/{bloc.child('score_sheet', 'bca').id}")
    assert "Chưa có minh chứng" not in other.split(MODEL["name"])[1].split("</td>")[0]
    token = csrf(client, f"/score-sheets/{sheet.id}")
    forged = client.post(f"/score-sheets/{sheet.id}/evidence", data={
        "csrf_token": token, "criterion": "dien_hinh_tien_tien",
        "kind-dien_hinh_tien_tien": "exemplary_model",
        "file-dien_hinh_tien_tien": (BytesIO(PDF), "mo-hinh.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Hãy chọn loại minh chứng" in htmllib.unescape(forged.get_data(as_text=True))
    assert "mo-hinh.pdf" not in page(client, f"/score-sheets/{sheet.id}")


def test_a_unit_proposes_its_own_model_and_attaches_evidence(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    _year(bloc)
    assert bloc.campaign is not None
    auth.login("bqp_officer")
    where = f"/campaigns/{bloc.campaign.id}/models"
    html = page(client, where)
    assert "Đề xuất điển hình tiên tiến" in html
    assert "Bộ Công an" not in html  # only its own unit is offered
    token = csrf(client, where)
    made = client.post(where, data={**MODEL, "unit_id": str(bloc.units["bqp"]), "submit": "1",
                                    "csrf_token": token})
    path = made.headers["Location"]
    html = page(client, path)
    assert "Hãy tải lên tài liệu minh chứng" in html  # kept as a draft: it lacks evidence
    assert "Đang soạn" in html
    uploaded = client.post(f"{path}/evidence", data={
        "file": (BytesIO(PDF), "ket-qua.pdf"), "csrf_token": token},
        content_type="multipart/form-data")
    assert uploaded.status_code == 302
    html = page(client, path)
    assert "ket-qua.pdf" in html
    client.post(f"{path}/fire", data={"trigger": "submit", "version": _version(html),
                                      "csrf_token": token})
    assert "Chờ cụm, khối xem xét" in page(client, path)
    doc = re.search(r'href="(/models/\d+/documents/\d+)"', html)
    assert doc
    assert client.get(doc.group(1)).status_code == 200

    auth.login("bca_officer")  # another member: not before it is accepted
    assert client.get(path).status_code == 403
    assert client.get(doc.group(1)).status_code == 403


def test_a_dossier_cites_the_nominees_models_in_an_annex(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    report = bloc.child("report", "bca")
    assert bloc.campaign is not None
    made = models.propose(bloc.wf, bloc.leader, bloc.campaign, bloc.units["bca"], MODEL,
                          source=report, submit=True)
    bloc.wf.fire(made, "accept", bloc.leader)
    session = cluster_vote(bloc, bloc.services.settings.documents_dir)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader,
                                       bloc.services.settings.documents_dir)
    auth.login("btp_head")
    path = f"/dossiers/{dossier.id}"
    html = page(client, path)
    assert "Điển hình tiên tiến của đơn vị" in html
    assert MODEL["name"] in html
    token = csrf(client, path)
    cited = client.post(f"{path}/exemplary-models", data={"csrf_token": token})
    assert cited.status_code == 302
    html = page(client, path)
    assert "Đã lập và đính kèm phụ lục điển hình tiên tiến" in html
    assert "phu-luc-dien-hinh_" in html
    assert "phụ lục điển hình tiên tiến" in html  # the kind, in words

    auth.login("bqp_officer")  # not the nominee's: neither the annex nor the dossier
    token = csrf(client, "/")
    assert client.post(f"{path}/exemplary-models",
                       data={"csrf_token": token}).status_code == 403
