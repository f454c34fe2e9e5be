"""Delivery of the e-mail outbox: one mail per row, or one daily digest per user and day.

A row (or a day's rows of a digest) is first claimed in a short transaction: its attempt is
counted and `next_attempt_at` is moved one lease ahead, so no other process picks it while it
is in flight (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer at a time). The mail is
then sent outside any transaction, and the outcome committed on its own: `sent` only once the
server accepted the message. A crash between the two loses nothing: the row becomes due again
when the lease expires and is sent with the same Message-ID, so the copy can be recognised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workflow.clock import Clock
from workflow.services import templates
from workflow.services.mail import DeliveryError, Mailer, build_message, message_id
from workflow.services.ports import UnitOfWork

CLAIM_LEASE = dt.timedelta(minutes=15)
MAX_DELAY = dt.timedelta(hours=12)


@dataclass(frozen=True)
class DeliveryReport:
    """How many e-mails (a digest counts once) were sent, scheduled again, or given up."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent, self.retried + other.retried, self.failed + other.failed
        )


@dataclass(frozen=True)
class DeliveryFailure:
    """An e-mail that failed for good, or failed at least once and waits for another try."""

    outbox_id: int
    user_id: int
    username: str
    full_name: str
    address: str | None
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None
    digest_date: dt.date | None


@dataclass(frozen=True)
class _Claim:
    """Rows claimed for one e-mail, with what is needed to write it."""

    rows: tuple[Any, ...]
    attempts: int  # the attempt now in flight (1 for the first)
    address: str | None
    locale: str
    full_name: str

    @property
    def ids(self) -> list[int]:
        return [int(row.id) for row in self.rows]


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: 1, 5, 25, 125 … minutes, at most 12 hours."""
    return min(dt.timedelta(minutes=5 ** min(max(attempts - 1, 0), 8)), MAX_DELAY)


# --- single e-mails ---------------------------------------------------------------------------


def deliver_pending(
    uow: UnitOfWork, clock: Clock, mailer: Mailer, *, base_url: str, batch: int = 100,
    max_attempts: int = 6,
) -> DeliveryReport:
    """Send up to `batch` due e-mails that are not part of a digest, one row at a time."""
    report = DeliveryReport()
    for _ in range(batch):
        claimed = _claim(uow, clock, max_attempts, None, limit=1)
        if claimed is None:
            break
        if isinstance(claimed, DeliveryReport):
            report += claimed
            continue
        row = claimed.rows[0]
        error = _send(mailer, clock, claimed, str(row.subject), _single_body(claimed, base_url))
        report += _record(uow, clock, claimed, error, max_attempts)
    return report


def _single_body(claim: _Claim, base_url: str) -> str:
    """The stored body, closed by the link to the item unless the body already holds it."""
    row = claim.rows[0]
    body = str(row.body).rstrip()
    link = absolute_link(base_url, row.link)
    if link and link not in body and str(row.link) not in body:
        body += "\n\n" + templates.link_line(claim.locale, link)
    return body + "\n"


def absolute_link(base_url: str, link: str | None) -> str | None:
    """A link stored as a path ("/instances/42") made absolute with the site's base URL."""
    if not link:
        return None
    if urlsplit(link).scheme:
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


# --- digests ----------------------------------------------------------------------------------


def deliver_digests(
    uow: UnitOfWork, clock: Clock, mailer: Mailer, *, base_url: str, send_hour: int = 17,
    batch: int = 100, max_attempts: int = 6,
) -> DeliveryReport:
    """Send one e-mail per user and day listing that day's rows, once send_hour has passed
    (local time: the clock's zone)."""
    if not 0 <= send_hour <= 23:
        raise ValueError(f"send_hour: expected 0 to 23, got {send_hour}")
    last_day = last_digest_day(clock.now(), send_hour, clock.tz)
    with uow.read():
        groups = uow.outbox.digest_groups(clock.now(), last_day, batch)
    report = DeliveryReport()
    for user_id, day in groups:
        claimed = _claim(uow, clock, max_attempts, (user_id, day), limit=None)
        if claimed is None:
            continue
        if isinstance(claimed, DeliveryReport):
            report += claimed
            continue
        subject, body = _digest_text(claimed, day, base_url)
        error = _send(mailer, clock, claimed, subject, body, kind="digest")
        report += _record(uow, clock, claimed, error, max_attempts)
    return report


def last_digest_day(now: dt.datetime, send_hour: int, zone: dt.tzinfo) -> dt.date:
    """The latest day whose digest is due: today once send_hour has struck, else yesterday."""
    local = now.astimezone(zone)
    if local.time() >= dt.time(send_hour):
        return local.date()
    return local.date() - dt.timedelta(days=1)


def _digest_text(claim: _Claim, day: dt.date, base_url: str) -> tuple[str, str]:
    items = [{"subject": row.subject, "link": absolute_link(base_url, row.link)}
             for row in claim.rows]
    context = {"date": day, "items": items, "recipient": claim.full_name}
    return templates.render("digest", claim.locale, context)


# --- claiming, sending, recording ---------------------------------------------------------------


def _claim(
    uow: UnitOfWork, clock: Clock, max_attempts: int, digest: tuple[int, dt.date] | None,
    limit: int | None,
) -> _Claim | DeliveryReport | None:
    """Claim due rows for one e-mail (single ones, or a user's digest of a day); rows already
    tried max_attempts times fail instead."""
    with uow:
        rows = uow.outbox.claim_emails(clock.now(), digest=digest, limit=limit)
        if not rows:
            return None
        ids = [row.id for row in rows]
        tried = max(int(row.attempts) for row in rows)
        if tried >= max_attempts:
            error = f"gave up after {tried} attempts (the last one was interrupted)"
            uow.outbox.mark(ids, status="failed", last_error=error, next_attempt_at=None)
            return DeliveryReport(failed=1)
        uow.outbox.count_attempt(ids, clock.now() + CLAIM_LEASE)
        email, locale, full_name = uow.outbox.contact(rows[0].user_id)
    address = next((r.address for r in reversed(rows) if r.address), None) or email
    return _Claim(rows, tried + 1, address, templates.resolve_locale(locale), full_name)


def _send(
    mailer: Mailer, clock: Clock, claim: _Claim, subject: str, body: str, kind: str = "outbox",
) -> DeliveryError | None:
    """Send the e-mail; the error when it was not accepted, None when it was."""
    if not claim.address:
        return DeliveryError("the user has no e-mail address", permanent=True)
    try:
        message = build_message(
            sender=mailer.sender, to=claim.address, subject=subject, body=body,
            message_id=message_id(claim.ids, mailer.sender, kind), date=clock.now(),
        )
    except (ValueError, TypeError) as exc:
        return DeliveryError(f"cannot build the message: {exc}", permanent=True)
    try:
        mailer.send(message)
    except DeliveryError as exc:
        return exc
    return None


def _record(
    uow: UnitOfWork, clock: Clock, claim: _Claim, error: DeliveryError | None, max_attempts: int,
) -> DeliveryReport:
    """Commit the outcome of one e-mail to all of its rows."""
    now = clock.now()
    with uow:
        if error is None:
            uow.outbox.mark(claim.ids, only_pending=True, status="sent", sent_at=now,
                            last_error=None, next_attempt_at=None)
            return DeliveryReport(sent=1)
        text = error.message[:2000]
        if error.permanent or claim.attempts >= max_attempts:
            uow.outbox.mark(claim.ids, only_pending=True, status="failed", last_error=text,
                            next_attempt_at=None)
            return DeliveryReport(failed=1)
        uow.outbox.mark(claim.ids, only_pending=True, last_error=text,
                        next_attempt_at=now + backoff(claim.attempts))
        return DeliveryReport(retried=1)


# --- for administrators -------------------------------------------------------------------------


def delivery_failures(uow: UnitOfWork) -> list[DeliveryFailure]:
    """E-mails that failed for good, and those that failed at least once and wait to retry."""
    with uow.read():
        rows = uow.outbox.failures()
    return [DeliveryFailure(
        r["id"], r["user_id"], r["username"], r["full_name"], r["address"], r["subject"],
        r["status"], r["attempts"], r["last_error"], _utc(r["next_attempt_at"]),
        r["digest_date"],
    ) for r in rows]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as aware UTC (SQLite gives it back without a zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
