"""Delivery of the e-mail outbox through a real SMTP server: retries, back-off and digests."""

from __future__ import annotations

import datetime as dt
import threading
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa

from tests.smtp_support import SENDER, Handler, free_port
from workflow.adapters.db import new_id, read_connection, write_transaction
from workflow.adapters.mailer import FakeMailer, SmtpMailer
from workflow.adapters.tables import outbox, users
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.services import delivery, people, templates

BASE_URL = "https://thidua.example.vn"
TITLE = "Giao ước thi đua – Bộ Công an"
DAY = dt.date(2025, 1, 6)  # the clock starts at 09:00 that day in Hà Nội


def _user(services: Services, name: str, *, locale: str = "vi", digest: bool = False) -> int:
    uid = people.create_user(services.uow(), name, name.replace(".", " ").title())
    with write_transaction(services.engine) as conn:
        conn.execute(users.update().where(users.c.id == uid).values(
            email=f"{name}@bocongan.gov.vn", locale=locale, digest=digest))
    return uid


def _row(
    services: Services, user_id: int, *, title: str = TITLE, days_left: int = 3,
    digest_date: dt.date | None = None, address: str | None = "",
) -> int:
    subject, body = templates.render("reminder", "vi", {
        "title": title, "state": "Đơn vị ký giao ước", "due_date": DAY + dt.timedelta(days_left),
        "days_left": days_left})
    with write_transaction(services.engine) as conn:
        if address == "":
            address = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
        return new_id(conn.execute(outbox.insert().values(
            channel="email", user_id=user_id, address=address, kind="reminder",
            subject=subject, body=body, link="/instances/42", digest_date=digest_date,
            status="pending", created_at=services.clock.now())))


def _state(services: Services, row_id: int) -> dict[str, Any]:
    with read_connection(services.engine) as conn:
        row = conn.execute(sa.select(outbox).where(outbox.c.id == row_id)).one()._asdict()
    for key in ("next_attempt_at", "sent_at"):
        if row[key] is not None and row[key].tzinfo is None:
            row[key] = row[key].replace(tzinfo=dt.UTC)
    return row


def _pending(services: Services, mailer: Any, **kw: Any) -> delivery.DeliveryReport:
    return delivery.deliver_pending(services.uow(), services.clock, mailer, base_url=BASE_URL,
                                    **kw)


def _digests(services: Services, mailer: Any) -> delivery.DeliveryReport:
    return delivery.deliver_digests(services.uow(), services.clock, mailer, base_url=BASE_URL)


# --- single e-mails through a real server -----------------------------------------------------


def test_a_reminder_reaches_the_server_in_readable_vietnamese(
    services: Services, smtp: tuple[Handler, SmtpMailer],
) -> None:
    handler, mailer = smtp
    row = _row(services, _user(services, "nguyen.van.an"))

    report = _pending(services, mailer)

    assert report == delivery.DeliveryReport(sent=1)
    [envelope] = handler.received
    assert envelope.rcpt_tos == ["nguyen.van.an@bocongan.gov.vn"]
    message = handler.messages()[0]
    assert message["Subject"] == f"[Thi đua] Nhắc hạn: {TITLE} (còn 3 ngày)"
    assert message["To"] == "nguyen.van.an@bocongan.gov.vn"
    assert message["From"] == SENDER
    assert message["Message-ID"] == f"<thidua.outbox.{row}@thidua.gov.vn>"
    body = message.get_content()
    assert "hồ sơ “Giao ước thi đua – Bộ Công an” đang ở bước “Đơn vị ký giao ước”" in body
    assert "hạn xử lý là ngày 09/01/2025 (còn 3 ngày)" in body
    assert body.rstrip().endswith(f"Xem chi tiết tại: {BASE_URL}/instances/42")
    state = _state(services, row)
    assert (state["status"], state["sent_at"], state["attempts"]) == (
        "sent", services.clock.now(), 1)


def test_a_refused_recipient_fails_for_good_and_is_listed_for_admins(
    services: Services, smtp: tuple[Handler, SmtpMailer],
) -> None:
    handler, mailer = smtp
    handler.rcpt_replies.append("550 5.1.1 Mailbox unavailable")
    uid = _user(services, "tran.thi.binh")
    row = _row(services, uid)

    assert _pending(services, mailer) == delivery.DeliveryReport(failed=1)

    state = _state(services, row)
    assert (state["status"], state["next_attempt_at"]) == ("failed", None)
    assert "550" in state["last_error"]
    assert "Mailbox unavailable" in state["last_error"]
    [failure] = delivery.delivery_failures(services.uow())
    assert (failure.outbox_id, failure.user_id, failure.username, failure.status) == (
        row, uid, "tran.thi.binh", "failed")
    assert failure.address == "tran.thi.binh@bocongan.gov.vn"
    assert failure.subject == f"[Thi đua] Nhắc hạn: {TITLE} (còn 3 ngày)"
    assert failure.attempts == 1
    assert _pending(services, mailer) == delivery.DeliveryReport()
    assert handler.received == []


def test_a_temporary_refusal_is_tried_again_after_the_back_off(
    services: Services, clock: FakeClock, smtp: tuple[Handler, SmtpMailer],
) -> None:
    handler, mailer = smtp
    handler.data_replies.append("451 4.3.0 Mail server temporarily rejected message")
    row = _row(services, _user(services, "le.van.cuong"))
    start = clock.now()

    assert _pending(services, mailer) == delivery.DeliveryReport(retried=1)
    state = _state(services, row)
    assert (state["status"], state["attempts"]) == ("pending", 1)
    assert state["next_attempt_at"] == start + dt.timedelta(minutes=1)
    assert state["last_error"].startswith("451")
    assert [f.outbox_id for f in delivery.delivery_failures(services.uow())] == [row]

    clock.advance(seconds=59)
    assert _pending(services, mailer) == delivery.DeliveryReport()
    clock.advance(seconds=1)
    assert _pending(services, mailer) == delivery.DeliveryReport(sent=1)

    assert len(handler.received) == 1
    assert (_state(services, row)["status"], _state(services, row)["attempts"]) == ("sent", 2)
    assert delivery.delivery_failures(services.uow()) == []


def test_a_server_that_is_down_is_a_temporary_failure(services: Services) -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), SENDER, timeout=5)
    row = _row(services, _user(services, "pham.thi.dung"))

    assert _pending(services, mailer) == delivery.DeliveryReport(retried=1)

    state = _state(services, row)
    assert state["status"] == "pending"
    assert state["last_error"].startswith("cannot connect to 127.0.0.1")
    assert state["next_attempt_at"] == services.clock.now() + dt.timedelta(minutes=1)


def test_a_user_without_an_address_fails_at_once(services: Services) -> None:
    row = _row(services, _user(services, "vo.van.em"), address=None)
    with write_transaction(services.engine) as conn:
        conn.execute(users.update().values(email=None))

    assert _pending(services, FakeMailer()) == delivery.DeliveryReport(failed=1)
    assert _state(services, row)["last_error"] == "the user has no e-mail address"


# --- back-off and at-most-once ------------------------------------------------------------------


def test_the_back_off_grows_fivefold_up_to_twelve_hours(
    services: Services, clock: FakeClock,
) -> None:
    mailer = FakeMailer()
    mailer.fail_next(10)
    row = _row(services, _user(services, "hoang.van.giang"))
    waits = []
    for _ in range(5):
        assert _pending(services, mailer) == delivery.DeliveryReport(retried=1)
        waits.append(_state(services, row)["next_attempt_at"] - clock.now())
        clock.set(_state(services, row)["next_attempt_at"])

    assert waits == [dt.timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert _pending(services, mailer) == delivery.DeliveryReport(failed=1)
    assert (_state(services, row)["status"], _state(services, row)["attempts"]) == ("failed", 6)
    assert [delivery.backoff(n) for n in (6, 7, 30)] == [dt.timedelta(hours=12)] * 3


def test_two_calls_never_send_a_row_twice(services: Services) -> None:
    mailer = FakeMailer()
    uid = _user(services, "dang.thi.hoa")
    rows = [_row(services, uid, title=f"Báo cáo {n}") for n in range(3)]

    assert _pending(services, mailer, batch=2) == delivery.DeliveryReport(sent=2)
    assert _pending(services, mailer) == delivery.DeliveryReport(sent=1)
    assert _pending(services, mailer) == delivery.DeliveryReport()

    ids = [m["Message-ID"] for m in mailer.messages]
    assert ids == [f"<thidua.outbox.{r}@localhost>" for r in rows]


def test_two_processes_at_once_share_the_rows_without_duplicates(services: Services) -> None:
    mailer = FakeMailer()
    uid = _user(services, "bui.van.khanh")
    rows = [_row(services, uid, title=f"Báo cáo {n}") for n in range(30)]
    start = threading.Barrier(2)
    reports: list[delivery.DeliveryReport] = []

    def worker() -> None:
        start.wait()
        reports.append(_pending(services, mailer))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == 30
    assert sorted(m["Message-ID"] for m in mailer.messages) == sorted(
        f"<thidua.outbox.{r}@localhost>" for r in rows)


def test_a_crash_in_flight_resends_the_message_with_the_same_id_after_the_lease(
    services: Services, clock: FakeClock,
) -> None:
    class Crashing(FakeMailer):
        def send(self, message: EmailMessage) -> None:
            raise RuntimeError("the process died")

    row = _row(services, _user(services, "ngo.thi.lan"))
    with pytest.raises(RuntimeError):
        _pending(services, Crashing())
    mailer = FakeMailer()
    assert _pending(services, mailer) == delivery.DeliveryReport()

    clock.advance(minutes=15)
    assert _pending(services, mailer) == delivery.DeliveryReport(sent=1)
    assert mailer.messages[0]["Message-ID"] == f"<thidua.outbox.{row}@localhost>"
    assert _state(services, row)["attempts"] == 2


# --- digests ---------------------------------------------------------------------------------


def test_a_day_of_reminders_goes_out_as_one_digest_after_the_send_hour(
    services: Services, clock: FakeClock, smtp: tuple[Handler, SmtpMailer],
) -> None:
    handler, mailer = smtp
    uid = _user(services, "do.van.minh", digest=True)
    rows = [_row(services, uid, title=f"Giao ước thi đua – Đơn vị {n}", digest_date=DAY)
            for n in (1, 2, 3)]
    single = _row(services, uid, title="Khác")

    assert _digests(services, mailer) == delivery.DeliveryReport()  # 09:00 in Hà Nội
    assert _pending(services, mailer) == delivery.DeliveryReport(sent=1)
    clock.set(dt.datetime(2025, 1, 6, 9, 59, tzinfo=dt.UTC))
    assert _digests(services, mailer) == delivery.DeliveryReport()  # 16:59
    clock.advance(minutes=1)
    assert _digests(services, mailer) == delivery.DeliveryReport(sent=1)
    assert _digests(services, mailer) == delivery.DeliveryReport()

    single_mail, digest = handler.messages()
    assert "Khác" in single_mail["Subject"]
    assert digest["Subject"] == "[Thi đua] Tổng hợp thông báo ngày 06/01/2025 (3 mục)"
    assert digest["To"] == "do.van.minh@bocongan.gov.vn"
    body = digest.get_content()
    assert body.startswith("Kính gửi đồng chí Do Van Minh,")
    for n in (1, 2, 3):
        assert f"{n}. [Thi đua] Nhắc hạn: Giao ước thi đua – Đơn vị {n} (còn 3 ngày)" in body
    assert body.count(f"Xem chi tiết tại: {BASE_URL}/instances/42") == 3
    assert all(_state(services, r)["status"] == "sent" for r in [*rows, single])


def test_digests_are_per_user_and_day_in_the_users_language(
    services: Services, clock: FakeClock,
) -> None:
    mailer = FakeMailer()
    vi, en = _user(services, "vi.user", digest=True), _user(services, "en.user", locale="en")
    for day in (DAY - dt.timedelta(days=1), DAY):
        _row(services, vi, digest_date=day)
    _row(services, en, digest_date=DAY)

    assert _digests(services, mailer) == delivery.DeliveryReport(sent=1)  # yesterday's only
    clock.set(dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC))
    assert _digests(services, mailer) == delivery.DeliveryReport(sent=2)

    subjects = sorted(str(m["Subject"]) for m in mailer.messages)
    assert subjects == [
        "[Emulation] Daily summary for 2025-01-06 (1 item)",
        "[Thi đua] Tổng hợp thông báo ngày 05/01/2025 (1 mục)",
        "[Thi đua] Tổng hợp thông báo ngày 06/01/2025 (1 mục)",
    ]


def test_a_failed_digest_is_retried_for_all_of_its_rows(
    services: Services, clock: FakeClock,
) -> None:
    mailer = FakeMailer()
    mailer.fail_next(1)
    uid = _user(services, "ly.thi.nga", digest=True)
    rows = [_row(services, uid, digest_date=DAY - dt.timedelta(days=1)) for _ in range(3)]

    assert _digests(services, mailer) == delivery.DeliveryReport(retried=1)
    assert {_state(services, r)["next_attempt_at"] for r in rows} == {
        clock.now() + dt.timedelta(minutes=1)}
    clock.advance(minutes=1)
    assert _digests(services, mailer) == delivery.DeliveryReport(sent=1)

    [message] = mailer.messages
    assert message.get_content().count("[Thi đua] Nhắc hạn") == 3
    assert all(_state(services, r)["status"] == "sent" for r in rows)
