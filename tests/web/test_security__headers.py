"""Headers of every answer: nothing private cached, HSTS over HTTPS, no server banner from the
app, and every error status in the app's own page (HTML) or JSON under /api/."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions
from tests.web.test_web__api import bearer
from tests.year_support import Bloc, launch
from web import create_app
from workflow.bootstrap import Services
from workflow.config import load_settings
from workflow.services import people


def test_signed_in_pages_are_never_stored(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("bca_officer")

    for path in ("/", "/admin/", "/nope"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    with client.get("/static/style.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_api_answers_are_never_stored(client: FlaskClient, bloc: Bloc) -> None:
    assert client.get("/api/v1/me", headers=bearer(bloc, "bca_officer")).headers[
        "Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # a 401 too


def test_hsts_only_when_the_site_is_served_over_https(services: Services, bloc: Bloc,
                                                      client: FlaskClient) -> None:
    settings = load_settings(environ={}, overrides={
        "database": {"url": services.settings.database.url},
        "app": {"base_url": "https://thidua.example.gov.vn", "secret_key": "k" * 32}})
    secure = create_app(settings, services, testing=True).test_client()

    assert secure.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_app_sends_no_server_banner(client: FlaskClient) -> None:
    response = client.get("/login")

    assert "Server" not in response.headers
    assert not any("werkzeug" in value.lower() for _name, value in response.headers)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("PUT", "/login", 405), ("DELETE", "/", 405), ("PATCH", "/public", 405),
    ("GET", "/no/such/page", 404)])
def test_an_error_status_is_the_apps_own_page(client: FlaskClient, method: str, path: str,
                                              status: int) -> None:
    response = client.open(path, method=method)

    assert response.status_code == status
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "<title>" in text
    assert "Werkzeug" not in text
    assert "Method Not Allowed" not in text
    assert "Back to the inbox" not in text  # in Vietnamese
    if status == 405:
        assert "Địa chỉ này không nhận loại yêu cầu này" in text
        assert "Allow" in response.headers


def test_a_forbidden_page_is_the_apps_own_page(client: FlaskClient, auth: AuthActions,
                                               bloc: Bloc) -> None:
    campaign = launch(bloc)
    bloc.users["khach"] = people.create_user(bloc.services.uow(), "khach", "Khách")
    auth.login("khach")  # holds no role at all

    response = client.get(f"/items/{campaign.id}")

    assert response.status_code == 403
    assert "Đồng chí không có quyền truy cập trang này" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("PUT", "/api/v1/me", 405), ("GET", "/api/v1/nothing", 404), ("DELETE", "/api/v1/inbox", 405)])
def test_an_error_status_under_api_is_json(client: FlaskClient, bloc: Bloc, method: str,
                                           path: str, status: int) -> None:
    response = client.open(path, method=method, headers=bearer(bloc, "bca_officer"))

    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"]
