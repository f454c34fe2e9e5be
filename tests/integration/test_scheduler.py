"""Deadlines kept by the sweep: reminders once each, cancelled when the item moves on,
timeouts fired once, late catch-up after downtime, and dates that move with the campaign."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.smtp_support import Handler
from tests.year_support import DATES, YEAR, Bloc, at, launch, make_bloc, sign_pledge
from workflow.adapters.mailer import SmtpMailer
from workflow.adapters.tables import deadlines, outbox, users
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.services import delivery, notifications
from workflow.services.campaign_dates import move_campaign_date
from workflow.services.scheduler import try_lead
from workflow.services.templates import render

REMINDER_DAYS = ("2025-03-19", "2025-03-23", "2025-03-25")  # T-7, T-3, T-1 of 26 March


@pytest.fixture
def bloc(services: Services, clock: FakeClock) -> Bloc:
    services.criteria.sync([services.settings.definitions_dir / "criteria"],
                           base=services.settings.definitions_dir.parent)
    return make_bloc(services, clock)


def sweep(bloc: Bloc, day: str, hour: int = 9) -> object:
    bloc.clock.set(at(day, hour))
    return bloc.services.sweeper().sweep()


def messages(bloc: Bloc, **where: object) -> list[dict[str, object]]:
    o = outbox.c
    stmt = sa.select(outbox).order_by(o.id)
    for key, value in where.items():
        stmt = stmt.where(o[key] == value)
    with bloc.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def rows(bloc: Bloc, **where: object) -> list[dict[str, object]]:
    stmt = sa.select(deadlines).order_by(deadlines.c.id)
    for key, value in where.items():
        stmt = stmt.where(deadlines.c[key] == value)
    with bloc.services.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def test_entering_a_state_plans_its_reminders_in_the_same_step(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")

    planned = rows(bloc, instance_id=pledge.id)

    assert [(r["kind"], r["days_before"], r["due_date"]) for r in planned] == [
        ("reminder", n, dt.date(2025, 3, 26)) for n in (7, 3, 1)]
    assert {r["status"] for r in planned} == {"pending"}


def test_reminders_at_t7_t3_t1_are_each_sent_once(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")

    first = sweep(bloc, REMINDER_DAYS[0])
    again = sweep(bloc, REMINDER_DAYS[0], hour=10)
    for day in REMINDER_DAYS[1:]:
        sweep(bloc, day)

    assert first.reminders == 8  # type: ignore[attr-defined]
    assert again.processed == 0  # type: ignore[attr-defined]
    sent = messages(bloc, instance_id=pledge.id, channel="in_app")
    assert len(sent) == 3 * 2  # three reminders, to the unit's officer and head
    assert {m["user_id"] for m in sent} == {bloc.users["bca_officer"], bloc.users["bca_head"]}
    assert "Giao ước thi đua 2025 – Bộ Công an" in str(sent[0]["subject"])  # named with its year
    assert str(sent[0]["link"]).endswith(f"/pledges/{pledge.id}")  # the pledge's own page


def test_leaving_the_state_early_cancels_its_reminders(bloc: Bloc) -> None:
    launch(bloc)
    bloc.clock.set(at("2025-03-01"))
    pledge = sign_pledge(bloc, "bca")

    for day in REMINDER_DAYS:
        sweep(bloc, day)

    assert messages(bloc, instance_id=pledge.id) == []
    assert {r["status"] for r in rows(bloc, instance_id=pledge.id, state="draft")} == {
        "cancelled"}


def test_the_pledge_timeout_fires_once_and_lists_who_did_not_sign(bloc: Bloc) -> None:
    campaign = launch(bloc)
    for code in ("btp", "lang"):
        bloc.clock.set(at("2025-03-01"))
        sign_pledge(bloc, code)

    report = sweep(bloc, "2025-04-01", hour=0)
    again = sweep(bloc, "2025-04-02")

    assert report.timeouts == 1  # type: ignore[attr-defined]
    assert again.timeouts == 0  # type: ignore[attr-defined]
    campaign = bloc.wf.get(campaign.id)
    assert campaign.state == "active"
    assert len(campaign.data["unsigned_units"]) == 6
    fired = [h for h in bloc.wf.history(campaign.id) if h["trigger"] == "close_pledging"]
    assert [(h["actor"], h["role"]) for h in fired] == [("system", "system")]


def test_a_missed_sweep_catches_up_once_and_marks_it_late(bloc: Bloc) -> None:
    launch(bloc)

    report = sweep(bloc, "2025-04-03")  # the process was down since February
    again = sweep(bloc, "2025-04-03", hour=10)

    assert report.late == report.processed  # type: ignore[attr-defined]
    assert report.timeouts == 1  # type: ignore[attr-defined]
    assert again.processed == 0  # type: ignore[attr-defined]
    assert bloc.refresh().state == "active"
    # the pledges' reminders were still due when the campaign became active: sent, late
    assert all(r["late"] for r in rows(bloc, kind="reminder", status="done"))


def test_an_escalation_reaches_the_council_office(bloc: Bloc) -> None:
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    bloc.clock.set(at("2025-03-03"))
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"),
                 {"targets": {c.code: 100 for c in bloc.table.targets_required()}})
    bloc.wf.fire(pledge, "submit", bloc.head("bca"))  # the leader has 5 working days

    sweep(bloc, "2025-03-11")

    escalations = messages(bloc, instance_id=pledge.id, kind="escalation")
    assert [m["user_id"] for m in escalations] == [bloc.users["vu_tdkt"]]
    assert "Trưởng cụm/khối" in str(escalations[0]["body"])


def test_moving_the_pledge_deadline_moves_pending_reminders(bloc: Bloc) -> None:
    campaign = launch(bloc)
    office = bloc.actor("vu_tdkt")

    moved = move_campaign_date(bloc.wf, campaign.id, "pledge_deadline", dt.date(2025, 4, 15),
                               office, "Lùi hội nghị ký giao ước")

    pledge = bloc.child("pledge", "bca")
    planned = rows(bloc, instance_id=pledge.id)
    # 8 pledges × 3 reminders; the campaign's own 3 reminders, escalation and timeout
    assert moved == 8 * 3 + 5
    assert {r["due_date"] for r in planned} == {dt.date(2025, 4, 10)}
    assert sweep(bloc, REMINDER_DAYS[0]).processed == 0  # type: ignore[attr-defined]
    history = bloc.wf.history(campaign.id)[-1]
    assert history["comment"] == "Lùi hội nghị ký giao ước"
    assert history["payload"]["dates"]["pledge_deadline"] == ["2025-03-31", "2025-04-15"]


def test_only_one_process_leads_the_sweep(bloc: Bloc) -> None:
    uow, clock = bloc.services.uow(), bloc.clock
    ttl = dt.timedelta(minutes=3)

    first = try_lead(uow, clock, "sweep", "host-a", ttl)
    second = try_lead(uow, clock, "sweep", "host-b", ttl)
    bloc.clock.advance(minutes=4)  # host-a stopped renewing
    takeover = try_lead(uow, clock, "sweep", "host-b", ttl)

    assert (first, second, takeover) == (True, False, True)
    assert try_lead(uow, clock, "sweep", "host-a", ttl) is False


def test_templates_speak_vietnamese_by_default() -> None:
    subject, body = render("reminder", "vi", {
        "title": "Giao ước thi đua – Bộ Công an", "state": "Dự thảo",
        "due_date": dt.date(2025, 3, 26), "days_left": 3, "link": "http://x/items/2"})

    assert "Giao ước thi đua – Bộ Công an" in subject
    assert "26/03/2025" in body


def test_a_reminder_arrives_by_mail_in_vietnamese_with_a_link(
    bloc: Bloc, smtp: tuple[Handler, SmtpMailer]
) -> None:
    handler, mailer = smtp
    with bloc.services.engine.begin() as conn:
        for name in ("bca_officer", "bca_head"):
            conn.execute(users.update().where(users.c.id == bloc.users[name]).values(
                email=f"{name}@bocongan.gov.vn"))
    launch(bloc)
    pledge = bloc.child("pledge", "bca")
    sweep(bloc, REMINDER_DAYS[0])

    report = delivery.deliver_pending(bloc.services.uow(), bloc.clock, mailer,
                                      base_url="https://thidua.example.vn")

    assert report.sent == 2
    mails = {m["To"]: m for m in handler.messages()}
    assert set(mails) == {"bca_officer@bocongan.gov.vn", "bca_head@bocongan.gov.vn"}
    mail = mails["bca_head@bocongan.gov.vn"]
    assert "Giao ước thi đua 2025 – Bộ Công an" in mail["Subject"]
    body = mail.get_content()
    assert "Dự thảo" in body
    assert "26/03/2025" in body
    assert f"/pledges/{pledge.id}" in body
    assert delivery.deliver_pending(bloc.services.uow(), bloc.clock, mailer,
                                    base_url="https://thidua.example.vn").sent == 0


def test_reminders_land_in_the_inbox_with_an_unread_count(bloc: Bloc) -> None:
    launch(bloc)
    sweep(bloc, REMINDER_DAYS[0])
    head = bloc.users["bca_head"]

    before, _ = notifications.unread_summary(bloc.services.uow(), head)
    page = notifications.inbox(bloc.services.uow(), head)
    notifications.mark_read(bloc.services.uow(), head, [page[0].id], bloc.clock.now())
    notifications.mark_read(bloc.services.uow(), bloc.users["bqp_head"], [page[0].id],
                            bloc.clock.now())  # someone else's: ignored

    assert before == 1
    assert page[0].subject.startswith("[Thi đua]")
    assert notifications.unread_summary(bloc.services.uow(), head)[0] == 0
    assert notifications.inbox(bloc.services.uow(), head)[0].read


def test_the_inbox_reads_the_unread_count_and_the_newest_unread_together(bloc: Bloc) -> None:
    launch(bloc)
    head = bloc.users["bca_head"]
    assert notifications.unread_summary(bloc.services.uow(), head) == (0, [])
    sweep(bloc, REMINDER_DAYS[0])

    count, news = notifications.unread_summary(bloc.services.uow(), head, limit=10)

    assert count == 1
    assert news == notifications.inbox(bloc.services.uow(), head, unread_only=True, limit=10)
    notifications.mark_read(bloc.services.uow(), head, [news[0].id], bloc.clock.now())
    assert notifications.unread_summary(bloc.services.uow(), head) == (0, [])


def test_a_pledge_due_soon_after_launch_gets_every_promised_reminder_once(bloc: Bloc) -> None:
    """The pledge deadline 10 days after launch puts the draft's due date (5 days before it)
    at 15 February: the T-7 reminder's time (8 February) is past at launch, so it goes out at
    launch, as one catch-up reminder; T-3 and T-1 at their time; each once, across restarts."""

    bloc.clock.set(at("2025-02-10"))
    campaign = bloc.wf.start("campaign", bloc.leader, cluster_id=bloc.cluster, year=YEAR)
    bloc.wf.fire(campaign, "launch", bloc.leader, {
        "theme": "Thi đua hoàn thành xuất sắc nhiệm vụ", "criteria_table": "khoi_noi_chinh",
        "dates": {**DATES, "pledge_deadline": "2025-02-20"}, "kind": "regular"})
    bloc.campaign = campaign
    pledge = bloc.child("pledge", "bca")
    assert [(r["days_before"], r["fire_at"].replace(tzinfo=dt.UTC))
            for r in rows(bloc, instance_id=pledge.id)] == [
        (7, at("2025-02-10")), (3, at("2025-02-12", 8)), (1, at("2025-02-14", 8))]

    at_launch = sweep(bloc, "2025-02-10")
    restarted = bloc.services.sweeper().sweep()  # a new process sweeping the same minute
    sweep(bloc, "2025-02-12")
    sweep(bloc, "2025-02-14")
    sweep(bloc, "2025-02-14", hour=11)

    assert at_launch.reminders == 8  # type: ignore[attr-defined]  # one per member's pledge
    assert restarted.processed == 0  # type: ignore[attr-defined]
    sent = messages(bloc, instance_id=pledge.id, channel="in_app")
    assert len(sent) == 3 * 2  # three reminders, to the unit's officer and head
    assert [r["status"] for r in rows(bloc, instance_id=pledge.id)] == ["done"] * 3
