"""The cross-inspection in a real browser: the team lead fills in the points per criterion
(a wrong one is named and everything typed stays), concludes, signs and downloads the minutes;
the inspected unit's head signs; the results reach the score sheet's column."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from tests.e2e.conftest import PASSWORD, SHOTS, Session
from tests.year_support import (
    Bloc,
    inspect,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
)
from workflow.domain.scoring import show
from workflow.services import people


def test_the_team_records_the_inspection_per_criterion_and_both_sides_sign(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    item = bloc.child("inspection", "bca")
    lead = str(item.data["plan"]["lead"])
    people.set_password(bloc.services.uow(), bloc.users[lead], PASSWORD)
    quantitative = next(c for c in bloc.table.criteria if not c.levels)

    team = Session(browser, server, lead)
    page = team.open(f"/items/{item.id}")  # the inbox's link leads to the inspection page
    assert page.url.endswith(f"/inspections/{item.id}")  # type: ignore[attr-defined]
    for c in bloc.table.criteria:
        field = f"[name='points-{c.code}']"
        if c.levels:
            page.select_option(field, show(max(c.level_points)))  # type: ignore[attr-defined]
        else:
            page.fill(field, str(c.max_points))  # type: ignore[attr-defined]
    page.fill(f"[name='points-{quantitative.code}']", "99,5")  # type: ignore[attr-defined]
    page.fill(f"[name='note-{quantitative.code}']", "Số liệu chưa khớp báo cáo")  # type: ignore[attr-defined]
    page.fill("[name=conclusion]", "Đơn vị thực hiện tốt các tiêu chí.")  # type: ignore[attr-defined]
    page.click("button:has-text('Ghi kết quả')")  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "sửa các ô được đánh dấu" in body
    assert page.input_value(f"[name='note-{quantitative.code}']") == "Số liệu chưa khớp báo cáo"  # type: ignore[attr-defined]
    assert page.input_value("[name=conclusion]") == "Đơn vị thực hiện tốt các tiêu chí."  # type: ignore[attr-defined]
    team.shot("inspection-1-refused-1280")
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    team.shot("inspection-1-refused-390")
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]

    page.fill(f"[name='points-{quantitative.code}']", "12,5")  # type: ignore[attr-defined]
    page.click("button:has-text('Ghi kết quả')")  # type: ignore[attr-defined]
    assert "Đã ghi kết quả kiểm tra." in page.inner_text("main")  # type: ignore[attr-defined]
    assert bloc.wf.get(item.id).data["results"][quantitative.code] == "12.5"
    page.click("button:has-text('Kết thúc kiểm tra')")  # type: ignore[attr-defined]
    page.click("button:has-text('Ký biên bản')")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("button:has-text('Tải biên bản')")  # type: ignore[attr-defined]
    saved = tmp_path / "bien-ban.docx"
    download.value.save_as(str(saved))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "Đơn vị thực hiện tốt các tiêu chí." in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    team.shot("inspection-2-team-signed-1280")

    head = Session(browser, server, "bca_head")
    page = head.open(f"/inspections/{item.id}")
    assert "Số liệu chưa khớp báo cáo" in page.inner_text("main")  # type: ignore[attr-defined]
    page.click("button:has-text('Ký biên bản')")  # type: ignore[attr-defined]
    scan = tmp_path / "bien-ban-da-ky.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed minutes\n")
    page.set_input_files("input[type=file]", str(scan))  # type: ignore[attr-defined]
    page.click("#minutes button:has-text('Tải lên')")  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đã áp dụng vào bảng điểm" in body
    assert "bien-ban-da-ky.pdf" in body
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    head.shot("inspection-3-applied-390")
    assert bloc.wf.get(item.id).state == "applied"
    for session in (team, head):
        session.close()


def test_a_score_chosen_before_an_upload_is_saved_with_it(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    for code in bloc.units:
        inspect(bloc, code)
    bloc.wf.fire(bloc.refresh(), "start_scoring", bloc.leader)
    sheet = bloc.child("score_sheet", "bca")

    officer = Session(browser, server, "bca_officer")
    page = officer.open(f"/score-sheets/{sheet.id}")
    page.select_option("[name='points-ky_giao_uoc']", "2")  # type: ignore[attr-defined]
    page.select_option("[name='points-ke_hoach_phat_dong']", "3")  # type: ignore[attr-defined]
    scan = tmp_path / "giao-uoc-da-ky.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed pledge\n")
    page.set_input_files("[name='file-ky_giao_uoc']", str(scan))  # type: ignore[attr-defined]
    page.click("#c-ky_giao_uoc button:has-text('Tải lên')")  # type: ignore[attr-defined]

    assert "giao-uoc-da-ky.pdf" in page.inner_text("#c-ky_giao_uoc")  # type: ignore[attr-defined]
    assert page.input_value("[name='points-ky_giao_uoc']") == "2"  # type: ignore[attr-defined]
    assert page.input_value("[name='points-ke_hoach_phat_dong']") == "3"  # type: ignore[attr-defined]
    with bloc.wf.store.read() as tx:
        lines = tx.score_lines(sheet.id)
    assert lines["ky_giao_uoc"].self_points == 2
    assert lines["ke_hoach_phat_dong"].self_points == 3

    quantitative = next(c for c in bloc.table.criteria if c.target_required)
    field = page.locator(f"[name='achieved-{quantitative.code}']")  # type: ignore[attr-defined]
    field.fill("95")
    field.press("Enter")  # the form's default button saves; it does not upload
    assert "Đã lưu điểm tự chấm" in page.inner_text("main")  # type: ignore[attr-defined]
    officer.shot("score-sheet-upload-kept-choices-1280")
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    officer.shot("score-sheet-upload-kept-choices-390")
    officer.close()
