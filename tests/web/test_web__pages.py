"""Signing in, the inbox and an item page, as people use them in the browser (HTTP level)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import Bloc, launch
from web import create_app
from workflow.bootstrap import Services
from workflow.config import load_settings
from workflow.engine.hashing import HistoryChain
from workflow.services import organisations, people


def test_signing_in_leads_to_the_inbox_in_vietnamese(client: FlaskClient, auth: AuthActions,
                                                      bloc: Bloc) -> None:
    response = auth.login("bca_officer")

    assert response.status_code == 302  # type: ignore[attr-defined]
    page = client.get("/").get_data(as_text=True)
    assert "Việc chờ bạn xử lý" in page
    assert 'lang="vi"' in page


def test_a_wrong_password_is_refused_without_saying_which_part(client: FlaskClient,
                                                               auth: AuthActions,
                                                               bloc: Bloc) -> None:
    response = auth.login("bca_officer", "sai")

    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_repeated_failures_are_slowed_down(client: FlaskClient, auth: AuthActions,
                                           bloc: Bloc) -> None:
    codes = [auth.login("bca_head", "sai").status_code for _ in range(6)]  # type: ignore[attr-defined]

    assert codes == [401] * 5 + [429]
    assert auth.login("bca_head").status_code == 429  # type: ignore[attr-defined]


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient, bloc: Bloc) -> None:
    response = client.post("/login", data={"username": "bca_head", "password": "x"})

    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_pages_need_a_signed_in_user(client: FlaskClient, bloc: Bloc) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_english_by_a_switch(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("bca_officer")

    page = client.get("/?lang=en").get_data(as_text=True)

    assert "Waiting for you" in page
    assert "Waiting for you" in client.get("/").get_data(as_text=True)  # remembered


def test_security_headers_on_every_page(client: FlaskClient, bloc: Bloc) -> None:
    response = client.get("/login")

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(client: FlaskClient, auth: AuthActions,
                                                     bloc: Bloc) -> None:
    response = auth.login("bca_officer")

    cookie = response.headers["Set-Cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP on 127.0.0.1 here


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(
    services: Services, bloc: Bloc
) -> None:
    from tests.web.conftest import PASSWORD

    settings = load_settings(environ={}, overrides={
        "database": {"url": services.settings.database.url},
        "app": {"base_url": "https://thidua.example.gov.vn", "secret_key": "k" * 32},
        "audit": {"chain_key": "c" * 32}})
    client = create_app(settings, services, testing=True).test_client()
    people.set_password(services.uow(), bloc.users["bca_officer"], PASSWORD)
    response = client.post("/login", data={"csrf_token": csrf(client), "username": "bca_officer",
                                           "password": PASSWORD})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("key", ["app.secret_key", "audit.chain_key"])
def test_the_site_never_serves_https_with_the_example_keys(services: Services, key: str,
                                                          tmp_path: Path) -> None:
    """Left at config.toml's example value, a key is replaced by the installation's own,
    generated into the instance folder (the example values are refused whatever the scheme;
    tests/web/test_security__secrets.py covers plain HTTP)."""
    own = {"app": {"base_url": "https://thidua.example.gov.vn", "secret_key": "k" * 32,
                   "instance_dir": str(tmp_path)},
           "audit": {"chain_key": "c" * 32}}
    section, name = key.split(".")
    own[section][name] = {"secret_key": "change-me-in-production",
                          "chain_key": "thidua-development-chain-key"}[name]
    settings = load_settings(environ={}, overrides={
        "database": {"url": services.settings.database.url}, **own})

    app = create_app(settings, testing=True)
    try:
        generated = (tmp_path / name).read_text().strip()
        if key == "app.secret_key":
            assert app.secret_key == generated
        else:
            entry = {"at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}
            chain = app.extensions["thidua"].chain
            assert chain.entry_hash("0", entry) == HistoryChain(generated).entry_hash("0", entry)
        assert generated not in ("change-me-in-production", "thidua-development-chain-key")
    finally:
        app.extensions["thidua"].close()


def test_the_inbox_lists_the_units_pledge_with_its_due_date(client: FlaskClient,
                                                           auth: AuthActions,
                                                           bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")

    page = client.get("/").get_data(as_text=True)

    assert f"/pledges/{pledge.id}" in page  # the pledge's own page
    assert "Giao ước thi đua" in page
    assert "26/03/2025" in page  # five days before the pledge deadline
    assert f"/pledges/{bloc.child('pledge', 'bqp').id}" not in page  # another unit's


def test_an_item_page_shows_only_this_users_actions_and_fires_them(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"),
                 {"targets": {c.code: 100 for c in bloc.table.targets_required()}})
    auth.login("bca_head")

    page = client.get(f"/items/{pledge.id}").get_data(as_text=True)
    assert "Trình" in page
    token = csrf(client, f"/items/{pledge.id}")
    response = client.post(f"/items/{pledge.id}/fire", data={
        "trigger": "submit", "version": str(pledge.version), "csrf_token": token})

    assert response.status_code == 302
    assert bloc.wf.get(pledge.id).state == "submitted"
    history = client.get(f"/items/{pledge.id}").get_data(as_text=True)
    assert "Thủ trưởng Bộ Công an" in history  # the history names who did it, by full name


def test_a_stale_form_is_refused_with_a_clear_message(client: FlaskClient, auth: AuthActions,
                                                      bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    auth.login("bca_officer")
    token = csrf(client, f"/items/{pledge.id}")

    response = client.post(f"/items/{pledge.id}/fire", data={
        "trigger": "save_targets", "version": "0", "csrf_token": token})

    assert response.status_code == 409
    assert "Hồ sơ đã thay đổi" in response.get_data(as_text=True)


def test_another_units_item_is_forbidden(client: FlaskClient, auth: AuthActions,
                                         bloc: Bloc) -> None:
    launch(bloc)
    uow = bloc.services.uow()
    unit = organisations.create_unit(uow, "KHAC", "Đơn vị ngoài khối")
    bloc.users["khac_officer"] = people.create_user(uow, "khac_officer", "Cán bộ đơn vị khác")
    people.grant(uow, bloc.users["khac_officer"], "unit_officer", unit_id=unit, year=2025)
    auth.login("khac_officer")

    assert client.get(f"/items/{bloc.child('pledge', 'bca').id}").status_code == 403


def test_signing_out(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    auth.login("bca_officer")

    auth.logout()

    assert client.get("/").status_code == 302


def test_the_inbox_costs_the_same_queries_for_few_or_many_items(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    launch(bloc)
    auth.login("btp_head")  # the leader: pledges of every unit come its way once submitted
    statements: list[str] = []
    engine = bloc.services.engine

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    client.get("/")  # warm: definitions compiled once per process
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/")
        few = len(statements)
        for code in ("bca", "bqp", "tandtc", "vksndtc", "ttcp", "ktnn"):
            pledge = bloc.child("pledge", code)
            bloc.wf.fire(pledge, "save_targets", bloc.officer(code),
                         {"targets": {c.code: 100 for c in bloc.table.targets_required()}})
            bloc.wf.fire(pledge, "submit", bloc.head(code))
        statements.clear()
        page = client.get("/").get_data(as_text=True)
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert len(re.findall(r'href="/pledges/\d+"', page)) >= 6  # each pledge's own page
    assert many == few


def test_signing_out_invalidates_a_copy_of_the_session_cookie(
    client: FlaskClient, auth: AuthActions, bloc: Bloc, app: object
) -> None:
    auth.login("bca_officer")
    stolen = client.get_cookie("session")
    assert stolen is not None
    thief = app.test_client()  # type: ignore[attr-defined]
    thief.set_cookie("session", stolen.value)
    assert thief.get("/").status_code == 200  # the copy works while the user is signed in

    auth.logout()

    assert thief.get("/").status_code == 302  # and no longer once they signed out
