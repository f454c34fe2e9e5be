"""The dossier in the browser: from the counted vote the leader opens the winner's dossier in one
click, uploads the achievement report, generates the tờ trình and downloads it; the council
office returns the dossier naming the missing documents, and the unit's officer reads them."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import Session
from tests.year_support import MEMBERS, PDF, REASON, YEAR, Bloc, walk_to_year_end
from workflow.services import dossiers, organisations, voting

FLAG = "co_thi_dua_chinh_phu"
NAME = "Hồ sơ đề nghị Cờ thi đua của Chính phủ 2025 – Bộ Công an"


def local(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


def test_the_dossier_is_opened_filled_and_returned_from_the_pages(
    browser: object, server: str, bloc: Bloc, tmp_path: object
) -> None:
    uow = bloc.services.uow()
    for n in range(4):  # four more blocs of the council: 20% of five leading units is one flag
        unit = organisations.create_unit(uow, f"X{n}", f"Đơn vị khối khác {n}")
        organisations.create_cluster(uow, f"K{n}", f"Khối {n}", "khoi", YEAR, [unit],
                                     council="Hội đồng Thi đua – Khen thưởng Trung ương")
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

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/votes/{session.id}")
    page.click("button:has-text('Lập hồ sơ đề nghị cho các đơn vị được suy tôn')")  # type: ignore[attr-defined]
    assert page.inner_text("h1") == NAME  # type: ignore[attr-defined]
    dossier_id = int(page.url.rsplit("/", 1)[1])  # type: ignore[attr-defined]

    report = tmp_path / "bao-cao-thanh-tich.pdf"  # type: ignore[operator]
    report.write_bytes(PDF)
    row = "form:has(input[name=kind][value=bao_cao_thanh_tich])"
    page.set_input_files(f"{row} input[type=file]", str(report))  # type: ignore[attr-defined]
    page.click(f"{row} button")  # type: ignore[attr-defined]
    assert "Đã tải lên tài liệu: bao-cao-thanh-tich.pdf" in page.inner_text("main")  # type: ignore[attr-defined]
    link = page.get_attribute("a:has-text('bao-cao-thanh-tich.pdf')", "href")  # type: ignore[attr-defined]
    assert page.request.get(f"{server}{link}").body() == PDF  # type: ignore[attr-defined]

    page.fill("input[name=number]", "12/TTr-KNC")  # type: ignore[attr-defined]
    page.fill("input[name=signer_position]", "Khối trưởng")  # type: ignore[attr-defined]
    page.fill("input[name=signer_name]", "Nguyễn Văn A")  # type: ignore[attr-defined]
    page.click("button:has-text('Tạo tờ trình')")  # type: ignore[attr-defined]
    assert "Đã tạo và đính kèm tờ trình." in page.inner_text("main")  # type: ignore[attr-defined]
    leader.shot("dossier-1-documents")
    letter = page.get_attribute("a[href*='/documents/']:has-text('.docx')", "href")  # type: ignore[attr-defined]
    assert page.request.get(f"{server}{letter}").body()[:2] == b"PK"  # type: ignore[attr-defined]

    wf.fire(dossier_id, "post", bloc.leader)
    bloc.clock.set(local("2025-12-24"))
    for kind in ("bien_ban_binh_xet", "bien_ban_suy_ton_cum"):
        dossiers.attach(wf, wf.get(dossier_id), bloc.leader, folder, kind, f"{kind}.pdf", PDF)
    wf.fire(dossier_id, "submit", bloc.leader)
    wf.fire(dossier_id, "receive", bloc.actor("vu_tdkt"))
    bloc.clock.set(local("2026-01-05"))
    wf.fire(dossier_id, "start_appraisal", bloc.actor("vu_tdkt"))
    bloc.clock.set(local("2026-01-09"))

    office = Session(browser, server, "vu_tdkt")
    page = office.open(f"/dossiers/{dossier_id}")
    page.check("input[name=missing][value=bao_cao_thanh_tich]")  # type: ignore[attr-defined]
    page.fill("form.return textarea[name=comment]", "Báo cáo thiếu số liệu quý IV")  # type: ignore[attr-defined]
    page.click("form.return button")  # type: ignore[attr-defined]
    assert "thời hạn thẩm định tạm dừng" in page.inner_text("main")  # type: ignore[attr-defined]
    office.shot("dossier-2-returned")

    unit = Session(browser, server, "bca_officer")
    page = unit.open(f"/dossiers/{dossier_id}")
    told = page.inner_text("section.returned")  # type: ignore[attr-defined]
    assert "Báo cáo thành tích" in told
    assert "Báo cáo thiếu số liệu quý IV" in told
    assert "4 ngày làm việc" in page.inner_text("#clock")  # type: ignore[attr-defined]
    unit.shot("dossier-3-unit-reads")
    for s in (leader, office, unit):
        s.close()
