"""The API's supervision of the clusters: the council office assigns a council member to the
bloc and ends it; the member lists their own assignments, records notes (a wrong day answered
400 with its refusal, a stale version 409), which the leader reads and a member unit's head
may not; nobody else assigns."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.year_support import YEAR, Bloc, at, launch
from workflow.services import api_tokens, people


def _headers(bloc: Bloc, username: str) -> dict[str, str]:
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username], "t")
    return {"Authorization": f"Bearer {token}"}


def _json(response: Any) -> Any:
    assert response.json is not None, response.get_data(as_text=True)
    return response.json


def test_assignments_and_notes(client: FlaskClient, bloc: Bloc) -> None:
    member = people.create_user(bloc.services.uow(), "hd_giam_sat", "Nguyễn Văn Giám Sát")
    people.grant(bloc.services.uow(), member, "council_member", year=YEAR)
    bloc.users["hd_giam_sat"] = member
    launch(bloc)
    bloc.clock.set(at("2025-04-02"))
    office, leader = _headers(bloc, "vu_tdkt"), _headers(bloc, "btp_head")
    head, supervisor = _headers(bloc, "bca_head"), _headers(bloc, "hd_giam_sat")

    assert client.get("/api/v1/supervision/assignments?year=2025",
                      headers=supervisor).status_code == 403
    body = {"user_id": member, "cluster_id": bloc.cluster}
    assert client.post("/api/v1/supervision/assignments", json=body,
                       headers=leader).status_code == 403
    not_council = client.post("/api/v1/supervision/assignments",
                              json={**body, "user_id": bloc.users["bca_head"]}, headers=office)
    assert not_council.status_code == 400
    made = client.post("/api/v1/supervision/assignments", json=body, headers=office)
    assert made.status_code == 201
    assignment = _json(made)
    assert assignment["full_name"] == "Nguyễn Văn Giám Sát"
    assert assignment["cluster"] == "Khối thi đua các bộ, ngành Nội chính Trung ương"
    assert assignment["year"] == YEAR
    assert client.post("/api/v1/supervision/assignments", json=body,
                       headers=office).status_code == 400  # already
    mine = client.get("/api/v1/supervision/assignments?year=2025", headers=supervisor)
    assert [a["id"] for a in _json(mine)["items"]] == [assignment["id"]]
    assert client.get("/api/v1/supervision/assignments", headers=office).status_code == 400

    path = f"/api/v1/clusters/{bloc.cluster}/supervision-notes"
    empty = _json(client.get(path, headers=supervisor))
    assert empty["items"] == []
    assert empty["item_id"] is None
    note = {"date": "2025-04-01", "content": "Khối triển khai đúng kế hoạch",
            "recommendations": "Đôn đốc ký giao ước"}
    assert client.post(path, json=note, headers=leader).status_code == 403
    wrong = client.post(path, json={**note, "date": "2024-04-01"}, headers=supervisor)
    assert wrong.status_code == 400
    assert _json(wrong)["error"]["refusals"]["note"]["code"] == "supervision_note_date_invalid"
    first = client.post(path, json=note, headers=supervisor)
    assert first.status_code == 201
    notes = _json(first)
    assert [n["content"] for n in notes["items"]] == ["Khối triển khai đúng kế hoạch"]
    assert notes["items"][0]["author_name"] == "Nguyễn Văn Giám Sát"
    stale = client.post(path, json={**note, "version": notes["version"] + 5},
                        headers=supervisor)
    assert stale.status_code in (409, 412)
    second = client.post(path, json={**note, "date": "2025-04-02", "content": "Lần hai",
                                     "version": notes["version"]}, headers=supervisor)
    assert second.status_code == 201
    read = _json(client.get(path, headers=leader))
    assert [n["content"] for n in read["items"]] == ["Lần hai", "Khối triển khai đúng kế hoạch"]
    assert client.get(path, headers=head).status_code == 403
    assert client.get(f"/api/v1/items/{read['item_id']}", headers=head).status_code == 403
    assert client.get(f"/api/v1/items/{read['item_id']}", headers=leader).status_code == 200

    assert client.delete(f"/api/v1/supervision/assignments/{assignment['id']}",
                         headers=leader).status_code == 403
    ended = client.delete(f"/api/v1/supervision/assignments/{assignment['id']}",
                          headers=office)
    assert ended.status_code == 200
    assert client.get(path, headers=supervisor).status_code == 403
    assert client.delete(f"/api/v1/supervision/assignments/{assignment['id']}",
                         headers=office).status_code == 404
