"""The JSON API as a client uses it: bearer tokens, the inbox, items and their actions,
documents, votes and definitions — and errors that are JSON with a clear message, always."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.year_support import MEMBERS, PDF, REASON, Bloc, launch, targets, walk_to_year_end
from workflow.config import PROJECT_ROOT
from workflow.engine.instance import Instance
from workflow.services import api_tokens, people, voting

FLAG = "co_thi_dua_chinh_phu"


def bearer(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username],
                                    "test client")
    return {"Authorization": f"Bearer {token}"}


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"]
    assert error["message"]
    return error


def pledge_of(bloc: Bloc, code: str) -> Instance:
    if bloc.campaign is None:
        launch(bloc)
    pledge: Instance = bloc.child("pledge", code)
    return pledge


def submitted_pledge(bloc: Bloc, code: str) -> Instance:
    pledge = pledge_of(bloc, code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))
    return pledge


# --- tokens ---------------------------------------------------------------------------------


def test_a_valid_token_names_the_caller_and_their_roles(client: FlaskClient, bloc: Bloc) -> None:
    response = client.get("/api/v1/me", headers=bearer(bloc, "bca_officer"))

    assert response.status_code == 200
    me = response.get_json()
    assert me["username"] == "bca_officer"
    assert {"role": "unit_officer", "unit_id": bloc.units["bca"], "cluster_id": None,
            "year": 2025} in me["roles"]
    [token] = api_tokens.tokens_of(bloc.services.uow(), bloc.users["bca_officer"])
    assert token.last_used_at == bloc.clock.now()
    assert "Set-Cookie" not in response.headers  # no session for token clients


@pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwdw==", "Bearer not-a-token"])
def test_no_token_or_a_wrong_one_is_401(client: FlaskClient, bloc: Bloc,
                                        header: str | None) -> None:
    headers = {"Authorization": header} if header else {}

    response = client.get("/api/v1/inbox", headers=headers)

    error = error_of(response, 401)
    assert error["code"] in ("unauthenticated", "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(client: FlaskClient, bloc: Bloc) -> None:
    headers = bearer(bloc, "bca_officer")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    [token] = api_tokens.tokens_of(bloc.services.uow(), bloc.users["bca_officer"])

    api_tokens.revoke(bloc.services.uow(), bloc.clock, token.id)

    assert error_of(client.get("/api/v1/me", headers=headers), 401)["code"] == "invalid_token"
    assert api_tokens.tokens_of(bloc.services.uow(), bloc.users["bca_officer"])[0].revoked_at


def test_only_the_hash_of_a_token_is_stored(bloc: Bloc) -> None:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users["bca_head"], "x")

    with bloc.services.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalar()

    assert stored == api_tokens.token_hash(token) != token
    assert api_tokens.authenticate(bloc.services.uow(), bloc.clock, token) == \
        bloc.users["bca_head"]


# --- the inbox and items ----------------------------------------------------------------------


def test_the_inbox_lists_the_units_pledge_for_its_officer(client: FlaskClient,
                                                          bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    body = client.get("/api/v1/inbox?lang=en", headers=bearer(bloc, "bca_officer")).get_json()

    assert [(i["id"], i["workflow"], i["state"]) for i in body["items"]] == [
        (pledge.id, "pledge", "draft")]
    assert "Save targets" in body["items"][0]["actions"]
    assert body["items"][0]["due"] is not None
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 25)


def test_lists_are_paginated(client: FlaskClient, bloc: Bloc) -> None:
    campaign = launch(bloc)  # started, then launched: two history entries
    headers = bearer(bloc, "btp_head")
    url = f"/api/v1/items/{campaign.id}/history?per_page=1"
    first = client.get(url, headers=headers).get_json()
    second = client.get(url + "&page=2", headers=headers).get_json()
    beyond = client.get(url + "&page=3", headers=headers).get_json()

    assert [e["seq"] for e in first["items"] + second["items"] + beyond["items"]] == [1, 2]
    assert first["total"] == second["total"] == beyond["total"] == 2
    too_many = error_of(client.get("/api/v1/inbox?per_page=101", headers=headers), 400)
    assert "per_page" in too_many["fields"]


def test_an_item_shows_its_state_version_and_actions(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    body = client.get(f"/api/v1/items/{pledge.id}?lang=en",
                      headers=bearer(bloc, "bca_head")).get_json()

    assert (body["workflow"], body["state"], body["version"]) == ("pledge", "draft", 1)
    actions = {a["trigger"]: a for a in body["actions"]}
    assert actions["save_targets"]["required_fields"] == ["targets"]
    assert actions["submit"]["allowed"] is False
    assert "targets missing for" in actions["submit"]["reason"]
    history = client.get(f"/api/v1/items/{pledge.id}/history",
                         headers=bearer(bloc, "bca_head")).get_json()
    assert history["total"] == 1
    assert history["items"][0]["kind"] == "spawn"
    assert dt.datetime.fromisoformat(history["items"][0]["at"]).tzinfo is not None


def test_an_item_is_refused_to_someone_without_a_role_there(client: FlaskClient,
                                                            bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    people.create_user(bloc.services.uow(), "outsider", "Người ngoài")
    bloc.users["outsider"] = people.user_id(bloc.services.uow(), "outsider")
    headers = bearer(bloc, "outsider")

    error = error_of(client.get(f"/api/v1/items/{pledge.id}", headers=headers), 403)
    history = client.get(f"/api/v1/items/{pledge.id}/history", headers=headers)

    assert "unit_officer" in error["message"]
    assert "'outsider' holds none there" in error["message"]
    assert error_of(history, 403)["code"] == "permission_denied"
    assert error_of(client.get("/api/v1/items/999999", headers=headers), 404)["code"] == \
        "not_found"


# --- firing -------------------------------------------------------------------------------


def test_firing_moves_the_item_and_returns_its_new_version(client: FlaskClient,
                                                          bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    response = client.post(f"/api/v1/items/{pledge.id}/fire", headers=bearer(bloc, "bca_officer"),
                           json={"trigger": "save_targets", "version": pledge.version,
                                 "payload": {"targets": targets(bloc)}, "comment": " Lưu "})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"id": pledge.id, "state": "draft", "status": "active",
                                   "version": pledge.version + 1}
    assert bloc.wf.history(pledge.id)[-1]["comment"] == "Lưu"


def test_a_stale_version_is_409(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    response = client.post(f"/api/v1/items/{pledge.id}/fire", headers=bearer(bloc, "bca_officer"),
                           json={"trigger": "save_targets", "version": pledge.version - 1,
                                 "payload": {"targets": targets(bloc)}})

    error = error_of(response, 409)
    assert error["code"] == "stale_state"
    assert f"at version {pledge.version}" in error["message"]
    assert bloc.wf.get(pledge.id).version == pledge.version


def test_another_units_item_is_403_naming_the_role(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "btp")  # bca's officer only inspects it, as a bloc inspector

    response = client.post(f"/api/v1/items/{pledge.id}/fire", headers=bearer(bloc, "bca_officer"),
                           json={"trigger": "save_targets", "version": pledge.version,
                                 "payload": {"targets": targets(bloc)}})

    error = error_of(response, 403)
    assert error["check"] == "role"
    assert "needs the role unit_officer or unit_head" in error["message"]


def test_a_missing_required_comment_is_409_with_the_reason(client: FlaskClient,
                                                           bloc: Bloc) -> None:
    pledge = submitted_pledge(bloc, "bca")
    headers = bearer(bloc, "btp_head")  # the bloc's leader returns it

    refused = client.post(f"/api/v1/items/{pledge.id}/fire", headers=headers,
                          json={"trigger": "return", "version": pledge.version})
    done = client.post(f"/api/v1/items/{pledge.id}/fire", headers=headers,
                       json={"trigger": "return", "version": pledge.version,
                             "comment": "Bổ sung chỉ tiêu"})

    error = error_of(refused, 409)
    assert (error["code"], error["check"]) == ("transition_not_allowed", "required")
    assert "'return' needs comment" in error["message"]
    assert done.get_json()["state"] == "returned"


def test_an_action_the_state_does_not_have_is_409(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    response = client.post(f"/api/v1/items/{pledge.id}/fire", headers=bearer(bloc, "bca_head"),
                           json={"trigger": "sign", "version": pledge.version})

    assert error_of(response, 409)["check"] == "trigger"


@pytest.mark.parametrize(("body", "fields"), [
    ({"trigger": "submit", "version": "1"}, {"version"}),
    ({"trigger": "submit", "version": 1, "extra": True}, {"extra"}),
    ({"trigger": 5, "version": True, "payload": []}, {"trigger", "version", "payload"}),
    ({"version": 1, "comment": "a\x00b"}, {"trigger", "comment"}),
])
def test_an_invalid_body_is_400_with_its_fields(client: FlaskClient, bloc: Bloc,
                                                body: dict[str, Any], fields: set[str]) -> None:
    pledge = pledge_of(bloc, "bca")

    response = client.post(f"/api/v1/items/{pledge.id}/fire", headers=bearer(bloc, "bca_head"),
                           json=body)

    error = error_of(response, 400)
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == fields


def test_a_body_that_is_not_a_json_object_is_400(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    headers = bearer(bloc, "bca_head")
    url = f"/api/v1/items/{pledge.id}/fire"

    for response in (client.post(url, headers=headers, data="trigger=submit"),
                     client.post(url, headers=headers, json=[1, 2]),
                     client.post(url, headers=headers, data="{", content_type="application/json")):
        assert "JSON object" in error_of(response, 400)["message"]


# --- documents ------------------------------------------------------------------------------


def test_a_document_is_uploaded_and_recorded_in_the_history(client: FlaskClient,
                                                            bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    response = client.post(f"/api/v1/items/{pledge.id}/documents",
                           headers=bearer(bloc, "bca_head"),
                           data={"kind": "signed_pledge", "file": (io.BytesIO(PDF), "gu.pdf")})

    assert response.status_code == 201, response.get_data(as_text=True)
    doc = response.get_json()
    assert (doc["kind"], doc["filename"], doc["size"]) == ("signed_pledge", "gu.pdf", len(PDF))
    last = bloc.wf.history(pledge.id)[-1]
    assert (last["kind"], last["payload"]["sha256"]) == ("document", doc["sha256"])


def test_a_document_of_a_wrong_type_is_409_without_a_file_400(client: FlaskClient,
                                                              bloc: Bloc) -> None:
    """A file the rules refuse is a 409 (its part of the request is well-formed); a request
    its OpenAPI document refuses (no file, a malformed kind) a 400."""
    pledge = pledge_of(bloc, "bca")
    url = f"/api/v1/items/{pledge.id}/documents"
    headers = bearer(bloc, "bca_head")

    text = client.post(url, headers=headers, data={
        "kind": "signed_pledge", "file": (io.BytesIO(b"hello"), "a.txt")})
    missing = client.post(url, headers=headers, data={"kind": "signed_pledge"})
    bad_kind = client.post(url, headers=headers, data={
        "kind": "Bad Kind", "file": (io.BytesIO(PDF), "a.pdf")})

    assert "only PDF" in error_of(text, 409)["fields"]["file"][0]
    assert set(error_of(missing, 400)["fields"]) == {"file"}
    assert set(error_of(bad_kind, 400)["fields"]) == {"kind"}


# --- votes ----------------------------------------------------------------------------------


def test_a_ballot_gets_a_receipt_and_the_result_waits_for_the_count(client: FlaskClient,
                                                                    bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    session = voting.schedule_cluster_vote(
        bloc.wf, bloc.refresh().id, bloc.leader, {FLAG: [bloc.units["bca"]]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session, "open", bloc.leader)
    headers = bearer(bloc, "bqp_head")
    url = f"/api/v1/votes/{session.id}/ballots"

    cast = client.post(url, headers=headers, json={"choices": {FLAG: [bloc.units["bca"]]}})
    again = client.post(url, headers=headers, json={"choices": {}})
    hidden = client.get(f"/api/v1/votes/{session.id}/result", headers=headers)
    for code, _ in MEMBERS:
        if code != "bqp":
            voting.cast_ballot(bloc.wf, session.id, bloc.head(code),  # not its own
                               {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})
    counted = client.get(f"/api/v1/votes/{session.id}/result", headers=headers)

    assert cast.status_code == 201
    receipt = dict(cast.get_json())["receipt"]  # the sealed ballot's hash (issue 19)
    assert cast.get_json() == {"session_id": session.id, "round": 1,
                               "voter_key": f"unit:{bloc.units['bqp']}", "receipt": receipt}
    assert len(receipt) == 64
    assert error_of(again, 409)["code"] == "transition_not_allowed"
    assert "hidden until the votes are counted" in error_of(hidden, 403)["message"]
    assert counted.get_json()["winners"] == {FLAG: [bloc.units["bca"]]}


def test_a_ballot_with_a_wrong_body_or_on_a_non_vote_is_refused(client: FlaskClient,
                                                                bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    headers = bearer(bloc, "bca_head")
    url = f"/api/v1/votes/{pledge.id}/ballots"

    wrong = client.post(url, headers=headers, json={"choices": {"x": ["a"]}, "who": "me"})
    not_a_vote = client.post(url, headers=headers, json={"choices": {}})

    assert set(error_of(wrong, 400)["fields"]) == {"choices", "who"}
    assert error_of(not_a_vote, 404)["code"] == "not_found"


# --- definitions ------------------------------------------------------------------------------


def pledge_text() -> str:
    return (PROJECT_ROOT / "definitions" / "pledge.yaml").read_text(encoding="utf-8")


def test_a_broken_definition_is_reported_with_line_numbers(client: FlaskClient,
                                                           bloc: Bloc) -> None:
    text = pledge_text().replace("dest: submitted", "dest: submited")
    line = text.splitlines().index("    dest: submited") + 1
    uow = bloc.services.uow()  # checking a definition is for administrators (issue 18)
    bloc.users["root"] = people.create_user(uow, "root", "Quản trị")
    people.grant(uow, bloc.users["root"], "admin")

    body = client.post("/api/v1/definitions/validate", headers=bearer(bloc, "root"),
                       json={"text": text, "file": "pledge.yaml"}).get_json()
    good = client.post("/api/v1/definitions/validate", headers=bearer(bloc, "root"),
                       json={"text": pledge_text()}).get_json()

    assert body["ok"] is False
    [typo] = [e for e in body["errors"] if e["path"] == "transitions[2].dest"]
    assert (typo["file"], typo["line"]) == ("pledge.yaml", line)
    assert "unknown state 'submited' (did you mean 'submitted'?)" in typo["message"]
    assert all(isinstance(e["line"], int) for e in body["errors"])
    assert good == {"ok": True, "name": "pledge", "errors": []}


def test_publishing_needs_the_admin_role(client: FlaskClient, bloc: Bloc) -> None:
    uow = bloc.services.uow()
    bloc.users["root"] = people.create_user(uow, "root", "Quản trị")
    people.grant(uow, bloc.users["root"], "admin")
    text = pledge_text().replace("Emulation pledge", "Emulation pledge (API)")
    body = {"text": text, "file": "definitions/pledge.yaml"}

    refused = client.post("/api/v1/definitions/publish", headers=bearer(bloc, "bca_head"),
                          json=body)
    broken = client.post("/api/v1/definitions/publish", headers=bearer(bloc, "root"),
                         json={"text": "name: [", "file": "x.yaml"})
    published = client.post("/api/v1/definitions/publish", headers=bearer(bloc, "root"),
                            json=body)

    assert "needs the role admin" in error_of(refused, 403)["message"]
    assert error_of(broken, 409)["errors"][0]["line"] == 1
    before = int(str(bloc.services.catalog.versions("pledge")[-2]["version"]))
    assert published.get_json() == {"name": "pledge", "version": before + 1, "created": True}


# --- errors are JSON everywhere under /api ---------------------------------------------------


def test_unknown_paths_and_methods_are_json(client: FlaskClient, bloc: Bloc) -> None:
    assert error_of(client.get("/api/v2/nothing"), 404)["code"] == "not_found"
    wrong = client.get("/api/v1/items/1/fire", headers=bearer(bloc, "bca_head"))
    assert error_of(wrong, 405)["code"] == "method_not_allowed"
    assert wrong.headers["Allow"]
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"  # pages keep their HTML


def test_a_too_large_upload_is_413_json(app: Flask, client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = client.post(f"/api/v1/items/{pledge.id}/documents",
                           headers=bearer(bloc, "bca_head"),
                           data={"kind": "x", "file": (io.BytesIO(PDF * 100), "a.pdf")})

    assert "too large" in error_of(response, 413)["message"]


def test_an_unexpected_failure_is_500_json(app: Flask, client: FlaskClient, bloc: Bloc,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("workflow.services.inbox.waiting_for", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = client.get("/api/v1/inbox", headers=bearer(bloc, "bca_head"))

    error = error_of(response, 500)
    assert "boom" not in error["message"]


def test_the_openapi_document_is_valid_and_describes_every_route(app: Flask,
                                                                client: FlaskClient) -> None:
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    doc = client.get("/api/openapi.json").get_json()

    OPENAPI_30_VALIDATOR.validate(doc)
    described = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    routed = {(m, str(r).replace("<int:", "{").replace(">", "}"))
              for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
              for m in r.methods or () if m not in ("HEAD", "OPTIONS")}
    assert described == routed
    fire = doc["paths"]["/api/v1/items/{item_id}/fire"]["post"]
    schema = fire["requestBody"]["content"]["application/json"]["schema"]
    # the version the caller saw: in the body, or as the header If-Match (issue 15)
    assert schema["required"] == ["trigger"]
    assert {p["name"] for p in fire["parameters"] if p["in"] == "header"} == {
        "If-Match", "Idempotency-Key"}
    assert schema["additionalProperties"] is False
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
