"""Units and clusters through the API: admins create them, anyone signed in reads the units, a
cluster is read by those who take part in it; lists are paged and filtered; every refusal is
JSON that says what to do."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of
from tests.year_support import YEAR, Bloc
from workflow.services import people


def admin(bloc: Bloc) -> dict[str, str]:
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    return bearer(bloc, "quan_tri")


def test_an_admin_creates_units_and_a_cluster_in_rotation_order(client: FlaskClient,
                                                                bloc: Bloc) -> None:
    headers = admin(bloc)
    a = client.post("/api/v1/units", json={"code": "SO_TP", "name": "Sở Tư pháp"},
                    headers=headers)
    b = client.post("/api/v1/units", json={"code": "SO_NV", "name": "Sở Nội vụ",
                                           "parent_id": a.get_json()["id"]}, headers=headers)
    cluster = client.post("/api/v1/clusters", json={
        "code": "CUM1", "name": "Cụm thi đua số 1", "kind": "cum", "year": YEAR,
        "members": [b.get_json()["id"], a.get_json()["id"]],
        "leader_unit_id": b.get_json()["id"]}, headers=headers)

    assert (a.status_code, b.status_code, cluster.status_code) == (201, 201, 201)
    assert b.get_json()["parent_id"] == a.get_json()["id"]
    body = cluster.get_json()
    assert body["kind_label"] == "cụm thi đua"
    assert [(m["name"], m["position"], m["leader"]) for m in body["members"]] == [
        ("Sở Nội vụ", 1, True), ("Sở Tư pháp", 2, False)]  # the order typed, not alphabetical
    members = client.get(f"/api/v1/clusters/{body['id']}/members", headers=headers).get_json()
    assert [m["code"] for m in members["items"]] == ["SO_NV", "SO_TP"]


def test_units_are_paged_and_filtered(client: FlaskClient, bloc: Bloc) -> None:
    headers = bearer(bloc, "bca_officer")

    first = client.get("/api/v1/units?per_page=3", headers=headers).get_json()
    found = client.get("/api/v1/units?q=công an", headers=headers).get_json()

    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (
        8, 1, 3, 3)
    assert [u["code"] for u in found["items"]] == ["BCA"]


def test_a_cluster_is_read_by_those_who_take_part(client: FlaskClient, bloc: Bloc) -> None:
    mine = client.get("/api/v1/clusters", headers=bearer(bloc, "bca_officer")).get_json()
    one = client.get(f"/api/v1/clusters/{bloc.cluster}", headers=bearer(bloc, "bca_head"))

    assert [c["id"] for c in mine["items"]] == [bloc.cluster]
    assert one.status_code == 200
    assert one.get_json()["members"][0]["leader"] is True
    assert client.get(f"/api/v1/clusters?year={YEAR + 1}",
                      headers=bearer(bloc, "bca_officer")).get_json()["items"] == []


def test_refusals_name_the_role_the_field_or_the_missing_thing(client: FlaskClient,
                                                              bloc: Bloc) -> None:
    officer = bearer(bloc, "bca_officer")
    headers = admin(bloc)

    not_admin = error_of(client.post("/api/v1/units", json={"code": "X", "name": "X"},
                                     headers=officer), 403)
    taken = error_of(client.post("/api/v1/units", json={"code": "BCA", "name": "Trùng"},
                                 headers=headers), 409)
    outsider = error_of(client.post("/api/v1/clusters", json={
        "code": "K9", "name": "Khối 9", "kind": "khoi", "year": YEAR,
        "members": [bloc.units["bca"]], "leader_unit_id": bloc.units["btp"]},
        headers=headers), 409)
    nobody = error_of(client.get("/api/v1/clusters/999999", headers=headers), 404)
    anonymous = error_of(client.get("/api/v1/units"), 401)

    assert "needs the role admin" in not_admin["message"]
    assert taken["fields"] == {"code": ["a unit with code 'BCA' already exists"]}
    assert outsider["fields"] == {
        "leader_unit_id": [f"unit {bloc.units['btp']} is not a member of the cluster"]}
    assert nobody["message"] == "no cluster with id 999999"
    assert anonymous["code"] == "unauthenticated"
