"""A cluster's year of conferences in a real browser (issue 17): the council office assigns a
council member to supervise the bloc; the leader holds the pledge-signing conference (the
supervisor finds the invitation in the inbox, a unit head signs the pledge at it and the
conference lists it), the six-month review (a conclusion assigns a task: the unit is reminded
by the engine's sweep, reports, and the leader accepts it), a thematic conference and the
year-end review (the scan of its signed minutes uploaded and downloaded), each with its
attendance and its generated minutes read back; the supervisor follows the year on their page
and records a note, which the leader reads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx

from tests.e2e.conftest import PASSWORD, Session
from tests.year_support import MEMBERS, PDF, YEAR, Bloc, at, launch, sign_pledge, targets
from workflow.services import people

PLACE = "Hội trường Bộ Tư pháp, 60 Trần Phú, Hà Nội"


def _supervisor(bloc: Bloc) -> None:
    uow = bloc.services.uow()
    member = people.create_user(uow, "hd_giam_sat", "Nguyễn Văn Giám Sát")
    people.grant(uow, member, "council_member", year=YEAR)
    people.set_password(uow, member, PASSWORD)
    bloc.users["hd_giam_sat"] = member


def _accepted(bloc: Bloc, code: str) -> None:
    """The pledge accepted, the paper signed by the head scanned: to sign at the conference."""
    pledge = bloc.child("pledge", code)
    bloc.wf.fire(pledge, "save_targets", bloc.officer(code), {"targets": targets(bloc)})
    bloc.wf.fire(pledge, "submit", bloc.head(code))
    bloc.wf.fire(pledge, "accept", bloc.checker_for(code))
    bloc.attach(pledge, bloc.head(code), "signed_pledge")


def _plan(page: Any, server: str, campaign_id: int, kind: str, day: str, agenda: str,
          topic: str = "") -> str:
    page.goto(f"{server}/campaigns/{campaign_id}/conferences")
    page.select_option("[name=kind]", kind)
    if topic:
        page.fill("[name=topic]", topic)
    page.fill("[name=date]", day)
    page.fill("[name=time]", "08:00")
    page.fill("[name=place]", PLACE)
    page.fill("[aria-label='Nội dung 1']", agenda)
    page.fill("[aria-label='Người trình bày 1']", "Thủ trưởng Bộ Tư pháp")
    page.click("button:has-text('Lập kế hoạch hội nghị')")
    page.wait_for_load_state()
    page.click("button:has-text('Gửi giấy mời')")
    page.wait_for_load_state()
    assert "Đã gửi giấy mời" in page.inner_text("main")
    return str(page.url)


def _hold(page: Any, bloc: Bloc, tmp_path: Path, name: str, absent: str,
          conclusions: list[tuple[str, str, str]]) -> str:
    """Attendance (every unit but `absent`), held, conclusions, the minutes downloaded and
    read back, finalised and signed; the minutes' text."""
    for code, unit in bloc.units.items():
        if code != absent:
            page.check(f"[name='present-{unit}']")
            page.fill(f"[name='attendees-{unit}']", f"Đại diện {code.upper()}")
    page.click("button:has-text('Ghi thành phần tham dự')")
    page.wait_for_load_state()
    assert "Đã ghi thành phần tham dự." in page.inner_text("main")
    page.click("button:has-text('Xác nhận đã tổ chức')")
    page.wait_for_load_state()
    for i, (text, unit_code, due) in enumerate(conclusions, start=1):
        page.fill(f"[aria-label='Kết luận {i}']", text)
        if unit_code:
            page.select_option(f"[aria-label='Giao nhiệm vụ cho {i}']",
                               str(bloc.units[unit_code]))
            page.fill(f"[aria-label='Hạn hoàn thành (dd/mm/yyyy) {i}']", due)
    page.click("button:has-text('Ghi kết luận')")
    page.wait_for_load_state()
    assert "Đã ghi kết luận hội nghị." in page.inner_text("main")
    with page.expect_download() as download:
        page.click("button:has-text('Tải biên bản')")
    saved = tmp_path / f"{name}.docx"
    download.value.save_as(str(saved))
    minutes = docx.Document(io.BytesIO(saved.read_bytes()))
    text = "\n".join(p.text for p in minutes.paragraphs)
    cells = "\n".join(c.text for t in minutes.tables for r in t.rows for c in r.cells)
    assert f"{len(MEMBERS) - 1}/{len(MEMBERS)} đơn vị thành viên có mặt" in text
    assert conclusions[0][0] in text
    assert f"Đại diện {'BCA' if absent != 'bca' else 'BTP'}" in cells
    page.reload()
    page.click("button:has-text('Chốt biên bản')")
    page.wait_for_load_state()
    page.click("button:has-text('Ký biên bản')")
    page.wait_for_load_state()
    assert "Đã ký biên bản" in page.inner_text("main")
    return text


def test_a_clusters_year_of_conferences(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    _supervisor(bloc)
    campaign = launch(bloc)

    office = Session(browser, server, "vu_tdkt")
    page: Any = office.open("/supervision?year=2025")
    page.select_option("[name=user_id]", str(bloc.users["hd_giam_sat"]))
    page.select_option("[name=cluster_id]", str(bloc.cluster))
    page.click("button:has-text('Phân công')")
    page.wait_for_load_state()
    assert "Nguyễn Văn Giám Sát phụ trách Khối thi đua các bộ, ngành Nội chính Trung ương " \
           "năm 2025." in page.inner_text("main")
    office.shot("supervision-1-assigned-1280")

    # 1. the pledge-signing conference
    bloc.clock.set(at("2025-03-10"))
    leader = Session(browser, server, "btp_head")
    lp: Any = leader.open(f"/campaigns/{campaign.id}")
    signing = _plan(lp, server, campaign.id, "pledge_signing", "20/03/2025",
                    "Ký kết giao ước thi đua năm 2025")
    supervisor = Session(browser, server, "hd_giam_sat")
    sp: Any = supervisor.open("/")
    sp.wait_for_load_state()
    assert "Hội nghị ký kết giao ước thi đua 2025" in sp.inner_text("body")
    sp.click("a:has-text('Hội nghị ký kết giao ước thi đua 2025')")
    sp.wait_for_load_state()
    assert "Gửi giấy mời" not in sp.inner_text("main")  # reads, does not run it

    _accepted(bloc, "bca")
    for code, _name in MEMBERS:
        if code != "bca":
            sign_pledge(bloc, code)  # signed on their own
    bloc.clock.set(at("2025-03-20", 10))
    head = Session(browser, server, "bca_head")
    hp: Any = head.open(f"/pledges/{bloc.child('pledge', 'bca').id}")
    hp.select_option("[name=conference_id]", signing.rsplit("/", 1)[1])
    hp.click("button:has-text('Ký giao ước')")
    hp.wait_for_load_state()
    assert "Ký tại Hội nghị ký kết giao ước thi đua 2025" in hp.inner_text("main")
    head.close()
    lp.goto(signing)
    lp.wait_for_load_state()
    pledges = lp.inner_text("#pledges")
    assert "8/8 đơn vị đã ký giao ước, trong đó 1 đơn vị ký tại hội nghị này." in pledges
    text = _hold(lp, bloc, tmp_path, "ky-ket", "lang",
                 [("Các đơn vị đã ký kết giao ước thi đua năm 2025", "", "")])
    assert "Hội nghị ký kết giao ước thi đua 2025" in text

    # 2. the six-month review, a conclusion assigning a task followed to done
    bloc.clock.set(at("2025-07-01"))
    six = _plan(lp, server, campaign.id, "six_month", "15/07/2025", "Báo cáo sơ kết 6 tháng")
    # its table of targets and pace: a unit reports half a target's worth of nothing
    bloc.wf.fire(bloc.refresh(), "start_mid_year", bloc.leader)
    officer = Session(browser, server, "bca_officer")
    op: Any = officer.open(f"/reports/{bloc.child('report', 'bca').id}")
    op.fill("[name=r-hoan_thanh_chi_tieu]", "30")
    op.click("button:has-text('Lưu kết quả')")
    op.wait_for_load_state()
    officer.close()
    lp.goto(f"{server}/campaigns/{campaign.id}/mid-year-targets")
    lp.wait_for_load_state()
    lagging = lp.inner_text("main")
    assert "Sơ kết 6 tháng: chỉ tiêu và tiến độ" in lagging
    assert "Lĩnh vực chậm tiến độ" in lagging
    assert "chậm tiến độ" in lagging
    assert "Bộ Công an" in lagging
    lp.click("a:has-text('Lập kế hoạch hội nghị chuyên đề')")
    lp.wait_for_load_state()
    assert lp.input_value("[name=topic]")  # the lagging area, prefilled
    leader.shot("conferences-year-2-lagging-1280")
    lp.goto(six)
    lp.wait_for_load_state()
    bloc.clock.set(at("2025-07-15", 11))
    _hold(lp, bloc, tmp_path, "so-ket", "ktnn", [
        ("Các đơn vị hoàn thành chỉ tiêu 6 tháng cuối năm", "", ""),
        ("Xây dựng mô hình điểm về cải cách hành chính", "bca", "30/09/2025")])
    leader.shot("conferences-year-2-six-month-1280")

    bloc.clock.set(at("2025-09-23"))  # seven days before the task is due
    report = bloc.services.sweeper().sweep()
    assert report.messages >= 1
    officer = Session(browser, server, "bca_officer")
    op: Any = officer.open("/")
    op.wait_for_load_state()
    inbox = op.inner_text("body")
    assert "Nhắc hạn: Nhiệm vụ theo kết luận hội nghị 2025" in inbox
    op.goto(six)
    op.click("#tasks a:has-text('Xây dựng mô hình điểm')")
    op.fill("textarea[name=comment]", "Đã xây dựng mô hình điểm tại 3 đơn vị trực thuộc")
    op.click("button:has-text('Báo cáo kết quả')")
    op.wait_for_load_state()
    assert "Đã báo cáo kết quả" in op.inner_text("main")
    officer.close()
    lp.goto(six)
    lp.click("#tasks a:has-text('Xây dựng mô hình điểm')")
    lp.wait_for_load_state()
    lp.click("button:has-text('Xác nhận hoàn thành')")
    lp.goto(six)
    lp.wait_for_load_state()
    assert "Đã hoàn thành" in lp.inner_text("#tasks")

    # 3. a thematic conference
    bloc.clock.set(at("2025-10-01"))
    thematic = _plan(lp, server, campaign.id, "thematic", "10/10/2025", "Chia sẻ kinh nghiệm",
                     topic="Chuyển đổi số")
    bloc.clock.set(at("2025-10-10", 11))
    text = _hold(lp, bloc, tmp_path, "chuyen-de", "tandtc",
                 [("Nhân rộng kinh nghiệm chuyển đổi số", "", "")])
    assert "Chuyển đổi số" in text

    # 4. the year-end review, with the scan of the signed minutes
    bloc.clock.set(at("2025-12-08"))
    review = _plan(lp, server, campaign.id, "year_end", "18/12/2025", "Báo cáo tổng kết năm 2025")
    bloc.clock.set(at("2025-12-18", 11))
    _hold(lp, bloc, tmp_path, "tong-ket", "vksndtc",
          [("Thống nhất kết quả bình xét năm 2025", "", "")])
    scan = tmp_path / "bien-ban-tong-ket-da-ky.pdf"
    scan.write_bytes(PDF)
    lp.set_input_files("#minutes input[type=file]", str(scan))
    lp.click("#minutes button:has-text('Tải lên')")
    lp.wait_for_load_state()
    assert "Đã đính kèm bản chụp biên bản đã ký: bien-ban-tong-ket-da-ky.pdf" in \
        lp.inner_text("main")
    with lp.expect_download() as download:
        lp.click("#minutes a:has-text('bien-ban-tong-ket-da-ky.pdf')")
    assert Path(download.value.path()).read_bytes() == PDF
    leader.shot("conferences-year-4-year-end-1280")

    # the supervisor's view of the year, and a note the leader reads
    sp.goto(f"{server}/supervision")
    sp.wait_for_load_state()
    mine = sp.inner_text("#mine")
    for name in ("Hội nghị ký kết giao ước thi đua 2025", "Hội nghị sơ kết 6 tháng 2025",
                 "Hội nghị chuyên đề 2025: Chuyển đổi số", "Hội nghị tổng kết năm 2025"):
        assert name in mine
    assert "8/8" in mine  # the pledges signed
    sp.click("#mine a:has-text('Ghi chép giám sát')")
    sp.wait_for_load_state()
    sp.fill("[name=date]", "18/12/2025")
    sp.fill("[name=content]", "Khối tổ chức đủ các hội nghị trong năm, đúng kế hoạch")
    sp.fill("[name=recommendations]", "Nhân rộng mô hình điểm của Bộ Công an")
    sp.click("button:has-text('Ghi nội dung giám sát')")
    sp.wait_for_load_state()
    assert "Đã ghi nội dung giám sát" in sp.inner_text("main")
    supervisor.shot("supervision-2-note-1280")

    lp.goto(f"{server}/")
    lp.wait_for_load_state()
    lp.click("a:has-text('Giám sát Khối thi đua các bộ, ngành Nội chính Trung ương năm 2025')")
    lp.wait_for_load_state()
    notes = lp.inner_text("#notes")
    assert "Khối tổ chức đủ các hội nghị trong năm, đúng kế hoạch" in notes
    assert "Nhân rộng mô hình điểm của Bộ Công an" in notes
    assert "Nguyễn Văn Giám Sát" in notes
    del thematic, review
    for session in (office, leader, supervisor):
        session.close()
