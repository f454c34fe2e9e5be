"""People, roles and tokens through the API: admins create people and grant roles; each user
keeps their own tokens and admins anyone's; a token is shown once and stops working when
revoked."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of
from tests.web.test_web__api_org import admin
from tests.year_support import YEAR, Bloc


def test_an_admin_creates_a_person_grants_roles_and_gives_a_token(client: FlaskClient,
                                                                 bloc: Bloc) -> None:
    headers = admin(bloc)
    made = client.post("/api/v1/people", json={
        "username": "bca_moi", "full_name": "Nguyễn Thị Mới", "email": "moi@bca.gov.vn",
        "password": "Mat-khau-rat-kho-doan-2025"}, headers=headers)
    person = made.get_json()
    granted = client.post(f"/api/v1/people/{person['id']}/roles", json={
        "role": "unit_officer", "unit_id": bloc.units["bca"], "year": YEAR}, headers=headers)
    token = client.post(f"/api/v1/people/{person['id']}/tokens", json={"name": "máy trạm"},
                        headers=headers).get_json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"})

    assert made.status_code == 201, made.get_data(as_text=True)
    assert granted.status_code == 201
    assert granted.get_json()["roles"] == [{
        "role": "unit_officer", "role_label": "Cán bộ thi đua đơn vị", "unit": "BCA",
        "cluster": None, "year": YEAR}]
    assert me.get_json()["username"] == "bca_moi"
    listed = client.get("/api/v1/people?role=unit_officer&q=mới", headers=headers).get_json()
    assert [p["username"] for p in listed["items"]] == ["bca_moi"]


def test_each_user_keeps_their_own_tokens(client: FlaskClient, bloc: Bloc) -> None:
    me = bloc.users["bca_officer"]
    headers = bearer(bloc, "bca_officer")
    made = client.post(f"/api/v1/people/{me}/tokens", json={"name": "Excel"}, headers=headers)
    token = made.get_json()
    listed = client.get(f"/api/v1/people/{me}/tokens", headers=headers).get_json()
    revoked = client.delete(f"/api/v1/people/{me}/tokens/{token['id']}", headers=headers)
    other = error_of(client.get(f"/api/v1/people/{bloc.users['bca_head']}/tokens",
                                headers=headers), 403)

    assert made.status_code == 201
    assert len(token["token"]) > 30
    assert all("token" not in t for t in listed["items"])  # never shown again
    assert token["id"] in [t["id"] for t in listed["items"]]
    assert revoked.get_json()["revoked_at"] is not None
    assert error_of(client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {token['token']}"}), 401)["code"] == "invalid_token"
    assert "only their own API tokens" in other["message"]


def test_refusals_of_people_and_roles(client: FlaskClient, bloc: Bloc) -> None:
    headers = admin(bloc)
    officer = bearer(bloc, "bca_officer")

    weak = error_of(client.post("/api/v1/people", json={
        "username": "yeu", "full_name": "Yếu", "password": "123456"}, headers=headers), 409)
    taken = error_of(client.post("/api/v1/people", json={
        "username": "bca_head", "full_name": "Trùng"}, headers=headers), 409)
    scope = error_of(client.post(f"/api/v1/people/{bloc.users['bca_head']}/roles", json={
        "role": "unit_head"}, headers=headers), 409)
    unknown = error_of(client.post(f"/api/v1/people/{bloc.users['bca_head']}/roles", json={
        "role": "system"}, headers=headers), 400)
    not_admin = error_of(client.get("/api/v1/people", headers=officer), 403)
    nobody = error_of(client.get("/api/v1/people/999999", headers=headers), 404)
    foreign = error_of(client.delete(
        f"/api/v1/people/{bloc.users['bca_officer']}/tokens/999999", headers=officer), 404)

    assert (weak["code"], weak["message"][:9]) == ("weak_password", "password:")
    assert taken["fields"] == {"username": ["'bca_head' is taken"]}
    assert scope["fields"] == {"unit_id": ["the role unit_head is held for a unit"]}
    assert "role" in unknown["fields"]
    assert "needs the role admin" in not_admin["message"]
    assert nobody["message"] == "no user with id 999999"
    assert "no API token with id 999999" in foreign["message"]
