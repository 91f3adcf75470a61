"""What an operator could leak: the log of a full run, secrets, and the database file's mode."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from bot import staff
from bot.config import Settings
from bot.logs import setup_logging
from bot.runtime import build_runtime
from storage import queries
from storage.engine import unit_of_work
from tests.reliability.conftest import running_service, settled
from tests.servers.fake_telegram import FakeTelegram
from tests.servers.relay import Relay
from tests.support import wait_for

ADDRESS = "mette.hansen@example.dk"
STAFF_CHAT = -1001234
PHRASES = ("Mette Hansen", "personoplysninger", "Hvidovrevej", "cykelhjelm", ADDRESS)


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """The service's own logging set-up, writing into a buffer instead of stderr."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    setup_logging("DEBUG")
    buffer = io.StringIO()
    for handler in root.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_full_run_log_has_references_but_no_addresses_or_words(
    make_settings: Callable[..., Settings],
    service_log: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="privacybot")
    async with running_service(make_settings()) as svc:
        msg = EmailMessage()
        msg["From"] = f"Mette Hansen <{ADDRESS}>"
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"] = "Sletning af personoplysninger"
        msg["Message-ID"] = "<log.1@example.dk>"
        msg.set_content(
            "Jeg bor på Hvidovrevej 3 og vil have slettet alle mine "
            "personoplysninger, også om min cykelhjelm.\n"
        )
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port)
        await wait_for(lambda: settled(svc))
        with unit_of_work(svc.runtime.sessions) as session:
            draft = queries.list_drafts(session)[0]
            ref = queries.case_refs(session, case_ids=[draft.case_id])[draft.case_id]
        staff.approve_draft(svc.runtime, draft_id=draft.id, actor="test")
        svc.outbox_ready.set()
        await wait_for(lambda: settled(svc))
    text = service_log.getvalue()
    assert ref in text, "the log should name the case"
    for phrase in PHRASES:
        assert phrase not in text, f"the service log holds {phrase!r}"
    # Not only thanks to the redaction filter: privacybot's own records hold none either.
    raw = "\n".join(r.getMessage() for r in caplog.records)
    for phrase in PHRASES:
        assert phrase not in raw, f"privacybot logged {phrase!r} before redaction"
    # The letters themselves (acknowledgement and reply) are for their owner's eyes only.
    folder = Path(svc.runtime.settings.outbox.folder)
    letters = sorted(folder.glob("*.eml"))
    assert len(letters) == 2
    for path in (folder, folder / "tmp", *letters):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} has mode {oct(mode)}"


def test_sqlite_database_files_are_readable_by_their_owner_only(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    runtime = build_runtime(settings)  # migrates: writes, so -wal and -shm exist
    try:
        path = settings.database.url.removeprefix("sqlite:///")
        with unit_of_work(runtime.sessions) as session:
            queries.allocate_sequence(session, name="probe")
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(path + suffix).st_mode)
            assert mode == 0o600, f"{path + suffix} has mode {oct(mode)}"
    finally:
        runtime.engine.dispose()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_passwords_and_the_bot_token_never_reach_the_log(
    make_settings: Callable[..., Settings],
    service_log: io.StringIO,
) -> None:
    """A run with every secret in use (relay login, Telegram) logged at DEBUG, libraries
    included: the relay password and the bot token appear nowhere in the log."""
    password = "relay-s3cret-pw"
    with FakeTelegram() as fake, Relay(login=("privacybot", password)) as relay:
        fake.group(STAFF_CHAT, "Privacy staff")
        settings = make_settings(
            relay={
                "enabled": True,
                "host": "127.0.0.1",
                "port": relay.port,
                "tls": "none",
                "username": "privacybot",
                "password": password,
            },
            telegram={
                "enabled": True,
                "token": fake.token,
                "base_url": fake.base_url,
                "staff_chat_id": STAFF_CHAT,
                "staff_user_ids": [1111],
                "poll_timeout": 1,
                "reminder_check_seconds": 3600,
            },
        )
        libraries = [logging.getLogger(n) for n in ("httpx", "httpcore", "telegram")]
        saved = [lib.level for lib in libraries]
        for lib in libraries:  # as an operator debugging the chat would turn them up
            lib.setLevel(logging.DEBUG)
        try:
            await _one_request(settings, relay, fake)
        finally:
            for lib, level in zip(libraries, saved, strict=True):
                lib.setLevel(level)
    assert relay.received[0].rcpt_tos == (ADDRESS,), "the relay took the login"
    text = service_log.getvalue()
    assert "sendMessage" in text or "getUpdates" in text, "the Bot API calls were logged"
    secret_half = fake.token.split(":", 1)[1]
    for secret in (password, fake.token, secret_half):
        assert secret not in text, "a secret reached the log"
    assert ADDRESS not in text


async def _one_request(settings: Settings, relay: Relay, fake: FakeTelegram) -> None:
    async with running_service(settings) as svc:
        msg = EmailMessage()
        msg["From"] = f"Mette Hansen <{ADDRESS}>"
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"] = "Sletning"
        msg["Message-ID"] = "<secret.1@example.dk>"
        msg.set_content("Slet venligst alle mine personoplysninger.\n")
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port)
        await wait_for(
            lambda: settled(svc) and relay.received and fake.bot_messages(STAFF_CHAT),
            what="ack sent, card posted",
        )
