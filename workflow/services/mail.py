"""The mail port: send one e-mail or raise DeliveryError, and how a message is built.
The SMTP adapter and the fake for tests are in workflow/adapters/mailer.py."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from email.message import EmailMessage


class DeliveryError(Exception):
    """The message was not accepted; `permanent` says whether trying again can help."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Mailer(ABC):
    """Hands one message to the mail system; returns only once the server accepted it.

    `sender` is the From address of every message built for this mailer.
    """

    sender: str

    @abstractmethod
    def send(self, message: EmailMessage) -> None:
        """Send the message, or raise DeliveryError."""


def message_id(ids: Iterable[int], sender: str, kind: str = "outbox") -> str:
    """A Message-ID that is the same every time the same outbox rows are sent.

    One row: `<thidua.outbox.42@domain>`; a digest: a digest of its sorted row ids, so that a
    copy sent again after a crash can be recognised as the same message.
    """
    numbers = sorted(ids)
    if not numbers:
        raise ValueError("a message needs at least one outbox row")
    if len(numbers) == 1 and kind == "outbox":
        local = f"thidua.outbox.{numbers[0]}"
    else:
        token = hashlib.sha256(",".join(map(str, numbers)).encode()).hexdigest()[:16]
        local = f"thidua.{kind}.{numbers[0]}.{token}"
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "thidua.localhost"
    return f"<{local}@{domain}>"


def build_message(
    *, sender: str, to: str, subject: str, body: str, message_id: str, date: dt.datetime,
) -> EmailMessage:
    """A UTF-8 plain-text e-mail (quoted-printable, readable by any server)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = email.utils.format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message
