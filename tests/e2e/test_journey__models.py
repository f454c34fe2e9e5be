"""An exemplary model in a real browser: the cluster's leader registers it from a unit's
six-month report ("Đề xuất điển hình từ báo cáo này"; a missing field is named and everything
typed stays) and accepts it; proposes it for spreading to two member units, whose officers find
it in their inbox and record their adoption; anyone finds it on the public page, and the unit
finds it as the evidence of the criterion about exemplary models in its score sheet."""

from __future__ import annotations

from tests.e2e.conftest import PASSWORD, Session
from tests.year_support import (
    Bloc,
    at,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    sign_all_pledges,
)
from workflow.services import people

NAME = "Một cửa liên thông điện tử trong công tác hộ tịch"


def test_a_model_from_a_report_is_accepted_spread_adopted_and_counted(
    browser: object, server: str, bloc: Bloc
) -> None:
    launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    for name in ("bqp_officer", "tandtc_officer"):
        people.set_password(bloc.services.uow(), bloc.users[name], PASSWORD)
    report = bloc.child("report", "bca")

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/reports/{report.id}")
    page.click("text=Đề xuất điển hình từ báo cáo này")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    heading = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đề xuất điển hình phát hiện qua Báo cáo sơ kết 2025 – Bộ Công an" in heading
    page.fill("[name=name]", NAME)  # type: ignore[attr-defined]
    page.fill("[name=field]", "Cải cách hành chính")  # type: ignore[attr-defined]
    page.fill("[name=description]", "Tiếp nhận, trả kết quả hộ tịch trực tuyến, liên thông ba cấp")  # type: ignore[attr-defined]
    page.fill("[name=people]", "Cục Hộ tịch, Phòng Tư pháp các quận")  # type: ignore[attr-defined]
    page.fill("[name=results]", "   ")  # type: ignore[attr-defined]  # only spaces: no results
    page.click("button:has-text('Đề xuất và gửi cụm, khối xem xét')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert page.input_value("[name=name]") == NAME  # type: ignore[attr-defined]
    assert "Hãy mô tả kết quả mô hình đã mang lại" in page.inner_text("main")  # type: ignore[attr-defined]
    page.fill("[name=results]", "Giảm 40% thời gian giải quyết; 12.000 hồ sơ trực tuyến")  # type: ignore[attr-defined]
    page.click("button:has-text('Đề xuất và gửi cụm, khối xem xét')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert f"Điển hình “{NAME}” 2025 – Bộ Công an" in body
    assert "Chờ cụm, khối xem xét" in body
    leader.shot("model-1-submitted-1280")
    page.click("button:has-text('Công nhận điển hình')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã công nhận" in page.inner_text("main")  # type: ignore[attr-defined]
    model = page.url  # type: ignore[attr-defined]

    page.check(f"[name=units][value='{bloc.units['bqp']}']")  # type: ignore[attr-defined]
    page.check(f"[name=units][value='{bloc.units['tandtc']}']")  # type: ignore[attr-defined]
    page.fill("[name=note]", "Áp dụng trong quý III")  # type: ignore[attr-defined]
    page.click("button:has-text('Đề xuất nhân rộng')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đang nhân rộng" in body
    assert "cho 2 đơn vị trong cụm, khối – Áp dụng trong quý III" in body

    bloc.clock.set(at("2025-07-20"))
    adopters = []
    for username, day in (("bqp_officer", "10/07/2025"), ("tandtc_officer", "18/07/2025")):
        officer = Session(browser, server, username)
        adopters.append(officer)
        inbox = officer.open("/")
        inbox.wait_for_load_state()  # type: ignore[attr-defined]
        told = inbox.inner_text("body")  # type: ignore[attr-defined]
        assert f"Đề xuất áp dụng mô hình “{NAME}”" in told  # the notification
        inbox.click(f"a:has-text('Áp dụng mô hình “{NAME}” 2025')")  # type: ignore[attr-defined]
        inbox.wait_for_load_state()  # type: ignore[attr-defined]
        assert "Được đề xuất áp dụng" in inbox.inner_text("main")  # type: ignore[attr-defined]
        inbox.fill("[name=date]", day)  # type: ignore[attr-defined]
        inbox.fill("[name=how]", "Ban hành kế hoạch, áp dụng tại bộ phận một cửa")  # type: ignore[attr-defined]
        inbox.click("button:has-text('Ghi nhận đã áp dụng')")  # type: ignore[attr-defined]
        inbox.wait_for_load_state()  # type: ignore[attr-defined]
        body = inbox.inner_text("main")  # type: ignore[attr-defined]
        assert "Đã áp dụng" in body
        assert day in body

    page.goto(model)  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    adoptions = page.inner_text("#adoptions")  # type: ignore[attr-defined]
    assert "Bộ Quốc phòng" in adoptions
    assert "10/07/2025" in adoptions
    assert "18/07/2025" in adoptions
    leader.shot("model-2-spread-1280")

    page.goto(f"{server}/public")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    public = page.inner_text("#models")  # type: ignore[attr-defined]
    assert NAME in public
    assert "Bộ Quốc phòng, Tòa án nhân dân tối cao" in public

    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    unit = Session(browser, server, "bca_officer")
    sheet = unit.open(f"/score-sheets/{bloc.child('score_sheet', 'bca').id}")
    sheet.wait_for_load_state()  # type: ignore[attr-defined]
    criterion = "Phát hiện, bồi dưỡng, tuyên truyền và nhân rộng điển hình tiên tiến"
    row = sheet.locator("tr", has_text=criterion)  # type: ignore[attr-defined]
    assert NAME in row.inner_text()
    assert "điển hình tiên tiến đã được công nhận" in row.inner_text()
    unit.shot("model-3-score-sheet-1280")
    for session in (leader, unit, *adopters):
        session.close()
