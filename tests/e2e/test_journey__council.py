"""The council's meeting in the browser: the council office schedules it for the dossier
waiting, ticks who is present by name and opens the vote; a member votes from the inbox, an
absent member votes in writing; the office closes the vote and writes the counted result on the
dossier; the deciding head decides in Vietnamese with the decision's number and date; the
office announces it."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import PASSWORD, Session
from tests.integration.test_council import dossier_at_council, member
from tests.year_support import YEAR, Bloc, walk_to_year_end
from workflow.services import organisations, people, voting

FLAG = "co_thi_dua_chinh_phu"
COUNCIL = "Hội đồng Thi đua – Khen thưởng Trung ương"


def council_of_five_blocs(bloc: Bloc) -> None:
    """Four more blocs of the same council (20% of five leading units is one flag), nine
    voting members, the chair and the Prime Minister."""
    uow = bloc.services.uow()
    for n in range(4):
        unit = organisations.create_unit(uow, f"X{n}", f"Đơn vị khối khác {n}")
        organisations.create_cluster(uow, f"K{n}", f"Khối {n}", "khoi", YEAR, [unit],
                                     council=COUNCIL)
    for name, role in [(f"hd_{n}", "council_member") for n in range(9)] + [
            ("hd_chutich", "council_chair"), ("thu_tuong", "decision_authority")]:
        bloc.users[name] = people.create_user(uow, name, f"Ủy viên {name}")
        people.grant(uow, bloc.users[name], role, year=YEAR)
        people.set_password(uow, bloc.users[name], PASSWORD)


def test_the_council_meets_votes_and_the_head_decides_from_the_pages(
    browser: object, server: str, bloc: Bloc
) -> None:
    council_of_five_blocs(bloc)
    walk_to_year_end(bloc)
    folder = bloc.services.settings.documents_dir
    dossier = dossier_at_council(bloc, folder)
    bloc.clock.set(dt.datetime(2026, 1, 6, 2, tzinfo=dt.UTC))

    office = Session(browser, server, "vu_tdkt")
    page = office.open(f"/council/{YEAR}")
    assert "Bộ Công an" in page.inner_text("main")  # type: ignore[attr-defined]
    page.fill("input[name=date]", "2026-01-20")  # type: ignore[attr-defined]
    page.fill("input[name=time]", "08:30")  # type: ignore[attr-defined]
    page.fill("input[name=place]", "Nhà Quốc hội")  # type: ignore[attr-defined]
    office.shot("council-1-schedule")
    page.click("button:has-text('Lên lịch họp Hội đồng')")  # type: ignore[attr-defined]
    main = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Nhà Quốc hội" in main
    assert "Ủy viên hd_0" in main  # the attendance boxes name the members
    session_id = int(page.url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    for n in (7, 8):
        page.uncheck(f"input[name=present][value='{member(bloc, n)}']")  # type: ignore[attr-defined]
    office.shot("council-2-attendance")
    page.click("button:has-text('Kiểm tra số lượng')")  # type: ignore[attr-defined]
    page.click("button:has-text('Mở bỏ phiếu')")  # type: ignore[attr-defined]
    assert bloc.wf.get(session_id).state == "open"

    for name, absent in (("hd_0", False), ("hd_8", True)):
        voter = Session(browser, server, name)
        inbox = voter.open("/")
        inbox.click(f"a[href='/votes/{session_id}']")  # type: ignore[attr-defined]
        text = inbox.inner_text("main")  # type: ignore[attr-defined]
        assert ("phiếu bằng văn bản của thành viên vắng mặt" in text) is absent
        inbox.check(f"input[value='{dossier.id}']")  # type: ignore[attr-defined]
        inbox.click("button:has-text('Xem lại phiếu')")  # type: ignore[attr-defined]
        inbox.click("button:has-text('Bỏ phiếu')")  # type: ignore[attr-defined]
        voter.close()
    for n in range(1, 8):  # hd_7, absent, votes in writing too
        voting.cast_ballot(bloc.wf, session_id, bloc.actor(f"hd_{n}"), {FLAG: [dossier.id]})

    page = office.open(f"/votes/{session_id}")
    page.click("button:has-text('Đóng phiếu')")  # type: ignore[attr-defined]
    assert bloc.wf.get(session_id).state == "tallied"
    voting.draw_up_minutes(bloc.wf, session_id, bloc.actor("vu_tdkt"), folder,
                           [("Lê Thị C", "Thư ký")])
    bloc.wf.fire(session_id, "lock", bloc.actor("hd_chutich"))
    page = office.open(f"/votes/{session_id}")
    main = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Phiếu bằng văn bản của thành viên vắng mặt (2): Ủy viên hd_7, Ủy viên hd_8" in main
    page.click("button:has-text('Ghi kết quả của Hội đồng vào hồ sơ')")  # type: ignore[attr-defined]
    office.shot("council-3-result")
    assert bloc.wf.get(dossier.id).state == "with_authority"

    head = Session(browser, server, "thu_tuong")
    page = head.open(f"/dossiers/{dossier.id}/decision")
    page.check("input[name=outcome][value=approved]")  # type: ignore[attr-defined]
    page.fill("textarea[name=reasons]", "Dẫn đầu phong trào thi đua Khối Nội chính 2025")  # type: ignore[attr-defined]
    page.fill("input[name=number]", "123/QĐ-TTg")  # type: ignore[attr-defined]
    page.fill("input[name=date]", "2026-03-02")  # type: ignore[attr-defined]
    head.shot("council-4-decision")
    page.click("button:has-text('Ghi quyết định')")  # type: ignore[attr-defined]
    main = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Số 123/QĐ-TTg" in main
    assert "ngày 02/03/2026" in main
    head.close()

    page = office.open(f"/dossiers/{dossier.id}/decision")
    page.click("button:has-text('Công bố quyết định')")  # type: ignore[attr-defined]
    assert bloc.wf.get(dossier.id).state == "announced"
    office.close()
