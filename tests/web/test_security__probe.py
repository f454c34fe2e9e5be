"""The findings of the outside probe (issue 18), each reproduced as the probe did it, on
SQLite and PostgreSQL: the year in every access check, the `inspector` grant scoped to its
inspection, the inspection plan, permission before anything about an item is said, the
definition check, the official ranking export.

The other findings have their regression tests where the fix lives; see the list at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, AuthActions, csrf
from tests.year_support import (
    MEMBERS,
    REASON,
    YEAR,
    Bloc,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    score,
    sign_all_pledges,
)
from web import definition_checks
from workflow.adapters.tables import documents
from workflow.errors import TransitionNotAllowed
from workflow.services import api_tokens, people, voting, year

FLAG = "co_thi_dua_chinh_phu"


def _sign_in(client: FlaskClient, bloc: Bloc, username: str) -> None:
    people.set_password(bloc.services.uow(), bloc.users[username], PASSWORD)
    answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": csrf(client)})
    assert answer.status_code == 302, username


def _token(bloc: Bloc, username: str) -> dict[str, str]:
    secret = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users[username],
                                     "probe")
    return {"Authorization": f"Bearer {secret}"}


def _first_document(bloc: Bloc, item_id: int) -> int:
    with bloc.services.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.min(documents.c.id)).where(
            documents.c.instance_id == item_id)).scalar()
    assert found is not None
    return int(found)


def _counted_vote(bloc: Bloc) -> int:
    """A secret cluster vote, every member's ballot cast, closed, its minutes drawn up."""
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
    data = {"kind": "cluster", "titles": [FLAG], "candidates": {FLAG: [bloc.units["bca"]]},
            "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
            "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True}
    session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                            data=data)
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    bloc.wf.fire(session, "open", bloc.leader)
    for code, _name in MEMBERS:
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code),
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    bloc.wf.fire(session.id, "close", bloc.leader, {"comment": REASON})
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader, bloc.services.settings.documents_dir,
                           [("Trần Văn B", "Thư ký")])
    return session.id


# --- 5. the year in every access check ----------------------------------------------------------


def test_5_a_grant_of_2024_opens_nothing_of_2025(client: FlaskClient, bloc: Bloc) -> None:
    """A member of bca in 2024 only (and the bloc's leader of 2024): the 2025 campaign, its
    ranking, its vote, the vote's minutes and result, bca's pledge are all refused."""
    uow = bloc.services.uow()
    former = people.create_user(uow, "can_bo_2024", "Cán bộ năm 2024")
    people.grant(uow, former, "unit_officer", unit_id=bloc.units["bca"], year=2024)
    people.grant(uow, former, "unit_head", unit_id=bloc.units["btp"], year=2024)
    people.grant(uow, former, "cluster_leader", cluster_id=bloc.cluster, year=2024)
    people.grant(uow, former, "inspector", cluster_id=bloc.cluster, year=2024)
    bloc.users["can_bo_2024"] = former
    campaign = launch(bloc)
    pledge = bloc.child("pledge", "bca")
    session = _counted_vote(bloc)
    _sign_in(client, bloc, "can_bo_2024")

    for path in (f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/ranking",
                 f"/campaigns/{campaign.id}/ranking.svg", f"/votes/{session}",
                 f"/votes/{session}/minutes", f"/pledges/{pledge.id}", f"/items/{pledge.id}",
                 f"/clusters/{bloc.cluster}"):
        assert client.get(path).status_code == 403, path
    headers = _token(bloc, "can_bo_2024")
    for path in (f"/api/v1/votes/{session}/result", f"/api/v1/items/{campaign.id}",
                 f"/api/v1/items/{pledge.id}", f"/api/v1/clusters/{bloc.cluster}/campaigns"):
        assert client.get(path, headers=headers).status_code == 403, path
    # the same person with a grant of 2025 reads them
    people.grant(uow, former, "unit_officer", unit_id=bloc.units["bca"], year=YEAR)
    assert client.get(f"/api/v1/votes/{session}/result", headers=headers).status_code == 200


# --- 6. the inspector grant, scoped to its inspection ----------------------------------------


def _outsider(bloc: Bloc, inspection: Any) -> str:
    """An officer of the bloc on no team of this inspection and not of the inspected unit."""
    team = set(inspection.data["plan"]["team"])
    inspected = bloc.code_of(inspection.unit_id)
    return next(f"{c}_officer" for c, _ in MEMBERS
                if f"{c}_officer" not in team and c != inspected)


def test_6_an_officer_reads_no_other_members_items_through_the_inspector_grant(
        client: FlaskClient, bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspection = bloc.child("inspection", "bca")
    outsider = _outsider(bloc, inspection)
    pledge, report = bloc.child("pledge", "bca"), bloc.child("report", "bca")
    pledge_doc, report_doc = _first_document(bloc, pledge.id), _first_document(bloc, report.id)
    _sign_in(client, bloc, outsider)

    for path in (f"/pledges/{pledge.id}", f"/reports/{report.id}", f"/items/{pledge.id}",
                 f"/items/{pledge.id}/documents/{pledge_doc}",
                 f"/items/{report.id}/documents/{report_doc}",
                 f"/inspections/{inspection.id}",
                 f"/inspections/{inspection.id}/documents/{pledge_doc}"):
        assert client.get(path).status_code == 403, path
    headers = _token(bloc, outsider)
    for item in (pledge, report, inspection):
        assert client.get(f"/api/v1/items/{item.id}", headers=headers).status_code == 403
    # their own unit's items and the bloc's campaign stay open to them
    own = bloc.child("pledge", outsider.removesuffix("_officer"))
    assert client.get(f"/pledges/{own.id}").status_code == 200
    assert client.get(f"/campaigns/{bloc.campaign.id if bloc.campaign else 0}").status_code == 200


def test_6_the_team_reads_the_inspected_units_files_through_its_inspection_only(
        client: FlaskClient, bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspection = bloc.child("inspection", "bca")
    member = inspection.data["plan"]["lead"]
    pledge = bloc.child("pledge", "bca")
    pledge_doc = _first_document(bloc, pledge.id)
    other = next(i for i in bloc.children("inspection")
                 if member not in i.data["plan"]["team"]
                 and i.unit_id != bloc.units[member.removesuffix("_officer")])
    other_pledge = bloc.child("pledge", bloc.code_of(other.unit_id))
    _sign_in(client, bloc, member)

    page = client.get(f"/inspections/{inspection.id}")
    assert page.status_code == 200
    assert client.get(f"/inspections/{inspection.id}/documents/{pledge_doc}").status_code == 200
    # not the unit's pages themselves, and nothing of a unit the team does not inspect
    assert client.get(f"/pledges/{pledge.id}").status_code == 403
    assert client.get(f"/inspections/{other.id}").status_code == 403
    other_doc = _first_document(bloc, other_pledge.id)
    assert client.get(f"/inspections/{inspection.id}/documents/{other_doc}").status_code == 404
    assert client.get(f"/pledges/{other_pledge.id}").status_code == 403


def test_6_score_sheets_and_evidence_are_closed_to_other_officers(
        client: FlaskClient, bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    sheet = score(bloc, "bca")
    evidence = _first_document(bloc, sheet.id)
    outsider = _outsider(bloc, bloc.child("inspection", "bca"))
    _sign_in(client, bloc, outsider)

    for path in (f"/score-sheets/{sheet.id}", f"/score-sheets/{sheet.id}/evidence/{evidence}",
                 f"/items/{sheet.id}/documents/{evidence}"):
        assert client.get(path).status_code == 403, path
    # the unit's own head and the leader still read them
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    _sign_in(client, bloc, "bca_head")
    assert client.get(f"/score-sheets/{sheet.id}").status_code == 200


def test_6_the_inbox_shows_an_inspection_to_its_team_only(
        client: FlaskClient, auth: AuthActions, bloc: Bloc) -> None:
    from workflow.services import inbox

    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspection = bloc.child("inspection", "bca")
    lead = inspection.data["plan"]["lead"]
    outsider = _outsider(bloc, inspection)

    def listed(username: str) -> set[int]:
        items, _total = inbox.waiting_for(bloc.wf, bloc.actor(username))
        return {i.id for i in items if i.workflow == "inspection"}

    mine = {i.id for i in bloc.children("inspection") if lead in i.data["plan"]["team"]}
    assert inspection.id in listed(lead)
    assert listed(lead) == mine
    assert inspection.id not in listed(outsider)
    theirs = {i.id for i in bloc.children("inspection") if outsider in i.data["plan"]["team"]}
    assert listed(outsider) == theirs
    # and the page of the inbox says the same
    auth.login(outsider)
    title = client.get("/").get_data(as_text=True)
    assert f"/items/{inspection.id}\"" not in title
    assert f"/inspections/{inspection.id}\"" not in title


# --- 7. the inspection plan refuses a team member of the inspected unit -----------------------


def _plan_with_self_inspection(bloc: Bloc) -> list[dict[str, Any]]:
    proposal = year.propose_inspection_plan(bloc.wf, bloc.refresh().id, bloc.leader, seed=7)
    plan: list[dict[str, Any]] = proposal["inspection_plan"]
    for item in plan:
        if item["unit_id"] == bloc.units["bca"]:
            item["team"], item["lead"] = ["bca_officer"], "bca_officer"
    return plan


def test_7_a_plan_whose_team_inspects_its_own_unit_is_refused(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    bloc.clock.set(dt.datetime(2025, 9, 15, 2, tzinfo=dt.UTC))
    plan = _plan_with_self_inspection(bloc)

    with pytest.raises(TransitionNotAllowed) as refused:
        bloc.wf.fire(bloc.refresh(), "plan_inspections", bloc.leader, {"inspection_plan": plan})

    assert refused.value.refusal is not None
    assert refused.value.refusal.code == "inspection_plan_own_unit"
    assert "inspection_plan" not in bloc.refresh().data


def test_7_the_page_says_who_may_not_be_on_the_team(client: FlaskClient, bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    bloc.clock.set(dt.datetime(2025, 9, 15, 2, tzinfo=dt.UTC))
    plan = _plan_with_self_inspection(bloc)
    campaign = bloc.refresh()
    _sign_in(client, bloc, "btp_head")

    answer = client.post(f"/campaigns/{campaign.id}/inspection-plan", data={
        "csrf_token": csrf(client, "/"), "plan": json.dumps(plan),
        "version": str(campaign.version)}, follow_redirects=True)

    text = answer.get_data(as_text=True)
    assert "Cán bộ thi đua Bộ Công an thuộc Bộ Công an" in text, text
    assert "không được ở trong đoàn kiểm tra" in text
    assert "inspection_plan" not in bloc.refresh().data


# --- 8. checking a definition: admins only, bounded ------------------------------------------


def _alias_chain(levels: int = 40, width: int = 10) -> str:
    lines = ["name: bom", "a0: &a0 [" + ",".join(["xxxxxxxxxx"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]"
              for i in range(1, levels)]
    return "\n".join(lines)


def test_8_checking_a_definition_needs_the_admin_role(client: FlaskClient, bloc: Bloc) -> None:
    uow = bloc.services.uow()
    admin = people.create_user(uow, "quan_tri", "Quản trị")
    people.grant(uow, admin, "admin")
    bloc.users["quan_tri"] = admin
    body = {"text": "name: x\n"}
    for username in ("bca_officer", "btp_head", "vu_tdkt"):
        answer = client.post("/api/v1/definitions/validate", json=body,
                             headers=_token(bloc, username))
        assert answer.status_code == 403, username
        assert "needs the role admin" in answer.get_json()["error"]["message"]
    answer = client.post("/api/v1/definitions/validate", json=body,
                         headers=_token(bloc, "quan_tri"))
    assert answer.status_code == 200
    assert answer.get_json()["ok"] is False


def test_8_an_alias_bomb_is_stopped_small_and_fast(client: FlaskClient, bloc: Bloc) -> None:
    uow = bloc.services.uow()
    admin = people.create_user(uow, "quan_tri", "Quản trị")
    people.grant(uow, admin, "admin")
    bloc.users["quan_tri"] = admin
    headers = _token(bloc, "quan_tri")
    text = _alias_chain()
    assert len(text) < 15_000

    started = time.monotonic()
    answer = client.post("/api/v1/definitions/validate", json={"text": text}, headers=headers)

    assert time.monotonic() - started < 2
    assert answer.status_code == 200
    [error] = answer.get_json()["errors"]
    assert f"more than {definition_checks.MAX_NODES} nodes" in error["message"]
    # a text beyond the size limit is refused before it is parsed
    big = client.post("/api/v1/definitions/validate", headers=headers,
                      json={"text": "# " + "x" * definition_checks.MAX_TEXT})
    assert big.status_code == 400


def test_8_checks_beyond_the_concurrency_limit_wait_their_turn(client: FlaskClient,
                                                               bloc: Bloc) -> None:
    uow = bloc.services.uow()
    admin = people.create_user(uow, "quan_tri", "Quản trị")
    people.grant(uow, admin, "admin")
    bloc.users["quan_tri"] = admin
    headers = _token(bloc, "quan_tri")
    held = [definition_checks._RUNNING.acquire(blocking=False)
            for _ in range(definition_checks.MAX_CONCURRENT)]
    try:
        assert all(held)
        answer = client.post("/api/v1/definitions/validate", json={"text": "name: x\n"},
                             headers=headers)
        assert answer.status_code == 429
        assert answer.headers["Retry-After"]
        assert "try again" in answer.get_json()["error"]["message"]
    finally:
        for _ in held:
            definition_checks._RUNNING.release()
    assert client.post("/api/v1/definitions/validate", json={"text": "name: x\n"},
                       headers=headers).status_code == 200


# --- 9. permission before anything about the item ---------------------------------------------


def test_9_a_stranger_learns_nothing_from_a_page_post(client: FlaskClient, bloc: Bloc) -> None:
    """Last year's leader posts to this year's items with the right and a wrong version: the
    same 403 each time, no state, no version, no role named."""
    uow = bloc.services.uow()
    stranger = people.create_user(uow, "leader_2024", "Trưởng khối năm 2024")
    people.grant(uow, stranger, "cluster_leader", cluster_id=bloc.cluster, year=2024)
    bloc.users["leader_2024"] = stranger
    campaign = launch(bloc)
    pledge = bloc.child("pledge", "bca")
    _sign_in(client, bloc, "leader_2024")
    token = csrf(client, "/")

    for path, trigger, item in ((f"/items/{pledge.id}/fire", "submit", pledge),
                                (f"/campaigns/{campaign.id}/fire", "start_mid_year", campaign)):
        for version in (item.version, item.version + 7):
            answer = client.post(path, data={"csrf_token": token, "trigger": trigger,
                                             "version": str(version)})
            assert answer.status_code == 403, (path, version)
            text = answer.get_data(as_text=True)
            assert "unit_officer" not in text
            assert "cluster_leader" not in text
            assert "Trưởng cụm" not in text
            assert "Nháp" not in text
    for path in (f"/items/{pledge.id}/targets", f"/campaigns/{campaign.id}/inspection-plan"):
        assert client.post(path, data={"csrf_token": token, "plan": "[]",
                                       "version": "1"}).status_code == 403, path
    # an item that does not exist is 404 as before
    assert client.post("/items/999999/fire", data={"csrf_token": token, "trigger": "submit",
                                                   "version": "1"}).status_code == 404


# --- 10. the official ranking export: the leader and the council office ------------------------


@pytest.mark.parametrize("username", ["lang_head", "ttcp_officer", "bca_officer", "bca_head"])
def test_10_only_the_leader_and_the_council_office_issue_the_ranking(
        client: FlaskClient, bloc: Bloc, username: str) -> None:
    campaign = launch(bloc)
    before = len(bloc.wf.history(campaign.id))
    _sign_in(client, bloc, username)

    answer = client.post(f"/campaigns/{campaign.id}/ranking.xlsx",
                         data={"csrf_token": csrf(client, "/")})

    assert answer.status_code == 403
    assert "Trưởng khối và Văn phòng Hội đồng" in answer.get_data(as_text=True)
    assert len(bloc.wf.history(campaign.id)) == before


# --- 16. the OpenAPI document states what the server refuses ---------------------------------


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for prop in (schema.get("properties") or {}).values():
        if prop.get("type") == "string" and prop.get("format") not in ("binary", "date", "time",
                                                                        "date-time"):
            out.append(prop)
        if prop.get("type") == "object":
            out.extend(_strings(prop))
    return out


def test_16_request_bodies_state_no_nul_the_kind_pattern_and_no_unknown_fields() -> None:
    from web.api import openapi_document
    from web.api.schemas import DOCUMENT_KIND, NO_NUL

    document = openapi_document()
    bodies = [(path, op["requestBody"]["content"]) for path, ops in document["paths"].items()
              for op in ops.values() if "requestBody" in op]
    assert bodies
    for path, content in bodies:
        for media in content.values():
            schema = media["schema"]
            assert schema.get("additionalProperties") is False, path
            for prop in _strings(schema):
                if "enum" not in prop and ("maxLength" in prop or "minLength" in prop):
                    assert "pattern" in prop, (path, prop)  # a text the databases store
    upload = document["paths"]["/api/v1/items/{item_id}/documents"]["post"]["requestBody"]
    kind = upload["content"]["multipart/form-data"]["schema"]["properties"]["kind"]
    assert kind["pattern"] == DOCUMENT_KIND
    fire = document["paths"]["/api/v1/items/{item_id}/fire"]["post"]["requestBody"]
    assert fire["content"]["application/json"]["schema"]["properties"]["comment"][
        "pattern"] == NO_NUL
