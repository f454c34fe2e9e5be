"""The campaign API as a client uses it: create a cluster's campaign (every problem named by
its field, with its catalogue code), list the cluster's campaigns, launch the draft."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of
from tests.year_support import DATES, Bloc

BODY: dict[str, Any] = {"theme": "Đoàn kết, sáng tạo", "kind": "regular",
                        "criteria_table": "khoi_noi_chinh", "dates": DATES}
TITLE = "Phong trào thi đua 2025 – Khối thi đua các bộ, ngành Nội chính Trung ương"


def test_the_office_creates_lists_and_launches_a_campaign(client: FlaskClient,
                                                         bloc: Bloc) -> None:
    office = bearer(bloc, "vu_tdkt")

    created = client.post("/api/v1/campaigns", json={**BODY, "cluster_id": bloc.cluster},
                          headers=office)
    campaign = created.get_json()
    listed = client.get(f"/api/v1/clusters/{bloc.cluster}/campaigns",
                        headers=bearer(bloc, "bca_officer")).get_json()
    launched = client.post(f"/api/v1/campaigns/{campaign['id']}/launch",
                           json={"version": 1}, headers=office)

    assert created.status_code == 201, created.get_data(as_text=True)
    assert campaign == {
        "id": campaign["id"], "cluster_id": bloc.cluster, "year": 2025, "title": TITLE,
        "kind": "regular", "theme": "Đoàn kết, sáng tạo", "state": "draft",
        "state_label": "Dự thảo", "status": "active", "criteria_table": "khoi_noi_chinh"}
    assert [c["title"] for c in listed["items"]] == [TITLE]
    assert launched.status_code == 200, launched.get_data(as_text=True)
    assert launched.get_json()["state"] == "pledging"
    assert len(bloc.wf.children(campaign["id"])) == 8


def test_a_refused_plan_names_each_field_with_its_code(client: FlaskClient, bloc: Bloc) -> None:
    body = {**BODY, "cluster_id": bloc.cluster, "theme": " ", "criteria_table": "khong_co",
            "dates": {**DATES, "inspection_end": "2025-02-01", "scoring_deadline": "12/10/2025"}}

    error = error_of(client.post("/api/v1/campaigns", json=body,
                                 headers=bearer(bloc, "vu_tdkt")), 400)

    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {"theme", "criteria_table", "inspection_end",
                                    "scoring_deadline"}
    assert error["refusals"]["theme"] == {"code": "campaign_theme_missing", "params": {}}
    assert error["refusals"]["inspection_end"]["code"] == "campaign_dates_order"
    assert error["refusals"]["scoring_deadline"]["code"] == "campaign_date_invalid"
    assert error["fields"]["criteria_table"] == ["no published criteria table khong_co"]


def test_a_missing_date_is_a_schema_error(client: FlaskClient, bloc: Bloc) -> None:
    dates = {k: v for k, v in DATES.items() if k != "pledge_deadline"}

    error = error_of(client.post("/api/v1/campaigns", json={
        **BODY, "cluster_id": bloc.cluster, "dates": dates}, headers=bearer(bloc, "vu_tdkt")), 400)

    assert "pledge_deadline" in error["fields"]["dates"]


def test_a_second_regular_campaign_and_a_stranger_are_refused(client: FlaskClient,
                                                             bloc: Bloc) -> None:
    office = bearer(bloc, "vu_tdkt")
    body = {**BODY, "cluster_id": bloc.cluster}
    client.post("/api/v1/campaigns", json=body, headers=office)

    again = error_of(client.post("/api/v1/campaigns", json=body, headers=office), 409)
    stranger = error_of(client.post("/api/v1/campaigns", json=body,
                                    headers=bearer(bloc, "bca_officer")), 403)
    nowhere = error_of(client.post("/api/v1/campaigns", json={**body, "cluster_id": 99999},
                                   headers=office), 404)

    assert again["refusals"]["cluster"]["code"] == "campaign_exists"
    assert stranger["code"] == "permission_denied"
    assert nowhere["code"] == "not_found"


def test_the_openapi_document_lists_the_campaign_operations() -> None:
    from web.api import openapi_document

    doc = openapi_document()
    create = doc["paths"]["/api/v1/campaigns"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    listed = doc["paths"]["/api/v1/clusters/{cluster_id}/campaigns"]["get"]

    assert set(body["required"]) == {"cluster_id", "theme", "criteria_table", "dates"}
    assert set(body["properties"]["dates"]["required"]) == set(DATES)
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Campaign"}
    assert set(create["responses"]) >= {"400", "403", "default"}
    assert listed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CampaignList"}
    assert "/api/v1/campaigns/{campaign_id}/launch" in doc["paths"]
