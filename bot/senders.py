"""Ways an outbox item leaves privacybot. Each sender is a small class with ``send``.

A sender raises ``TemporaryFailure`` for what may work later (a relay that is down,
4xx) and ``PermanentFailure`` for what will not (5xx): the outbox worker retries the
first with backoff and stops on the second, telling the operator. ``OutcomeUnknown``
means the mail may have left: the item becomes ``in_doubt`` for an operator to decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
from pathlib import Path
from typing import Protocol

import aiosmtplib

from bot.logs import redact
from bot.tls import TlsSetupError, client_context
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
    half-written mail. Folders are made owner-only and files are created ``0600``: every
    file is a letter to a person about their personal data.
    """

    idempotent = True

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, item: OutboxItem) -> None:
        try:
            tmp = self.folder / "tmp"
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp.mkdir(mode=0o700, exist_ok=True)
            name = file_name(item.message_id)
            partial = tmp / name
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(item.payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise TemporaryFailure(f"cannot write to the outbox folder: {exc.strerror}") from exc


class SmtpRelaySender:
    """Deliver through the company's SMTP relay (aiosmtplib), one conversation per item.

    What the relay answers decides the outcome: ``250`` after DATA is sent; ``4xx``, a
    refused login, an unreachable relay or one without the TLS asked for is temporary
    (the outbox retries with backoff); ``5xx`` to the envelope or the message is
    permanent, with the server's reason (addresses in it redacted, since it is logged and
    written to the audit trail). A connection that breaks or times out *during* DATA
    leaves the outcome unknown, the relay may have taken the mail: ``OutcomeUnknown``,
    so the item waits for an operator instead of perhaps reaching the customer twice.
    ``timeout`` bounds the whole conversation, not each read, so a relay that trickles
    cannot hold an outbox claim past its lease.
    """

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
        ca_file: str = "",
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password
        self.envelope_from = envelope_from
        self.timeout = timeout
        self.ca_file = ca_file
        self.tls_context = tls_context

    def send(self, item: OutboxItem) -> None:
        """The outbox worker's entry: it runs in a worker thread, so a loop of its own."""
        asyncio.run(self.send_async(item))

    async def send_async(self, item: OutboxItem) -> None:
        try:
            context = self.tls_context or client_context(self.ca_file, setting="relay.ca_file")
        except TlsSetupError as exc:
            raise TemporaryFailure(str(exc)) from None
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.tls == "ssl",
            start_tls=self.tls == "starttls",  # required, never opportunistic
            tls_context=context if self.tls != "none" else None,
            timeout=self.timeout,
        )
        stage = "connect"
        try:
            async with asyncio.timeout(self.timeout):
                await client.connect()
                if self.username:
                    stage = "login"
                    await client.login(self.username, self.password)
                stage = "envelope"
                await client.mail(self.envelope_from)
                await client.rcpt(item.recipient)
                stage = "data"
                await client.data(item.payload)
                stage = "sent"
        except aiosmtplib.SMTPResponseException as exc:
            raise _answered(exc, stage) from exc
        except (TimeoutError, OSError, aiosmtplib.SMTPException) as exc:
            # SMTPServerDisconnected and the timeouts are OSError subclasses too.
            if stage == "data":
                raise OutcomeUnknown(
                    f"relay connection lost during DATA ({_cause(exc)}): it may have "
                    "accepted the mail"
                ) from exc
            if ssl.SSLCertVerificationError in (type(exc), type(exc.__cause__)):
                raise TemporaryFailure("relay certificate not trusted (relay.ca_file?)") from exc
            if not isinstance(exc, OSError):  # no STARTTLS or no AUTH offered, and the like
                raise TemporaryFailure(f"relay refused the session: {_one_line(str(exc))}") from exc
            raise TemporaryFailure(f"relay unreachable: {_cause(exc)}") from exc
        finally:
            if stage == "sent":
                with contextlib.suppress(Exception):  # the mail is accepted: QUIT is courtesy
                    async with asyncio.timeout(5):
                        await client.quit()
            client.close()


class OutcomeUnknown(Exception):
    """The relay may or may not have accepted the mail; sending it again could double it."""


def _one_line(text: str, limit: int = 200) -> str:
    """A server's reason as one redacted line: it is logged and kept in the audit trail."""
    return redact(" ".join(text.split()))[:limit]


def _cause(exc: BaseException) -> str:
    """The underlying socket error's name (``ConnectionRefusedError``), not its text."""
    inner = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    return type(inner).__name__


def _answered(exc: aiosmtplib.SMTPResponseException, stage: str) -> Exception:
    """Map a relay's answer to what the outbox does with it."""
    reason = f"relay answered {exc.code} {_one_line(exc.message)}".rstrip()
    if stage == "login":
        # A wrong password is the operator's to fix, not the mail's fault: keep retrying,
        # so nothing is failed for good while the credentials are being corrected.
        return TemporaryFailure(f"relay refused the login ({exc.code})")
    if 500 <= exc.code < 600:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)
