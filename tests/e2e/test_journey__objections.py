"""An objection in a real browser: a citizen objects on the public page without signing in; the
council office finds it in its notifications, judges it admissible with a reason and answers it
on the dossier's objections page; the public page then shows the answer, never the contact."""

from __future__ import annotations

from tests.e2e.conftest import Session
from tests.web.test_security__limits import posted_dossier
from tests.year_support import Bloc

CONTACT = "cong.dan@example.vn"


def test_a_citizen_objects_and_the_council_office_judges_and_answers(
        server: str, browser: object, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    context = browser.new_context(locale="vi-VN")  # type: ignore[attr-defined]
    citizen = context.new_page()
    citizen.goto(f"{server}/public")
    card = citizen.locator(f"#d-{dossier.id}")
    card.locator("textarea[name=text]").fill("Đề nghị làm rõ số liệu quý IV của Bộ Công an")
    card.locator("input[name=contact]").fill(CONTACT)
    card.get_by_role("button", name="Gửi phản ánh").click()
    citizen.wait_for_url(f"{server}/public/thanks")
    thanks = citizen.content()

    office = Session(browser, server, "vu_tdkt")
    home = office.page.content()
    page = office.open(f"/dossiers/{dossier.id}/objections")
    before = page.content()  # type: ignore[attr-defined]
    item = page.locator("article.card").first  # type: ignore[attr-defined]
    item.get_by_label("Thụ lý: phải trả lời trước khi nộp hồ sơ").check()
    item.locator("textarea[name=reason]").fill("Phản ánh có căn cứ, cần làm rõ")
    item.get_by_role("button", name="Ghi kết quả xem xét").click()
    page.wait_for_load_state()  # type: ignore[attr-defined]
    item = page.locator("article.card").first  # type: ignore[attr-defined]
    item.locator("textarea[name=answer]").fill("Số liệu đã được đoàn kiểm tra chéo xác nhận")
    item.get_by_role("button", name="Gửi trả lời").click()
    page.wait_for_load_state()  # type: ignore[attr-defined]
    answered = page.content()  # type: ignore[attr-defined]
    office.shot("objections-answered")
    office.close()
    citizen.goto(f"{server}/public")
    public = citizen.content()
    context.close()

    assert "tiếp nhận" in thanks
    assert "Ý kiến phản ánh về hồ sơ" in home  # the notification reached the council office
    assert CONTACT in before
    assert "Chờ cơ quan thường trực Hội đồng xem xét thụ lý" in before
    assert "Đã trả lời" in answered
    assert "Phản ánh có căn cứ, cần làm rõ" in answered
    assert "Số liệu đã được đoàn kiểm tra chéo xác nhận" in public
    assert "Đề nghị làm rõ số liệu quý IV của Bộ Công an" in public
    assert CONTACT not in public
