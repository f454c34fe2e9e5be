"""The council and the votes through the API: who may read the council's work, schedule a
session, take the attendance, draw up the minutes, write results and decide; each refusal is
JSON naming what is missing. (The whole path from a cluster's vote to an announced decision is
tests/integration/test_api__whole_year.py.)"""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from tests.web.test_web__api import bearer, error_of
from tests.year_support import YEAR, Bloc, walk_to_year_end
from workflow.services import people, voting


def year_end_vote(bloc: Bloc) -> int:
    walk_to_year_end(bloc)
    assert bloc.campaign is not None
    bloc.clock.set(dt.datetime(2025, 12, 17, 2, tzinfo=dt.UTC))
    bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader)
    session = voting.schedule_year_end_vote(
        bloc.wf, bloc.campaign.id, bloc.leader, {"co_thi_dua_chinh_phu": [bloc.units["bca"]]},
        voting.Meeting(dt.date(2025, 12, 18), dt.time(8, 30), "Hà Nội", "Hội nghị tổng kết"))
    return session.id


def test_the_chair_takes_the_attendance_and_everyone_reads_the_turnout(
    client: FlaskClient, bloc: Bloc
) -> None:
    session = year_end_vote(bloc)
    version = bloc.wf.get(session).version
    leader = bearer(bloc, "btp_head")

    refused = error_of(client.post(f"/api/v1/votes/{session}/attendance", json={
        "present": [], "version": version}, headers=bearer(bloc, "bca_head")), 403)
    taken = client.post(f"/api/v1/votes/{session}/attendance", json={
        "present": list(bloc.units.values())}, headers={**leader, "If-Match": f'"{version}"'})
    again = error_of(client.post(f"/api/v1/votes/{session}/attendance", json={
        "present": list(bloc.units.values()), "version": taken.get_json()["version"]},
        headers=leader), 409)
    turnout = client.get(f"/api/v1/votes/{session}/turnout",
                         headers=bearer(bloc, "bca_officer")).get_json()
    minutes = error_of(client.post(f"/api/v1/votes/{session}/minutes", json={
        "committee": [{"name": "Trần Văn B"}]}, headers=leader), 409)

    assert "chair" in refused["message"]
    assert taken.status_code == 200, taken.get_data(as_text=True)
    assert taken.get_json()["state"] == "quorum_checked"
    assert again["code"] in ("transition_not_allowed", "invalid_transition")
    assert turnout["voted"] == []  # the vote is not open yet
    assert turnout["as_of"].startswith("2025-12-17")
    assert "the minutes follow the count" in minutes["message"]


def test_the_council_is_read_by_its_people_and_scheduled_by_its_office(
    client: FlaskClient, bloc: Bloc
) -> None:
    uow = bloc.services.uow()
    for name, role in (("hd_1", "council_member"), ("thu_tuong", "decision_authority")):
        bloc.users[name] = people.create_user(uow, name, f"Ông {name}")
        people.grant(uow, bloc.users[name], role, year=YEAR)
    office = bearer(bloc, "vu_tdkt")

    members = client.get(f"/api/v1/council/{YEAR}/members", headers=office).get_json()
    waiting = client.get(f"/api/v1/council/{YEAR}/dossiers",
                         headers=bearer(bloc, "hd_1")).get_json()
    officer = error_of(client.get(f"/api/v1/council/{YEAR}/sessions",
                                  headers=bearer(bloc, "bca_officer")), 403)
    member = error_of(client.post(f"/api/v1/council/{YEAR}/sessions", json={
        "dossier_ids": [1], "meeting": {"date": "2026-01-08", "time": "08:00",
                                        "place": "Hà Nội"}},
        headers=bearer(bloc, "hd_1")), 403)
    nothing = error_of(client.post(f"/api/v1/council/{YEAR}/sessions", json={
        "dossier_ids": [], "meeting": {"date": "2026-01-08", "time": "08:00",
                                       "place": "Hà Nội"}}, headers=office), 400)
    never = error_of(client.get("/api/v1/council/1850/sessions", headers=office), 404)

    assert [(m["name"], m["votes"]) for m in members["items"]] == [("Ông hd_1", True)]
    assert waiting["items"] == []
    assert "office, members, chair" in officer["message"]
    assert "council office" in member["message"]
    assert "dossier_ids" in nothing["fields"]
    assert never["message"] == "no council year 1850"


def test_a_decision_needs_a_dossier_and_the_deciding_authority(client: FlaskClient,
                                                               bloc: Bloc) -> None:
    session = year_end_vote(bloc)
    body = {"outcome": "approved", "reasons": "Dẫn đầu", "number": "1/QĐ-TTg", "version": 1}

    not_dossier = error_of(client.post(f"/api/v1/dossiers/{session}/decision", json=body,
                                       headers=bearer(bloc, "vu_tdkt")), 404)
    results = error_of(client.post(f"/api/v1/votes/{session}/council-results", json={},
                                   headers=bearer(bloc, "vu_tdkt")), 404)

    assert not_dossier["message"] == f"no dossier with id {session}"
    assert results["message"] == f"no council session with id {session}"
