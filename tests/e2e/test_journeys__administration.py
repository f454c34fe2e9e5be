"""An administrator at work in the browser: the bloc's members typed in their rotation order,
a person found by search, a role granted until revoked (the role list starts on a placeholder),
an API token made (shown once, working over HTTP) and revoked, and the history of it all."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

from tests.e2e.test_journeys__onboarding import (  # noqa: F401  (the fixture)
    ADMIN_PASSWORD,
    empty_install,
    shot,
    sign_in,
)
from workflow.bootstrap import Services
from workflow.services import organisations, people

UNITS = (("BTP", "Bộ Tư pháp"), ("LANG", "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh"),
         ("BQP", "Bộ Quốc phòng"), ("BCA", "Bộ Công an"))


def api_status(base: str, token: str) -> int:
    request = urllib.request.Request(f"{base}/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as answer:  # noqa: S310  (a local test server)
            json.load(answer)
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_an_admin_orders_a_bloc_grants_a_role_and_hands_out_a_token(
    browser: object, empty_install: tuple[Services, str],  # noqa: F811
) -> None:
    services, base = empty_install
    uow = services.uow()
    for code, name in UNITS:
        organisations.create_unit(uow, code, name)
    people.create_user(uow, "bca_officer", "Trần Thị Thi Đua")
    admin = sign_in(browser, base, "quantri", ADMIN_PASSWORD)

    # the bloc's members typed in rotation order, kept so
    admin.goto(f"{base}/admin/clusters")  # type: ignore[attr-defined]
    admin.fill("input[name=code]", "KNC")  # type: ignore[attr-defined]
    admin.fill("input[name=name]", "Khối Nội chính")  # type: ignore[attr-defined]
    admin.fill("input[name=year]", "2026")  # type: ignore[attr-defined]
    admin.fill("textarea[name=member_order]", "LANG\nBTP\nBCA\nBQP")  # type: ignore[attr-defined]
    admin.click("text=Tạo cụm, khối")  # type: ignore[attr-defined]
    admin.wait_for_load_state()  # type: ignore[attr-defined]
    assert "LANG, BTP, BCA, BQP" in admin.inner_text("main")  # type: ignore[attr-defined]

    # found by search, a role until revoked from the person's page
    admin.goto(f"{base}/admin/people")  # type: ignore[attr-defined]
    admin.fill("input[name=q]", "thi đua")  # type: ignore[attr-defined]
    admin.click("button:has-text('Tìm')")  # type: ignore[attr-defined]
    admin.click("a:has-text('bca_officer')")  # type: ignore[attr-defined]
    assert admin.input_value("select[name=role]") == ""  # type: ignore[attr-defined]
    admin.select_option("select[name=role]", "unit_officer")  # type: ignore[attr-defined]
    admin.select_option("select[name=unit_id] >> nth=1", label="BCA – Bộ Công an")  # type: ignore[attr-defined]
    admin.check("input[name=held][value=always]")  # type: ignore[attr-defined]
    admin.click("button:has-text('Giao vai trò')")  # type: ignore[attr-defined]
    admin.wait_for_load_state()  # type: ignore[attr-defined]
    roles = admin.inner_text("main")  # type: ignore[attr-defined]
    assert "BCA – Bộ Công an, đến khi thu hồi" in roles

    # a token, shown once, works over HTTP until it is revoked
    admin.fill("input[name=name]", "Phần mềm một cửa")  # type: ignore[attr-defined]
    admin.click("button:has-text('Tạo mã')")  # type: ignore[attr-defined]
    token = admin.inner_text("code.token").strip()  # type: ignore[attr-defined]
    shot(admin, "admin-token")
    assert api_status(base, token) == 200
    person_page = admin.url  # type: ignore[attr-defined]
    admin.goto(person_page.rsplit("/tokens", 1)[0])  # type: ignore[attr-defined]
    assert token not in admin.content()  # type: ignore[attr-defined]
    admin.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Phần mềm một cửa" in admin.inner_text("main")  # type: ignore[attr-defined]
    admin.click("button:has-text('Thu hồi') >> nth=-1")  # type: ignore[attr-defined]
    admin.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã thu hồi mã" in admin.inner_text("main")  # type: ignore[attr-defined]
    assert api_status(base, token) == 401

    # the history says who did what, in words
    admin.click("text=Lịch sử thay đổi về người này")  # type: ignore[attr-defined]
    admin.wait_for_load_state()  # type: ignore[attr-defined]
    history = admin.inner_text("main")  # type: ignore[attr-defined]
    for words in ("giao vai trò", "tạo mã truy cập API", "thu hồi mã truy cập API",
                  "Quản trị hệ thống"):
        assert words in history
    assert not re.search(r"\b(unit_officer|token_created)\b", history)
