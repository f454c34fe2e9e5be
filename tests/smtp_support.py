"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests, as the `smtp` fixture."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from workflow.adapters.mailer import SmtpMailer

SENDER = "Thi đua – Khen thưởng <thidua@thidua.gov.vn>"


class Handler:
    """Stores what the server accepted; answers with the queued replies first."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.rcpt_replies: list[str] = []
        self.data_replies: list[str] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [parse_message(envelope.content) for envelope in self.received]


def parse_message(content: Any) -> EmailMessage:
    raw = content if isinstance(content, bytes) else str(content).encode()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, SmtpMailer]]:
    """A real SMTP server on 127.0.0.1, and a mailer pointed at it."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, SmtpMailer("127.0.0.1", port, SENDER, timeout=5)
    controller.stop()


