"""The API's HTTP conventions (issue 15): an item's version is its ETag; an action names the
version it expects with If-Match (a stale one is 412 with the current version), so a client
needs no GET first; a POST sent again with the same Idempotency-Key is answered as the first
time and never acts twice."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of, pledge_of, submitted_pledge
from tests.year_support import PDF, Bloc, targets


def test_an_item_gives_its_version_as_an_etag(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    answer = client.get(f"/api/v1/items/{pledge.id}", headers=bearer(bloc, "bca_officer"))

    assert answer.headers["ETag"] == f'"{pledge.version}"'


def test_if_match_replaces_the_body_version_and_a_stale_one_is_412(client: FlaskClient,
                                                                   bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    headers = bearer(bloc, "bca_officer")
    body = {"trigger": "save_targets", "payload": {"targets": targets(bloc)}}

    done = client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                       headers={**headers, "If-Match": f'"{pledge.version}"'})
    stale = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                                 headers={**headers, "If-Match": f'"{pledge.version}"'}), 412)
    weak = client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                       headers={**headers, "If-Match": f'W/"{pledge.version + 1}"'})

    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.headers["ETag"] == f'"{pledge.version + 1}"'
    assert stale["code"] == "precondition_failed"
    assert stale["current_version"] == pledge.version + 1
    assert "read it again" in stale["message"]
    assert weak.status_code == 200
    assert bloc.wf.get(pledge.id).version == pledge.version + 2


def test_an_action_without_any_version_is_428_with_a_bad_if_match_400(client: FlaskClient,
                                                                      bloc: Bloc) -> None:
    """No version at all: 428 Precondition Required (the body's schema cannot say that one of
    the header and the field is needed); a malformed If-Match: 400."""
    pledge = pledge_of(bloc, "bca")
    headers = bearer(bloc, "bca_officer")
    body = {"trigger": "save_targets", "payload": {"targets": targets(bloc)}}

    bare = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                                headers=headers), 428)
    bad = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                               headers={**headers, "If-Match": "*"}), 400)
    kept = client.post(f"/api/v1/items/{pledge.id}/fire", json={**body, "version": 1},
                       headers=headers)

    assert (bare["code"], "If-Match" in bare["message"]) == ("precondition_required", True)
    assert bad["code"] == "invalid_if_match"
    assert kept.status_code == 200  # the version in the body still works


def test_an_attachment_with_if_match_is_refused_on_a_changed_item(client: FlaskClient,
                                                                  bloc: Bloc) -> None:
    pledge = submitted_pledge(bloc, "bca")
    bloc.wf.fire(pledge.id, "accept", bloc.leader)

    refused = error_of(client.post(
        f"/api/v1/items/{pledge.id}/documents", headers={
            **bearer(bloc, "bca_head"), "If-Match": f'"{pledge.version}"'},
        data={"kind": "signed_pledge", "file": (io.BytesIO(PDF), "giao-uoc.pdf")},
        content_type="multipart/form-data"), 412)

    assert refused["current_version"] == bloc.wf.get(pledge.id).version


def test_a_retried_post_is_answered_again_and_acts_once(client: FlaskClient,
                                                        bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    headers = {**bearer(bloc, "bca_officer"), "Idempotency-Key": "a3c1-0001"}
    body = {"trigger": "save_targets", "payload": {"targets": targets(bloc)},
            "version": pledge.version}

    first = client.post(f"/api/v1/items/{pledge.id}/fire", json=body, headers=headers)
    again = client.post(f"/api/v1/items/{pledge.id}/fire", json=body, headers=headers)
    other = error_of(client.post(f"/api/v1/items/{pledge.id}/fire",
                                 json={**body, "comment": "khác"}, headers=headers), 422)

    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert bloc.wf.get(pledge.id).version == pledge.version + 1  # once
    assert other["code"] == "idempotency_key_reused"


def test_a_retried_upload_stores_one_file_and_keys_are_per_user(client: FlaskClient,
                                                                bloc: Bloc) -> None:
    pledge = submitted_pledge(bloc, "bca")
    bloc.wf.fire(pledge.id, "accept", bloc.leader)
    head = {**bearer(bloc, "bca_head"), "Idempotency-Key": "upload-1"}

    def upload() -> int:
        return client.post(f"/api/v1/items/{pledge.id}/documents", headers=head, data={
            "kind": "signed_pledge", "file": (io.BytesIO(PDF), "giao-uoc.pdf")},
            content_type="multipart/form-data").status_code

    assert (upload(), upload()) == (201, 201)
    assert len(bloc.services.reads.documents(pledge.id, "signed_pledge")) == 1
    officer = {**bearer(bloc, "bca_officer"), "Idempotency-Key": "upload-1"}
    mine = client.post(f"/api/v1/items/{pledge.id}/documents", headers=officer, data={
        "kind": "signed_pledge", "file": (io.BytesIO(PDF), "ban-2.pdf")},
        content_type="multipart/form-data")
    assert mine.status_code == 201  # another user's key, another request
    assert len(bloc.services.reads.documents(pledge.id, "signed_pledge")) == 2


def test_a_refusal_is_kept_too_and_a_bad_key_is_400(client: FlaskClient, bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")
    headers = {**bearer(bloc, "bca_officer"), "Idempotency-Key": "stale-1"}
    body = {"trigger": "submit", "version": pledge.version + 5}

    first = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                                 headers=headers), 409)
    again = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body,
                                 headers=headers), 409)
    bad = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json=body, headers={
        **headers, "Idempotency-Key": "có dấu"}), 400)

    assert again == first
    assert bad["code"] == "invalid_idempotency_key"


def test_if_match_tells_nothing_to_someone_who_may_not_see_the_item(client: FlaskClient,
                                                                    bloc: Bloc) -> None:
    pledge = pledge_of(bloc, "bca")

    refused = error_of(client.post(f"/api/v1/items/{pledge.id}/fire", json={
        "trigger": "submit"}, headers={**bearer(bloc, "bqp_officer"), "If-Match": '"99"'}), 403)

    assert "current_version" not in refused


def test_the_document_links_what_a_client_does_next_with_a_new_id() -> None:
    from web.api import openapi_document

    doc = openapi_document()
    operations = {op["operationId"]: (path, op) for path, ops in doc["paths"].items()
                  for op in ops.values()}
    created = operations["create_campaign"][1]["responses"]["201"]["links"]

    assert created["LaunchCampaign"] == {"operationId": "launch_campaign",
                                         "parameters": {"campaign_id": "$response.body#/id"}}
    for _path, op in operations.values():
        for answer in op["responses"].values():
            for link in answer.get("links", {}).values():
                path, _target = operations[link["operationId"]]
                for param in link["parameters"]:
                    assert f"{{{param}}}" in path, (link, path)
    item = operations["item"][1]["responses"]["200"]
    assert "ETag" in item["headers"]
