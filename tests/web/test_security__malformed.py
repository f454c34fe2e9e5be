"""The HTML forms and pages under malformed requests: a missing CSRF token, wrong types, ids that
do not exist, huge fields and uploads, bytes that are not UTF-8, path traversal in file names,
files that are not what their name says, garbage query strings. Never a 500, and a refused
post writes nothing (the item's version and history, and every table's rows, are unchanged)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from tests.conftest import Snapshots
from tests.db_fingerprint import fingerprint as db_fingerprint
from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    PDF,
    REASON,
    Bloc,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
    targets,
)
from workflow.adapters.tables import documents, users
from workflow.services import people

HUGE = 2**70  # no database integer holds it
HTML_AS_PDF = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def fingerprint(bloc: Bloc) -> tuple[Any, ...]:
    """Every table's row count, the instances' versions and the users' state."""
    return db_fingerprint(bloc.services.engine)


def not_5xx(response: TestResponse, what: str = "") -> TestResponse:
    assert response.status_code < 500, f"{what}: {response.status_code} " \
        f"{response.get_data()[:300]!r}"
    return response


@pytest.fixture
def boss(bloc: Bloc) -> Bloc:
    """The leader's head (btp_head) is also an admin, so one session reaches every page."""
    people.grant(bloc.services.uow(), bloc.users["btp_head"], "admin")
    return bloc


def pledge_ready(bloc: Bloc) -> Any:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    return bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"),
                        {"targets": targets(bloc)}).instance


def url_of(rule: str, ids: dict[str, Any]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule)


def big_post(client: FlaskClient, path: str, data: dict[str, Any]) -> TestResponse:
    """A multipart post of a large body encoded in memory (the test client would spool it to
    a temporary file it never closes)."""
    fields = MultiDict({k: FileStorage(v[0], v[1], content_type="application/pdf")
                        if isinstance(v, tuple) else v for k, v in data.items()})
    boundary, body = encode_multipart(fields)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_form_without_or_with_a_forged_csrf_token_is_400_and_writes_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    pledge = pledge_ready(boss)
    auth.login("btp_head")
    ids = {"item_id": pledge.id, "campaign_id": boss.campaign.id if boss.campaign else 1,
           "user_id": boss.users["bca_head"], "name": "pledge", "session_id": pledge.id,
           "sheet_id": pledge.id, "dossier_id": pledge.id, "document_id": 1}
    posts = sorted(rule.rule for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api"))
    assert len(posts) > 20
    before = fingerprint(boss)

    for rule in posts:
        url = url_of(rule, ids)
        form = {"version": str(pledge.version), "trigger": "submit", "comment": "x",
                "text": "x", "username": "btp_head", "password": "x", "name": "x_y",
                "code": "X", "action": "save", "source_text": "x", "active": "0"}
        for token in (None, "forged", csrf(client, "/")[:-2] + "xx"):
            data = dict(form) if token is None else {**form, "csrf_token": token}
            response = client.post(url, data=data)
            assert response.status_code == 400, f"{rule} with token {token!r}"
            assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)

    assert fingerprint(boss) == before
    assert client.get("/").status_code == 200  # the forged logout did not sign anyone out


# --- wrong types and ids that do not exist --------------------------------------------------------


def test_wrong_types_in_an_item_form_are_refused_cleanly(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    pledge = pledge_ready(bloc)
    path = f"/items/{pledge.id}"
    auth.login("bca_head")
    token = csrf(client, path)
    before = fingerprint(bloc)

    answers = {
        "version=abc": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "submit", "version": "abc"}).status_code,
        "version=-1": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "submit", "version": "-1"}).status_code,
        "version=huge": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "submit", "version": str(HUGE)}).status_code,
        "version=1.5": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "submit", "version": "1.5"}).status_code,
        "no version": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "submit"}).status_code,
        "unknown trigger": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "../../admin", "version": str(pledge.version)},
        ).status_code,
        "payload field of a list": client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "save_targets", "version": str(pledge.version),
            "field:targets": "[1,2]"}).status_code,
    }
    for value in ("abc", "NaN", "inf", "-inf", "1e999999", "-5", "١٢٣", "0x10", " "):
        answers[f"target {value!r}"] = client.post(f"{path}/targets", data={
            "csrf_token": token, **{f"target:{k}": value for k in targets(bloc)}}).status_code
    answers["target of no criterion"] = client.post(f"{path}/targets", data={
        "csrf_token": token, "target:../../x": "5"}).status_code

    assert answers == {
        "version=abc": 400, "version=-1": 409, "version=huge": 409, "version=1.5": 400,
        "no version": 400, "unknown trigger": 302, "payload field of a list": 302,
        **{f"target {v!r}": 302 for v in ("abc", "NaN", "inf", "-inf", "1e999999", "-5",
                                          "١٢٣", "0x10", " ")},
        "target of no criterion": 302,
    }
    assert fingerprint(bloc) == before
    assert len(bloc.wf.history(pledge.id)) == pledge.version


def test_ids_that_do_not_exist_are_404_on_every_page(
    app: Flask, client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    pledge = pledge_ready(boss)
    auth.login("btp_head")
    token = csrf(client, "/")
    before = fingerprint(boss)
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule
             and not r.rule.startswith("/api")]
    assert len(rules) > 15

    for missing in (999_999, 2**31, 2**63, HUGE):
        for rule in rules:
            url = url_of(rule.rule, {})
            url = re.sub(r"/1(?=/|$)", f"/{missing}", url)
            if "GET" in (rule.methods or ()):
                assert not_5xx(client.get(url), url).status_code == 404, url
            if "POST" in (rule.methods or ()):
                answer = not_5xx(client.post(url, data={
                    "csrf_token": token, "version": "1", "trigger": "x", "text": "x",
                    "active": "0"}), url)
                assert answer.status_code in (302, 404), f"{url}: {answer.status_code}"
    # an existing item of the wrong kind is 404 too
    for path in (f"/campaigns/{pledge.id}", f"/score-sheets/{pledge.id}",
                 f"/votes/{pledge.id}", f"/campaigns/{pledge.id}/ranking"):
        assert client.get(path).status_code == 404, path
    assert fingerprint(boss) == before


def test_an_admin_form_with_wrong_types_is_400_and_writes_nothing(
    client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    auth.login("btp_head")
    token = csrf(client, "/admin/people")
    before = fingerprint(boss)
    unit = boss.units["bca"]

    posts = [
        ("/admin/people/grant", {"username": "bca_head", "role": "unit_officer",
                                 "unit_id": "abc", "year": "2025"}),
        ("/admin/people/grant", {"username": "bca_head", "role": "unit_officer",
                                 "unit_id": str(HUGE), "year": "2025"}),
        ("/admin/people/grant", {"username": "bca_head", "role": "unit_officer",
                                 "unit_id": "999999", "year": "2025"}),
        ("/admin/people/grant", {"username": "bca_head", "role": "no_such_role",
                                 "unit_id": str(unit), "year": "2025"}),
        ("/admin/people/grant", {"username": "nobody", "role": "unit_officer",
                                 "unit_id": str(unit), "year": "99999"}),
        ("/admin/people/grant", {"username": "bca_head", "role": "cluster_leader",
                                 "cluster_id": "999999", "year": "2025"}),
        ("/admin/people/create", {"username": "x", "full_name": "X", "password": "short"}),
        ("/admin/people/create", {"username": "bca_head", "full_name": "Again",
                                  "password": "long-enough-1"}),
        ("/admin/people/create", {"username": "y", "full_name": "Y", "email": "not-an-email",
                                  "password": "long-enough-1"}),
        ("/admin/units/create", {"code": "NEW", "name": "N", "parent_id": "-1"}),
        ("/admin/units/create", {"code": "NEW", "name": "N", "parent_id": "999999"}),
        ("/admin/units/create", {"code": "BCA", "name": "Duplicate"}),
        ("/admin/units/create", {"code": "", "name": ""}),
        ("/admin/clusters/create", {"code": "K", "name": "K", "kind": "khoi", "year": "abc"}),
        ("/admin/clusters/create", {"code": "K", "name": "K", "kind": "zzz", "year": "2025"}),
        ("/admin/clusters/create", {"code": "K", "name": "K", "kind": "khoi", "year": "2025",
                                    "members": ["999999", str(unit)]}),
        ("/admin/clusters/create", {"code": "K", "name": "K", "kind": "khoi", "year": "2025",
                                    "members": [str(unit), str(unit)]}),
        ("/admin/clusters/create", {"code": "K", "name": "K", "kind": "khoi", "year": "2025",
                                    "leader_unit_id": "999999"}),
        ("/admin/definitions/pledge/migrate", {"action": "dry_run", "to_version": "abc"}),
        ("/admin/definitions/pledge/migrate", {"action": "migrate", "to_version": str(HUGE)}),
        ("/admin/definitions/pledge/migrate", {"action": "dry_run", "to_version": "1",
                                               "mapping": "a=b=c\n"}),
        ("/admin/definitions/pledge/edit", {"action": "publish", "source_text": "[1, 2"}),
        ("/admin/definitions/pledge/edit", {"action": "nonsense", "source_text": "x"}),
        ("/admin/definitions/pledge/edit", {"action": "publish",
                                            "source_text": "a: &a [*a]"}),
        ("/admin/definitions/pledge/edit", {"action": "publish",
                                            "source_text": "[" * 5000 + "]" * 5000}),
        ("/admin/definitions/new", {"name": "../../etc"}),
        ("/admin/definitions/new", {"name": "pledge"}),
    ]
    for path, form in posts:
        answer = not_5xx(client.post(path, data={"csrf_token": token, **form}), path)
        assert answer.status_code in (400, 404), f"{path} {form}: {answer.status_code}"
        assert fingerprint(boss) == before, f"{path} {form} wrote"

    for name in ("..%2F..%2Fetc", "Pledge", "a" * 100, "%00"):
        for suffix in ("edit", "migrate"):
            assert not_5xx(client.get(f"/admin/definitions/{name}/{suffix}")).status_code \
                == 404


def test_a_malformed_inspection_plan_is_refused_without_a_write(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    path = f"/campaigns/{campaign.id}/inspection-plan"
    auth.login("btp_head")
    token = csrf(client, path)
    version = str(bloc.refresh().version)
    before = fingerprint(bloc)

    for plan in ("", "not json", "[1, 2]", "{}", '[{"unit_id": "x"}]', "null", "1e999",
                 '[{"inspector_unit_id": 1, "unit_id": 1, "team": 5, "lead": []}]',
                 "[" * 10000 + "]" * 10000):
        answer = not_5xx(client.post(path, data={"csrf_token": token, "version": version,
                                                 "plan": plan}), plan[:40])
        assert answer.status_code in (302, 400), f"{plan[:40]}: {answer.status_code}"
    assert fingerprint(bloc) == before


# --- huge fields and uploads ----------------------------------------------------------------------


def test_a_one_megabyte_field_is_cut_or_refused_never_stored_whole(
    client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    pledge = pledge_ready(boss)
    auth.login("btp_head")
    token = csrf(client, "/")
    # a megabyte of characters, the first ten thousand of two bytes each (what is cut must be
    # cut at a character); all of them "ư" made the test spend its time decoding 6 MB of %-escapes
    mega = "ư" * 10_000 + "x" * (1024 * 1024 - 10_000)
    before = fingerprint(boss)

    edit = client.post("/admin/definitions/pledge/edit", data={
        "csrf_token": token, "action": "save", "source_text": mega})
    new = client.post("/admin/definitions/new", data={"csrf_token": token, "name": mega})
    person = client.post("/admin/people/create", data={
        "csrf_token": token, "username": mega, "full_name": mega, "password": mega})
    signin = FlaskClient(client.application, client.response_wrapper).post("/login", data={
        "csrf_token": token, "username": mega, "password": mega})

    assert edit.status_code == 400
    assert new.status_code == 400
    assert not_5xx(person).status_code in (302, 400)
    assert not_5xx(signin).status_code in (400, 401)
    with boss.services.engine.connect() as conn:
        longest = conn.execute(sa.select(sa.func.max(sa.func.length(users.c.username)))).scalar()
    assert longest <= 100
    if person.status_code == 400:
        assert fingerprint(boss) == before

    # the comment of an action is cut at 5000 characters
    auth.logout()
    auth.login("bca_head")
    fired = client.post(f"/items/{pledge.id}/fire", data={
        "csrf_token": csrf(client, f"/items/{pledge.id}"), "trigger": "submit",
        "version": str(pledge.version), "comment": mega})
    assert fired.status_code == 302
    last = boss.wf.history(pledge.id)[-1]
    assert last["trigger"] == "submit"
    assert last["comment"] == "ư" * 5000


def test_an_objection_of_a_megabyte_is_refused_with_a_message(
    client: FlaskClient, bloc: Bloc
) -> None:
    before = fingerprint(bloc)
    answer = client.post("/public/dossiers/1/objections", data={
        "csrf_token": csrf(client), "text": "x" * (1024 * 1024),
        "contact": "y" * 100_000}, follow_redirects=True)

    assert answer.status_code == 200
    assert 'class="flash error"' in answer.get_data(as_text=True)
    assert fingerprint(bloc) == before


def test_an_upload_beyond_the_limit_is_413_with_a_clear_page_and_nothing_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    pledge = pledge_ready(bloc)
    auth.login("bca_head")
    token = csrf(client, f"/items/{pledge.id}")
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = fingerprint(bloc)
    folder = bloc.services.settings.documents_dir
    stored = set(folder.iterdir()) if folder.exists() else set()

    answer = big_post(client, f"/items/{pledge.id}/documents", {
        "csrf_token": token, "kind": "signed_pledge",
        "file": (io.BytesIO(PDF + b"0" * (limit + 1024)), "lon.pdf")})

    assert answer.status_code == 413
    assert "Tệp quá lớn" in answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"
    assert fingerprint(bloc) == before
    assert (set(folder.iterdir()) if folder.exists() else set()) == stored


def test_an_upload_under_the_request_limit_but_over_the_file_limit_is_refused(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    from workflow.services.documents import MAX_BYTES

    pledge = pledge_ready(bloc)
    auth.login("bca_head")
    before = fingerprint(bloc)

    answer = big_post(client, f"/items/{pledge.id}/documents", {
        "csrf_token": csrf(client, f"/items/{pledge.id}"), "kind": "signed_pledge",
        "file": (io.BytesIO(PDF + b"0" * MAX_BYTES), "lon.pdf")})

    assert answer.status_code == 400
    assert fingerprint(bloc) == before


# --- bytes that are not UTF-8 ---------------------------------------------------------------------


def test_bytes_that_are_not_utf8_in_forms_and_query_strings_never_fail(
    client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    pledge = pledge_ready(boss)
    auth.login("btp_head")
    token = csrf(client, "/")
    raw = b"\xff\xfe\xc0\xaf\xed\xa0\x80\x00"

    for path in (f"/items/{pledge.id}/fire", f"/items/{pledge.id}/targets",
                 "/public/dossiers/1/objections", "/admin/units/create",
                 "/admin/people/create", "/admin/definitions/new",
                 "/admin/definitions/pledge/edit", "/notifications/read"):
        body = (b"csrf_token=" + token.encode() + b"&version=" + str(pledge.version).encode()
                + b"&trigger=" + raw + b"&comment=" + raw + b"&text=" + raw + b"&code="
                + raw + b"&name=" + raw + b"&username=" + raw + b"&full_name=" + raw
                + b"&password=" + raw * 2 + b"&action=save&source_text=" + raw + b"&id=" + raw
                + b"&target%3Axyz=" + raw + b"&" + raw + b"=" + raw)
        answer = client.post(path, data=body,
                             content_type="application/x-www-form-urlencoded")
        not_5xx(answer, path)
        percent = body.replace(raw, b"%FF%FE%C0%AF%ED%A0%80%00")
        not_5xx(client.post(path, data=percent,
                            content_type="application/x-www-form-urlencoded"), path)
    for path in ("/", f"/items/{pledge.id}", "/public", "/admin/people", "/login"):
        wsgi = (b"page=" + raw + b"&lang=" + raw).decode("latin-1")  # bytes as WSGI carries them
        not_5xx(client.get(path, environ_overrides={"QUERY_STRING": wsgi}), path)
        not_5xx(client.get(path + "?page=%FF%FE&lang=%C0%AF&%00=%00"), path)
    # a file name that is not UTF-8
    upload = client.post(f"/items/{pledge.id}/documents", data={
        "csrf_token": token, "kind": "signed_pledge",
        "file": (io.BytesIO(PDF), raw.decode("latin-1") + ".pdf")},
        content_type="multipart/form-data")
    not_5xx(upload, "upload")


def test_a_nul_character_in_a_form_is_refused_not_a_server_error(
    client: FlaskClient, auth: AuthActions, boss: Bloc
) -> None:
    """PostgreSQL cannot store NUL in text: a form carrying one must be refused cleanly."""
    pledge = pledge_ready(boss)
    auth.login("btp_head")
    token = csrf(client, "/")
    before = fingerprint(boss)

    answers = [
        client.post("/admin/units/create", data={"csrf_token": token, "code": "NUL",
                                                 "name": "a\x00b"}),
        client.post("/admin/people/create", data={
            "csrf_token": token, "username": "nul\x00", "full_name": "N\x00",
            "password": "long-enough\x00"}),
        client.post("/admin/clusters/create", data={
            "csrf_token": token, "code": "K\x00", "name": "K", "kind": "khoi", "year": "2025"}),
        client.post("/admin/definitions/pledge/edit", data={
            "csrf_token": token, "action": "save", "source_text": "name: x\x00"}),
        client.post("/public/dossiers/1/objections", data={
            "csrf_token": token, "text": "a\x00b"}),
    ]
    for answer in answers:
        assert not_5xx(answer).status_code == 400
    assert fingerprint(boss) == before

    auth.logout()
    auth.login("bca_head")
    token = csrf(client, f"/items/{pledge.id}")
    version = pledge.version
    before = fingerprint(boss)
    fired = not_5xx(client.post(f"/items/{pledge.id}/fire", data={
        "csrf_token": token, "trigger": "submit", "version": str(version),
        "comment": "a\x00b"}))
    upload = not_5xx(client.post(f"/items/{pledge.id}/documents", data={
        "csrf_token": token, "kind": "signed_pledge",
        "file": (io.BytesIO(PDF), "a\x00b.pdf")}, content_type="multipart/form-data"))
    assert fired.status_code == upload.status_code == 400
    assert fingerprint(boss) == before


# --- uploads: names and contents ------------------------------------------------------------------


def _documents_of(bloc: Bloc, item_id: int) -> list[Any]:
    with bloc.services.engine.connect() as conn:
        return list(conn.execute(sa.select(documents).where(
            documents.c.instance_id == item_id).order_by(documents.c.id)))


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


TRAVERSALS = ("../../etc/passwd.pdf", "..\\..\\windows\\win.pdf", "/etc/shadow.pdf",
              "a/../../b.pdf", "....//....//c.pdf")


@pytest.fixture
def scoring(bloc: Bloc, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        launch(bloc)
        sign_all_pledges(bloc)
        mid_year(bloc)
        plan_and_start_inspection(bloc)
        inspect_all(bloc)
        return bloc

    return snapshots.world("web:bloc inspected, scoring", bloc.services, bloc.clock, build)


def test_a_path_in_an_uploaded_file_name_never_reaches_the_disk_or_the_record(
    client: FlaskClient, auth: AuthActions, scoring: Bloc, tmp_path: Path
) -> None:
    bloc = scoring
    folder = bloc.services.settings.documents_dir
    outside = _files_under(tmp_path) - _files_under(folder)
    pledge = bloc.child("pledge", "bca")
    sheet = bloc.child("score_sheet", "bca")
    auth.login("bca_head")
    token = csrf(client, f"/items/{pledge.id}")
    earlier = {d.id for d in _documents_of(bloc, pledge.id) + _documents_of(bloc, sheet.id)}
    noted_before = len([e for e in bloc.wf.history(pledge.id) if e["kind"] == "document"])

    for i, name in enumerate(TRAVERSALS):
        content = PDF + str(i).encode()
        page = client.post(f"/items/{pledge.id}/documents", data={
            "csrf_token": token, "kind": "signed_pledge", "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data")
        evidence = client.post(f"/score-sheets/{sheet.id}/evidence", data={
            "csrf_token": token, "criterion": "ky_giao_uoc", "kind": "signed_pledge",
            "file": (io.BytesIO(content + b"e"), name)}, content_type="multipart/form-data")
        assert page.status_code == evidence.status_code == 302, name

    stored = [d for d in _documents_of(bloc, pledge.id) + _documents_of(bloc, sheet.id)
              if d.id not in earlier]
    assert len(stored) == 2 * len(TRAVERSALS)
    for doc in stored:
        assert "/" not in doc.filename, doc.filename
        assert "\\" not in doc.filename, doc.filename
        assert doc.filename not in ("", ".", "..")
        assert re.fullmatch(r"[0-9a-f]{64}", doc.storage_key)
        assert (folder / doc.storage_key).is_file()
    noted = [e["payload"]["filename"] for e in bloc.wf.history(pledge.id)
             if e["kind"] == "document"][noted_before:]
    assert len(noted) == len(TRAVERSALS)
    for name in noted:
        assert "/" not in name, name
        assert "\\" not in name, name
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in folder.iterdir())
    assert _files_under(tmp_path) - _files_under(folder) == outside
    assert not (folder.parent / "etc").exists()
    assert not Path("/etc/passwd.pdf").exists()


def test_a_file_whose_content_is_not_an_allowed_type_is_refused_whatever_its_name(
    client: FlaskClient, auth: AuthActions, scoring: Bloc
) -> None:
    bloc = scoring
    pledge = bloc.child("pledge", "bca")
    sheet = bloc.child("score_sheet", "bca")
    auth.login("bca_head")
    token = csrf(client, f"/items/{pledge.id}")
    before = fingerprint(bloc)
    history = len(bloc.wf.history(pledge.id))

    for content, name in ((HTML_AS_PDF, "bao-cao.pdf"), (b"MZ\x90\x00", "a.docx"),
                          (b"", "empty.pdf"), (b"%PD", "short.pdf"),
                          (b"GIF89a", "image.png")):
        page = client.post(f"/items/{pledge.id}/documents", data={
            "csrf_token": token, "kind": "signed_pledge",
            "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
        evidence = client.post(f"/score-sheets/{sheet.id}/evidence", data={
            "csrf_token": token, "criterion": "ky_giao_uoc", "kind": "signed_pledge",
            "file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
            follow_redirects=True)
        assert page.status_code == 400, name
        assert evidence.status_code == 200, name
        assert 'class="flash error"' in evidence.get_data(as_text=True), name

    for kind in ("", "Bad Kind", "../x", "k" * 100):
        answer = client.post(f"/items/{pledge.id}/documents", data={
            "csrf_token": token, "kind": kind, "file": (io.BytesIO(PDF), "a.pdf")},
            content_type="multipart/form-data")
        assert answer.status_code == 400, kind
    no_file = client.post(f"/items/{pledge.id}/documents", data={
        "csrf_token": token, "kind": "signed_pledge"}, content_type="multipart/form-data")
    assert no_file.status_code == 302

    assert fingerprint(bloc) == before
    assert len(bloc.wf.history(pledge.id)) == history


def test_wrong_types_in_the_score_sheet_and_vote_forms_are_refused_cleanly(
    client: FlaskClient, auth: AuthActions, scoring: Bloc
) -> None:
    bloc = scoring
    sheet = bloc.child("score_sheet", "bca")
    path = f"/score-sheets/{sheet.id}"
    auth.login("bca_officer")
    token = csrf(client, path)
    before = fingerprint(bloc)

    for value in ("abc", "NaN", "sNaN", "inf", "-inf", "1e999999", "-1e-999999", "9" * 40,
                  "1,2,3", "０", "\u0663"):
        for name in ("points-ky_giao_uoc", "achieved-hoan_thanh_chi_tieu"):
            answer = client.post(f"{path}/scores", data={
                "csrf_token": token, "version": str(sheet.version), name: value})
            # 422: the sheet is shown again with what was typed and what is wrong with it
            assert not_5xx(answer, f"{name}={value}").status_code in (302, 400, 422), value
    for version in ("abc", "", str(HUGE)):
        answer = client.post(f"{path}/scores", data={
            "csrf_token": token, "version": version, "points-ky_giao_uoc": "4"})
        assert not_5xx(answer).status_code in (400, 409), version
        answer = client.post(f"{path}/submit", data={"csrf_token": token, "version": version})
        assert not_5xx(answer).status_code in (400, 409), version
    for criterion in ("", "../../x", "no_such"):
        answer = client.post(f"{path}/evidence", data={
            "csrf_token": token, "criterion": criterion, "kind": "signed_pledge",
            "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
        assert not_5xx(answer).status_code == 302
    assert fingerprint(bloc) == before


def test_wrong_types_in_the_vote_forms_are_refused_cleanly(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    from tests.web.test_web__year import FLAG, open_vote

    session = open_vote(bloc)
    path = f"/votes/{session.id}"
    auth.login("btp_head")  # the leader, who also casts his unit's ballot
    token = csrf(client, path)
    before = fingerprint(bloc)

    for choice in ("abc", str(HUGE), "-1", "", "\u0663", str(bloc.units["ttcp"]), "1.0"):
        for step in ("confirm", "cast"):
            answer = client.post(f"{path}/{step}", data={
                "csrf_token": token, f"choice-{FLAG}": choice})
            assert not_5xx(answer, choice).status_code == 302, (step, choice)
    for form in ({f"choice-{FLAG}": str(bloc.units["bca"]), "abstain": "1"},
                 {"choice-no_such_title": str(bloc.units["bca"])}, {},
                 {f"choice-{FLAG}": [str(bloc.units["bca"])] * 2}):
        answer = client.post(f"{path}/cast", data={"csrf_token": token, **form})
        assert not_5xx(answer).status_code == 302, form
    for version in ("abc", "", str(HUGE), "-1"):
        answer = client.post(f"{path}/fire", data={
            "csrf_token": token, "trigger": "close", "comment": REASON, "version": version})
        assert not_5xx(answer).status_code in (400, 409), version
    answer = client.post(f"{path}/fire", data={
        "csrf_token": token, "trigger": "../../lock", "version": str(session.version)})
    assert answer.status_code == 302
    assert fingerprint(bloc) == before


# --- garbage query strings on every page ----------------------------------------------------------

GARBAGE = [
    "page=-1", "page=0", "page=abc", f"page={HUGE}", "page=1e9", "page=%FF", "ypage=-3",
    f"ypage={HUGE}", "lang=%FF%FE", "lang=xx", "lang=../../etc", "per_page=0",
    f"per_page={HUGE}", "next=//evil.example", "q=%3Cscript%3Ealert(1)%3C/script%3E",
    "%00=%00", "page=1&page=2&page=abc", "a" * 5000 + "=1", "=", "&&&", "page[]=1",
]


@pytest.fixture
def pages(scoring: Bloc) -> dict[str, int]:
    bloc = scoring
    people.grant(bloc.services.uow(), bloc.users["btp_head"], "admin")
    sheet = bloc.child("score_sheet", "bca")
    return {"item_id": bloc.child("pledge", "bca").id, "campaign_id": bloc.refresh().id,
            "sheet_id": sheet.id, "session_id": sheet.id, "dossier_id": sheet.id,
            "document_id": 1, "user_id": bloc.users["bca_head"]}


def test_every_get_page_survives_garbage_query_strings(
    app: Flask, client: FlaskClient, auth: AuthActions, pages: dict[str, int], bloc: Bloc
) -> None:
    auth.login("btp_head")
    token = {"Authorization": "Bearer x"}
    gets = sorted(r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ()))
    before = fingerprint(bloc)

    for rule in gets:
        url = url_of(rule, {**pages, "name": "pledge", "filename": "style.css"})
        for junk in GARBAGE:
            answer = client.get(f"{url}?{junk}", headers=token if url.startswith("/api") else {})
            not_5xx(answer, f"{url}?{junk[:50]}")
            text = answer.get_data()
            assert b"<script>alert(1)" not in text, url
            answer.close()
        raw = client.get(url, environ_overrides={
            "QUERY_STRING": "page=\xff&lang=\xc0\xaf&\xff=\xfe"})
        not_5xx(raw, url)
        raw.close()
    assert fingerprint(bloc) == before


def test_the_login_form_never_sends_a_user_off_the_site(client: FlaskClient, bloc: Bloc) -> None:
    from tests.web.conftest import PASSWORD

    people.set_password(bloc.services.uow(), bloc.users["bca_head"], PASSWORD)
    for target in ("//evil.example/x", "https://evil.example", "%2F%2Fevil.example",
                   "/%5Cevil.example", "/%09/evil.example", "/%0A/evil.example",
                   "/%0D%0ASet-Cookie:%20x=1"):
        fresh = client.application.test_client()
        answer = fresh.post(f"/login?next={target}", data={
            "csrf_token": csrf(fresh), "username": "bca_head", "password": PASSWORD})
        assert answer.status_code == 302, target
        location = answer.headers["Location"]
        assert location.startswith("/"), location
        assert not location.startswith(("//", "/\\")), location
    fresh = client.application.test_client()
    answer = fresh.post("/login?next=/items/7%3Ftab%3Dhistory", data={
        "csrf_token": csrf(fresh), "username": "bca_head", "password": PASSWORD})
    assert answer.headers["Location"] == "/items/7?tab=history"  # a page on the site is kept
