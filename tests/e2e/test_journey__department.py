"""Department figures in a real browser: the administrator grants a statistics department its
criterion for the bloc and year; the department types a unit's actual result on its page; the
leader finds the flag on that unit's score sheet and keeps the unit's result with a reason."""

from __future__ import annotations

from tests.e2e.conftest import PASSWORD, Session
from tests.year_support import (
    YEAR,
    Bloc,
    inspect_all,
    launch,
    mid_year,
    plan_and_start_inspection,
    score_and_submit_all,
    sign_all_pledges,
)
from workflow.services import people

CRITERION = "hoan_thanh_chi_tieu"


def test_a_department_enters_a_figure_and_the_leader_sees_the_flag(
    browser: object, server: str, bloc: Bloc
) -> None:
    uow = bloc.services.uow()
    user = people.create_user(uow, "cuc_thong_ke", "Cục Thống kê")
    people.set_password(uow, user, PASSWORD)
    campaign = launch(bloc)
    sign_all_pledges(bloc)
    mid_year(bloc)
    plan_and_start_inspection(bloc)
    inspect_all(bloc)
    score_and_submit_all(bloc)  # every unit reports 100 (%) against its target of 100

    admin = Session(browser, server, "admin")
    page = admin.open(f"/admin/people/{user}")
    page.select_option("select[name=role]", "department")  # type: ignore[attr-defined]
    page.select_option("select[name=cluster_id] >> nth=0", index=1)  # type: ignore[attr-defined]
    page.select_option("select[name=criteria]", CRITERION)  # type: ignore[attr-defined]
    page.fill("input[name=year]", str(YEAR))  # type: ignore[attr-defined]
    page.click("button:has-text('Giao vai trò')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    roles = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Cơ quan, đơn vị chuyên môn" in roles
    assert "Tỷ lệ hoàn thành các chỉ tiêu, nhiệm vụ được giao trong năm" in roles
    admin.close()

    department = Session(browser, server, "cuc_thong_ke")
    page = department.open(f"/campaigns/{campaign.id}/department-data")
    assert "Số liệu của cơ quan chuyên môn" in page.inner_text("h1")  # type: ignore[attr-defined]
    page.fill(f"[name='v-{CRITERION}-{bloc.units['bca']}']", "80")  # type: ignore[attr-defined]
    page.click("button:has-text('Lưu số liệu')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Đã lưu số liệu." in page.inner_text("body")  # type: ignore[attr-defined]
    assert "Cục Thống kê" in body  # who entered them
    department.shot("department-figures-1280")
    department.close()

    leader = Session(browser, server, "btp_head")
    sheet = bloc.child("score_sheet", "bca")
    page = leader.open(f"/score-sheets/{sheet.id}")
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Số liệu của cơ quan chuyên môn: 80" in body
    assert "vượt mức sai số cho phép" in body
    page.fill("#department-figures textarea[name=comment]",  # type: ignore[attr-defined]
              "Đã đối chiếu biên bản kiểm tra")
    page.click("button:has-text('Giữ kết quả của đơn vị')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "giữ kết quả của đơn vị: Đã đối chiếu biên bản kiểm tra" in body
    leader.shot("department-flag-kept-1280")
    leader.close()
