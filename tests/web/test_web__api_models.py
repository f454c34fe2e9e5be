"""Exemplary models through the JSON API: proposed from a report by the cluster's leader (a
missing field answered with its refusal), read with its version as the ETag, accepted and
spread through /v1/items/{id}/fire with If-Match, adopted by a unit, and listed with its
adoptions; a unit's own model without evidence is kept as a draft (409)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.year_support import Bloc, launch, mid_year, sign_all_pledges
from workflow.services import api_tokens

MODEL = {"name": "Một cửa liên thông điện tử", "field": "Cải cách hành chính",
         "description": "Tiếp nhận hồ sơ trực tuyến.", "results": "Giảm 40% thời gian.",
         "people": "Cục Hộ tịch"}


def bearer(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username],
                                    "test")
    return {"Authorization": f"Bearer {token}"}


def test_the_api_proposes_accepts_spreads_and_adopts_a_model(client: FlaskClient,
                                                             bloc: Bloc) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    report = bloc.child("report", "bca")
    leader = bearer(bloc, "btp_head")
    wrong = client.post(f"/api/v1/campaigns/{campaign.id}/models",
                        json={**MODEL, "results": "", "source_id": report.id}, headers=leader)
    assert wrong.status_code == 400
    other = bearer(bloc, "bqp_officer")
    assert client.post(f"/api/v1/campaigns/{campaign.id}/models",
                       json={**MODEL, "source_id": report.id}, headers=other).status_code == 403

    made = client.post(f"/api/v1/campaigns/{campaign.id}/models",
                       json={**MODEL, "source_id": report.id, "submit": True}, headers=leader)
    assert made.status_code == 201, made.json
    assert made.json is not None
    model = made.json
    assert model["unit"] == "Bộ Công an"
    assert model["title"] == "Điển hình “Một cửa liên thông điện tử” 2025 – Bộ Công an"
    assert model["state_label"] == "Chờ cụm, khối xem xét"
    assert model["source_kind"] == "report"
    assert made.headers["ETag"] == f'"{model["version"]}"'
    assert client.get(f"/api/v1/models/{model['id']}", headers=other).status_code == 403

    got = client.get(f"/api/v1/models/{model['id']}", headers=leader)
    accepted = client.post(f"/api/v1/items/{model['id']}/fire", json={"trigger": "accept"},
                           headers={**leader, "If-Match": got.headers["ETag"]})
    assert accepted.status_code == 200, accepted.json
    stale = client.post(f"/api/v1/items/{model['id']}/fire", json={
        "trigger": "spread", "payload": {"spreading": {"units": [bloc.units["bqp"]]}}},
        headers={**leader, "If-Match": got.headers["ETag"]})
    assert stale.status_code == 412
    spread = client.post(f"/api/v1/items/{model['id']}/fire", json={
        "trigger": "spread", "version": accepted.json["version"] if accepted.json else 0,
        "payload": {"spreading": {"units": [bloc.units["bqp"], bloc.units["tandtc"]],
                                  "clusters": [], "sector": False, "note": "Quý IV"}}},
        headers=leader)
    assert spread.status_code == 200, spread.json

    listed = client.get(f"/api/v1/campaigns/{campaign.id}/models", headers=other)
    assert listed.status_code == 200
    assert listed.json is not None
    [seen] = listed.json["items"]  # accepted: every member reads it
    assert [a["unit"] for a in seen["adoptions"]] == ["Bộ Quốc phòng", "Tòa án nhân dân tối cao"]
    assert seen["spreadings"][0]["note"] == "Quý IV"
    adoption = seen["adoptions"][0]
    adopted = client.post(f"/api/v1/items/{adoption['id']}/fire", json={
        "trigger": "adopt", "version": adoption["version"],
        "payload": {"adoption": {"date": "2025-07-01", "how": "Ban hành kế hoạch"}}},
        headers=other)
    assert adopted.status_code == 200, adopted.json
    again = client.get(f"/api/v1/models/{model['id']}", headers=leader)
    assert again.json is not None
    assert again.json["adoptions"][0]["state_label"] == "Đã áp dụng"
    assert again.json["adoptions"][0]["how"] == "Ban hành kế hoạch"


def test_a_units_own_model_without_evidence_is_kept_as_a_draft(client: FlaskClient,
                                                                 bloc: Bloc) -> None:
    campaign = launch(bloc)
    officer = bearer(bloc, "bqp_officer")
    kept = client.post(f"/api/v1/campaigns/{campaign.id}/models",
                       json={**MODEL, "unit_id": bloc.units["bqp"], "submit": True},
                       headers=officer)
    assert kept.status_code == 409
    assert kept.json is not None
    assert kept.json["error"]["refusals"]["submit"]["code"] == "model_evidence_missing"
    listed = client.get(f"/api/v1/campaigns/{campaign.id}/models", headers=officer)
    assert listed.json is not None
    assert [m["state"] for m in listed.json["items"]] == ["draft"]
