"""A user changes their own password in the pages; weak ones are refused in Vietnamese, saying
why; the change signs out every other session."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, AuthActions, csrf
from tests.year_support import Bloc

PAGE = "/account/password"


def change(client: FlaskClient, current: str, new: str, again: str | None = None) -> str:
    response = client.post(PAGE, data={
        "csrf_token": csrf(client, PAGE), "current_password": current, "new_password": new,
        "confirm_password": new if again is None else again}, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_user_changes_their_password_and_signs_in_with_the_new_one(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("bca_officer")
    other = app.test_client()  # the same account signed in elsewhere
    other.post("/login", data={"username": "bca_officer", "password": PASSWORD,
                               "csrf_token": csrf(other)})
    assert other.get("/").status_code == 200

    page = change(client, PASSWORD, "ngựa ô lên dốc 2026")

    assert "Đã đổi mật khẩu" in page
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    fresh = app.test_client()
    answer = fresh.post("/login", data={"username": "bca_officer",
                                        "password": "ngựa ô lên dốc 2026",
                                        "csrf_token": csrf(fresh)})
    assert answer.status_code == 302


def test_the_page_is_in_vietnamese_and_linked_from_the_username(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("bca_officer")

    inbox = client.get("/").get_data(as_text=True)
    page = client.get(PAGE).get_data(as_text=True)

    assert f'href="{PAGE}"' in inbox
    assert "Đổi mật khẩu" in page
    assert "Mật khẩu hiện tại" in page


def test_weak_or_mistyped_passwords_are_refused_saying_what_to_do(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    auth.login("bca_officer")

    assert "Mật khẩu hiện tại không đúng" in change(client, "sai-mat-khau", "ngựa ô lên dốc")
    assert "không khớp" in change(client, PASSWORD, "ngựa ô lên dốc", "ngựa ô xuống dốc")
    assert "ít nhất 8 ký tự" in change(client, PASSWORD, "ngắn")
    assert "chỉ gồm dấu cách" in change(client, PASSWORD, " " * 12)
    assert "bị dò đầu tiên" in change(client, PASSWORD, "Matkhau@123")
    assert "dãy chữ cái, chữ số liên tiếp" in change(client, PASSWORD, "12345678")
    assert "tên đăng nhập" in change(client, PASSWORD, "bca_officer-2026")
    assert "trùng mật khẩu hiện tại" in change(client, PASSWORD, PASSWORD)
    # nothing changed: the old password still signs in
    auth.logout()
    assert auth.login("bca_officer").status_code == 302  # type: ignore[attr-defined]


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_admin_cannot_give_a_new_user_a_common_password(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    from workflow.services import people

    people.grant(bloc.services.uow(), bloc.users["vu_tdkt"], "admin")
    auth.login("vu_tdkt")

    page = client.post("/admin/people/create", data={
        "csrf_token": csrf(client, "/admin/people"), "username": "nguoi_moi",
        "full_name": "Người Mới", "password": "12345678"}).get_data(as_text=True)

    assert "dãy chữ cái, chữ số liên tiếp" in page
    assert "nguoi_moi" in page  # what was typed is kept


def test_an_admin_reset_hands_over_a_temporary_password_its_owner_must_replace(
    app: Flask, client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    from workflow.services import people

    owner = app.test_client()  # bca_officer is signed in elsewhere
    people.set_password(bloc.services.uow(), bloc.users["bca_officer"], PASSWORD)
    owner.post("/login", data={"username": "bca_officer", "password": PASSWORD,
                               "csrf_token": csrf(owner)})
    people.grant(bloc.services.uow(), bloc.users["vu_tdkt"], "admin")
    auth.login("vu_tdkt")

    page = client.post(f"/admin/people/{bloc.users['bca_officer']}/reset-password", data={
        "csrf_token": csrf(client, "/admin/people")}).get_data(as_text=True)

    assert "Đã đặt lại mật khẩu của bca_officer" in page
    temporary = page.split("<code>")[1].split("</code>")[0]
    assert owner.get("/").status_code == 302  # the owner's session ended
    fresh = app.test_client()
    fresh.post("/login", data={"username": "bca_officer", "password": temporary,
                               "csrf_token": csrf(fresh)})
    inbox = fresh.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Quản trị viên đã đặt lại mật khẩu" in inbox
    assert "Mật khẩu hiện tại" in inbox  # every page leads to the password form
    assert "Đã đổi mật khẩu" in change(fresh, temporary, "ngựa ô lên dốc 2026")
    assert fresh.get("/").status_code == 200  # free to go on


def test_an_admin_changes_their_own_password_on_their_account_page(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    from workflow.services import people

    people.grant(bloc.services.uow(), bloc.users["vu_tdkt"], "admin")
    auth.login("vu_tdkt")

    response = client.post(f"/admin/people/{bloc.users['vu_tdkt']}/reset-password", data={
        "csrf_token": csrf(client, "/admin/people")})

    assert response.status_code == 400
    assert "trang tài khoản" in response.get_data(as_text=True)
