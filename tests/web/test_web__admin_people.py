"""The administration that scales, as an administrator (and the council office, and each
person for their own tokens) uses it: search and filter people, a person's page, roles for a
year or until revoked, API tokens shown once, the history of admin changes, the rotation order
kept as typed and next year's clusters."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import YEAR, Bloc, launch
from workflow.adapters.tables import (
    admin_changes,
    api_tokens,
    cluster_members,
    clusters,
    role_assignments,
    units,
    users,
)
from workflow.services import people


def page(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def text(response: object) -> str:
    """The page's words without tags, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(response)))


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> FlaskClient:
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị viên")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    auth.login("quan_tri")
    return client


def post(client: FlaskClient, path: str, data: dict[str, str], page_for_csrf: str = "/"
         ) -> object:
    return client.post(path, data={**data, "csrf_token": csrf(client, page_for_csrf)})


def rows(bloc: Bloc, query: sa.Select) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    with bloc.services.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


# --- the list: search, filters, pages -------------------------------------------------------


def test_search_and_filters_narrow_the_list(admin: FlaskClient, bloc: Bloc) -> None:
    by_name = text(admin.get("/admin/people?q=Bộ Công an"))
    by_role = text(admin.get("/admin/people?has_role=council_secretariat"))
    by_unit = text(admin.get(f"/admin/people?unit={bloc.units['bqp']}"))
    nobody = text(admin.get("/admin/people?q=không-có-ai"))

    assert "bca_head" in by_name
    assert "bca_officer" in by_name
    assert "btp_head" not in by_name
    assert "vu_tdkt" in by_role
    assert "bca_head" not in by_role
    assert "bqp_head" in by_unit
    assert "bqp_officer" in by_unit
    assert "bca_head" not in by_unit
    assert "Không có ai khớp với điều kiện lọc." in nobody


def test_the_pager_keeps_the_filters(admin: FlaskClient, bloc: Bloc) -> None:
    uow = bloc.services.uow()
    for n in range(30):
        uid = people.create_user(uow, f"can_bo_{n:02}", f"Cán bộ {n}")
        people.grant(uow, uid, "unit_officer", unit_id=bloc.units["ktnn"], year=YEAR)
    people.set_active(uow, bloc.users["ktnn_officer"], False)

    first = page(admin.get("/admin/people?has_role=unit_officer&active=1&q=can_bo"))
    second = text(admin.get("/admin/people?has_role=unit_officer&active=1&q=can_bo&page=2"))
    inactive = text(admin.get("/admin/people?active=0"))

    assert re.search(r'href="/admin/people\?[^"]*page=2', first)
    link = re.search(r'href="(/admin/people\?[^"]*page=2[^"]*)"', first)
    assert link is not None
    assert "has_role=unit_officer" in link.group(1)
    assert "q=can_bo" in link.group(1)
    assert "active=1" in link.group(1)
    assert "Trang 2 / 2" in second or "2 / 2" in second
    assert "can_bo_29" in second
    assert "bca_officer" not in second
    assert "ktnn_officer" in inactive
    assert "bca_officer" not in inactive


# --- roles -------------------------------------------------------------------------------------


def test_the_role_choice_starts_on_a_placeholder_never_on_admin(admin: FlaskClient,
                                                                 bloc: Bloc) -> None:
    body = page(admin.get("/admin/people"))
    select = re.search(r'<select name="role" required>(.*?)</select>', body, re.S)

    assert select is not None
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0] == '<option value="" selected disabled>'
    assert "— chọn vai trò —" in select.group(1)
    assert not any("selected" in o for o in options[1:])

    refused = post(admin, "/admin/people/grant", {"username": "bca_head", "year": "2025",
                                                  "held": "year"})

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Hãy chọn vai trò cần giao." in text(refused)
    assert "— chọn vai trò —" in text(refused)
    assert ("admin",) not in rows(bloc, sa.select(role_assignments.c.role).where(
        role_assignments.c.user_id == bloc.users["bca_head"]))


def test_a_role_until_revoked_has_no_year_and_says_so(admin: FlaskClient, bloc: Bloc) -> None:
    answer = post(admin, "/admin/people/grant", {
        "username": "bca_head", "role": "unit_officer", "unit_id": str(bloc.units["bca"]),
        "held": "always", "year": "2025"})
    missing_year = post(admin, "/admin/people/grant", {
        "username": "bca_head", "role": "unit_officer", "unit_id": str(bloc.units["bca"]),
        "held": "year", "year": ""})

    assert answer.status_code == 302  # type: ignore[attr-defined]
    assert (None,) in rows(bloc, sa.select(role_assignments.c.year).where(
        role_assignments.c.user_id == bloc.users["bca_head"],
        role_assignments.c.role == "unit_officer"))
    person = text(admin.get(f"/admin/people/{bloc.users['bca_head']}"))
    assert "đến khi thu hồi" in person
    assert "trong năm 2025" in person  # the unit_head grant of the bloc
    assert missing_year.status_code == 400  # type: ignore[attr-defined]
    assert "Hãy gõ năm giữ vai trò" in text(missing_year)


def test_a_unit_head_held_until_revoked_still_leads_next_year(bloc: Bloc) -> None:
    """On 1 January nobody loses their work: a grant without a year covers the next year's
    cluster that the unit leads."""
    uow = bloc.services.uow()
    from workflow.services import organisations

    [next_year] = organisations.confirm_next_year(
        uow, YEAR, organisations.propose_next_year(uow, YEAR),
        by=people.actor(uow, people.create_admin(uow, "qt", "Quản trị", "Mật-khẩu-dài-2026")))
    head = people.create_user(uow, "lang_head_2", "Thủ trưởng mới")
    people.grant(uow, head, "unit_head", unit_id=bloc.units["lang"])  # until revoked

    actor = people.actor(uow, head)

    assert actor is not None
    assert "cluster_leader" in actor.roles_for(None, next_year, YEAR + 1)
    assert "unit_head" in actor.roles_for(bloc.units["lang"], None, YEAR + 7)


# --- one person's page ------------------------------------------------------------------------


def test_edit_a_person_and_the_history_shows_before_and_after(admin: FlaskClient,
                                                               bloc: Bloc) -> None:
    uid = bloc.users["bca_officer"]
    path = f"/admin/people/{uid}"

    saved = post(admin, f"{path}/edit", {"full_name": "Nguyễn Thị Thi Đua",
                                         "email": "thidua@bca.gov.vn",
                                         "unit_id": str(bloc.units["bca"])}, path)
    shown = text(admin.get(path))
    unchanged = post(admin, f"{path}/edit", {"full_name": "Nguyễn Thị Thi Đua",
                                             "email": "thidua@bca.gov.vn",
                                             "unit_id": str(bloc.units["bca"])}, path)
    shown_again = text(admin.get(path))
    bad = post(admin, f"{path}/edit", {"full_name": "Tên mới", "email": "không-phải-thư",
                                       "unit_id": ""}, path)

    assert saved.status_code == 302  # type: ignore[attr-defined]
    assert "Nguyễn Thị Thi Đua" in shown
    assert "Đã lưu thay đổi." in shown
    assert "Không có gì thay đổi." in shown_again
    assert unchanged.status_code == 302  # type: ignore[attr-defined]
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "Chưa lưu được thay đổi" in text(bad)
    assert 'value="Tên mới"' in page(bad)  # what was typed is kept
    history = text(admin.get(f"/admin/changes?person={uid}"))
    assert "Quản trị viên" in history
    assert "sửa tài khoản" in history
    assert "Họ tên: Cán bộ thi đua Bộ Công an → Nguyễn Thị Thi Đua" in history
    assert "BCA – Bộ Công an" in history
    assert len(rows(bloc, sa.select(admin_changes.c.id).where(
        admin_changes.c.user_id == uid, admin_changes.c.action == "user_edited"))) == 1
    assert rows(bloc, sa.select(users.c.unit_id).where(users.c.id == uid)) == [
        (bloc.units["bca"],)]


def test_revoke_a_role_and_deactivate_from_the_persons_page(admin: FlaskClient,
                                                             bloc: Bloc) -> None:
    uid = bloc.users["bqp_officer"]
    path = f"/admin/people/{uid}"
    [(grant_id,)] = rows(bloc, sa.select(role_assignments.c.id).where(
        role_assignments.c.user_id == uid, role_assignments.c.role == "inspector"))

    revoked = post(admin, f"{path}/grants/{grant_id}/revoke", {}, path)
    other = post(admin, f"/admin/people/{bloc.users['bca_head']}/grants/{grant_id}/revoke",
                 {}, path)
    closed = post(admin, f"{path}/active", {"active": "0", "person": str(uid)}, path)

    assert revoked.status_code == 302  # type: ignore[attr-defined]
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert closed.headers["Location"].endswith(path)  # type: ignore[attr-defined]
    shown = text(admin.get(path))
    assert "Tài khoản đã bị khóa" in shown
    assert rows(bloc, sa.select(role_assignments.c.id).where(
        role_assignments.c.id == grant_id)) == []
    history = text(admin.get("/admin/changes?username=bqp_officer"))
    assert "thu hồi vai trò" in history
    assert "khóa tài khoản" in history
    assert "Tài khoản: đang hoạt động → đã khóa" in history


def test_an_admin_cannot_revoke_their_own_admin_role(admin: FlaskClient, bloc: Bloc) -> None:
    uid = bloc.users["quan_tri"]
    [(grant_id,)] = rows(bloc, sa.select(role_assignments.c.id).where(
        role_assignments.c.user_id == uid))

    answer = post(admin, f"/admin/people/{uid}/grants/{grant_id}/revoke", {})

    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "không thể tự thu hồi vai trò quản trị" in text(answer)


# --- tokens ------------------------------------------------------------------------------------


def test_an_admin_makes_a_token_for_someone_shown_once_and_revokes_it(
    admin: FlaskClient, bloc: Bloc,
) -> None:
    uid = bloc.users["bca_officer"]
    path = f"/admin/people/{uid}"

    made = post(admin, f"{path}/tokens", {"name": "Phần mềm một cửa",
                                          "expires_on": "2025-03-31"}, path)
    body = page(made)
    token = re.search(r'<code class="token">([^<]+)</code>', body)

    assert made.status_code == 200  # type: ignore[attr-defined]
    assert token is not None
    assert "dùng được đến hết ngày 31/03/2025" in text(made)
    assert token.group(1) not in page(admin.get(path))  # shown once
    listed = text(admin.get(path))
    assert "Phần mềm một cửa" in listed
    assert "31/03/2025" in listed
    assert "chưa bao giờ" in listed
    [(digest,)] = rows(bloc, sa.select(api_tokens.c.token_hash))
    assert token.group(1) not in digest
    api = admin.application.test_client()
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    [(token_id,)] = rows(bloc, sa.select(api_tokens.c.id))
    assert post(admin, f"{path}/tokens/{token_id}/revoke", {}, path).status_code == 302  # type: ignore[attr-defined]
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert "đã thu hồi lúc" in text(admin.get(path))
    history = text(admin.get(f"/admin/changes?person={uid}"))
    assert "tạo mã truy cập API" in history
    assert "thu hồi mã truy cập API" in history
    assert "31/03/2025" in history


def test_a_token_past_its_last_day_is_refused(admin: FlaskClient, bloc: Bloc) -> None:
    path = f"/admin/people/{bloc.users['bca_officer']}"
    body = page(post(admin, f"{path}/tokens", {"name": "CI", "expires_on": "10/01/2025"}, path))
    token = re.search(r'<code class="token">([^<]+)</code>', body)
    assert token is not None
    api = admin.application.test_client()
    headers = {"Authorization": f"Bearer {token.group(1)}"}

    works = api.get("/api/v1/me", headers=headers).status_code
    bloc.clock.advance(days=5)  # 6 January + 5 days: 11 January, the day after the last
    refused = api.get("/api/v1/me", headers=headers)

    assert works == 200
    assert refused.status_code == 401
    assert "expired" in refused.get_json()["error"]["message"]
    assert "đã hết hạn" in text(admin.get(path))


def test_a_token_form_refused_keeps_what_was_typed(admin: FlaskClient, bloc: Bloc) -> None:
    path = f"/admin/people/{bloc.users['bca_officer']}"

    past = post(admin, f"{path}/tokens", {"name": "Cổng dữ liệu", "expires_on": "2024-12-31"},
                path)
    far = post(admin, f"{path}/tokens", {"name": "Cổng dữ liệu", "expires_on": "2030-01-01"},
               path)

    assert past.status_code == 400  # type: ignore[attr-defined]
    assert "Ngày 31/12/2024 đã qua" in text(past)
    assert 'value="Cổng dữ liệu"' in page(past)
    assert "tối đa 730 ngày" in text(far)
    assert rows(bloc, sa.select(api_tokens.c.id)) == []


def test_each_person_has_their_own_tokens_page(client: FlaskClient, auth: AuthActions,
                                               bloc: Bloc) -> None:
    auth.login("bca_head")

    shown = text(client.get("/account/tokens"))
    made = post(client, "/account/tokens", {"name": "Bảng tin đơn vị",
                                            "expires_on": "2025-06-30"}, "/account/tokens")
    token = re.search(r'<code class="token">([^<]+)</code>', page(made))
    [(token_id, owner)] = rows(bloc, sa.select(api_tokens.c.id, api_tokens.c.user_id))
    someone_else = people.create_user(bloc.services.uow(), "khac", "Người khác")
    from workflow.services import api_tokens as tokens
    theirs = tokens.create_token(bloc.services.uow(), bloc.clock, someone_else, "của họ")
    assert theirs
    [(their_id,)] = rows(bloc, sa.select(api_tokens.c.id).where(
        api_tokens.c.user_id == someone_else))

    assert "Mã truy cập API" in shown
    assert "Chưa có mã truy cập API nào." in shown
    assert token is not None
    assert owner == bloc.users["bca_head"]
    assert post(client, f"/account/tokens/{their_id}/revoke", {},
                "/account/tokens").status_code == 404  # type: ignore[attr-defined]
    assert post(client, f"/account/tokens/{token_id}/revoke", {},
                "/account/tokens").status_code == 302  # type: ignore[attr-defined]
    assert "đã thu hồi lúc" in text(client.get("/account/tokens"))
    assert rows(bloc, sa.select(admin_changes.c.actor, admin_changes.c.action).where(
        admin_changes.c.subject == "token").order_by(admin_changes.c.id)) == [
        ("bca_head", "token_created"), (None, "token_created"),
        ("bca_head", "token_revoked")]


# --- the history of changes ----------------------------------------------------------------


def test_the_history_names_who_and_whom_never_ids(admin: FlaskClient, bloc: Bloc) -> None:
    post(admin, "/admin/people/create", {"username": "nguoi_moi", "full_name": "Người Mới",
                                         "password": "mat-khau-dai-2026",
                                         "unit_id": str(bloc.units["btp"])})
    post(admin, "/admin/people/grant", {"username": "nguoi_moi", "role": "unit_officer",
                                        "unit_id": str(bloc.units["btp"]), "held": "always"})
    post(admin, "/admin/units/create", {"code": "DVM", "name": "Đơn vị mới"})

    shown = text(admin.get("/admin/changes"))
    unknown = text(admin.get("/admin/changes?username=khong_co"))

    assert "Lịch sử thay đổi của quản trị" in shown
    assert "tạo tài khoản" in shown
    assert "giao vai trò" in shown
    assert "Cán bộ thi đua" in shown  # the role, in words
    assert "đến khi thu hồi" in shown
    assert "tạo đơn vị" in shown
    assert "đơn vị DVM – Đơn vị mới" in shown
    assert "Người Mới" in shown
    assert "BTP – Bộ Tư pháp" in shown
    assert "unit_officer" not in shown
    assert "Không có ai có tên đăng nhập khong_co." in unknown


# --- clusters: the rotation order, next year ----------------------------------------------


def test_the_rotation_order_is_saved_as_typed(admin: FlaskClient, bloc: Bloc) -> None:
    answer = post(admin, "/admin/clusters/create", {
        "code": "K2", "name": "Khối thử", "kind": "khoi", "year": "2026",
        "member_order": "TTCP\nBCA, btp", "leader_unit_id": str(bloc.units["ttcp"]),
        "deputy_unit_id": str(bloc.units["bca"])})
    unknown = post(admin, "/admin/clusters/create", {
        "code": "K3", "name": "Khối thử", "kind": "khoi", "year": "2026",
        "member_order": "TTCP, XYZ"})
    left_out = post(admin, "/admin/clusters/create", {
        "code": "K4", "name": "Khối thử", "kind": "khoi", "year": "2026",
        "member_order": "TTCP", "members": str(bloc.units["bca"])})

    assert answer.status_code == 302  # type: ignore[attr-defined]
    order = rows(bloc, sa.select(units.c.code).join(
        cluster_members, cluster_members.c.unit_id == units.c.id).join(
        clusters, clusters.c.id == cluster_members.c.cluster_id).where(
        clusters.c.code == "K2").order_by(cluster_members.c.position))
    assert order == [("TTCP",), ("BCA",), ("BTP",)]
    assert "TTCP, BCA, BTP" in text(admin.get("/admin/clusters"))
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert "Không có đơn vị nào có mã XYZ" in text(unknown)
    assert "TTCP, XYZ" in page(unknown)
    assert "thiếu BCA" in text(left_out)


def test_next_years_clusters_are_proposed_by_rotation_and_confirmed_together(
    client: FlaskClient, auth: AuthActions, bloc: Bloc,
) -> None:
    auth.login("vu_tdkt")  # the council office, not an administrator

    assert "Chuẩn bị cụm, khối năm sau từ cụm, khối năm nay" in text(client.get("/clusters"))
    shown = page(client.get(f"/next-year/?year={YEAR}"))
    lang, bqp = bloc.units["lang"], bloc.units["bqp"]

    assert "Cụm, khối năm 2026 từ cụm, khối năm 2025" in shown
    assert re.search(rf'name="leader-0">.*?<option value="{lang}" selected>', shown, re.S)
    assert re.search(rf'name="deputy-0">.*?<option value="{bqp}" selected>', shown, re.S)
    assert "BTP, LANG, BQP, BCA, TANDTC, VKSNDTC, TTCP, KTNN" in shown

    done = post(client, "/next-year/", {
        "year": str(YEAR), "include-0": "1", "code-0": "KNC",
        "name-0": "Khối thi đua Nội chính 2026",
        "members-0": "BTP, LANG, BQP, BCA, TANDTC, VKSNDTC, TTCP, KTNN",
        "leader-0": str(lang), "deputy-0": str(bqp)}, f"/next-year/?year={YEAR}")
    again = post(client, "/next-year/", {
        "year": str(YEAR), "include-0": "1", "code-0": "KNC", "name-0": "Khối",
        "members-0": "BTP, LANG", "leader-0": str(lang), "deputy-0": ""},
        f"/next-year/?year={YEAR}")

    assert done.status_code == 302  # type: ignore[attr-defined]
    assert rows(bloc, sa.select(clusters.c.name, clusters.c.leader_unit_id,
                                clusters.c.deputy_unit_id).where(clusters.c.year == YEAR + 1)
                ) == [("Khối thi đua Nội chính 2026", lang, bqp)]
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "đã được tạo" in text(again)
    assert len(rows(bloc, sa.select(clusters.c.id).where(clusters.c.year == YEAR + 1))) == 1


def test_the_roll_over_is_not_for_a_unit(client: FlaskClient, auth: AuthActions,
                                         bloc: Bloc) -> None:
    auth.login("bca_head")

    assert client.get("/next-year/").status_code == 403
    assert "Chuẩn bị cụm, khối năm sau" not in text(client.get("/clusters"))


def test_a_clusters_order_and_leadership_are_corrected_on_its_page(admin: FlaskClient,
                                                                   bloc: Bloc) -> None:
    path = f"/admin/clusters/{bloc.cluster}"

    shown = page(admin.get(path))
    saved = post(admin, path, {
        "name": "Khối Nội chính", "council": "", "member_order": "BTP, BQP, LANG",
        "leader_unit_id": str(bloc.units["btp"]), "deputy_unit_id": str(bloc.units["bqp"])},
        path)
    refused = post(admin, path, {
        "name": "Khối Nội chính", "member_order": "BTP, BQP",
        "leader_unit_id": str(bloc.units["lang"])}, path)

    assert "BTP, LANG, BQP, BCA, TANDTC, VKSNDTC, TTCP, KTNN" in shown
    assert saved.status_code == 302  # type: ignore[attr-defined]
    order = rows(bloc, sa.select(units.c.code).join(
        cluster_members, cluster_members.c.unit_id == units.c.id).where(
        cluster_members.c.cluster_id == bloc.cluster).order_by(cluster_members.c.position))
    assert order == [("BTP",), ("BQP",), ("LANG",)]
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Chưa lưu được thay đổi" in text(refused)
    assert "BTP, BQP" in page(refused)  # kept as typed
    history = text(admin.get("/admin/changes"))
    assert "sửa cụm, khối" in history
    assert "Phó cụm, khối: LANG – Ban Quản lý Lăng Chủ tịch Hồ Chí Minh → BQP – Bộ Quốc phòng" \
        in history


def test_a_unit_is_renamed_on_its_page(admin: FlaskClient, bloc: Bloc) -> None:
    path = f"/admin/units/{bloc.units['ttcp']}"

    assert "Thanh tra Chính phủ" in text(admin.get(path))
    saved = post(admin, path, {"name": "Thanh tra Chính phủ (mới)", "parent_id": ""}, path)
    empty = post(admin, path, {"name": "", "parent_id": ""}, path)

    assert saved.status_code == 302  # type: ignore[attr-defined]
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert admin.get("/admin/units/999999").status_code == 404
    assert "Tên: Thanh tra Chính phủ → Thanh tra Chính phủ (mới)" in text(
        admin.get("/admin/changes"))


def test_a_cluster_with_a_campaign_keeps_its_members(admin: FlaskClient, bloc: Bloc) -> None:
    launch(bloc)
    path = f"/admin/clusters/{bloc.cluster}"

    refused = post(admin, path, {"name": "Khối Nội chính", "member_order": "BTP, LANG",
                                 "leader_unit_id": str(bloc.units["btp"]),
                                 "deputy_unit_id": str(bloc.units["lang"])}, path)
    reordered = post(admin, path, {
        "name": "Khối Nội chính",
        "member_order": "BTP, BQP, LANG, BCA, TANDTC, VKSNDTC, TTCP, KTNN",
        "leader_unit_id": str(bloc.units["btp"]), "deputy_unit_id": str(bloc.units["bqp"])},
        path)

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Cụm, khối đã có phong trào thi đua" in text(refused)
    assert "BTP, LANG" in page(refused)
    assert reordered.status_code == 302  # type: ignore[attr-defined]
