"""The IMAP watcher against a real Dovecot and a real database.

What a person would notice is asserted: every mail ends up stored exactly once, the
owner's mailbox looks as configured afterwards (nothing marked read, nothing deleted),
and a wrong password or a server restart costs log lines and time, never mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import ImapSettings, Settings
from bot.imap_watcher import (
    PROCESSED_KEYWORD,
    Backoff,
    ImapWatcher,
    WatcherTiming,
    cursor_key,
)
from bot.runtime import Runtime, build_runtime
from bot.service import Service, make_senders
from storage import queries
from storage.engine import unit_of_work
from storage.models import Case, Message
from tests.servers.dovecot import Dovecot, unavailable_reason

LOGGER = "privacybot.inbound.imap"
FAST = WatcherTiming(
    idle_renew=30.0,
    idle_check=0.2,
    poll_interval=0.5,
    connect_timeout=5.0,
    read_timeout=10.0,
    backoff_initial=0.1,
    backoff_cap=1.0,
)


def _server(**options: object) -> Iterator[Dovecot]:
    reason = unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot is required in CI: {reason}")
        pytest.skip(reason)
    server = Dovecot(**options)  # type: ignore[arg-type]
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A fresh Dovecot with an empty INBOX, on its own port, removed afterwards."""
    yield from _server()


@pytest.fixture
def dovecot_tls() -> Iterator[Dovecot]:
    """Dovecot with a self-signed certificate: STARTTLS on ``port``, TLS on ``tls_port``."""
    yield from _server(tls=True)


@pytest.fixture
def dovecot_without_idle() -> Iterator[Dovecot]:
    """Dovecot that does not advertise IDLE, like some hosted servers."""
    yield from _server(
        extra_config="protocol imap {\n  imap_capability = IMAP4rev1 UIDPLUS MOVE\n}\n"
    )


def mail(n: int, *, subject: str | None = None, body: str | None = None) -> bytes:
    return (
        f"From: Mette Hansen <mette.{n}@example.dk>\r\n"
        f"To: info@alottbetter.dk\r\n"
        f"Subject: {subject or f'Spørgsmål {n}'}\r\n"
        f"Message-ID: <imap.{n}@example.dk>\r\n"
        f"Date: Mon, 6 Jan 2025 10:00:00 +0100\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body or f'Hej, dette er besked nummer {n}.'}\r\n"
    ).encode()


def stored(runtime: Runtime) -> list[Message]:
    with unit_of_work(runtime.sessions) as session:
        return list(session.execute(select(Message).order_by(Message.id)).scalars())


def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def stored_count(runtime: Runtime, n: int) -> Callable[[], bool]:
    return lambda: len(stored(runtime)) >= n


@dataclass
class Running:
    watcher: ImapWatcher
    thread: threading.Thread
    stop: threading.Event
    wakes: list[float] = field(default_factory=list)


@contextmanager
def watching(
    runtime: Runtime,
    server: Dovecot,
    *,
    timing: WatcherTiming = FAST,
    ssl_context: ssl.SSLContext | None = None,
    on_wake: Callable[[], None] | None = None,
    watcher_class: type[ImapWatcher] = ImapWatcher,
    **imap: object,
) -> Iterator[Running]:
    """The watcher in its own thread, as the service runs it; stopped and joined after."""
    values: dict[str, object] = {
        "enabled": True,
        "host": server.host,
        "port": server.port,
        "tls": "none",
        "username": server.user,
        "password": server.password,
    }
    values.update(imap)
    stop = threading.Event()
    wakes: list[float] = []

    def wake() -> None:
        wakes.append(time.monotonic())
        if on_wake is not None:
            on_wake()

    watcher = watcher_class(
        runtime,
        wake=wake,
        stop=stop,
        settings=ImapSettings(**values),  # type: ignore[arg-type]
        timing=timing,
        ssl_context=ssl_context,
    )
    thread = threading.Thread(target=watcher.run, name="imap-watcher", daemon=True)
    running = Running(watcher, thread, stop, wakes)
    thread.start()
    try:
        yield running
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive(), "the watcher did not stop when asked"


def all_mail_on_server(server: Dovecot) -> dict[str, dict[int, set[str]]]:
    return {folder: server.flags(folder) for folder in server.folders()}


# --- taking mail ------------------------------------------------------------------------


def test_mail_waiting_before_start_is_taken_on_start_and_never_marked_read(
    runtime: Runtime, dovecot: Dovecot
) -> None:
    dovecot.append(mail(1))
    dovecot.append(mail(2))
    dovecot.append(mail(3), flags=["\\Seen"])  # the owner had read this one already

    with watching(runtime, dovecot) as running:
        wait_until(stored_count(runtime, 3))
        wait_until(lambda: all(PROCESSED_KEYWORD in f for f in dovecot.flags().values()))
        assert running.wakes, "the pipeline must be woken after a store"

    rows = stored(runtime)
    assert [r.external_id for r in rows] == [f"imap.{n}@example.dk" for n in (1, 2, 3)]
    assert {r.channel for r in rows} == {"imap"}
    assert rows[0].subject == "Spørgsmål 1"
    assert rows[0].raw.endswith(b"Hej, dette er besked nummer 1.\r\n")
    flags = dovecot.flags()
    assert flags == {
        1: {PROCESSED_KEYWORD},
        2: {PROCESSED_KEYWORD},
        3: {PROCESSED_KEYWORD, "\\Seen"},
    }, "BODY.PEEK[] must leave \\Seen as the owner left it"
    with unit_of_work(runtime.sessions) as session:
        cursor = queries.mailbox_cursor(session, mailbox=running.watcher.key)
        assert cursor is not None
        assert (cursor.uidvalidity, cursor.last_uid) == (dovecot.uidvalidity(), 3)


def test_a_mail_the_parser_fails_on_is_stored_raw_beside_its_batch(
    runtime: Runtime, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetched batch is stored in one transaction; a mail the parser cannot read (it is
    written never to raise, so a failure is forced here) is kept raw in the same batch,
    for the pipeline to decide, and the cursor still passes it."""
    from bot import imap_watcher

    plain = imap_watcher.normalise.parse

    def parse(raw: bytes, *args: object, **kwargs: object) -> object:
        if b"Subject: unreadable" in raw:
            raise ValueError("the test's parser failure")
        return plain(raw, *args, **kwargs)

    monkeypatch.setattr(imap_watcher.normalise, "parse", parse)
    for n in range(1, 7):
        dovecot.append(mail(n, subject="unreadable" if n == 4 else None))

    with watching(runtime, dovecot) as running:
        wait_until(stored_count(runtime, 6))

    rows = stored(runtime)
    assert [r.external_id for r in rows] == [f"imap.{n}@example.dk" for n in range(1, 7)]
    raw_only = rows[3]
    assert (raw_only.subject, raw_only.sender, raw_only.text) == ("", "", "")
    assert raw_only.raw.endswith(b"Hej, dette er besked nummer 4.\r\n")
    assert rows[4].subject == "Spørgsmål 5" and rows[4].text.startswith("Hej, dette er")
    with unit_of_work(runtime.sessions) as session:
        cursor = queries.mailbox_cursor(session, mailbox=running.watcher.key)
        assert cursor is not None and cursor.last_uid == 6


def test_new_mail_under_idle_is_stored_without_waiting_for_a_poll(
    runtime: Runtime, dovecot: Dovecot
) -> None:
    # Polling would take a minute here, so arrival within the wait proves IDLE woke us.
    slow_poll = WatcherTiming(**{**FAST.__dict__, "poll_interval": 60.0, "idle_renew": 60.0})
    with watching(runtime, dovecot, timing=slow_poll):
        dovecot.append(mail(1))
        wait_until(stored_count(runtime, 1))
        appended = time.monotonic()
        dovecot.append(mail(2))
        wait_until(stored_count(runtime, 2), timeout=30.0)
        elapsed = time.monotonic() - appended
    print(f"stored {elapsed:.2f} s after APPEND (Dovecot notifies IDLE after ~0.5 s)")
    assert [r.external_id for r in stored(runtime)] == ["imap.1@example.dk", "imap.2@example.dk"]


def test_mail_arriving_while_a_scan_runs_is_not_left_for_the_next_idle_renewal(
    runtime: Runtime, dovecot: Dovecot
) -> None:
    # The server announces such mail in its answer to our STORE (the flag), and IDLE
    # does not announce it again: only renewing IDLE (a minute here) would find it.
    slow = WatcherTiming(**{**FAST.__dict__, "poll_interval": 60.0, "idle_renew": 60.0})
    delivered: list[int] = []

    def deliver_during_scan() -> None:
        # Runs in the watcher's thread after the first store, before the flag is set.
        if not delivered:
            delivered.append(dovecot.append(mail(2)))

    dovecot.append(mail(1))
    with watching(runtime, dovecot, timing=slow, on_wake=deliver_during_scan):
        wait_until(stored_count(runtime, 2), timeout=30.0)
    assert delivered == [2]
    assert [r.external_id for r in stored(runtime)] == ["imap.1@example.dk", "imap.2@example.dk"]


def test_a_reconnect_with_nothing_new_fetches_nothing_again(
    runtime: Runtime, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    """``UID 3:*`` on a mailbox whose highest UID is 2 answers 2 (RFC 3501 6.4.8): the
    watcher must filter that out itself, not lean on the Message-ID dedupe."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    dovecot.append(mail(1))
    dovecot.append(mail(2))
    with watching(runtime, dovecot):
        wait_until(stored_count(runtime, 2))
    caplog.clear()
    with watching(runtime, dovecot) as running:
        wait_until(lambda: "scanning after UID 2" in caplog.text)
        time.sleep(1.0)  # a fetch of UID 2 would be logged by now
        key = running.watcher.key
    assert "already stored" not in caplog.text
    assert "stored as message" not in caplog.text
    assert len(stored(runtime)) == 2
    with unit_of_work(runtime.sessions) as session:
        cursor = queries.mailbox_cursor(session, mailbox=key)
        assert cursor is not None and cursor.last_uid == 2


def test_mail_announced_in_the_answer_to_the_last_search_is_not_left_for_renewal(
    runtime: Runtime, dovecot: Dovecot
) -> None:
    """Mail that lands while the last search before IDLE runs is announced in that
    search's answer (an untagged EXISTS) and not again once IDLE starts: the watcher
    must notice the announcement itself, or the mail waits for the next IDLE renewal."""
    slow = WatcherTiming(**{**FAST.__dict__, "poll_interval": 60.0, "idle_renew": 60.0})
    delivered: list[int] = []

    class LateMail(ImapWatcher):
        def _scan(self, session):  # type: ignore[no-untyped-def]
            taken = super()._scan(session)
            if taken == 0 and not delivered and session.last_uid == 1:
                delivered.append(dovecot.append(mail(2)))
                # The same search again: the server's answer now carries "* 2 EXISTS",
                # exactly what a search that raced the delivery would have received.
                session.client.search(["UID", f"{session.last_uid + 1}:*"])
            return taken

    dovecot.append(mail(1))
    with watching(runtime, dovecot, timing=slow, watcher_class=LateMail):
        wait_until(stored_count(runtime, 2), timeout=30.0)
    assert delivered == [2]
    assert [r.external_id for r in stored(runtime)] == ["imap.1@example.dk", "imap.2@example.dk"]


def test_polling_takes_new_mail_where_the_server_offers_no_idle(
    runtime: Runtime, dovecot_without_idle: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    with watching(runtime, dovecot_without_idle):
        dovecot_without_idle.append(mail(1))
        wait_until(stored_count(runtime, 1))
        dovecot_without_idle.append(mail(2))
        wait_until(stored_count(runtime, 2))
    assert "polling every" in caplog.text
    assert len(stored(runtime)) == 2


@pytest.mark.parametrize("action", ["flag", "move", "none"])
def test_processed_action_does_what_it_says_and_nothing_is_deleted(
    runtime: Runtime, dovecot: Dovecot, action: str
) -> None:
    dovecot.append(mail(1))
    with watching(runtime, dovecot, processed_action=action, processed_folder="Behandlet"):
        wait_until(stored_count(runtime, 1))
        dovecot.append(mail(2))
        wait_until(stored_count(runtime, 2))
        if action == "flag":
            wait_until(lambda: all(PROCESSED_KEYWORD in f for f in dovecot.flags().values()))
        elif action == "move":
            wait_until(
                lambda: "Behandlet" in dovecot.folders() and len(dovecot.flags("Behandlet")) == 2
            )
        else:
            time.sleep(1.0)  # give a wrong action time to show

    everywhere = all_mail_on_server(dovecot)
    total = sum(len(uids) for uids in everywhere.values())
    assert total == 2, f"mail must never be deleted or doubled: {everywhere}"
    for folder in everywhere.values():
        for flags in folder.values():
            assert "\\Deleted" not in flags and "\\Seen" not in flags
    if action == "flag":
        assert everywhere == {"INBOX": {1: {PROCESSED_KEYWORD}, 2: {PROCESSED_KEYWORD}}}
    elif action == "move":
        assert everywhere["INBOX"] == {}
        assert sorted(everywhere["Behandlet"]) == [1, 2]
    else:
        assert everywhere == {"INBOX": {1: set(), 2: set()}}
    assert len(stored(runtime)) == 2


@pytest.mark.parametrize("action", ["flag", "move"])
def test_stored_mail_that_was_never_marked_is_marked_at_the_next_connect(
    runtime: Runtime, dovecot: Dovecot, action: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash between the commit that stores a batch and the flag (or move) leaves
    stored mail looking unprocessed. A first run with ``none`` leaves exactly that state:
    the cursor past the mail, nothing marked. The next session marks it, fetching
    nothing again."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    for n in (1, 2, 3):
        dovecot.append(mail(n))
    with watching(runtime, dovecot, processed_action="none"):
        wait_until(stored_count(runtime, 3))
    assert dovecot.flags() == {1: set(), 2: set(), 3: set()}
    caplog.clear()

    with watching(runtime, dovecot, processed_action=action, processed_folder="Behandlet"):
        if action == "flag":
            wait_until(lambda: all(PROCESSED_KEYWORD in f for f in dovecot.flags().values()))
        else:
            wait_until(
                lambda: "Behandlet" in dovecot.folders() and len(dovecot.flags("Behandlet")) == 3
            )
        dovecot.append(mail(4))  # and new mail as usual
        wait_until(stored_count(runtime, 4))
        time.sleep(0.5)
    everywhere = all_mail_on_server(dovecot)
    if action == "flag":
        assert everywhere == {"INBOX": {n: {PROCESSED_KEYWORD} for n in (1, 2, 3, 4)}}
    else:
        wait_until(lambda: len(dovecot.flags("Behandlet")) == 4)
        assert dovecot.flags("INBOX") == {}
    assert "3 mails in mailbox INBOX were stored but not marked" in caplog.text
    assert "already stored" not in caplog.text, "nothing is fetched again"
    assert len(stored(runtime)) == 4


# --- connection faults ---------------------------------------------------------------------


def test_server_restarts_mid_stream_and_every_mail_is_stored_exactly_once(
    runtime: Runtime, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    total = 40
    errors: list[BaseException] = []

    def deliver_all() -> None:
        # An MTA retries until the server takes the mail; a lost OK means the same mail
        # may be appended twice, which the watcher must also take only once.
        try:
            for n in range(1, total + 1):
                deadline = time.monotonic() + 30
                while True:
                    try:
                        dovecot.append(mail(n))
                        break
                    except Exception:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
                time.sleep(0.03)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    with watching(runtime, dovecot):
        appender = threading.Thread(target=deliver_all, name="mta")
        appender.start()
        wait_until(stored_count(runtime, 5))
        dovecot.restart()
        wait_until(stored_count(runtime, 15))
        dovecot.restart()
        appender.join(60)
        assert not errors, errors
        wait_until(stored_count(runtime, total), timeout=30)
        time.sleep(1.0)  # a double would show up now

    rows = stored(runtime)
    ids = [r.external_id for r in rows]
    assert sorted(ids) == sorted(f"imap.{n}@example.dk" for n in range(1, total + 1))
    assert len(ids) == len(set(ids)) == total
    reconnects = [r for r in caplog.records if "reconnecting" in r.getMessage()]
    assert reconnects, "the restarts must have been noticed"
    assert all(r.exc_info is None for r in reconnects)


def test_refused_login_is_one_clear_line_per_attempt_and_retried_until_fixed(
    runtime: Runtime, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    dovecot.append(mail(1))
    wrong = "not-the-Password-42"
    with watching(runtime, dovecot, password=wrong) as running:

        def refusals() -> list[logging.LogRecord]:
            return [r for r in caplog.records if "login" in r.getMessage()]

        wait_until(lambda: len(refusals()) >= 3)
        assert running.thread.is_alive()
        assert stored(runtime) == []

        dovecot.set_password(wrong)  # the operator fixes the account
        wait_until(stored_count(runtime, 1))

    for record in refusals():
        text = record.getMessage()
        assert record.levelno == logging.ERROR
        assert record.exc_info is None, "a refused login is not a crash"
        assert "\n" not in text
        assert "imap.password" in text and "retrying in" in text
        assert wrong not in text and dovecot.user not in text.replace("imap.username", "")
    assert "Traceback" not in caplog.text
    assert wrong not in caplog.text


def test_uidvalidity_change_rereads_the_mailbox_without_doubling(
    runtime: Runtime, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    dovecot.append(mail(1))
    dovecot.append(mail(2))
    quick_renew = WatcherTiming(**{**FAST.__dict__, "idle_renew": 1.0})
    with watching(runtime, dovecot, timing=quick_renew) as running:
        wait_until(stored_count(runtime, 2))
        old = dovecot.uidvalidity()
        dovecot.set_uidvalidity(old + 1000)  # while the watcher is connected
        dovecot.append(mail(3))
        wait_until(stored_count(runtime, 3))
        wait_until(lambda: "UIDVALIDITY of mailbox INBOX changed" in caplog.text)
        key = running.watcher.key

    # ...and while it is stopped: the next start notices it on SELECT.
    dovecot.set_uidvalidity(old + 2000)
    dovecot.append(mail(4))
    with watching(runtime, dovecot):
        wait_until(stored_count(runtime, 4))
        time.sleep(1.0)  # a re-read double would show up now

    ids = [r.external_id for r in stored(runtime)]
    assert ids == [f"imap.{n}@example.dk" for n in (1, 2, 3, 4)]
    with unit_of_work(runtime.sessions) as session:
        cursor = queries.mailbox_cursor(session, mailbox=key)
        assert cursor is not None
        assert cursor.uidvalidity == old + 2000
        assert cursor.last_uid == 4


# --- TLS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_tls_login_checks_the_certificate(
    runtime: Runtime, dovecot_tls: Dovecot, caplog: pytest.LogCaptureFixture, tls: str
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    port = dovecot_tls.tls_port if tls == "ssl" else dovecot_tls.port
    dovecot_tls.append(mail(1))

    # Certificate checks are on by default: a self-signed server is refused, loudly.
    with watching(runtime, dovecot_tls, tls=tls, port=port):
        wait_until(lambda: "certificate not trusted" in caplog.text)
    assert stored(runtime) == []

    trusted = ssl.create_default_context(cafile=str(dovecot_tls.ca_file))
    with watching(runtime, dovecot_tls, tls=tls, port=port, ssl_context=trusted):
        wait_until(stored_count(runtime, 1))
    assert "Traceback" not in caplog.text


# --- small parts ----------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    backoff = Backoff(1.0, 8.0, rng=lambda: 1.0)
    assert [backoff.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    backoff = Backoff(1.0, 8.0, rng=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(3)] == [0.5, 1.0, 2.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_cursor_key_separates_accounts_without_storing_the_address() -> None:
    one = ImapSettings(host="imap.example.com", username="info@example.com")
    other = ImapSettings(host="imap.example.com", username="privacy@example.com")
    assert cursor_key(one) != cursor_key(other)
    assert "info" not in cursor_key(one) and "example.com/INBOX" in cursor_key(one)
    assert cursor_key(one) == cursor_key(one.model_copy(update={"port": 143}))


# --- the whole service ---------------------------------------------------------------------


async def test_danish_erasure_request_in_the_mailbox_becomes_an_acknowledged_case(
    make_settings: Callable[..., Settings], database_url: str, dovecot: Dovecot
) -> None:
    settings = make_settings(
        database_url,
        smtp_listener={"enabled": False},
        imap={
            "enabled": True,
            "host": dovecot.host,
            "port": dovecot.port,
            "tls": "none",
            "username": dovecot.user,
            "password": dovecot.password,
            # The mail may land before the first connect; from today on, it is new mail.
            "since": datetime.now(ZoneInfo("Europe/Copenhagen")).date().isoformat(),
        },
    )
    runtime = await asyncio.to_thread(build_runtime, settings)
    service = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(service.run())
    try:
        await asyncio.to_thread(
            dovecot.append,
            mail(
                7,
                subject="Sletning af mine oplysninger",
                body="Hej\r\n\r\nJeg vil gerne have slettet alle mine personoplysninger "
                "hos jer.\r\n\r\nVenlig hilsen\r\nMette Hansen",
            ),
        )
        outbox = Path(settings.outbox.folder)
        files = await asyncio.to_thread(wait_until, lambda: sorted(outbox.glob("*.eml")), 60.0)
        assert service.smtp_port is None, "the SMTP listener was switched off"
        with unit_of_work(runtime.sessions) as session:
            [case] = list(session.execute(select(Case)).scalars())
    finally:
        service.stop()
        await asyncio.wait_for(task, 15)
        runtime.engine.dispose()

    assert queries.labels_of(case) == ["erasure"]
    assert case.channel == "imap"
    ack = email.message_from_bytes(files[0].read_bytes(), policy=default)  # type: ignore[index]
    assert ack["To"] == "mette.7@example.dk"
    assert case.ref in ack["Subject"]
    assert ack["In-Reply-To"] == "<imap.7@example.dk>"
    assert dovecot.flags() == {1: {PROCESSED_KEYWORD}}


async def test_every_configured_mailbox_is_watched_each_exactly_once(
    make_settings: Callable[..., Settings], database_url: str, dovecot: Dovecot
) -> None:
    """A company that files privacy mail into its own folder watches INBOX and that one."""
    with dovecot.client() as owner:
        owner.create_folder("Privacy")
    dovecot.append(mail(1))  # waiting before the start, in each folder
    dovecot.append(mail(2), folder="Privacy")
    settings = make_settings(
        database_url,
        smtp_listener={"enabled": False},
        imap={
            "enabled": True,
            "host": dovecot.host,
            "port": dovecot.port,
            "tls": "none",
            "username": dovecot.user,
            "password": dovecot.password,
            "extra_mailboxes": ["Privacy"],
        },
    )
    runtime = await asyncio.to_thread(build_runtime, settings)
    service = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(service.run())
    try:
        await asyncio.to_thread(wait_until, stored_count(runtime, 2), 60.0)
        # Both are now idling: new mail in either folder is taken too.
        await asyncio.to_thread(dovecot.append, mail(3), folder="Privacy")
        await asyncio.to_thread(dovecot.append, mail(4))
        await asyncio.to_thread(wait_until, stored_count(runtime, 4), 60.0)
        await asyncio.sleep(1.0)  # a double would show up now
        assert len(service.imap_stops) == 2, "one watcher per folder"
    finally:
        service.stop()
        await asyncio.wait_for(task, 15)
        runtime.engine.dispose()
    assert not service.imap_stops, "every watcher stopped with the service"

    ids = sorted(r.external_id for r in stored(runtime))
    assert ids == [f"imap.{n}@example.dk" for n in (1, 2, 3, 4)]
    assert dovecot.flags("INBOX") == {1: {PROCESSED_KEYWORD}, 2: {PROCESSED_KEYWORD}}
    assert dovecot.flags("Privacy") == {1: {PROCESSED_KEYWORD}, 2: {PROCESSED_KEYWORD}}
    imap = settings.imap
    with unit_of_work(runtime.sessions) as session:
        for folder in ("INBOX", "Privacy"):
            cursor = queries.mailbox_cursor(session, mailbox=cursor_key(imap, folder))
            assert cursor is not None and cursor.last_uid == 2, folder
    assert cursor_key(imap, "INBOX") == cursor_key(imap), "the first folder keeps its cursor"


def test_processed_mail_cannot_be_moved_into_a_watched_folder() -> None:
    with pytest.raises(ValueError, match="processed_folder 'Privacy' is also watched"):
        ImapSettings(
            extra_mailboxes=["Privacy"], processed_action="move", processed_folder="Privacy"
        )
    assert ImapSettings(extra_mailboxes=["Privacy", "INBOX"]).watched_mailboxes() == [
        "INBOX",
        "Privacy",
    ]


class Blackhole:
    """A TCP proxy to the server that can go silent: ``freeze()`` keeps every open
    connection open but lets nothing through either way, as a NAT box or firewall that
    forgot the connection does. Connections made afterwards pass normally."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen: set[socket.socket] = set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    target.shutdown(socket.SHUT_WR)
                return
            with self.lock:
                silent = source in self.frozen
            if not silent:
                with contextlib.suppress(OSError):
                    target.sendall(data)

    def freeze(self) -> None:
        with self.lock:
            self.frozen.update(self.sockets)

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.close()


def test_a_connection_that_goes_silent_is_noticed_by_its_timeouts_and_replaced(
    runtime: Runtime, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    """A dead connection looks exactly like a quiet mailbox under IDLE: only renewing
    IDLE and a read timeout tell them apart. Without them the watcher would wait forever."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    short = WatcherTiming(
        **{**FAST.__dict__, "idle_renew": 2.0, "read_timeout": 2.0, "poll_interval": 60.0}
    )
    proxy = Blackhole(dovecot.port)
    try:
        dovecot.append(mail(1))
        with watching(runtime, dovecot, timing=short, port=proxy.port):
            wait_until(stored_count(runtime, 1))
            time.sleep(0.5)  # idling now
            proxy.freeze()
            dovecot.append(mail(2))  # the server tells the frozen connection; nobody hears
            wait_until(stored_count(runtime, 2), timeout=30.0)
    finally:
        proxy.close()
    assert [r.external_id for r in stored(runtime)] == ["imap.1@example.dk", "imap.2@example.dk"]
    reconnects = [r.getMessage() for r in caplog.records if "reconnecting" in r.getMessage()]
    assert reconnects and all("Timeout" in line or "timed out" in line for line in reconnects), (
        reconnects
    )
