"""E-mail texts: Vietnamese by default, English on request, dates written per locale."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.services import templates

TITLE = "Giao ước thi đua – Bộ Công an"
LINK = "https://thidua.example.vn/instances/42"
REMINDER = {
    "title": TITLE, "state": "Đơn vị tự chấm điểm", "due_date": dt.date(2025, 3, 9),
    "days_left": 3, "link": LINK,
}


def test_a_vietnamese_reminder_names_the_item_the_step_and_the_date() -> None:
    subject, body = templates.render("reminder", "vi", REMINDER | {"recipient": "Nguyễn Văn An"})

    assert subject == "[Thi đua] Nhắc hạn: Giao ước thi đua – Bộ Công an (còn 3 ngày)"
    assert body.startswith("Kính gửi đồng chí Nguyễn Văn An,\n\n")
    assert "hồ sơ “Giao ước thi đua – Bộ Công an” đang ở bước “Đơn vị tự chấm điểm”" in body
    assert "hạn xử lý là ngày 09/03/2025 (còn 3 ngày)" in body
    assert f"Xem chi tiết tại: {LINK}\n" in body
    assert "Trân trọng," in body


def test_an_english_reminder_writes_iso_dates() -> None:
    subject, body = templates.render("reminder", "en", REMINDER | {"days_left": 1})

    assert subject == "[Emulation] Reminder: Giao ước thi đua – Bộ Công an (1 day left)"
    assert body.startswith("Dear colleague,\n\n")
    assert "is due on 2025-03-09 (1 day left)" in body
    assert f"Details: {LINK}" in body


@pytest.mark.parametrize(("days", "vi", "en"), [
    (0, "đến hạn hôm nay", "due today"),
    (-1, "quá hạn 1 ngày", "1 day overdue"),
    (-4, "quá hạn 4 ngày", "4 days overdue"),
    (12, "còn 12 ngày", "12 days left"),
])
def test_the_remaining_time_reads_naturally(days: int, vi: str, en: str) -> None:
    assert templates.render("reminder", "vi", REMINDER | {"days_left": days})[0].endswith(
        f"({vi})")
    assert templates.render("reminder", "en", REMINDER | {"days_left": days})[0].endswith(
        f"({en})")


def test_an_escalation_lists_who_has_not_acted() -> None:
    context = REMINDER | {"days_left": -2, "waiting_on": ["Công an tỉnh Lào Cai", "Bộ Tư pháp"]}

    subject, body = templates.render("escalation", "vi", context)

    assert subject == "[Thi đua] Cảnh báo chậm hạn: Giao ước thi đua – Bộ Công an (quá hạn 2 ngày)"
    assert "Đơn vị, cá nhân chưa thực hiện:\n  - Công an tỉnh Lào Cai\n  - Bộ Tư pháp\n" in body
    assert "ngày 09/03/2025" in body
    assert "Not yet acted:\n  - Bộ Tư pháp" in templates.render(
        "escalation", "en", context | {"waiting_on": "Bộ Tư pháp"})[1]


def test_a_notice_without_a_link_leaves_no_empty_line_behind() -> None:
    subject, body = templates.render(
        "notice", "vi", {"title": "Kết quả bình xét", "text": "Hội đồng đã họp bình xét."})

    assert subject == "[Thi đua] Kết quả bình xét"
    assert body == (
        "Kính gửi Quý đồng chí,\n\nHội đồng đã họp bình xét.\n\nTrân trọng,\n"
        "Hệ thống quản lý Thi đua – Khen thưởng\n"
        "(Thư được gửi tự động, đề nghị không trả lời thư này.)\n"
    )


def test_a_digest_lists_every_item_with_its_link() -> None:
    items = [{"subject": f"[Thi đua] Nhắc hạn: Báo cáo {n}", "link": f"{LINK}/{n}"}
             for n in (1, 2)] + [{"subject": "[Thi đua] Thông báo chung"}]

    subject, body = templates.render("digest", "vi", {"date": dt.date(2025, 1, 6), "items": items})

    assert subject == "[Thi đua] Tổng hợp thông báo ngày 06/01/2025 (3 mục)"
    assert (
        "1. [Thi đua] Nhắc hạn: Báo cáo 1\n   Xem chi tiết tại: " + LINK + "/1\n"
        "2. [Thi đua] Nhắc hạn: Báo cáo 2\n   Xem chi tiết tại: " + LINK + "/2\n"
        "3. [Thi đua] Thông báo chung\n"
    ) in body
    en_subject = templates.render("digest", "en", {"date": "2025-01-06", "items": items[:1]})[0]
    assert en_subject == "[Emulation] Daily summary for 2025-01-06 (1 item)"


def test_a_subject_never_spans_lines() -> None:
    subject, _ = templates.render("notice", "en", {"title": "Line one\nBcc: x@y", "text": "t"})

    assert subject == "[Emulation] Line one Bcc: x@y"


def test_a_datetime_is_shown_as_its_date() -> None:
    due = dt.datetime(2025, 12, 31, 23, 0)

    assert "ngày 31/12/2025" in templates.render("reminder", "vi", REMINDER | {"due_date": due})[1]


def test_an_unknown_kind_or_locale_is_named() -> None:
    with pytest.raises(ValueError, match="unknown message kind 'summons'"):
        templates.render("summons", "vi", {})
    with pytest.raises(ValueError, match="unknown locale 'fr'"):
        templates.render("notice", "fr", {"title": "t", "text": "t"})


def test_a_missing_context_key_is_named() -> None:
    with pytest.raises(ValueError, match="reminder: the context lacks 'due_date'"):
        templates.render("reminder", "vi", {k: v for k, v in REMINDER.items() if k != "due_date"})
    with pytest.raises(ValueError, match="not a date: 'soon'"):
        templates.render("reminder", "vi", REMINDER | {"due_date": "soon"})
    with pytest.raises(ValueError, match="days_left: expected a whole number"):
        templates.render("reminder", "vi", REMINDER | {"days_left": "3"})


def test_a_stored_locale_without_texts_falls_back_to_vietnamese() -> None:
    assert templates.resolve_locale("en") == "en"
    assert templates.resolve_locale("fr") == "vi"
    assert templates.resolve_locale(None) == "vi"
    assert templates.link_line("fr", LINK) == f"Xem chi tiết tại: {LINK}"


def test_a_returned_item_carries_the_comment_and_who_returned_it() -> None:
    context = {"title": "Giao ước thi đua 2026 – Bộ Công an", "by": "trưởng cụm/khối",
               "comment": "Đề nghị nâng chỉ tiêu giải ngân lên 95%", "recipient": "Trần Thị B"}
    subject, body = templates.render("returned", "vi", context)
    assert subject == "[Thi đua] Trả lại: Giao ước thi đua 2026 – Bộ Công an"
    assert "đã được trưởng cụm/khối trả lại với ý kiến:\n\nĐề nghị nâng chỉ tiêu" in body
    subject, body = templates.render("returned", "en", context | {"by": "cluster leader"})
    assert subject == "[Emulation] Returned: Giao ước thi đua 2026 – Bộ Công an"
    assert "returned by cluster leader with this comment" in body
    with pytest.raises(ValueError, match="comment"):
        templates.render("returned", "vi", {"title": "x", "by": "y"})
