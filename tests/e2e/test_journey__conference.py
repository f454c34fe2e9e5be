"""A cluster's conference in a real browser: the leader plans it from the campaign page (a
wrong date is named and everything typed stays), sends the invitations, which a member's head
finds in the inbox; records who attended, confirms it was held, writes the conclusions (one
assigns a task to a unit with a due date), downloads the minutes and reads them back,
finalises and signs them; the unit's officer reports on its task and the leader accepts it."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from tests.e2e.conftest import Session
from tests.year_support import Bloc, at, launch


def test_a_conference_from_plan_to_a_task_done(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    campaign = launch(bloc)
    bloc.clock.set(at("2025-07-01"))
    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/campaigns/{campaign.id}")
    page.click("text=Lập kế hoạch và tổ chức hội nghị")  # type: ignore[attr-defined]
    page.select_option("[name=kind]", "six_month")  # type: ignore[attr-defined]
    page.fill("[name=date]", "15/07/2024")  # type: ignore[attr-defined]
    page.fill("[name=time]", "08:30")  # type: ignore[attr-defined]
    page.fill("[name=place]", "Hội trường Bộ Tư pháp, 60 Trần Phú, Hà Nội")  # type: ignore[attr-defined]
    page.fill("[aria-label='Nội dung 1']", "Báo cáo sơ kết 6 tháng")  # type: ignore[attr-defined]
    page.fill("[aria-label='Người trình bày 1']", "Thủ trưởng Bộ Tư pháp")  # type: ignore[attr-defined]
    page.fill("[aria-label='Nội dung 2']", "Tham luận về cải cách hành chính")  # type: ignore[attr-defined]
    page.fill("[aria-label='Người trình bày 2']", "Đại diện Bộ Công an")  # type: ignore[attr-defined]
    page.click("button:has-text('Lập kế hoạch hội nghị')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "trong năm 2025" in page.inner_text("main")  # type: ignore[attr-defined]
    assert page.input_value("[aria-label='Nội dung 2']") == "Tham luận về cải cách hành chính"  # type: ignore[attr-defined]
    page.fill("[name=date]", "15/07/2025")  # type: ignore[attr-defined]
    page.click("button:has-text('Lập kế hoạch hội nghị')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Hội nghị sơ kết 6 tháng 2025" in body
    assert "15/07/2025" in body
    assert "Đại diện Bộ Công an" in body
    leader.shot("conference-1-planned-1280")
    page.click("button:has-text('Gửi giấy mời')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã gửi giấy mời" in page.inner_text("main")  # type: ignore[attr-defined]
    conference = page.url  # type: ignore[attr-defined]

    member = Session(browser, server, "bca_head")
    inbox = member.open("/")
    inbox.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Hội nghị sơ kết 6 tháng 2025" in inbox.inner_text("body")  # type: ignore[attr-defined]
    inbox.goto(conference)  # type: ignore[attr-defined]
    inbox.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Ghi thành phần tham dự" not in inbox.inner_text("main")  # type: ignore[attr-defined]

    bloc.clock.set(at("2025-07-15", 11))
    for code, unit in bloc.units.items():
        if code != "lang":
            page.check(f"[name='present-{unit}']")  # type: ignore[attr-defined]
            page.fill(f"[name='attendees-{unit}']", f"Đại diện {code.upper()}")  # type: ignore[attr-defined]
    page.click("button:has-text('Ghi thành phần tham dự')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã ghi thành phần tham dự." in page.inner_text("main")  # type: ignore[attr-defined]
    page.click("button:has-text('Xác nhận đã tổ chức')")  # type: ignore[attr-defined]
    page.fill("[aria-label='Kết luận 1']", "Các đơn vị hoàn thành chỉ tiêu 6 tháng cuối năm")  # type: ignore[attr-defined]
    page.fill("[aria-label='Kết luận 2']", "Xây dựng mô hình điểm về cải cách hành chính")  # type: ignore[attr-defined]
    page.select_option("[aria-label='Giao nhiệm vụ cho 2']", str(bloc.units["bca"]))  # type: ignore[attr-defined]
    page.fill("[aria-label='Hạn hoàn thành (dd/mm/yyyy) 2']", "30/09/2025")  # type: ignore[attr-defined]
    page.click("button:has-text('Ghi kết luận')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã ghi kết luận hội nghị." in page.inner_text("main")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("button:has-text('Tải biên bản')")  # type: ignore[attr-defined]
    saved = tmp_path / "bien-ban-hoi-nghi.docx"
    download.value.save_as(str(saved))
    minutes = docx.Document(io.BytesIO(saved.read_bytes()))
    text = "\n".join(p.text for p in minutes.paragraphs)
    cells = "\n".join(c.text for t in minutes.tables for r in t.rows for c in r.cells)
    assert "7/8 đơn vị thành viên có mặt" in text
    assert "giao Bộ Công an thực hiện, hoàn thành trước 30/09/2025" in text
    assert "Tham luận về cải cách hành chính" in cells
    assert "Đại diện BCA" in cells
    page.reload()  # type: ignore[attr-defined]
    page.click("button:has-text('Chốt biên bản')")  # type: ignore[attr-defined]
    page.click("button:has-text('Ký biên bản')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đã ký biên bản" in body
    assert "30/09/2025" in body
    leader.shot("conference-2-signed-1280")

    officer = Session(browser, server, "bca_officer")
    inbox = officer.open("/")
    inbox.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Nhiệm vụ theo kết luận hội nghị 2025" in inbox.inner_text("body")  # type: ignore[attr-defined]
    inbox.wait_for_load_state()  # type: ignore[attr-defined]
    assert "30/09/2025" in inbox.inner_text("body")  # type: ignore[attr-defined]
    inbox.goto(conference)  # type: ignore[attr-defined]
    inbox.click("#tasks a:has-text('Xây dựng mô hình điểm')")  # type: ignore[attr-defined]
    inbox.fill("textarea[name=comment]", "Đã xây dựng mô hình điểm tại 3 đơn vị trực thuộc")  # type: ignore[attr-defined]
    inbox.click("button:has-text('Báo cáo kết quả')")  # type: ignore[attr-defined]
    inbox.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã báo cáo kết quả" in inbox.inner_text("main")  # type: ignore[attr-defined]

    page.goto(conference)  # type: ignore[attr-defined]
    page.click("#tasks a:has-text('Xây dựng mô hình điểm')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã xây dựng mô hình điểm tại 3 đơn vị trực thuộc" in page.inner_text("main")  # type: ignore[attr-defined]
    page.click("button:has-text('Xác nhận hoàn thành')")  # type: ignore[attr-defined]
    page.goto(conference)  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã hoàn thành" in page.inner_text("main")  # type: ignore[attr-defined]
    for session in (leader, member, officer):
        session.close()
