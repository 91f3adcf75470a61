"""The SMTP relay sender (aiosmtplib) against a real aiosmtpd relay on loopback.

The relay here speaks STARTTLS or implicit TLS with its own self-signed certificate and
asks for AUTH, as a company's submission server does. What is asserted is what decides
whether a customer gets a mail once: what the relay recorded, and which outcome the
sender reported (sent, retry later, failed for good, or unknown and left to a person).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import ssl
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from bot import outbox
from bot.runtime import Runtime
from bot.senders import OutcomeUnknown, PermanentFailure, SmtpRelaySender, TemporaryFailure
from storage import queries
from storage.engine import unit_of_work
from storage.models import AuditEvent, OutboxItem, as_utc
from tests.servers.relay import Relay, _Handler

USER, PASSWORD = "privacybot@alottbetter.dk", "relay-secret-42"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("relay-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


class _FaultyHandler(_Handler):
    """The test relay's handler, plus the faults a real relay shows at RCPT and DATA."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.startswith("unknown"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        fault = self.relay.data_faults.pop(0) if self.relay.data_faults else None  # type: ignore[attr-defined]
        if fault == "drop":
            # Took the message, then the connection broke before the reply: the classic
            # moment when the sender cannot know whether the mail will be delivered.
            await super().handle_DATA(server, session, envelope)
            assert server.transport is not None
            server.transport.abort()
            return "250 2.0.0 never seen"
        if fault == "hang":
            await asyncio.sleep(30)
        return await super().handle_DATA(server, session, envelope)


class SecureRelay(Relay):
    """The shared test relay with TLS (``starttls`` or ``ssl``) and AUTH switched on."""

    def __init__(self, cert: Path, key: Path, *, tls: str) -> None:
        super().__init__()
        self.tls = tls
        self.data_faults: list[str] = []
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)

    def start(self) -> None:
        if self._controller is not None:
            return
        options: dict[str, object] = {
            "authenticator": _authenticate,
            "auth_require_tls": True,
            "decode_data": False,
        }
        if self.tls == "ssl":
            # aiosmtpd does not count implicit TLS as TLS for auth_require_tls; it is.
            options.update(ssl_context=self.context, auth_require_tls=False)
        elif self.tls == "starttls":
            options.update(tls_context=self.context, require_starttls=True)
        else:
            options["auth_require_tls"] = False
        controller = Controller(
            _FaultyHandler(self), hostname="127.0.0.1", port=self.port, **options
        )
        controller.start()
        self._controller = controller


@pytest.fixture(params=["starttls", "ssl"])
def relay(request: pytest.FixtureRequest, certificate: tuple[Path, Path]) -> Iterator[SecureRelay]:
    server = SecureRelay(*certificate, tls=request.param)
    with server:
        yield server


@pytest.fixture
def plain_relay(certificate: tuple[Path, Path]) -> Iterator[SecureRelay]:
    server = SecureRelay(*certificate, tls="none")
    with server:
        yield server


def sender_for(
    relay: SecureRelay, certificate: tuple[Path, Path], **overrides: object
) -> SmtpRelaySender:
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": relay.port,
        "tls": relay.tls,
        "username": USER,
        "password": PASSWORD,
        "envelope_from": "info@alottbetter.dk",
        "timeout": 5.0,
        "ca_file": str(certificate[0]),
    }
    options.update(overrides)
    return SmtpRelaySender(**options)  # type: ignore[arg-type]


def item(n: int = 1, *, to: str = "mette@example.dk") -> OutboxItem:
    payload = (
        f"From: ALOTTbetter ApS <info@alottbetter.dk>\r\nTo: {to}\r\n"
        f"Subject: [PR-2026-000{n}] Vi har modtaget din henvendelse\r\n"
        f"Message-ID: <ack.{n}@alottbetter.dk>\r\nAuto-Submitted: auto-replied\r\n\r\n"
        "Tak for din henvendelse.\r\n"
    ).encode()
    return OutboxItem(
        id=n, kind="ack", recipient=to, message_id=f"<ack.{n}@alottbetter.dk>", payload=payload
    )


# --- the outcomes, one by one -------------------------------------------------------------


def test_mail_goes_through_tls_and_auth_once_with_the_right_envelope(
    relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    sender_for(relay, certificate).send(item(1))
    [got] = relay.received
    assert got.mail_from == "info@alottbetter.dk"
    assert got.rcpt_tos == ("mette@example.dk",)
    assert got.message["Message-ID"] == "<ack.1@alottbetter.dk>"
    assert got.data.replace(b"\r\n", b"\n") == item(1).payload.replace(b"\r\n", b"\n")


def test_certificates_are_checked_unless_the_ca_file_trusts_them(
    relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    with pytest.raises(TemporaryFailure, match="certificate not trusted"):
        sender_for(relay, certificate, ca_file="").send(item(1))
    with pytest.raises(TemporaryFailure, match=r"relay.ca_file .* does not exist"):
        sender_for(relay, certificate, ca_file="/nonexistent/ca.pem").send(item(1))
    assert relay.received == []


def test_a_refused_login_is_retried_not_failed_for_good(
    relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    with pytest.raises(TemporaryFailure) as refused:
        sender_for(relay, certificate, password="wrong").send(item(1))
    assert str(refused.value) == "relay refused the login (535)"
    assert "wrong" not in str(refused.value)


def test_4xx_is_temporary_and_5xx_permanent_with_the_servers_reason(
    relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    sender = sender_for(relay, certificate)
    relay.fail_codes = [451]
    with pytest.raises(TemporaryFailure, match=r"^relay answered 451 4\.3\.0 refused by the test"):
        sender.send(item(1))
    relay.fail_codes = [554]
    with pytest.raises(PermanentFailure, match=r"^relay answered 554 5\.7\.1 refused by the test"):
        sender.send(item(2))
    with pytest.raises(PermanentFailure) as unknown:
        sender.send(item(3, to="unknown.person@example.dk"))
    reason = str(unknown.value)
    assert reason.startswith("relay answered 550 5.1.1")
    assert "unknown.person@example.dk" not in reason, "reasons go to logs and the audit trail"
    assert "<address>" in reason
    assert relay.received == []


def test_starttls_is_required_never_skipped(
    plain_relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    sender = sender_for(plain_relay, certificate, tls="starttls")
    with pytest.raises(TemporaryFailure, match="relay refused the session"):
        sender.send(item(1))
    assert plain_relay.received == []


def test_unreachable_relay_is_temporary(certificate: tuple[Path, Path]) -> None:
    down = SecureRelay(*certificate, tls="starttls")  # never started
    with pytest.raises(TemporaryFailure, match="^relay unreachable: ConnectionRefusedError$"):
        sender_for(down, certificate).send(item(1))


@pytest.mark.parametrize("fault", ["drop", "hang"])
def test_a_connection_lost_during_data_is_an_unknown_outcome(
    relay: SecureRelay, certificate: tuple[Path, Path], fault: str
) -> None:
    relay.data_faults = [fault]
    with pytest.raises(OutcomeUnknown, match="during DATA"):
        sender_for(relay, certificate, timeout=1.0).send(item(1))


# --- through the outbox: at most once ---------------------------------------------------------


def _rows(runtime: Runtime) -> list[OutboxItem]:
    with unit_of_work(runtime.sessions) as session:
        return list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())


def _queue(runtime: Runtime, n: int) -> None:
    mail = item(n)
    with unit_of_work(runtime.sessions) as session:
        queries.add_outbox(
            session,
            kind="ack",
            message_id=mail.message_id,
            payload=mail.payload,
            recipient=mail.recipient,
            subject="",
            case_id=None,
            now=runtime.clock(),
        )


def test_the_outbox_leaves_an_unknown_outcome_in_doubt_and_never_sends_it_again(
    runtime: Runtime, relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    senders = {"mail": sender_for(relay, certificate)}
    _queue(runtime, 1)
    _queue(runtime, 2)
    relay.data_faults = ["drop"]  # the relay took mail 1, then the line broke
    assert outbox.deliver_due(runtime, senders) == 1
    for _ in range(3):  # later rounds: nothing is due, nothing is sent again
        outbox.deliver_due(runtime, senders)
    rows = _rows(runtime)
    assert [r.status for r in rows] == ["in_doubt", "sent"]
    assert "may have accepted" in (rows[0].last_error or "")
    ids = [r.message["Message-ID"] for r in relay.received]
    assert ids == ["<ack.1@alottbetter.dk>", "<ack.2@alottbetter.dk>"], "each exactly once"
    with unit_of_work(runtime.sessions) as session:
        events = [
            (e.action, json.loads(e.detail).get("outbox"))
            for e in session.execute(select(AuditEvent)).scalars()
        ]
    assert ("delivery_in_doubt", rows[0].id) in events


def test_temporary_then_success_delivers_once(
    runtime: Runtime, relay: SecureRelay, certificate: tuple[Path, Path]
) -> None:
    senders = {"mail": sender_for(relay, certificate)}
    _queue(runtime, 1)
    relay.fail_codes = [421]
    assert outbox.deliver_due(runtime, senders) == 0
    [row] = _rows(runtime)
    assert row.status == "pending" and (row.last_error or "").startswith("relay answered 421")
    with unit_of_work(runtime.sessions) as session:  # the backoff has passed
        session.get(OutboxItem, row.id).next_attempt_at = runtime.clock()  # type: ignore[union-attr]
    assert outbox.deliver_due(runtime, senders) == 1
    assert [r.status for r in _rows(runtime)] == ["sent"]
    assert len(relay.received) == 1


def test_a_relay_down_for_days_loses_nothing_and_gives_up_only_after_retry_hours(
    runtime: Runtime, certificate: tuple[Path, Path]
) -> None:
    """Mail servers retry for days, not for a count: an outage over a weekend must not
    turn a customer's acknowledgement into a failure (outbox.retry_hours, 5 days)."""
    now = [runtime.clock()]
    rt = dataclasses.replace(runtime, clock=lambda: now[0])
    relay = SecureRelay(*certificate, tls="starttls")  # down: nothing listens yet
    senders = {"mail": sender_for(relay, certificate)}
    _queue(rt, 1)

    def next_round(message_id: str = "<ack.1@alottbetter.dk>") -> OutboxItem:
        """Move the clock to the item's next attempt and let the outbox run once."""
        [row] = [r for r in _rows(rt) if r.message_id == message_id]
        now[0] = max(now[0], as_utc(row.next_attempt_at or now[0]))
        outbox.deliver_due(rt, senders)
        [row] = [r for r in _rows(rt) if r.message_id == message_id]
        return row

    start = now[0]
    while now[0] - start < timedelta(days=3):
        row = next_round()
        assert row.status == "pending", f"gave up after {row.attempts} attempts"
    assert row.attempts > 8, "more attempts than the old fixed count of 8"
    with relay:  # the relay is back after three days
        row = next_round()
        assert row.status == "sent"
        assert len(relay.received) == 1

    _queue(rt, 2)  # a second item, and the relay never comes back
    start = now[0]
    row = next_round("<ack.2@alottbetter.dk>")
    while row.status == "pending":
        assert now[0] - start < timedelta(hours=122), "retried past retry_hours"
        row = next_round("<ack.2@alottbetter.dk>")
    assert row.status == "failed"
    assert now[0] - start >= timedelta(hours=rt.settings.outbox.retry_hours)

    # The operator fixes the relay's address much later and resends: a whole new window.
    with unit_of_work(rt.sessions) as session:
        failed = session.get(OutboxItem, row.id)
        assert failed is not None
        outbox.settle_by_operator(
            session,
            failed,
            decision="resend",
            actor="cli",
            now=now[0],
            company_address=rt.company.email,
        )
    start = now[0]
    while now[0] - start < timedelta(days=1):
        row = next_round("<ack.2@alottbetter.dk>")
        assert row.status == "pending", "a resent item is retried again, not tried once"
