"""The council's counting committee in the browser and through the API: the council office
ticks council people as the committee when it schedules the meeting; they are told to collect
their shares; someone outside the council, or a threshold beyond those ticked, is refused in
Vietnamese with what was typed kept."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.integration.test_council import dossier_at_council
from tests.integration.test_dossier import bloc
from tests.web.conftest import AuthActions, csrf
from tests.web.test_web__api import bearer, error_of
from tests.web.test_web__council import _messages, page
from tests.year_support import Bloc

__all__ = ["bloc"]  # the integration tests' bloc at year end, with its council


def test_the_office_names_the_councils_counting_committee_in_the_page(
    bloc: Bloc, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    dossier = dossier_at_council(bloc, bloc.services.settings.documents_dir)
    auth.login("vu_tdkt")
    text = page(client, "/council/2025")
    assert "Ban kiểm phiếu" in text
    assert f'name="committee" value="{bloc.users["hd_0"]}"' in text
    token = csrf(client, "/council/2025")
    form = {"csrf_token": token, "dossier": str(dossier.id), "date": "2026-01-20",
            "time": "08:30", "place": "Nhà Quốc hội"}

    too_many = client.post("/council/2025/schedule", data={
        **form, "committee": [str(bloc.users["hd_0"]), str(bloc.users["hd_1"])],
        "threshold": "3"})
    body = too_many.get_data(as_text=True)
    assert "Từ 2 đến 2 thành viên" in body
    assert 'value="Nhà Quốc hội"' in body  # what was typed is kept
    assert f'value="{bloc.users["hd_1"]}" checked' in body
    stranger = client.post("/council/2025/schedule", data={
        **form, "committee": [str(bloc.users["hd_0"]), str(bloc.users["bca_head"])],
        "threshold": "2"})
    assert "Ban kiểm phiếu được chọn trong số những người của Hội đồng" in \
        stranger.get_data(as_text=True)
    assert not [m for m in _messages(bloc, bloc.users["hd_0"]) if "mảnh khóa" in m]

    done = client.post("/council/2025/schedule", data={
        **form, "committee": [str(bloc.users[n]) for n in ("hd_0", "hd_1", "hd_2")],
        "threshold": "2"})
    assert done.status_code == 302
    session_id = int(done.headers["Location"].rsplit("/", 1)[1])
    assert bloc.wf.get(session_id).data["committee"] == {
        "members": sorted(bloc.users[n] for n in ("hd_0", "hd_1", "hd_2")), "threshold": 2}
    assert [m for m in _messages(bloc, bloc.users["hd_1"]) if "mảnh khóa" in m]
    assert not [m for m in _messages(bloc, bloc.users["hd_5"]) if "mảnh khóa" in m]


def test_the_api_schedules_a_council_session_with_its_committee(
    client: FlaskClient, bloc: Bloc, auth: AuthActions
) -> None:
    dossier = dossier_at_council(bloc, bloc.services.settings.documents_dir)
    office = bearer(bloc, "vu_tdkt")
    body = {"dossier_ids": [dossier.id],
            "meeting": {"date": "2026-01-20", "time": "08:30", "place": "Nhà Quốc hội"}}
    stranger = error_of(client.post("/api/v1/council/2025/sessions", json={
        **body, "committee": {"members": [bloc.users["hd_0"], bloc.users["bca_head"]],
                              "threshold": 2}}, headers=office), 409)
    made = client.post("/api/v1/council/2025/sessions", json={
        **body, "committee": {"members": [bloc.users["hd_0"], bloc.users["hd_1"]],
                              "threshold": 2}}, headers=office)

    assert "committee" in stranger["message"]
    assert made.status_code == 201
    assert made.get_json()["committee"] == {
        "members": [bloc.users["hd_0"], bloc.users["hd_1"]], "threshold": 2}
