"""The admin area, as an administrator uses it in the browser (HTTP level)."""

from __future__ import annotations

import html
import shutil

import pytest
from flask.testing import FlaskClient

from tests.conftest import TEST_WORKFLOWS
from tests.web.conftest import AuthActions, csrf
from tests.year_support import YEAR, Bloc
from workflow.adapters.db import write_transaction
from workflow.adapters.tables import outbox
from workflow.services import people

APPROVAL = (TEST_WORKFLOWS / "approval.yaml").read_text(encoding="utf-8")
BROKEN = APPROVAL.replace("dest: approved", "dest: aproved")
FIXED = APPROVAL.replace("{vi: Duyệt, en: Approve}", "{vi: Phê duyệt, en: Approve}")
BROKEN_LINE = APPROVAL.split("\n").index("    dest: approved") + 1

GET_ROUTES = [
    "/admin/", "/admin/definitions", "/admin/definitions/new",
    "/admin/definitions/approval/edit", "/admin/definitions/approval/migrate",
    "/admin/people", "/admin/units", "/admin/clusters", "/admin/rules", "/admin/deliveries",
]
POST_ROUTES = [
    "/admin/definitions/new", "/admin/definitions/approval/edit",
    "/admin/definitions/approval/migrate", "/admin/people/create", "/admin/people/grant",
    "/admin/people/1/active", "/admin/units/create", "/admin/clusters/create",
]


def page(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, bloc: Bloc) -> FlaskClient:
    """The client, signed in as an administrator."""
    uow = bloc.services.uow()
    bloc.users["quan_tri"] = people.create_user(uow, "quan_tri", "Quản trị viên")
    people.grant(uow, bloc.users["quan_tri"], "admin")
    auth.login("quan_tri")
    return client


def edit(client: FlaskClient, action: str, text: str, name: str = "approval") -> object:
    path = f"/admin/definitions/{name}/edit"
    return client.post(path, data={"source_text": text, "action": action,
                                   "csrf_token": csrf(client, path)})


def test_everyone_but_an_admin_is_refused(client: FlaskClient, auth: AuthActions,
                                          bloc: Bloc) -> None:
    assert client.get("/admin/people").status_code == 302  # signed out: to the login page
    auth.login("bca_head")
    token = csrf(client, "/")

    assert [client.get(path).status_code for path in GET_ROUTES] == [403] * len(GET_ROUTES)
    codes = [client.post(path, data={"csrf_token": token}).status_code for path in POST_ROUTES]
    assert codes == [403] * len(POST_ROUTES)
    assert "Quản trị" not in page(client.get("/"))


def test_the_header_links_admins_to_the_admin_area(admin: FlaskClient) -> None:
    assert "/admin/definitions" in page(admin.get("/"))


def test_an_admin_fixes_a_broken_definition_and_publishes_it(admin: FlaskClient,
                                                             bloc: Bloc) -> None:
    assert "dest: approved" in page(admin.get("/admin/definitions/approval/edit"))

    broken = page(edit(admin, "validate", BROKEN))
    assert f"Dòng {BROKEN_LINE}" in broken
    assert "unknown state 'aproved' (did you mean 'approved'?)" in broken
    assert f'id="L{BROKEN_LINE}" class="bad"' in broken
    refused = edit(admin, "publish", BROKEN)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "dest: aproved" in page(refused)  # the text is kept

    assert "Định nghĩa hợp lệ" in page(edit(admin, "validate", FIXED))
    published = edit(admin, "publish", FIXED)
    assert published.status_code == 302  # type: ignore[attr-defined]

    assert "Đã công bố approval phiên bản 2" in page(admin.get("/admin/definitions/approval/edit"))
    listing = page(admin.get("/admin/definitions"))
    assert "v2" in listing
    assert "quan_tri" in listing
    assert [v["version"] for v in bloc.services.catalog.versions("approval")] == [1, 2]


def test_a_saved_draft_keeps_invalid_text(admin: FlaskClient, bloc: Bloc) -> None:
    assert edit(admin, "save", BROKEN).status_code == 302  # type: ignore[attr-defined]

    reopened = page(admin.get("/admin/definitions/approval/edit"))
    assert "dest: aproved" in reopened
    assert "Bản nháp do quan_tri lưu" in reopened
    assert "bản nháp" in page(admin.get("/admin/definitions"))
    assert len(bloc.services.catalog.versions("approval")) == 1  # nothing published


def test_publishing_removes_the_draft(admin: FlaskClient) -> None:
    edit(admin, "save", BROKEN)

    edit(admin, "publish", FIXED)

    assert "dest: aproved" not in page(admin.get("/admin/definitions/approval/edit"))


def test_a_definition_must_keep_its_name(admin: FlaskClient) -> None:
    renamed = APPROVAL.replace("name: approval", "name: other")

    answer = page(edit(admin, "validate", renamed))

    assert "the definition is named 'other'" in answer or "định nghĩa mang tên 'other'" in answer


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_the_diagram_of_the_text_being_edited_is_previewed(admin: FlaskClient) -> None:
    answer = page(edit(admin, "preview", FIXED))

    assert '<img alt="' in answer
    assert "data:image/svg+xml;base64," in answer


def test_a_new_definition_starts_from_a_skeleton_that_publishes(admin: FlaskClient,
                                                                bloc: Bloc) -> None:
    token = csrf(admin, "/admin/definitions/new")
    assert admin.post("/admin/definitions/new", data={
        "name": "Sai Ten", "csrf_token": token}).status_code == 400

    created = admin.post("/admin/definitions/new", data={"name": "thu_nghiem",
                                                         "csrf_token": token})
    assert created.headers["Location"].endswith("/admin/definitions/thu_nghiem/edit")
    text = page(admin.get("/admin/definitions/thu_nghiem/edit"))
    skeleton = text.split('autocapitalize="off">\n', 1)[1].split("</textarea>")[0]
    assert edit(admin, "publish", skeleton, "thu_nghiem").status_code == 302  # type: ignore[attr-defined]

    assert [v["version"] for v in bloc.services.catalog.versions("thu_nghiem")] == [1]


def test_a_migration_is_tried_dry_then_run_with_a_reason(admin: FlaskClient, bloc: Bloc) -> None:
    item = bloc.wf.start("approval", bloc.officer("bca"), unit_id=bloc.units["bca"], year=YEAR)
    renamed = APPROVAL.replace("draft", "preparing")
    bloc.services.catalog.publish_text(renamed, "approval.yaml", author="quan_tri")
    path = "/admin/definitions/approval/migrate"
    form = {"to_version": "2", "from_version": "", "mapping": "", "reason": "",
            "action": "dry_run", "csrf_token": csrf(admin, path)}

    blocked = page(admin.post(path, data=form))
    assert f"instance {item.id} (version 1) is in state 'draft'" in blocked
    dry = page(admin.post(path, data={**form, "mapping": "draft=preparing"}))
    assert "v1 draft → v2 preparing: 1" in dry
    assert bloc.wf.get(item.id).state == "draft"  # a dry run moves nothing
    no_reason = admin.post(path, data={**form, "mapping": "draft=preparing", "action": "migrate"})
    assert no_reason.status_code == 400
    assert admin.post(path, data={**form, "mapping": "draft preparing"}).status_code == 400

    done = page(admin.post(path, data={**form, "mapping": "draft=preparing",
                                       "action": "migrate", "reason": "Đổi tên trạng thái"}))
    assert "Đã chuyển: 1" in done
    assert bloc.wf.get(item.id).state == "preparing"


def test_an_admin_creates_a_user_and_grants_a_role(admin: FlaskClient, bloc: Bloc) -> None:
    token = csrf(admin, "/admin/people")
    user = {"username": "thu_ky", "full_name": "Thư ký khối", "email": "thuky@example.vn",
            "password": "mat-khau-moi", "csrf_token": token}

    assert admin.post("/admin/people/create", data=user).status_code == 302
    taken = admin.post("/admin/people/create", data=user)
    assert taken.status_code == 400
    assert "'thu_ky' is taken" in page(taken)
    no_unit = admin.post("/admin/people/grant", data={
        "username": "thu_ky", "role": "unit_officer", "year": str(YEAR), "csrf_token": token})
    assert no_unit.status_code == 400
    assert "is held for a unit" in page(no_unit)
    granted = admin.post("/admin/people/grant", data={
        "username": "thu_ky", "role": "unit_officer", "unit_id": str(bloc.units["bca"]),
        "year": str(YEAR), "csrf_token": token})
    assert granted.status_code == 302

    uow = bloc.services.uow()
    actor = people.actor_by_username(uow, "thu_ky")
    assert actor is not None
    assert actor.roles_for(bloc.units["bca"], None, YEAR) == {"unit_officer"}
    assert people.check_password(uow, "thu_ky", "mat-khau-moi") == actor.user_id
    listing = page(admin.get("/admin/people?page=2")) + page(admin.get("/admin/people"))
    assert "Thư ký khối" in listing
    assert "Cán bộ thi đua đơn vị" in listing


def test_an_admin_deactivates_an_account_but_not_their_own(admin: FlaskClient,
                                                           bloc: Bloc) -> None:
    token = csrf(admin, "/admin/people")
    target = bloc.users["bca_officer"]

    assert admin.post(f"/admin/people/{target}/active", data={
        "active": "0", "csrf_token": token}).status_code == 302
    own = admin.post(f"/admin/people/{bloc.users['quan_tri']}/active", data={
        "active": "0", "csrf_token": token})

    assert people.actor(bloc.services.uow(), target) is None
    assert own.status_code == 400
    assert people.actor(bloc.services.uow(), bloc.users["quan_tri"]) is not None


def test_units_and_clusters_are_listed_and_created(admin: FlaskClient, bloc: Bloc) -> None:
    token = csrf(admin, "/admin/units")
    assert admin.post("/admin/units/create", data={
        "code": "MOI", "name": "Đơn vị mới", "csrf_token": token}).status_code == 302
    assert "Đơn vị mới" in page(admin.get("/admin/units?page=2")) + page(admin.get("/admin/units"))
    members = [str(bloc.units["btp"]), str(bloc.units["lang"])]
    cluster = {"code": "K9", "name": "Khối thử", "kind": "khoi", "year": "2026",
               "members": members, "leader_unit_id": members[0],
               "deputy_unit_id": members[1], "csrf_token": token}

    outsider = admin.post("/admin/clusters/create",
                          data={**cluster, "deputy_unit_id": str(bloc.units["bca"])})
    assert outsider.status_code == 400
    assert "Khối thử" in page(outsider)  # the form keeps what was typed
    assert admin.post("/admin/clusters/create", data=cluster).status_code == 302
    listing = page(admin.get("/admin/clusters"))
    assert "Khối thử" in listing
    assert "BTP, LANG" in listing


def test_the_rules_page_marks_unverified_values(admin: FlaskClient) -> None:
    answer = page(admin.get("/admin/rules"))

    assert "chưa kiểm chứng" in answer
    assert "definitions/rules" in answer  # where to change them
    assert "Tết Nguyên đán" in answer
    assert "chưa kiểm chứng" in page(admin.get("/admin/rules?lang=en&page=2")).replace(
        "not verified", "chưa kiểm chứng")


def test_failed_deliveries_are_listed(admin: FlaskClient, bloc: Bloc) -> None:
    with write_transaction(bloc.services.engine) as conn:
        conn.execute(outbox.insert().values(
            channel="email", user_id=bloc.users["bca_head"], address="sai@",
            kind="notice", subject="Nhắc hạn giao ước", body="...", status="failed",
            attempts=6, last_error="550 mailbox unavailable",
            created_at=bloc.clock.now()))

    answer = page(admin.get("/admin/deliveries"))

    assert "Nhắc hạn giao ước" in answer
    assert "550 mailbox unavailable" in answer
