"""An impediment to an award in the browser (Decree 152/2025 art. 4(4)): the council office
records a complaint against the nominee on the dossier's page, the leader finds the proposal
held back with the reason, the office records the closure, and the leader posts the dossier;
the history reads both steps."""

from __future__ import annotations

from tests.e2e.conftest import Session
from tests.e2e.test_journey__dossier import FLAG, local
from tests.year_support import MEMBERS, REASON, Bloc, walk_to_year_end
from workflow.services import dossiers, voting


def test_a_complaint_holds_the_proposal_until_its_closure_is_recorded(
    browser: object, server: str, bloc: Bloc
) -> None:
    walk_to_year_end(bloc)
    wf, folder = bloc.wf, bloc.services.settings.documents_dir
    bloc.clock.set(local("2025-12-10"))
    session = voting.schedule_cluster_vote(wf, bloc.refresh().id, bloc.leader,
                                           {FLAG: [bloc.units["bca"], bloc.units["bqp"]]})
    wf.fire(session, "check_quorum", bloc.leader,
            {"present": [f"unit:{u}" for u in bloc.units.values()]})
    wf.fire(session, "open", bloc.leader)
    for code, _ in MEMBERS:
        pick = "bqp" if code in ("bca", "ttcp") else "bca"
        voting.cast_ballot(wf, session.id, bloc.head(code), {FLAG: [bloc.units[pick]]})
    wf.fire(session, "close", bloc.leader, {"comment": REASON})
    voting.draw_up_minutes(wf, session.id, bloc.leader, folder, [("Trần Văn B", "Thư ký")])
    wf.fire(session.id, "lock", bloc.leader)
    [dossier] = dossiers.open_dossiers(wf, session.id, bloc.leader, folder)
    path = f"/dossiers/{dossier.id}"

    office = Session(browser, server, "vu_tdkt")
    page = office.open(path)
    page.click("summary:has-text('Ghi nhận vướng mắc')")  # type: ignore[attr-defined]
    form = "form.add-impediment"
    page.select_option(f"{form} select[name=kind]", "complaint")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=reference]", "Đơn tố cáo 15/ĐTC")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=start]", "01/12/2025")  # type: ignore[attr-defined]
    page.fill(f"{form} textarea[name=note]", "Tố cáo về số liệu thi đua")  # type: ignore[attr-defined]
    page.click(f"{form} button")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    text = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đã ghi nhận vướng mắc; lịch sử hồ sơ đã ghi lại." in text
    assert "Đang có vướng mắc khen thưởng" in text
    office.shot("impediment-1-recorded")

    leader = Session(browser, server, "btp_head")
    page = leader.open(path)
    button = "form.action button:has-text('Công khai')"
    assert page.is_disabled(button)  # type: ignore[attr-defined]
    assert "đơn thư khiếu nại, tố cáo chưa được giải quyết từ ngày 01/12/2025" in page.inner_text(  # type: ignore[attr-defined]
        "main")
    leader.shot("impediment-2-held-back")

    page = office.open(path)
    page.click("summary:has-text('Ghi nhận kết thúc')")  # type: ignore[attr-defined]
    form = "form.close-impediment"
    page.fill(f"{form} input[name=closed_on]", "10/12/2025")  # type: ignore[attr-defined]
    page.select_option(f"{form} select[name=outcome]", "no_violation")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=closure_reference]", "Kết luận 7/KL-TTr")  # type: ignore[attr-defined]
    page.click(f"{form} button")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    text = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đã ghi nhận việc kết thúc vướng mắc" in text
    assert "Đang có vướng mắc khen thưởng" not in text

    page = leader.open(path)
    page.click(button)  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert wf.get(dossier.id).state == "posting"
    history = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Ghi nhận vướng mắc khen thưởng: đơn thư khiếu nại, tố cáo" in history
    assert "Kết thúc vướng mắc khen thưởng ngày 10/12/2025" in history
    leader.shot("impediment-3-posted")
    office.close()
    leader.close()
