"""The inbound SMTP listener: store the mail, then answer.

The SMTP session only stores; the pipeline worker decides later (Zulip's gateway does
the same). ``250`` is said only after the raw mail is committed; anything that goes
wrong answers ``451`` so the sending server keeps the mail and tries again, never a
permanent error that would bounce a customer's request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Connection

from bot import parsed
from bot.runtime import Runtime
from handlers import normalise
from handlers.values import Channel, Inbound
from storage import queries
from storage.engine import is_postgres

log = logging.getLogger("privacybot.inbound")


def external_id_for(raw: bytes) -> tuple[str, str | None]:
    """The dedupe key of a mail: its Message-ID, or a hash of the bytes when it has none."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    value = headers.get("Message-ID")
    message_id = str(value).strip().strip("<>").strip() if value else ""
    if message_id and message_id.isprintable() and " " not in message_id and len(message_id) <= 320:
        return message_id, message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest(), None


def store_mail(
    runtime: Runtime,
    raw: bytes,
    *,
    channel: Channel,
    received_at: datetime | None = None,
    quiet: bool = False,
) -> tuple[int, bool]:
    """Commit one received mail (raw and normalised fields); returns (row id, new?).

    ``received_at`` is for mail that arrived elsewhere first (an import): its deadline
    and retention run from when the company got it, not from when privacybot read it.
    ``quiet`` mail opens its case without an acknowledgement.
    """
    return store_mails(runtime, [raw], channel=channel, received_at=received_at, quiet=quiet)[0]


def store_mails(
    runtime: Runtime,
    raws: list[bytes],
    *,
    channel: Channel,
    received_at: datetime | None = None,
    quiet: bool = False,
) -> list[tuple[int, bool]]:
    """Commit several received mails in one transaction, each as ``store_mail`` stores
    one; returns (row id, new?) for each, in order. Each mail is parsed before the
    transaction, so the writer lock is held only for the inserts."""
    prepared = []
    for raw in raws:
        external_id, message_id = external_id_for(raw)
        inbound = normalise.parse(raw, channel, external_id=external_id)
        prepared.append((raw, external_id, message_id, inbound))
    received_at = received_at or runtime.clock()
    # Core statements on a plain connection: no ORM session for one-row inserts.
    with runtime.engine.begin() as connection:
        return [
            insert_parsed(
                connection, runtime, raw=raw, inbound=inbound, external_id=external_id,
                message_id=message_id, received_at=received_at, quiet=quiet,
            )
            for raw, external_id, message_id, inbound in prepared
        ]


#: A mail waiting to be stored, and the future its SMTP session awaits.
_Waiting = tuple[bytes, "asyncio.Future[tuple[int, bool]]"]


class GroupCommit:
    """Stores what concurrent SMTP sessions received together: the mails that arrive
    while one transaction is being written go into the next, with one thread hop and one
    commit for all of them (group commit, as databases do with their logs). Each session
    still answers ``250`` only once its mail is committed. Under a flood storing costs
    about a third less per mail (issue 9); a lone mail is stored at once, as before.

    Should the shared transaction fail, each of its mails is stored on its own, so one
    mail the database refuses gets its ``451`` and the others their ``250``.
    """

    def __init__(self, runtime: Runtime, *, limit: int = 50) -> None:
        self.runtime = runtime
        self.limit = limit
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, raw: bytes) -> tuple[int, bool]:
        """Store one mail; returns (row id, new?) once it is committed."""
        future: asyncio.Future[tuple[int, bool]] = asyncio.get_running_loop().create_future()
        self._waiting.append((raw, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.limit], self._waiting[self.limit :]
                await self._write_batch(batch)
        except BaseException:
            # cancelled (the loop is shutting down): no session may wait for ever; those
            # whose mail was not committed answer 451 and are sent again
            for _, future in batch + self._waiting:
                if not future.done():
                    future.set_exception(RuntimeError("the listener is stopping"))
            self._waiting = []
            raise

    async def _write_batch(self, batch: list[_Waiting]) -> None:
        raws = [raw for raw, _ in batch]
        try:
            results: list[tuple[int, bool] | BaseException] = list(
                await asyncio.to_thread(store_mails, self.runtime, raws, channel=Channel.SMTP)
            )
        except Exception as exc:  # noqa: BLE001 - each mail on its own below
            # the type only: a database error's text holds the row's values (the mail)
            log.warning("%s mails stored together failed (%s); storing each on its own",
                        len(raws), type(exc).__name__)
            results = await asyncio.to_thread(self._one_by_one, raws)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # the session ended meanwhile; its mail is stored
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _one_by_one(self, raws: list[bytes]) -> list[tuple[int, bool] | BaseException]:
        results: list[tuple[int, bool] | BaseException] = []
        for raw in raws:
            try:
                results.append(store_mail(self.runtime, raw, channel=Channel.SMTP))
            except Exception as exc:  # noqa: BLE001 - the session answers 451
                results.append(exc)
        return results


def insert_parsed(
    connection: Connection,
    runtime: Runtime,
    *,
    raw: bytes,
    inbound: Inbound,
    external_id: str,
    message_id: str | None,
    received_at: datetime,
    quiet: bool,
) -> tuple[int, bool]:
    """Insert one parsed mail in the caller's transaction; returns (row id, new?).

    The one mapping from a parsed mail to its stored row, for the listener and the import
    alike. A new row's parsed values go to the pipeline's cache before the commit: the
    pipeline may claim the row right after it, and then takes them instead of parsing again.
    """
    row_id, created = queries.insert_inbound(
        connection,
        channel=inbound.channel.value,
        external_id=external_id,
        raw=raw,
        message_id=message_id,
        sender=inbound.sender,
        subject=inbound.subject,
        received_at=received_at,
        retain_until=(received_at + timedelta(days=runtime.policy.message_retention_days)).date(),
        quiet=quiet,
        text=inbound.text,
        language=inbound.language,
    )
    if created:
        parsed.put(inbound, raw)
    return row_id, created


class InboundHandler:
    """aiosmtpd handler: refuse unknown recipients early, store on DATA, 451 on error."""

    def __init__(self, runtime: Runtime, on_stored: Callable[[], None]) -> None:
        self.runtime = runtime
        self.stores = GroupCommit(runtime)
        self.on_stored = on_stored
        settings = runtime.settings
        self.accept_all = settings.smtp_listener.accept_all_recipients
        self.accepted = {settings.company.email.lower()}

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        local = address.rpartition("@")[0].lower()
        if self.accept_all or address.lower() in self.accepted or local == "postmaster":
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"
        return "550 5.1.1 No such mailbox here"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        raw = f"Return-Path: <{mail_from}>\r\n".encode("utf-8", "replace") + content
        try:
            row_id, created = await self.stores.store(raw)
        except Exception as exc:  # noqa: BLE001
            # The type only: a database error's text holds the row's values (the mail).
            log.error("a mail could not be stored (%s); the sender was told to retry",
                      type(exc).__name__)
            return "451 4.3.0 Could not store the message, please try again later"
        log.info("mail stored as message %s%s", row_id, "" if created else " (duplicate)")
        self.on_stored()
        return f"250 2.0.0 OK: queued as {row_id}"

    async def handle_exception(self, error: Exception) -> str:
        log.error("SMTP session error: %s", type(error).__name__)
        return "451 4.3.0 Temporary server error, please try again later"


async def start_smtp_listener(
    runtime: Runtime, on_stored: Callable[[], None]
) -> asyncio.AbstractServer:
    """Start the listener inside the running loop (aiosmtpd's Controller has its own).

    On PostgreSQL several workers (``run --workers N``, or separate ``run`` processes on
    one machine) bind the same port with ``SO_REUSEPORT`` and the kernel spreads the
    connections among them. SQLite allows one service process, so there a second one
    fails to bind, which is the early, clear error wanted.
    """
    settings = runtime.settings.smtp_listener
    handler = InboundHandler(runtime, on_stored)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            data_size_limit=settings.max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="privacybot",
            ident="privacybot ESMTP",
        ),
        host=settings.host,
        port=settings.port,
        reuse_port=is_postgres(runtime.engine),
    )
    return server
