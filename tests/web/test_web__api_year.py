"""A campaign's year through the API: its items by kind, state and unit (paged), its criteria
table, the ranking, the proposed inspection plan, and each item's documents listed and
downloaded, with the refusals of the access policy."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of
from tests.year_support import (
    MEMBERS,
    PDF,
    Bloc,
    launch,
    mid_year,
    sign_all_pledges,
    walk_to_year_end,
)
from workflow.services import people


def outsider(bloc: Bloc) -> dict[str, str]:
    bloc.users["ngoai"] = people.create_user(bloc.services.uow(), "ngoai", "Người ngoài")
    return bearer(bloc, "ngoai")


def test_a_campaigns_items_by_kind_state_and_unit(client: FlaskClient, bloc: Bloc) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    leader = bearer(bloc, "btp_head")
    url = f"/api/v1/campaigns/{campaign.id}/items"

    signed = client.get(f"{url}?workflow=pledge&state=signed&per_page=3",
                        headers=leader).get_json()
    mine = client.get(f"{url}?workflow=pledge", headers=bearer(bloc, "bca_officer")).get_json()
    bca = client.get(f"{url}?workflow=pledge&unit_id={bloc.units['bca']}",
                     headers=leader).get_json()

    assert (signed["total"], len(signed["items"]), signed["per_page"]) == (len(MEMBERS), 3, 3)
    assert signed["items"][0]["state_label"] == "Đã ký"
    assert [i["title"] for i in mine["items"]] == ["Giao ước thi đua 2025 – Bộ Công an"]
    assert mine["items"][0]["unit"] == "Bộ Công an"  # a unit sees its own pledge only
    assert [i["unit"] for i in bca["items"]] == ["Bộ Công an"]
    assert error_of(client.get(url, headers=outsider(bloc)), 403)["message"]
    assert "workflow" in error_of(client.get(f"{url}?workflow=campaign", headers=leader),
                                  400)["fields"]


def test_the_criteria_table_tells_a_client_what_to_pledge_and_score(client: FlaskClient,
                                                                   bloc: Bloc) -> None:
    campaign = launch(bloc)

    table = client.get(f"/api/v1/campaigns/{campaign.id}/criteria",
                       headers=bearer(bloc, "bca_officer")).get_json()

    assert table["code"] == "khoi_noi_chinh"
    assert {c["code"] for c in table["criteria"] if c["target_required"]} == {
        c.code for c in bloc.table.targets_required()}
    assert any(c["evidence"] for c in table["criteria"])


def test_the_ranking_and_the_documents_of_a_year(client: FlaskClient, bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    assert bloc.campaign is not None
    leader = bearer(bloc, "btp_head")
    ranking = client.get(f"/api/v1/campaigns/{bloc.campaign.id}/ranking",
                         headers=leader).get_json()
    pledge = bloc.child("pledge", "bca")
    listed = client.get(f"/api/v1/items/{pledge.id}/documents?kind=signed_pledge",
                        headers=bearer(bloc, "bca_officer")).get_json()
    [doc] = listed["items"]
    download = client.get(doc["url"], headers=bearer(bloc, "bca_officer"))

    assert len(ranking["standings"]) == len(MEMBERS)
    assert ranking["standings"][0]["rank"] == 1
    assert ranking["pending_units"] == []
    assert (doc["kind"], doc["content_type"], doc["uploaded_by"]) == (
        "signed_pledge", "application/pdf", "bca_head")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.get_data() == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    other = bearer(bloc, "bqp_officer")
    assert error_of(client.get(doc["url"], headers=other), 403)["message"]
    assert error_of(client.get(f"/api/v1/items/{pledge.id}/documents/999999",
                               headers=leader), 404)["message"] == (
        f"no document 999999 on item {pledge.id}")


def test_the_inspection_plan_is_proposed_to_the_leader_at_mid_year(client: FlaskClient,
                                                                  bloc: Bloc) -> None:
    campaign = launch(bloc)
    url = f"/api/v1/campaigns/{campaign.id}/inspection-plan"
    early = error_of(client.get(url, headers=bearer(bloc, "btp_head")), 409)
    sign_all_pledges(bloc)
    mid_year(bloc)

    plan = client.get(url, headers=bearer(bloc, "btp_head")).get_json()
    officer = error_of(client.get(url, headers=bearer(bloc, "bca_officer")), 403)

    assert "mid-year review" in early["message"]
    assert len(plan["inspection_plan"]) == len(MEMBERS)
    assert all(p["inspector_unit_id"] != p["unit_id"] for p in plan["inspection_plan"])
    assert "cluster leader" in officer["message"]
