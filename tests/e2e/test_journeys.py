"""Whole journeys in a real browser, as the people of the bloc do them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.e2e.conftest import Session
from tests.year_support import YEAR, Bloc, launch, mid_year, sign_all_pledges
from workflow.engine.instance import Instance
from workflow.services import voting
from workflow.services.documents import attach

FLAG = "co_thi_dua_chinh_phu"
PDF = b"%PDF-1.4\n% e2e document\n"


def open_vote(bloc: Bloc, candidates: tuple[str, ...]) -> Instance:
    """An open cluster vote (recorded as voting.schedule_cluster_vote would)."""
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    assert bloc.wf.rulebook is not None
    rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
    session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                            data={"kind": "cluster", "titles": [FLAG],
                                  "candidates": {FLAG: [bloc.units[c] for c in candidates]},
                                  "rule_set": {"code": rules.code, "version": rules.version},
                                  "ranks": {}, "past_winners": {}, "secret": True,
                                  "leader_unit_id": bloc.units["btp"]})
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return bloc.wf.fire(session, "open", bloc.leader).instance


def appraising_dossier(bloc: Bloc, folder: Path) -> Instance:
    """A dossier of Bộ Công an under appraisal, with its title's documents."""
    bloc.clock.set(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC))
    assert bloc.wf.rulebook is not None
    rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
    dossier = bloc.wf.start("dossier", bloc.leader, unit_id=bloc.units["bca"],
                            cluster_id=bloc.cluster, year=YEAR, data={
                                "title": FLAG, "nominee_unit_id": bloc.units["bca"],
                                "rule_set": {"code": rules.code, "version": rules.version},
                                "appraisal_resumed_on": "2026-01-05"})
    for kind in ("to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_kiem_phieu",
                 "bien_ban_suy_ton_cum"):
        attach(bloc.wf, folder, dossier, bloc.leader, kind, f"{kind}.pdf", PDF)
    bloc.wf.move_to(dossier.id, "appraising", bloc.actor("admin"), "Hồ sơ nhận bằng văn bản giấy")
    return bloc.wf.get(dossier.id)


def test_a_pledge_is_submitted_returned_accepted_and_signed(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    codes = [c.code for c in bloc.table.targets_required()]
    officer = Session(browser, server, "bca_officer")
    page = officer.open("/")
    page.click(f"text=Giao ước thi đua {YEAR} – Bộ Công an")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server}/pledges/{pledge.id}")  # type: ignore[attr-defined]
    for field in page.locator("input[name^='target:']").all():  # type: ignore[attr-defined]
        field.fill("100")
    page.fill(f"input[name='target:{codes[0]}']", "nhiều")  # type: ignore[attr-defined]
    page.click("text=Lưu chỉ tiêu")  # type: ignore[attr-defined]
    officer.shot("1a-officer-target-refused")
    # nothing is lost: the wrong field is marked, the others keep what was typed
    assert page.input_value(f"input[name='target:{codes[0]}']") == "nhiều"  # type: ignore[attr-defined]
    assert page.input_value(f"input[name='target:{codes[1]}']") == "100"  # type: ignore[attr-defined]
    page.fill(f"input[name='target:{codes[0]}']", "92,5")  # type: ignore[attr-defined]
    page.click("text=Lưu chỉ tiêu")  # type: ignore[attr-defined]
    page.click("button:has-text('Trình')")  # type: ignore[attr-defined]
    officer.shot("1-officer-submitted")
    assert bloc.wf.get(pledge.id).state == "submitted"

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/pledges/{pledge.id}")
    form = page.locator("form.action", has_text="Trả lại")  # type: ignore[attr-defined]
    form.locator("textarea[name=comment]").fill("Bổ sung chỉ tiêu giải ngân")
    form.locator("summary").click()
    form.locator(f"textarea[name='target_comment:{codes[0]}']").fill("Đề nghị nâng lên 95%")
    form.locator("button").click()
    leader.shot("2-leader-returned")
    assert bloc.wf.get(pledge.id).state == "returned"

    page = officer.open("/")  # the officer is told, with the leader's comment a click away
    page.click(f"text=Trả lại: Giao ước thi đua {YEAR} – Bộ Công an")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server}/pledges/{pledge.id}")  # type: ignore[attr-defined]
    shown = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Bổ sung chỉ tiêu giải ngân" in shown
    assert "Đề nghị nâng lên 95%" in shown
    officer.shot("2a-officer-sees-comments")
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    officer.shot("2b-officer-sees-comments-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.fill(f"input[name='target:{codes[0]}']", "95")  # type: ignore[attr-defined]
    page.click("button:has-text('Sửa chỉ tiêu')")  # type: ignore[attr-defined]
    page.click("button:has-text('Trình')")  # type: ignore[attr-defined]
    page = leader.open(f"/pledges/{pledge.id}")
    page.click("button:has-text('Chấp thuận')")  # type: ignore[attr-defined]
    assert bloc.wf.get(pledge.id).state == "accepted"

    head = Session(browser, server, "bca_head")
    page = head.open(f"/pledges/{pledge.id}")
    document = tmp_path / "giao-uoc.pdf"
    document.write_bytes(PDF)
    page.set_input_files("input[type=file]", str(document))  # type: ignore[attr-defined]
    page.click("button:has-text('Tải lên')")  # type: ignore[attr-defined]
    page.click("button:has-text('Ký giao ước')")  # type: ignore[attr-defined]
    head.shot("3-head-signed")
    assert bloc.wf.get(pledge.id).state == "signed"
    assert bloc.wf.get(pledge.id).data["targets"][codes[0]] == "95"
    history = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Bổ sung chỉ tiêu giải ngân" in history
    page = leader.open(f"/pledges/{pledge.id}")  # the leader opens the signed pledge
    link = page.locator("a:has-text('giao-uoc.pdf')").first  # type: ignore[attr-defined]
    opened = leader.context.request.get(server + link.get_attribute("href"))
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.body() == PDF
    for session in (officer, leader, head):
        session.close()


def test_a_report_is_uploaded_submitted_returned_and_accepted(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc, skip=("bca",))
    report = bloc.child("report", "bca")
    document = tmp_path / "Bao_cao_so_ket_6_thang.pdf"
    document.write_bytes(PDF)
    officer = Session(browser, server, "bca_officer")
    page = officer.open("/")
    page.click(f"text=Báo cáo sơ kết {YEAR} – Bộ Công an")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server}/reports/{report.id}")  # type: ignore[attr-defined]
    assert "15/07/2025" in page.inner_text("main")  # type: ignore[attr-defined]
    page.set_input_files("input[type=file]", str(document))  # type: ignore[attr-defined]
    page.click("button:has-text('Tải lên')")  # type: ignore[attr-defined]
    page.click("button:has-text('Nộp báo cáo')")  # type: ignore[attr-defined]
    officer.shot("8-report-submitted")
    assert bloc.wf.get(report.id).state == "submitted"

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/reports/{report.id}")
    link = page.locator("a:has-text('Bao_cao_so_ket_6_thang.pdf')")  # type: ignore[attr-defined]
    opened = leader.context.request.get(server + link.get_attribute("href"))
    assert opened.body() == PDF
    form = page.locator("form.action", has_text="Trả lại")  # type: ignore[attr-defined]
    form.locator("textarea[name=comment]").fill("Bổ sung số liệu quý II")
    form.locator("button").click()
    assert bloc.wf.get(report.id).state == "returned"

    page = officer.open(f"/reports/{report.id}")
    assert "Bổ sung số liệu quý II" in page.inner_text("main")  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    officer.shot("9-report-returned-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    page.click("button:has-text('Nộp báo cáo')")  # type: ignore[attr-defined]
    page = leader.open(f"/reports/{report.id}")
    page.click("button:has-text('Chấp nhận')")  # type: ignore[attr-defined]
    leader.shot("10-report-accepted")
    assert bloc.wf.get(report.id).state == "accepted"
    for session in (officer, leader):
        session.close()


def test_a_member_votes_with_a_confirmation_and_gets_a_receipt(
    browser: object, server: str, bloc: Bloc
) -> None:
    session = open_vote(bloc, ("bca", "bqp"))
    head = Session(browser, server, "bca_head")
    page = head.open(f"/votes/{session.id}")
    page.check(f"input[value='{bloc.units['bqp']}']")  # type: ignore[attr-defined]
    page.click("button:has-text('Xem lại phiếu')")  # type: ignore[attr-defined]
    head.shot("4-ballot-confirm")
    assert "Bộ Quốc phòng" in page.inner_text("main")  # type: ignore[attr-defined]
    page.click("button:has-text('Bỏ phiếu')")  # type: ignore[attr-defined]
    head.shot("5-ballot-receipt")

    receipt = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Bộ Quốc phòng" not in receipt  # the receipt never repeats the choice
    assert voting.turnout(bloc.wf, session.id)["voted"] == [f"unit:{bloc.units['bca']}"]
    page = head.open(f"/votes/{session.id}")
    assert page.locator("button:has-text('Xem lại phiếu')").count() == 0  # type: ignore[attr-defined]
    head.close()


def test_the_council_office_returns_a_dossier_then_puts_it_to_the_council(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    dossier = appraising_dossier(bloc, tmp_path)
    office = Session(browser, server, "vu_tdkt")
    page = office.open(f"/items/{dossier.id}")
    form = page.locator("form.action", has_text="Trả lại bổ sung")  # type: ignore[attr-defined]
    form.locator("textarea[name=comment]").fill("Thiếu báo cáo thành tích có xác nhận")
    form.locator("input[name='field:missing']").fill("báo cáo thành tích")
    form.locator("button").click()
    office.shot("6-dossier-returned")
    assert bloc.wf.get(dossier.id).state == "returned"

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/items/{dossier.id}")
    page.click("button:has-text('Nộp bổ sung')")  # type: ignore[attr-defined]
    assert bloc.wf.get(dossier.id).state == "appraising"
    page = office.open(f"/items/{dossier.id}")
    page.click("button:has-text('Trình Hội đồng')")  # type: ignore[attr-defined]
    office.shot("7-dossier-to-council")
    assert bloc.wf.get(dossier.id).state == "council_review"
    office.close()
    leader.close()


def test_an_admin_fixes_a_broken_definition_from_the_error_at_its_line(
    browser: object, server: str, bloc: Bloc
) -> None:
    admin = Session(browser, server, "admin")
    page = admin.open("/admin/definitions/report/edit")
    text = page.input_value("textarea[name=source_text]")  # type: ignore[attr-defined]
    broken = text.replace("dest: accepted", "dest: acceptd", 1)
    page.fill("textarea[name=source_text]", broken)  # type: ignore[attr-defined]
    page.click("button[value=validate]")  # type: ignore[attr-defined]
    admin.shot("8-admin-error-at-line")
    problems = page.inner_text(".problems")  # type: ignore[attr-defined]
    line = broken.splitlines().index(
        next(ln for ln in broken.splitlines() if "dest: acceptd" in ln)) + 1
    assert f"Dòng {line}" in problems
    assert "unknown state 'acceptd' (did you mean 'accepted'?)" in problems

    page.fill("textarea[name=source_text]", text.replace(  # type: ignore[attr-defined]
        "remind: [2, 1]", "remind: [3, 1]", 1))
    page.click("button[value=publish]")  # type: ignore[attr-defined]
    admin.shot("9-admin-published")
    assert [r["version"] for r in bloc.services.catalog.versions("report")] == [1, 2]
    admin.close()
