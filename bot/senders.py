"""Ways an outbox item leaves privacybot. Each sender is a small class with ``send``.

A sender raises ``TemporaryFailure`` for what may work later (a relay that is down,
4xx) and ``PermanentFailure`` for what will not (5xx): the outbox worker retries the
first with backoff and stops on the second, telling the operator.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from storage.models import OutboxItem


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class Sender(Protocol):
    #: True when sending the same item twice has the effect of sending it once.
    idempotent: bool

    def send(self, item: OutboxItem) -> None: ...


def file_name(message_id: str) -> str:
    """A safe, stable file name for a Message-ID, so a resend overwrites, never doubles."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<>")) + ".eml"


class EmlFolderSender:
    """The embedded default: every outgoing mail becomes an ``.eml`` file in a folder.

    The file is written under ``tmp/`` and renamed into place, so a reader never sees a
    half-written mail.
    """

    idempotent = True

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, item: OutboxItem) -> None:
        try:
            tmp = self.folder / "tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            name = file_name(item.message_id)
            partial = tmp / name
            with partial.open("wb") as fh:
                fh.write(item.payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise TemporaryFailure(f"cannot write to the outbox folder: {exc.strerror}") from exc


class SmtpRelaySender:
    """Deliver through the company's SMTP relay."""

    idempotent = False

    def __init__(
        self,
        *,
        host: str,
        port: int,
        tls: str,
        username: str = "",
        password: str = "",
        envelope_from: str,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password
        self.envelope_from = envelope_from
        self.timeout = timeout

    def send(self, item: OutboxItem) -> None:
        try:
            if self.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password)
                client.sendmail(self.envelope_from, [item.recipient], item.payload)
        except smtplib.SMTPResponseException as exc:
            reason = f"relay answered {exc.smtp_code}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(reason) from exc
            raise TemporaryFailure(reason) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"relay refused the recipient ({codes})") from exc
            raise TemporaryFailure(f"relay refused the recipient ({codes})") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"relay unreachable: {type(exc).__name__}") from exc
