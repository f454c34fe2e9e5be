"""Whole journeys in a real browser, as the people of the bloc do them."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Session
from tests.year_support import Bloc, launch

PDF = Path(__file__).with_name("giao-uoc.pdf")


def test_a_pledge_is_submitted_returned_accepted_and_signed(
    browser: object, server: str, bloc: Bloc, tmp_path: Path
) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    officer = Session(browser, server, "bca_officer")
    page = officer.open("/")
    page.click(f"a[href='/items/{pledge.id}']")  # type: ignore[attr-defined]
    for field in page.locator("input[name^='target:']").all():  # type: ignore[attr-defined]
        field.fill("100")
    page.click("text=Lưu chỉ tiêu")  # type: ignore[attr-defined]
    page.click("button:has-text('Trình')")  # type: ignore[attr-defined]
    officer.shot("1-officer-submitted")
    assert bloc.wf.get(pledge.id).state == "submitted"

    leader = Session(browser, server, "btp_head")
    page = leader.open(f"/items/{pledge.id}")
    form = page.locator("form.action", has_text="Trả lại")  # type: ignore[attr-defined]
    form.locator("textarea[name=comment]").fill("Bổ sung chỉ tiêu giải ngân")
    form.locator("button").click()
    leader.shot("2-leader-returned")
    assert bloc.wf.get(pledge.id).state == "returned"

    page = officer.open(f"/items/{pledge.id}")
    page.click("text=Lưu chỉ tiêu")  # type: ignore[attr-defined]
    page.click("button:has-text('Trình')")  # type: ignore[attr-defined]
    page = leader.open(f"/items/{pledge.id}")
    page.click("button:has-text('Chấp thuận')")  # type: ignore[attr-defined]
    assert bloc.wf.get(pledge.id).state == "accepted"

    head = Session(browser, server, "bca_head")
    page = head.open(f"/items/{pledge.id}")
    document = tmp_path / "giao-uoc.pdf"
    document.write_bytes(b"%PDF-1.4\n% giao uoc da ky\n")
    page.set_input_files("input[type=file]", str(document))  # type: ignore[attr-defined]
    page.click("button:has-text('Tải lên')")  # type: ignore[attr-defined]
    page.click("button:has-text('Ký giao ước')")  # type: ignore[attr-defined]
    head.shot("3-head-signed")
    assert bloc.wf.get(pledge.id).state == "signed"
    history = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Bổ sung chỉ tiêu giải ngân" in history
    for session in (officer, leader, head):
        session.close()
