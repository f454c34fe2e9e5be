"""The mail adapters: SMTP, and a fake for tests (the port is workflow/services/mail.py)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from workflow.services.mail import DeliveryError, Mailer, build_message, message_id

__all__ = ["DeliveryError", "FakeMailer", "Mailer", "SmtpMailer", "build_message",
           "message_id"]


class SmtpMailer(Mailer):
    """Sends through an SMTP server: plain, or upgraded with STARTTLS, with optional login.

    A 5xx refusal of the message (sender, recipient or content) is permanent. Connection
    errors, time-outs, 4xx replies and problems before the message is offered (greeting,
    STARTTLS, login: the configuration, not the message) are temporary.
    """

    def __init__(
        self, host: str, port: int, sender: str, use_tls: bool = False, username: str = "",
        password: str = "", timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.use_tls = use_tls
        self.username = username
        self.password = password
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to {self.host}:{self.port}: {exc}", False) from exc
        try:
            self._open(smtp)
            self._offer(smtp, message)
        finally:
            _close(smtp)

    def _open(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.ehlo()
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP session with {self.host} failed: {exc}", False) from exc

    def _offer(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {_describe(exc.recipients)}", all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(f"{exc.smtp_code} {text}", exc.smtp_code >= 500) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"the server cannot take this message: {exc}", True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"sending failed: {exc}", False) from exc
        if refused:
            raise DeliveryError(f"recipient refused: {_describe(refused)}", True)


def _describe(refusals: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {text.decode('utf-8', 'replace')}"
        for address, (code, text) in refusals.items()
    )


def _close(smtp: smtplib.SMTP) -> None:
    """Say goodbye; the message is already accepted (or refused), so errors here do not count."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class FakeMailer(Mailer):
    """Records what it is given; told to, fails the next N sends first (for tests)."""

    def __init__(self, sender: str = "thidua@localhost") -> None:
        self.sender = sender
        self.messages: list[EmailMessage] = []
        self.attempts = 0
        self._failures: list[DeliveryError] = []

    def fail_next(self, times: int = 1, *, permanent: bool = False,
                  error: str = "451 try again later") -> None:
        self._failures += [DeliveryError(error, permanent) for _ in range(times)]

    def send(self, message: EmailMessage) -> None:
        self.attempts += 1
        if self._failures:
            raise self._failures.pop(0)
        self.messages.append(message)
