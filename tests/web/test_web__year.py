"""The cluster year in the browser: the campaign page, the score sheet editor, the ranking, the
secret ballot and the public page, as people use them (HTTP level)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.web.conftest import AuthActions, csrf
from tests.year_support import (
    MEMBERS,
    PDF,
    REASON,
    YEAR,
    Bloc,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    self_scores,
    sign_all_pledges,
    sign_pledge,
    targets,
    walk_to_year_end,
)
from workflow.adapters.tables import objections
from workflow.engine.instance import Instance
from workflow.services import dossiers, voting

FLAG = "co_thi_dua_chinh_phu"
NAMES = dict(MEMBERS)


def submit_pledge(bloc: Bloc, code: str) -> None:
    pledge = bloc.child("pledge", code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))


def to_scoring(bloc: Bloc) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)


def open_vote(bloc: Bloc, candidates: tuple[str, ...] = ("bca", "bqp")) -> Instance:
    """An open cluster vote, scheduled as voting.schedule_cluster_vote records it but without
    walking the year to its final scores first: the pages only read the session."""
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
    data = {"kind": "cluster", "titles": [FLAG],
            "candidates": {FLAG: [bloc.units[c] for c in candidates]},
            "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
            "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True}
    session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                            data=data)
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return bloc.wf.fire(session, "open", bloc.leader).instance


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- the campaign page -------------------------------------------------------------------------


def test_the_campaign_page_shows_the_stages_the_criteria_and_every_units_pledge(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    sign_pledge(bloc, "bca")
    auth.login("bca_officer")

    html = page(client, f"/campaigns/{campaign.id}")

    assert "Đoàn kết, sáng tạo" in html  # the theme
    for _code, name in MEMBERS:
        assert name in html
    assert html.count('state-signed" href') == 1
    assert html.count('state-draft" href') == 7
    assert re.search(r'state-signed" href="/pledges/\d+">Đã ký</a>', html)  # its own page
    assert re.search(r'class="stage current" aria-current="step">\s*'
                     r'<span class="stage-name">Ký giao ước</span>\s*'
                     r'<span class="stage-date">31/03/2025</span>', html)
    assert 'class="stage passed"' in html  # the draft is behind
    assert "Tỷ lệ giải ngân vốn đầu tư công được giao" in html  # a criterion
    assert 'style="' not in html
    assert "<script" not in html


def test_the_campaign_page_costs_the_same_queries_for_three_or_eight_units(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    for code in ("btp", "lang", "bqp"):
        submit_pledge(bloc, code)
    auth.login("btp_head")
    statements: list[str] = []
    engine = bloc.services.engine

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    client.get(f"/campaigns/{campaign.id}")  # warm: definitions compiled once per process
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        page(client, f"/campaigns/{campaign.id}")
        few = len(statements)
        for code in ("bca", "tandtc", "vksndtc", "ttcp", "ktnn"):
            submit_pledge(bloc, code)
        statements.clear()
        html = page(client, f"/campaigns/{campaign.id}")
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert html.count('state-submitted" href') == 8
    assert "Đã trình" in html
    assert many == few


def test_the_leader_records_the_proposed_inspection_plan(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    auth.login("btp_head")

    html = page(client, f"/campaigns/{campaign.id}")
    assert f"/campaigns/{campaign.id}/inspection-plan" in html
    proposal = page(client, f"/campaigns/{campaign.id}/inspection-plan")
    token = csrf(client, f"/campaigns/{campaign.id}/inspection-plan")
    plan = re.search(r'name="plan" value="([^"]+)"', proposal)
    assert plan is not None
    response = client.post(f"/campaigns/{campaign.id}/inspection-plan", data={
        "csrf_token": token, "version": str(bloc.refresh().version),
        "plan": plan.group(1).replace("&#34;", '"')})

    assert response.status_code == 302
    recorded = bloc.refresh().data["inspection_plan"]
    assert sorted(p["unit_id"] for p in recorded) == sorted(bloc.units.values())
    assert "Bộ Công an" in page(client, f"/campaigns/{campaign.id}")


# --- the score sheet editor --------------------------------------------------------------------


def test_an_officer_scores_the_unit_with_evidence_and_submitting_short_of_it_is_refused(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")
    path = f"/score-sheets/{sheet.id}"
    auth.login("bca_officer")
    html = page(client, path)
    assert "Hoàn thành xuất sắc nhiệm vụ" in html  # a level of a qualitative criterion
    assert 'name="achieved-hoan_thanh_chi_tieu"' in html
    token = csrf(client, path)
    form = {f"{'achieved' if 'achieved' in v else 'points'}-{code}": next(iter(v.values()))
            for code, v in self_scores(bloc, "bca").items()}

    saved = client.post(f"{path}/scores", data={**form, "csrf_token": token,
                                                "version": str(sheet.version)})
    uploaded = client.post(f"{path}/evidence", data={
        "csrf_token": token, "criterion": "ky_giao_uoc", "kind": "signed_pledge",
        "file": (io.BytesIO(PDF), "giao-uoc-da-ky.pdf")}, content_type="multipart/form-data")

    assert saved.status_code == uploaded.status_code == 302
    lines = _lines(bloc, sheet.id)
    assert lines["hoan_thanh_chi_tieu"].achieved == 100
    assert lines["ky_giao_uoc"].self_points == 4
    html = page(client, path)
    assert "giao-uoc-da-ky.pdf" in html
    assert "Đã lưu điểm tự chấm" in html
    auth.logout()
    auth.login("bca_head")
    refused = client.post(f"{path}/submit", data={
        "csrf_token": csrf(client, path), "version": str(bloc.wf.get(sheet.id).version)},
        follow_redirects=True).get_data(as_text=True)
    # the catalogue's sentence, in Vietnamese, naming the criterion by its title, not its code
    flashed = refused.split('class="flash error" role="status">')[1].split("<")[0]
    assert flashed.startswith("Nộp bảng điểm: Chưa có minh chứng cho ")
    assert "Ban hành kế hoạch, hướng dẫn và phát động phong trào thi đua năm" in flashed
    assert KY_GIAO_UOC not in flashed  # its evidence was uploaded
    assert "ke_hoach_phat_dong" not in flashed
    assert "evidence_for_positive_scores" not in refused
    assert bloc.wf.get(sheet.id).state == "self_scoring"


KY_GIAO_UOC = "Đăng ký chỉ tiêu và ký kết giao ước thi đua"


def _lines(bloc: Bloc, sheet_id: int) -> dict[str, object]:
    with bloc.wf.store.read() as tx:
        found: dict[str, object] = tx.score_lines(sheet_id)
        return found


def test_the_score_sheet_is_read_only_for_the_leader_and_closed_to_other_units(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")
    path = f"/score-sheets/{sheet.id}"
    auth.login("btp_head")  # the leader: a role on the cluster, none in the unit
    html = page(client, path)
    token = csrf(client, path)
    tried = client.post(f"{path}/scores", data={
        "csrf_token": token, "version": str(sheet.version), "points-ky_giao_uoc": "4"},
        follow_redirects=True).get_data(as_text=True)
    auth.logout()
    auth.login("bqp_head")  # another unit's head

    assert "Chỉ đọc" in html
    assert 'name="points-ky_giao_uoc"' in html
    assert " disabled" in html
    assert "Chỉ cán bộ thi đua hoặc thủ trưởng đơn vị" in tried
    assert _lines(bloc, sheet.id) == {}
    assert client.get(path).status_code == 403
    assert client.get(f"/score-sheets/{bloc.child('pledge', 'bca').id}").status_code == 404


def test_a_bad_score_or_file_gets_a_clear_message(client: FlaskClient, auth: AuthActions,
                                                   bloc: Bloc) -> None:
    to_scoring(bloc)
    sheet = bloc.child("score_sheet", "bca")
    path = f"/score-sheets/{sheet.id}"
    auth.login("bca_officer")
    token = csrf(client, path)

    bad_level = client.post(f"{path}/scores", data={
        "csrf_token": token, "version": str(sheet.version), "points-ky_giao_uoc": "3"},
        follow_redirects=True)
    not_a_pdf = client.post(f"{path}/evidence", data={
        "csrf_token": token, "criterion": "ky_giao_uoc", "kind": "signed_pledge",
        "file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
        content_type="multipart/form-data", follow_redirects=True)

    # a refused score is shown again on the sheet (422) with what was typed, not redirected
    assert bad_level.status_code == 422
    assert not_a_pdf.status_code == 200
    assert "điểm phải là một trong các mức 4, 2, 0, đã nhập 3" in bad_level.get_data(as_text=True)
    assert "Không nhận tệp virus.exe: chỉ nhận tệp PDF" in not_a_pdf.get_data(as_text=True)


# --- the ranking -------------------------------------------------------------------------------


def test_the_ranking_its_chart_and_the_excel_workbook(client: FlaskClient, auth: AuthActions,
                                                      bloc: Bloc) -> None:
    walk_to_year_end(bloc)
    campaign = bloc.refresh()
    auth.login("btp_head")

    html = page(client, f"/campaigns/{campaign.id}/ranking")
    chart = client.get(f"/campaigns/{campaign.id}/ranking.svg")
    book = client.post(f"/campaigns/{campaign.id}/ranking.xlsx", data={
        "csrf_token": csrf(client, f"/campaigns/{campaign.id}/ranking")})

    for _code, name in MEMBERS:
        assert name in html
    assert "<svg" in html
    assert 'class="bar-rect"' in html
    assert 'style="' not in html
    assert chart.status_code == 200
    assert chart.mimetype == "image/svg+xml"
    assert chart.get_data(as_text=True).count("<rect") == 8
    assert book.status_code == 200
    assert book.mimetype == ("application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sheet")
    assert book.data.startswith(b"PK")
    sheet = page(client, f"/score-sheets/{bloc.child('score_sheet', 'ttcp').id}")
    assert re.search(r'<span class="flag">chênh lệch lớn</span>', sheet)  # cross-checked
    assert "Điểm thẩm định" in sheet
    assert "attachment" in book.headers["Content-Disposition"]


# --- the vote ----------------------------------------------------------------------------------


def test_the_ballot_shows_the_voters_own_unit_but_does_not_take_it(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = open_vote(bloc)
    path = f"/votes/{session.id}"
    auth.login("bca_head")
    ballot = page(client, path)
    assert "Bộ Công an – đơn vị của đồng chí: không bỏ phiếu cho chính mình" in ballot
    assert f'name="choice-{FLAG}" value="{bloc.units["bca"]}"' not in ballot

    forged = client.post(f"{path}/confirm", data={  # posted by hand all the same
        "csrf_token": csrf(client, path), f"choice-{FLAG}": str(bloc.units["bca"])},
        follow_redirects=True).get_data(as_text=True)
    assert "Không ai bỏ phiếu cho chính đơn vị mình: hãy bỏ chọn Bộ Công an" in forged
    assert voting.turnout(bloc.wf, session.id)["voted"] == []


def test_a_member_votes_through_ballot_confirm_and_cast_and_sees_the_tally_once_counted(
    client: FlaskClient, auth: AuthActions, bloc: Bloc, tmp_path: Path
) -> None:
    session = open_vote(bloc)
    path = f"/votes/{session.id}"
    auth.login("tandtc_head")
    ballot = page(client, path)
    assert "Bộ Công an" in ballot
    assert f'name="choice-{FLAG}"' in ballot
    token = csrf(client, path)
    confirm = client.post(f"{path}/confirm", data={
        "csrf_token": token, f"choice-{FLAG}": str(bloc.units["bca"])})
    assert "Bộ Công an" in confirm.get_data(as_text=True)
    assert f'value="{bloc.units["bca"]}"' in confirm.get_data(as_text=True)

    receipt = client.post(f"{path}/cast", data={
        "csrf_token": token, f"choice-{FLAG}": str(bloc.units["bca"])})
    again = client.post(f"{path}/cast", data={"csrf_token": token, "abstain": "1"},
                        follow_redirects=True).get_data(as_text=True)

    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert "Lá phiếu của bạn đã được ghi nhận" in text
    assert "Bộ Công an" not in text
    assert "Bộ Quốc phòng" not in text
    assert "has already voted in round 1" in again
    assert "Kết quả được công bố sau khi kiểm phiếu" in page(client, path)
    for code, _name in MEMBERS:
        if code != "tandtc":
            voting.cast_ballot(bloc.wf, session.id, bloc.head(code),  # not its own
                               {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    auth.logout()
    auth.login("btp_head")
    assert "Đã có 8/8 phiếu được bỏ" in page(client, path)
    closed = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "close", "comment": REASON,
        "version": str(bloc.wf.get(session.id).version)}, follow_redirects=True)

    result = closed.get_data(as_text=True)
    assert bloc.wf.get(session.id).state == "tallied"
    assert "7/8 thành viên tán thành = 87,5%, đạt quy định trên 50%" in result
    assert "trúng cử" in result
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader,
                           bloc.services.settings.documents_dir, [("Nguyễn Văn A", "Trưởng ban")])
    minutes = client.get(f"{path}/minutes")
    assert minutes.status_code == 200
    assert minutes.data.startswith(b"PK")


def test_the_ballot_cap_and_the_choice_to_abstain_are_enforced_by_the_server(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = open_vote(bloc)
    path = f"/votes/{session.id}"
    auth.login("tandtc_head")
    token = csrf(client, path)

    both = client.post(f"{path}/confirm", data={
        "csrf_token": token, f"choice-{FLAG}": [str(bloc.units["bca"]), str(bloc.units["bqp"])]},
        follow_redirects=True).get_data(as_text=True)
    stranger = client.post(f"{path}/cast", data={
        "csrf_token": token, f"choice-{FLAG}": str(bloc.units["ttcp"])},
        follow_redirects=True).get_data(as_text=True)
    blank = client.post(f"{path}/cast", data={"csrf_token": token, "abstain": "1"})

    assert "chọn tối đa 1 ứng viên" in both
    assert "Chỉ chọn trong số các ứng viên" in stranger
    assert blank.status_code == 200
    assert voting.turnout(bloc.wf, session.id)["voted"] == [f"unit:{bloc.units['tandtc']}"]
    auth.logout()
    auth.login("bqp_officer")  # not the head: no ballot of the unit
    assert f'name="choice-{FLAG}"' not in page(client, path)


# --- the public page ---------------------------------------------------------------------------


def test_the_public_page_lists_a_posted_dossier_and_takes_an_objection_without_sign_in(
    client: FlaskClient, bloc: Bloc
) -> None:
    session = open_vote(bloc, ("bca",))
    for code, _name in MEMBERS:
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code),  # not its own
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    bloc.wf.fire(session, "close", bloc.leader, {"comment": REASON})
    folder = bloc.services.settings.documents_dir
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader, folder, [("Trần Văn B", "Thư ký")])
    bloc.wf.fire(session.id, "lock", bloc.leader)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    bloc.wf.fire(dossier, "post", bloc.leader)

    html = page(client, "/public")
    empty = client.post(f"/public/dossiers/{dossier.id}/objections", data={
        "csrf_token": csrf(client, "/public"), "text": "  "}, follow_redirects=True)
    sent = client.post(f"/public/dossiers/{dossier.id}/objections", data={
        "csrf_token": csrf(client, "/public"), "text": "Đề nghị làm rõ số liệu quý IV",
        "contact": "cong.dan@example.vn"}, follow_redirects=True)
    forged = client.post(f"/public/dossiers/{dossier.id}/objections",
                         data={"text": "không có mã CSRF"})

    assert "Bộ Công an" in html
    assert "Cờ thi đua của Chính phủ" in html
    assert f'action="/public/dossiers/{dossier.id}/objections"' in html
    assert "Bộ Quốc phòng" not in html  # not a nominee: nothing of it is shown
    assert "Hãy viết nội dung phản ánh" in empty.get_data(as_text=True)
    assert "Cảm ơn" in sent.get_data(as_text=True)
    assert forged.status_code == 400
    with bloc.services.engine.connect() as conn:
        rows = conn.execute(sa.select(objections.c.dossier_id, objections.c.text)).all()
    assert [tuple(r) for r in rows] == [(dossier.id, "Đề nghị làm rõ số liệu quý IV")]


def test_an_officer_is_told_who_may_generate_the_official_ranking(client: FlaskClient,
                                                                  auth: AuthActions,
                                                                  bloc: Bloc) -> None:
    campaign = launch(bloc)
    auth.login("bca_officer")  # an inspector of the bloc, like every officer
    token = csrf(client, f"/campaigns/{campaign.id}/ranking")

    refused = client.post(f"/campaigns/{campaign.id}/ranking.xlsx", data={"csrf_token": token})

    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "Chỉ Trưởng khối và Văn phòng Hội đồng" in text  # the deputy no more (issue 18)
    assert not [h for h in bloc.wf.history(campaign.id) if h["payload"].get("sha256")]


def test_the_chair_cannot_close_a_secret_vote_on_one_ballot_and_gives_a_reason_otherwise(
    client: FlaskClient, auth: AuthActions, bloc: Bloc
) -> None:
    session = open_vote(bloc)
    path = f"/votes/{session.id}"
    voting.cast_ballot(bloc.wf, session.id, bloc.head("bqp"), {FLAG: [bloc.units["bca"]]})
    auth.login("btp_head")

    one = page(client, path)
    refused = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "close", "comment": REASON,
        "version": str(bloc.wf.get(session.id).version)}, follow_redirects=True)

    assert "Mới có 1/8 đại biểu có mặt bỏ phiếu" in one
    assert "Mới có 1/8 đại biểu có mặt bỏ phiếu" in refused.get_data(as_text=True)
    assert bloc.wf.get(session.id).state == "open"

    for code in ("ttcp", "ktnn"):
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code), {})
    three = page(client, path)
    no_reason = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "close",
        "version": str(bloc.wf.get(session.id).version)}, follow_redirects=True)
    closed = client.post(f"{path}/fire", data={
        "csrf_token": csrf(client, path), "trigger": "close", "comment": REASON,
        "version": str(bloc.wf.get(session.id).version)}, follow_redirects=True)

    assert "Lý do đóng phiếu trước khi mọi đại biểu có mặt bỏ phiếu xong" in three
    assert "hãy ghi lý do đóng phiếu" in no_reason.get_data(as_text=True)
    assert closed.status_code == 200
    assert bloc.wf.get(session.id).state == "tallied"
