"""privacybot against an auto-responder: the exchange must stop by itself.

The other end is a real SMTP relay (``tests/servers/relay.py``) that, for every mail
privacybot hands it, answers by SMTP to privacybot's own listener, as a vacation
responder or a helpdesk would. The naive responders set no ``Auto-Submitted``, no
``In-Reply-To`` and no case reference, and their text reads like a new request, which is
the worst case: nothing but the flood limits can end the exchange.
"""

from __future__ import annotations

import asyncio
import email
import itertools
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Message
from tests.reliability.conftest import running_service, settled
from tests.servers.relay import Received, Relay
from tests.support import wait_for

#: A responder that never stops would otherwise run the test forever.
SAFETY_STOP = 40
REQUEST = "Hello,\n\nplease delete all personal data you hold about me.\n"


class Responder:
    """Answers each mail privacybot sends with a new mail to privacybot's listener."""

    def __init__(self, address: Callable[[int], str], *, headers: dict[str, str]) -> None:
        self.address = address
        self.headers = headers
        self.port = 0
        self.count = itertools.count(1)

    def first_mail(self) -> EmailMessage:
        return self.mail(0, "Delete my data", REQUEST)

    def mail(self, n: int, subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.address(n)
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"] = subject
        msg["Message-ID"] = f"<auto{n}.responder@example.net>"
        for name, value in self.headers.items():
            msg[name] = value
        msg.set_content(body)
        return msg

    def send(self, msg: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
            client.send_message(msg)

    def __call__(self, item: Received) -> None:
        n = next(self.count)
        if n > SAFETY_STOP:
            return
        self.send(
            self.mail(n, "Thank you for your message", "Thank you for your mail.\n\n" + REQUEST)
        )


def relay_settings(make_settings: Callable[..., Settings], relay: Relay, **policy: int) -> Settings:
    return make_settings(
        relay={"enabled": True, "host": "127.0.0.1", "port": relay.port, "tls": "none"},
        policy=policy,
    )


async def play(svc_settings: Settings, relay: Relay, responder: Responder) -> None:
    async with running_service(svc_settings) as svc:
        responder.port = svc.smtp_port or 0
        await asyncio.to_thread(responder.send, responder.first_mail())
        await wait_for(lambda: relay.idle and settled(svc) and relay.idle, what="a quiet exchange")
        # Quiet once; quiet again after the pipeline's next poll: nothing was still on its way.
        await wait_for(lambda: relay.idle and settled(svc), what="a quiet exchange")


def rows(settings: Settings, model):  # type: ignore[no-untyped-def]
    from bot.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        with unit_of_work(runtime.sessions) as session:
            return list(session.execute(select(model)).scalars())
    finally:
        runtime.engine.dispose()


@pytest.mark.parametrize(
    "address",
    [lambda n: "robot@example.net", lambda n: f"robot+{n}@example.net"],
    ids=["same-address", "plus-tag-per-mail"],
)
async def test_naive_auto_responder_loop_stops_at_the_per_sender_cap(
    make_settings: Callable[..., Settings], address: Callable[[int], str]
) -> None:
    responder = Responder(address, headers={})
    with Relay(on_message=responder) as relay:
        settings = relay_settings(make_settings, relay, acks_per_sender_per_day=3)
        await play(settings, relay, responder)
    assert len(relay.received) == 3, "exactly the per-sender cap of acknowledgements went out"
    assert {r.rcpt_tos[0].split("+")[0].split("@")[0] for r in relay.received} == {"robot"}
    assert all(r.message["Auto-Submitted"] == "auto-replied" for r in relay.received)
    messages = [m for m in rows(settings, Message) if m.direction == "in"]
    assert len(messages) == 4, "the first mail and one answer to each acknowledgement"
    sent = [m for m in rows(settings, Message) if m.direction == "out"]
    assert len(sent) == 3, "each acknowledgement that left is in its case's history"
    suppressed = [e for e in rows(settings, AuditEvent) if e.action == "ack_suppressed"]
    assert ["per-sender cap" in e.detail for e in suppressed] == [True]


async def test_well_behaved_auto_responder_gets_no_acknowledgement(
    make_settings: Callable[..., Settings],
) -> None:
    responder = Responder(lambda n: "away@example.net", headers={"Auto-Submitted": "auto-replied"})
    with Relay(on_message=responder) as relay:
        settings = relay_settings(make_settings, relay)
        async with running_service(settings) as svc:
            responder.port = svc.smtp_port or 0
            # A person's request first (no Auto-Submitted), then the robot's replies.
            plain = Responder(lambda n: "away@example.net", headers={})
            plain.port = responder.port
            await asyncio.to_thread(plain.send, plain.first_mail())
            await wait_for(lambda: relay.idle and settled(svc) and len(relay.received) == 1)
            await wait_for(lambda: relay.idle and settled(svc))
    assert len(relay.received) == 1
    statuses = sorted(m.status for m in rows(settings, Message) if m.direction == "in")
    assert statuses == ["ignored", "processed"]
    assert len(rows(settings, Case)) == 1


async def test_robots_rotating_addresses_hit_the_global_cap_and_staff_are_alerted(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    responder = Responder(lambda n: f"robot{n}@relay{n}.example.net", headers={})
    caplog.set_level(logging.ERROR, logger="privacybot")
    with Relay(on_message=responder) as relay:
        settings = relay_settings(make_settings, relay, acks_per_hour_global=5)
        await play(settings, relay, responder)
    assert len(relay.received) == 5, "the global hourly cap of acknowledgements went out"
    events = rows(settings, AuditEvent)
    assert [e.action for e in events].count("acks_paused") == 1, "staff are alerted once"
    assert any(
        "acknowledgements paused" in r.getMessage() and r.levelno == logging.ERROR
        for r in caplog.records
    )
    assert len(rows(settings, Case)) == 6, "requests still open cases while acks are paused"
    # Staff hear it where they work (no staff chat here: the staff folder), once.
    folder = Path(settings.outbox.folder) / "staff"
    [notice] = [
        email.message_from_bytes(p.read_bytes(), policy=default) for p in folder.glob("*.eml")
    ]
    assert notice["To"] == "info@alottbetter.dk" and "acks paused" in notice["Subject"]
    assert notice["Auto-Submitted"] == "auto-generated"
    text = notice.get_content()
    assert "Acknowledgements are paused" in text and "more than 5" in text
    assert "example.net" not in text, "the notice names the case, not the robots"
    [paused_case] = [c for c in rows(settings, Case) if c.ref in notice["Subject"]]
    assert paused_case.ref in text


async def test_a_request_relayed_by_a_no_reply_sender_waits_in_triage_unanswered(
    make_settings: Callable[..., Settings],
) -> None:
    """A ticket system's "new ticket" mail from noreply@ carries a customer's erasure
    request: a case is opened for staff, in triage, and nothing is sent to the no-reply
    address; the same system's ordinary notification is ignored as before."""
    ticket = Responder(lambda n: "noreply@tickets.example.net", headers={})
    with Relay(on_message=ticket) as relay:
        settings = relay_settings(make_settings, relay)
        async with running_service(settings) as svc:
            ticket.port = svc.smtp_port or 0
            await asyncio.to_thread(
                ticket.send,
                ticket.mail(
                    1,
                    "New ticket #4411: my data",
                    "A new ticket was created.\n\nCustomer: Alberte Schou\n\nMessage:\n"
                    "Please delete all the personal data you hold about me.\n",
                ),
            )
            await asyncio.to_thread(
                ticket.send,
                ticket.mail(
                    2,
                    "Ticket #4410 was closed",
                    "Ticket #4410 about the airport transfer was closed by Anna.\n",
                ),
            )
            await wait_for(lambda: settled(svc), what="both notifications decided")
            await wait_for(lambda: relay.idle and settled(svc))
    assert relay.received == [], "nothing is ever sent to a no-reply address"
    [case] = rows(settings, Case)
    assert case.status == "triage" and "erasure" in case.labels
    statuses = sorted((m.status, m.rule) for m in rows(settings, Message) if m.direction == "in")
    assert statuses == [("ignored", "machine-sender"), ("processed", "case_opened")]
    [suppressed] = [e for e in rows(settings, AuditEvent) if e.action == "ack_suppressed"]
    assert "no-reply sender" in suppressed.detail
