"""A cluster's whole year through the JSON API alone, from an empty database to an announced
decision, on SQLite and on PostgreSQL.

Only the set-up of a new installation comes before the first request: the schema (`thidua db
upgrade`), the shipped definitions (`thidua definitions sync`), a first admin (`thidua users
create-admin`) and one API token for that admin. Everything after is HTTP: the admin enters the
units, the clusters, the people, their roles and their tokens; the council office creates and
launches the campaign; each person acts with their own token, as a client program of theirs
would, finding their items by listing the campaign's items; documents are uploaded and the
generated ones downloaded. The test moves the clock (time passes in a year), never the data.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from web import create_app
from workflow.bootstrap import Services, bootstrap
from workflow.cli import cli
from workflow.clock import FakeClock
from workflow.config import load_settings

YEAR = 2026
PASSWORD = "mat-khau-ca-nam-2026"
ADMIN = "quantri"
COUNCIL = "Hội đồng Thi đua – Khen thưởng Trung ương"
CLUSTER = "Khối thi đua các bộ, ngành Nội chính"
FLAG = "co_thi_dua_chinh_phu"
PDF = b"%PDF-1.4\n% thidua api whole-year test\n%%EOF\n"
# code, name, officer, head
UNITS = [
    ("BTP", "Bộ Tư pháp", "Nguyễn Văn An", "Trần Thị Bình"),
    ("BCA", "Bộ Công an", "Lê Văn Cường", "Phạm Thị Dung"),
    ("TTCP", "Thanh tra Chính phủ", "Hoàng Văn Em", "Vũ Thị Giang"),
    ("TANDTC", "Tòa án nhân dân tối cao", "Đỗ Văn Hải", "Bùi Thị Lan"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao", "Ngô Văn Minh", "Đặng Thị Nga"),
]
DATES = {
    "pledge_deadline": f"{YEAR}-02-27",
    "six_month_report_due": f"{YEAR}-07-15",
    "inspection_end": f"{YEAR}-11-13",
    "scoring_deadline": f"{YEAR}-12-04",
    "year_end_report_due": f"{YEAR}-12-11",
}
NAMES = {code: name for code, name, _o, _h in UNITS}
COUNCIL_MEMBERS = [f"hd_{n}" for n in range(1, 6)]


def local(day: str, hour: int = 9) -> dt.datetime:
    """A working hour of a day in Hà Nội, as the clock's UTC time."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


def officer(code: str) -> str:
    return f"{code.lower()}_canbo"


def head(code: str) -> str:
    return f"{code.lower()}_thutruong"


class Api:
    """HTTP requests, each with the token of the person sending it."""

    def __init__(self, client: FlaskClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def get(self, who: str, path: str, **query: Any) -> Any:
        answer = self.client.get(f"/api/v1{path}", query_string=query,
                                 headers=self.headers(who))
        assert answer.status_code == 200, (who, path, answer.get_data(as_text=True))
        return answer.get_json() if answer.is_json else answer.get_data()

    def post(self, who: str, path: str, body: Any = None, status: int = 200, *,
             version: int | None = None) -> Any:
        """A POST with an Idempotency-Key (and If-Match when a version is named), as a
        client that retries on a lost answer sends it."""
        extra = {"Idempotency-Key": str(uuid.uuid4())}
        if version is not None:
            extra["If-Match"] = f'"{version}"'
        answer = self.client.post(f"/api/v1{path}", json=body if body is not None else {},
                                  headers=self.headers(who, **extra))
        assert answer.status_code == status, (who, path, answer.get_data(as_text=True))
        return answer.get_json()

    def upload(self, who: str, item: dict[str, Any] | int, kind: str, name: str,
               ref: str | None = None) -> Any:
        """Attach a PDF; the item's new version comes back as the ETag."""
        item_id = item if isinstance(item, int) else item["id"]
        form: dict[str, Any] = {"kind": kind, "file": (io.BytesIO(PDF), name)}
        if ref:
            form["ref"] = ref
        answer = self.client.post(f"/api/v1/items/{item_id}/documents", data=form,
                                  content_type="multipart/form-data",
                                  headers=self.headers(who))
        assert answer.status_code == 201, (who, item_id, answer.get_data(as_text=True))
        if isinstance(item, dict):
            item["version"] = int(answer.headers["ETag"].strip('"'))
        return answer.get_json()

    def item(self, who: str, item_id: int) -> Any:
        answer = self.client.get(f"/api/v1/items/{item_id}", headers=self.headers(who))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.headers["ETag"] == f'"{answer.get_json()["version"]}"'
        return answer.get_json()

    def fire(self, who: str, item: dict[str, Any] | int, trigger: str,
             payload: dict[str, Any] | None = None, comment: str = "") -> Any:
        """An action with the version the caller last saw as If-Match, no GET first."""
        if isinstance(item, int):
            item = self.item(who, item)
        body: dict[str, Any] = {"trigger": trigger, "payload": payload or {}}
        if comment:
            body["comment"] = comment
        done = self.post(who, f"/items/{item['id']}/fire", body, version=item["version"])
        item.update(done)  # the new state and version: the next action needs no GET either
        return done

    def items(self, who: str, campaign_id: int, workflow: str, **query: Any) -> list[Any]:
        page = self.get(who, f"/campaigns/{campaign_id}/items", workflow=workflow,
                        per_page=100, **query)
        assert page["total"] == len(page["items"])
        return list(page["items"])


@pytest.fixture
def year_clock() -> FakeClock:
    return FakeClock(dt.datetime(YEAR, 1, 5, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def empty(db_url: str, tmp_path: Path, year_clock: FakeClock) -> Iterator[Services]:
    """A new installation: only what the set-up commands put there, and the admin's token."""
    settings = load_settings(environ={}, overrides={
        "database": {"url": db_url},
        "app": {"documents_dir": str(tmp_path / "documents"),
                "instance_dir": str(tmp_path / "instance")},
        "scheduler": {"enabled": False}})
    svc = bootstrap(settings, clock=year_clock)
    runner = CliRunner()
    for args in (["db", "upgrade"], ["definitions", "sync"],
                 ["users", "create-admin", ADMIN, "--full-name", "Quản trị hệ thống"]):
        done = runner.invoke(cli, args, obj=svc, env={"THIDUA_ADMIN_PASSWORD": PASSWORD})
        assert done.exit_code == 0, (args, done.output)
    yield svc
    svc.close()


def admin_token(svc: Services) -> str:
    """The one token of the set-up, made by `thidua tokens create` (printed once, first line)."""
    done = CliRunner().invoke(cli, ["tokens", "create", ADMIN, "--name", "whole-year test"],
                              obj=svc)
    assert done.exit_code == 0, done.output
    return done.output.splitlines()[0].strip()


# --- the stages, each by HTTP -------------------------------------------------------------


def onboard(api: Api) -> dict[str, int]:
    """The admin enters the units, the cluster and four more blocs of the same council, the
    people, their roles and a token for each; returns the unit ids by code."""
    units = {code: api.post(ADMIN, "/units", {"code": code, "name": name}, 201)["id"]
             for code, name, _o, _h in UNITS}
    others = [api.post(ADMIN, "/units", {"code": f"X{n}", "name": f"Đơn vị khối khác {n}"},
                       201)["id"] for n in range(4)]
    cluster = api.post(ADMIN, "/clusters", {
        "code": "NC", "name": CLUSTER, "kind": "khoi", "year": YEAR, "council": COUNCIL,
        "members": list(units.values()), "leader_unit_id": units["BTP"],
        "deputy_unit_id": units["BCA"]}, 201)
    assert [m["name"] for m in cluster["members"]] == [name for _c, name, _o, _h in UNITS]
    assert (cluster["members"][0]["leader"], cluster["members"][1]["deputy"]) == (True, True)
    for n, unit in enumerate(others):  # 20% of five leading units: one flag for the council
        api.post(ADMIN, "/clusters", {"code": f"K{n}", "name": f"Khối {n}", "kind": "khoi",
                                      "year": YEAR, "council": COUNCIL, "members": [unit]}, 201)
    units["cluster"] = cluster["id"]

    def person(username: str, full_name: str, *roles: dict[str, Any]) -> None:
        made = api.post(ADMIN, "/people", {"username": username, "full_name": full_name,
                                           "password": PASSWORD}, 201)
        for role in roles:
            api.post(ADMIN, f"/people/{made['id']}/roles", {**role, "year": YEAR}, 201)
        api.tokens[username] = api.post(ADMIN, f"/people/{made['id']}/tokens",
                                        {"name": "client"}, 201)["token"]

    person("vu_tdkt", "Phạm Văn Quang", {"role": "council_secretariat"})
    for code, _name, officer_name, head_name in UNITS:
        person(officer(code), officer_name, {"role": "unit_officer", "unit_id": units[code]},
               {"role": "inspector", "cluster_id": cluster["id"]})
        person(head(code), head_name, {"role": "unit_head", "unit_id": units[code]})
    for n, username in enumerate(COUNCIL_MEMBERS, start=1):
        person(username, f"Thành viên Hội đồng {n}", {"role": "council_member"})
    person("hd_chutich", "Chủ tịch Hội đồng", {"role": "council_chair"})
    person("thu_tuong", "Người có thẩm quyền", {"role": "decision_authority"})

    listed = api.get(ADMIN, "/people", q="thutruong", per_page=100)
    assert {p["full_name"] for p in listed["items"]} == {h for _c, _n, _o, h in UNITS}
    me = api.get(head("BTP"), "/me")  # the leader leads by being the leading unit's head
    assert {r["role"] for r in me["roles"]} >= {"unit_head", "cluster_leader"}
    return units


def launch(api: Api, units: dict[str, int]) -> int:
    created = api.post("vu_tdkt", "/campaigns", {
        "cluster_id": units["cluster"], "theme": "Đoàn kết, kỷ cương, sáng tạo",
        "kind": "regular", "criteria_table": "khoi_noi_chinh", "dates": DATES}, 201)
    launched = api.post("vu_tdkt", f"/campaigns/{created['id']}/launch", {},
                        version=api.item("vu_tdkt", created["id"])["version"])
    assert launched["state"] == "pledging"
    return int(created["id"])


def checker(code: str) -> str:
    """The leader checks a unit's work; the deputy the leader's own unit's."""
    return head("BCA") if code == "BTP" else head("BTP")


def mine(api: Api, who: str, campaign: int, workflow: str, unit: int, **query: Any) -> Any:
    [found] = [i for i in api.items(who, campaign, workflow, unit_id=unit, **query)]
    return found


def pledges(api: Api, campaign: int, units: dict[str, int], criteria: list[Any]) -> None:
    targets = {c["code"]: "100" for c in criteria if c["target_required"]}
    for code, *_ in UNITS:
        pledge = mine(api, officer(code), campaign, "pledge", units[code])
        assert pledge["title"] == f"Giao ước thi đua {YEAR} – {NAMES[code]}"
        api.fire(officer(code), pledge, "save_targets", {"targets": targets})
        api.fire(head(code), pledge, "submit")
        api.fire(checker(code), pledge["id"], "accept")
        api.upload(head(code), pledge["id"], "signed_pledge", f"giao-uoc-{code}.pdf")
        api.fire(head(code), pledge["id"], "sign")
    assert api.item(head("BTP"), campaign)["state"] == "active"


def reports(api: Api, campaign: int, units: dict[str, int], period: str) -> None:
    for code, *_ in UNITS:
        [report] = [r for r in api.items(officer(code), campaign, "report", unit_id=units[code])
                    if r["data"].get("period") == period]
        api.upload(officer(code), report, "report", f"bao-cao-{period}-{code}.pdf")
        api.fire(officer(code), report, "submit")
        api.fire(checker(code), report["id"], "accept")


def inspections(api: Api, campaign: int, units: dict[str, int], criteria: list[Any]) -> None:
    leader = head("BTP")
    plan = api.get(leader, f"/campaigns/{campaign}/inspection-plan")
    assert len(plan["inspection_plan"]) == len(UNITS)
    api.fire(leader, campaign, "plan_inspections",
             {"inspection_plan": plan["inspection_plan"]})
    api.fire(leader, campaign, "start_inspection")
    results = {c["code"]: c["max_points"] for c in criteria}
    for item in api.items(leader, campaign, "inspection"):
        lead = item["data"]["plan"]["lead"]
        api.fire(lead, item, "record_results", {"results": results})
        api.fire(lead, item, "conclude")
        minutes = api.post(lead, f"/inspections/{item['id']}/minutes", {}, 201)
        assert minutes["document"]["kind"] == "bien_ban_kiem_tra"
        item["version"] = api.item(lead, item["id"])["version"]  # the minutes are in its history
        api.fire(lead, item, "sign_minutes")
        code = next(c for c, *_ in UNITS if units[c] == item["unit_id"])
        api.fire(head(code), item["id"], "sign_minutes")


def scoring(api: Api, clock: FakeClock, campaign: int, units: dict[str, int],
            criteria: list[Any]) -> None:
    api.fire(head("BTP"), campaign, "start_scoring")
    clock.set(local(f"{YEAR}-11-20"))
    scores = {c["code"]: {"achieved": "100"} if c["kind"] == "quantitative" and
              c["target_required"] else {"points": c["max_points"]} for c in criteria}
    for code, *_ in UNITS:
        sheet = mine(api, officer(code), campaign, "score_sheet", units[code])
        api.fire(officer(code), sheet, "save_scores", {"scores": scores})
        for c in criteria:
            if c["evidence"]:
                api.upload(officer(code), sheet, c["evidence"][0],
                           f"minh-chung-{code}-{c['code']}.pdf", ref=c["code"])
        api.fire(head(code), sheet["id"], "submit")
    clock.set(local(f"{YEAR}-12-01"))  # after the appeal window
    for code, *_ in UNITS:
        sheet = api.item(checker(code), mine(api, checker(code), campaign, "score_sheet",
                                             units[code])["id"])
        api.fire(checker(code), sheet, "verify")
        api.fire(checker(code), sheet, "finalize")


def cluster_vote(api: Api, clock: FakeClock, campaign: int, units: dict[str, int]) -> int:
    """The leader schedules the vote, takes the attendance and opens it; each head votes;
    the leader closes it, draws up the minutes and locks it."""
    leader = head("BTP")
    clock.set(local(f"{YEAR}-12-17"))
    api.fire(leader, campaign, "start_voting")
    session = api.post(leader, f"/campaigns/{campaign}/votes", {
        "candidates": {FLAG: [units["BCA"], units["TTCP"]]},
        "meeting": {"date": f"{YEAR}-12-18", "time": "08:30", "place": "Hải Phòng",
                    "conference": f"Hội nghị tổng kết công tác thi đua năm {YEAR}"}}, 201)
    clock.set(local(f"{YEAR}-12-18", 8))
    present = api.post(leader, f"/votes/{session['id']}/attendance",
                       {"present": [units[c] for c, *_ in UNITS]}, version=session["version"])
    api.fire(leader, present, "open")
    for code, *_ in UNITS:
        pick = "TTCP" if code == "BCA" else "BCA"
        receipt = api.post(head(code), f"/votes/{session['id']}/ballots",
                           {"choices": {FLAG: [units[pick]]}}, 201)
        assert receipt["session_id"] == session["id"]
    turnout = api.get(leader, f"/votes/{session['id']}/turnout")
    assert len(turnout["voted"]) == len(UNITS)
    api.fire(leader, session["id"], "close")
    result = api.get(leader, f"/votes/{session['id']}/result")
    assert result["winners"][FLAG] == [units["BCA"]], result
    minutes = api.post(leader, f"/votes/{session['id']}/minutes",
                       {"committee": [{"name": "Trần Thị Bình", "role": "Trưởng ban"}]}, 201)
    document = docx.Document(io.BytesIO(api.get(
        leader, minutes["document"]["url"].removeprefix("/api/v1"))))
    text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert f"Hải Phòng, ngày 18 tháng 12 năm {YEAR}" in text
    assert "có mặt 5/5 đơn vị thành viên" in text
    api.fire(leader, session["id"], "lock")
    return int(session["id"])


def dossier(api: Api, clock: FakeClock, session: int) -> int:
    """The winner's dossier: opened, posted publicly, its letter generated and its documents
    uploaded, submitted; the council office receives it and puts it to the council."""
    leader, office = head("BTP"), "vu_tdkt"
    [opened] = api.post(leader, f"/votes/{session}/dossiers", {}, 201)["items"]
    assert opened["title"].startswith("Hồ sơ đề nghị Cờ thi đua của Chính phủ")
    api.fire(leader, opened["id"], "post")
    # a citizen objects on the public page (a form, no sign-in); the office judges it
    # admissible through the API and the leader answers it
    public = api.client.application.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', public.get("/public").get_data(
        as_text=True))
    assert token is not None
    filed = public.post(f"/public/dossiers/{opened['id']}/objections", data={
        "text": "Đề nghị làm rõ số liệu quý IV", "contact": "cong.dan@example.vn",
        "csrf_token": token.group(1)})
    assert filed.status_code in (302, 303), filed.get_data(as_text=True)
    [objection] = api.get(office, f"/dossiers/{opened['id']}/objections",
                          status="waiting")["items"]
    assert objection["contact"] == "cong.dan@example.vn"  # the office may reach its writer
    assert "contact" not in api.get(leader, f"/dossiers/{opened['id']}/objections")["items"][0]
    api.post(office, f"/dossiers/{opened['id']}/objections/{objection['id']}/judge",
             {"admissible": True, "reason": "Phản ánh có căn cứ"})
    answered = api.post(leader, f"/dossiers/{opened['id']}/objections/{objection['id']}/answer",
                        {"answer": "Số liệu đã được kiểm tra chéo"})
    assert (answered["status"], answered["holds"]) == ("answered", False)
    clock.set(local(f"{YEAR + 1}-01-05"))  # ten working days of public posting
    api.post(leader, f"/dossiers/{opened['id']}/letter", {
        "number": "12/TTr-KNC", "signer_position": "KHỐI TRƯỞNG",
        "signer_name": "Trần Thị Bình"}, 201)
    for kind in ("bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_suy_ton_cum"):
        api.upload(leader, opened["id"], kind, f"{kind}.pdf")
    listed = api.get(leader, f"/items/{opened['id']}/documents")
    assert {d["kind"] for d in listed["items"]} >= {"to_trinh", "bao_cao_thanh_tich"}
    api.fire(leader, opened["id"], "submit")
    api.fire(office, opened["id"], "receive")
    clock.set(local(f"{YEAR + 1}-01-06"))
    api.fire(office, opened["id"], "start_appraisal")
    clock.set(local(f"{YEAR + 1}-01-07"))
    returned = api.post(office, f"/dossiers/{opened['id']}/return", {
        "missing": ["bao_cao_thanh_tich"], "comment": "Bổ sung số liệu quý IV"},
        version=api.item(office, opened["id"])["version"])
    assert returned["state"] == "returned"
    api.upload(leader, opened["id"], "bao_cao_thanh_tich", "bao-cao-bo-sung.pdf")
    api.fire(leader, opened["id"], "resubmit")
    clock_state = api.get(office, f"/dossiers/{opened['id']}/clock")
    assert (clock_state["started"], clock_state["running"]) == (True, True)
    api.fire(office, opened["id"], "to_council")
    return int(opened["id"])


def council(api: Api, clock: FakeClock, dossier_id: int) -> None:
    office = "vu_tdkt"
    waiting = api.get(office, f"/council/{YEAR}/dossiers")
    assert [d["id"] for d in waiting["items"]] == [dossier_id]
    members = api.get(office, f"/council/{YEAR}/members")["items"]
    voters = [m["user_id"] for m in members if m["votes"]]
    assert len(voters) == len(COUNCIL_MEMBERS)
    session = api.post(office, f"/council/{YEAR}/sessions", {
        "dossier_ids": [dossier_id],
        "meeting": {"date": f"{YEAR + 1}-01-12", "time": "08:00", "place": "Hà Nội"}}, 201)
    assert [s["id"] for s in api.get(office, f"/council/{YEAR}/sessions")["items"]] == [
        session["id"]]
    clock.set(local(f"{YEAR + 1}-01-12", 8))
    present = api.post(office, f"/votes/{session['id']}/attendance", {"present": voters},
                       version=session["version"])
    api.fire(office, present, "open")
    for username in COUNCIL_MEMBERS:
        api.post(username, f"/votes/{session['id']}/ballots",
                 {"choices": {FLAG: [dossier_id]}}, 201)
    api.fire(office, session["id"], "close")
    api.post(office, f"/votes/{session['id']}/minutes",
             {"committee": [{"name": "Phạm Văn Quang", "role": "Thư ký"}]}, 201)
    api.fire("hd_chutich", session["id"], "lock")
    written = api.post(office, f"/votes/{session['id']}/council-results", {})
    assert written["items"] == [{"id": dossier_id, "state": "with_authority",
                                 "version": written["items"][0]["version"], "carried": True}]


def decision(api: Api, clock: FakeClock, dossier_id: int) -> None:
    clock.set(local(f"{YEAR + 1}-03-02"))
    decided = api.post("thu_tuong", f"/dossiers/{dossier_id}/decision", {
        "outcome": "đồng ý", "reasons": "Dẫn đầu phong trào thi đua\nHoàn thành xuất sắc",
        "number": "123/QĐ-TTg", "date": f"{YEAR + 1}-03-02", "signer": "Phạm Minh C"},
        version=api.item("thu_tuong", dossier_id)["version"])
    assert (decided["state"], decided["outcome"], decided["decision_number"]) == (
        "decided", "approved", "123/QĐ-TTg")
    [generated] = api.get("vu_tdkt", f"/items/{dossier_id}/documents",
                          kind="quyet_dinh")["items"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(api.get(
        "vu_tdkt", generated["url"].removeprefix("/api/v1")))).paragraphs)
    assert "QUYẾT ĐỊNH" in text
    assert f"Tặng Cờ thi đua của Chính phủ năm {YEAR} cho Bộ Công an" in text
    announced = api.post("vu_tdkt", f"/dossiers/{dossier_id}/announce", {},
                         version=decided["version"])
    assert announced["state"] == "announced"


@pytest.mark.timeout(600)
def test_a_cluster_runs_its_whole_year_through_the_api_from_an_empty_database(
    empty: Services, year_clock: FakeClock,
) -> None:
    app = create_app(services=empty, testing=True)
    api = Api(app.test_client(), {ADMIN: admin_token(empty)})

    units = onboard(api)
    campaign = launch(api, units)
    criteria = api.get(head("BTP"), f"/campaigns/{campaign}/criteria")["criteria"]
    year_clock.set(local(f"{YEAR}-01-20"))
    pledges(api, campaign, units, criteria)
    year_clock.set(local(f"{YEAR}-07-01"))
    api.fire(head("BTP"), campaign, "start_mid_year")
    reports(api, campaign, units, "six_month")
    year_clock.set(local(f"{YEAR}-09-15"))
    inspections(api, campaign, units, criteria)
    year_clock.set(local(f"{YEAR}-11-16"))
    scoring(api, year_clock, campaign, units, criteria)
    ranking = api.get(head("BTP"), f"/campaigns/{campaign}/ranking")
    assert ranking["pending_units"] == []
    assert {s["unit_name"] for s in ranking["standings"]} == {n for _c, n, *_ in UNITS}
    year_clock.set(local(f"{YEAR}-12-07"))
    reports(api, campaign, units, "year_end")
    session = cluster_vote(api, year_clock, campaign, units)
    dossier_id = dossier(api, year_clock, session)
    council(api, year_clock, dossier_id)
    decision(api, year_clock, dossier_id)

    final = api.item("vu_tdkt", dossier_id)
    assert (final["state"], final["data"]["decision_number"]) == ("announced", "123/QĐ-TTg")
    history = api.get("vu_tdkt", f"/items/{dossier_id}/history", per_page=100)["items"]
    assert [h["trigger"] for h in history if h["trigger"]][-2:] == [
        "decide", "announce"]
