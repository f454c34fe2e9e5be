"""The year-end vote in the browser: the leader schedules it from the campaign page, ticks who is
present, opens it; a member votes from the inbox; the leader closes it, reads the tally in
Vietnamese and draws up the minutes, which download with the meeting's place and date."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx

from tests.e2e.conftest import Session
from tests.year_support import MEMBERS, Bloc, walk_to_year_end
from workflow.services import voting

FLAG = "co_thi_dua_chinh_phu"
PHONE = 390


def phone_width(session: Session, shot: str) -> int:
    """The page's width on a phone (a screenshot taken there), then back to the desktop."""
    page = session.page
    page.set_viewport_size({"width": PHONE, "height": 844})  # type: ignore[attr-defined]
    width = int(page.evaluate("document.documentElement.scrollWidth"))  # type: ignore[attr-defined]
    session.shot(shot)
    page.set_viewport_size({"width": 1280, "height": 800})  # type: ignore[attr-defined]
    return width


def test_the_leader_holds_the_year_end_vote_from_the_pages(
    browser: object, server: str, bloc: Bloc
) -> None:
    walk_to_year_end(bloc)
    bloc.clock.set(dt.datetime(2025, 12, 18, 1, tzinfo=dt.UTC))
    campaign = bloc.wf.fire(bloc.refresh(), "start_voting", bloc.leader).instance
    leader = Session(browser, server, "btp_head")

    page = leader.open(f"/campaigns/{campaign.id}")
    page.click("a:has-text('Lên lịch bỏ phiếu cuối năm')")  # type: ignore[attr-defined]
    for unit in ("bca", "bqp"):  # the leader keeps the top of the ranking and adds two
        page.check(f"input[name='candidate-{FLAG}'][value='{bloc.units[unit]}']")  # type: ignore[attr-defined]
    page.fill("input[name=date]", "2025-12-19")  # type: ignore[attr-defined]
    page.fill("input[name=time]", "08:30")  # type: ignore[attr-defined]
    page.fill("input[name=closes]", "11:00")  # type: ignore[attr-defined]
    page.fill("input[name=place]", "Đà Nẵng")  # type: ignore[attr-defined]
    page.fill("input[name=conference]", "Hội nghị tổng kết năm 2025 của Khối")  # type: ignore[attr-defined]
    leader.shot("vote-1-schedule")
    assert phone_width(leader, "vote-1-schedule-390") <= PHONE
    page.click("button:has-text('Lên lịch bỏ phiếu')")  # type: ignore[attr-defined]
    [session] = voting.campaign_sessions(bloc.wf, campaign.id)
    assert "Đà Nẵng" in page.inner_text("main")  # type: ignore[attr-defined]

    page.uncheck(f"input[name=present][value='unit:{bloc.units['ktnn']}']")  # type: ignore[attr-defined]
    leader.shot("vote-2-attendance")
    page.click("button:has-text('Kiểm tra số lượng')")  # type: ignore[attr-defined]
    page.click("button:has-text('Mở bỏ phiếu')")  # type: ignore[attr-defined]
    assert bloc.wf.get(session.id).state == "open"

    member = Session(browser, server, "bca_head")
    inbox = member.open("/")
    member.shot("vote-3-inbox")
    inbox.click(f"a[href='/votes/{session.id}']")  # type: ignore[attr-defined]
    inbox.check(f"input[value='{bloc.units['bqp']}']")  # type: ignore[attr-defined]
    inbox.click("button:has-text('Xem lại phiếu')")  # type: ignore[attr-defined]
    inbox.click("button:has-text('Bỏ phiếu')")  # type: ignore[attr-defined]
    member.close()
    for code, _name in MEMBERS:
        if code not in ("bca", "ktnn"):
            voting.cast_ballot(bloc.wf, session.id, bloc.head(code),
                               {FLAG: [bloc.units["bca"]]} if code != "btp" else {})

    page = leader.open(f"/votes/{session.id}")
    page.click("button:has-text('Đóng phiếu')")  # type: ignore[attr-defined]
    main = page.inner_text("main")  # type: ignore[attr-defined]
    assert "5/8 thành viên tán thành = 62,5%, đạt quy định trên 50% tổng số thành viên" in main
    page.fill("input[name=member_name] >> nth=1", "Lê Thị Bình")  # type: ignore[attr-defined]
    leader.shot("vote-4-tally")
    assert phone_width(leader, "vote-4-tally-390") <= PHONE
    page.click("button:has-text('Lập biên bản')")  # type: ignore[attr-defined]
    with page.expect_download() as done:  # type: ignore[attr-defined]
        page.click("a:has-text('Tải biên bản kiểm phiếu')")  # type: ignore[attr-defined]
    leader.shot("vote-5-minuted")
    content = Path(done.value.path()).read_bytes()
    leader.close()

    minutes = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in minutes.paragraphs) + "\n".join(
        c.text for t in minutes.tables for row in t.rows for c in row.cells)
    assert "Đà Nẵng, ngày 19 tháng 12 năm 2025" in text
    assert "Hội nghị tổng kết năm 2025 của Khối" in text
    assert "vắng mặt: Kiểm toán Nhà nước" in text
    assert "Lê Thị Bình" in text
    assert bloc.wf.get(session.id).state == "minuted"
