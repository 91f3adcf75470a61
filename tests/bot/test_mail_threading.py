"""Threading both ways, with real mailboxes (issue 3, item 6).

The customer writes to the company's mailbox (a real Dovecot, read by the IMAP watcher);
privacybot's acknowledgement and approved reply go out through a real SMTP relay; the
customer then answers those letters the way real mail clients do: Danish and German
Outlook ("SV:", "AW:"), Gmail ("Re:"), a forward ("Fwd:"), a client that rewrites the
subject, one that keeps only References, and webmail that keeps no headers at all. Every
answer must join the one case, and only one case must exist.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import staff
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message
from tests.servers.dovecot import Dovecot, unavailable_reason
from tests.servers.relay import Received, Relay

CUSTOMER = "mette.hansen@example.dk"
REQUEST_ID = "<first.request@example.dk>"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    reason = unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot is required in CI: {reason}")
        pytest.skip(reason)
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def relay() -> Iterator[Relay]:
    with Relay() as running:
        yield running


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str, dovecot: Dovecot, relay: Relay
) -> AsyncIterator[Service]:
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
            "since": datetime.now(ZoneInfo("Europe/Copenhagen")).date().isoformat(),
        },
        relay={"enabled": True, "host": "127.0.0.1", "port": relay.port, "tls": "none"},
    )
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 15)
        runtime.engine.dispose()


async def wait_for(predicate: Callable[[], object], what: str, timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not reached in {timeout} s")


def customer_mail(
    subject: str, body: str, *, msgid: str, headers: dict[str, str] | None = None
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Mette Hansen <{CUSTOMER}>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    msg["Date"] = "Mon, 2 Feb 2026 10:00:00 +0100"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def answers(ack: Received, reply: Received, ref: str) -> list[tuple[str, bytes, str]]:
    """(what the client did, the raw answer, the rule that must join it to the case)."""
    a, r = ack.message, reply.message
    chain = f"{r['References']} {r['Message-ID']}"
    quote = f"\n\nDen 3. feb. 2026 skrev ALOTTbetter ApS <info@alottbetter.dk>:\n> {ref}\n"
    return [
        (
            "Danish Outlook answers the reply",
            customer_mail(
                f"SV: {r['Subject']}",
                "Tak, det er fint." + quote,
                msgid="<a1@ex.dk>",
                headers={"In-Reply-To": r["Message-ID"], "References": chain},
            ),
            "thread:subject-ref",
        ),
        (
            "German Outlook answers the acknowledgement",
            customer_mail(
                f"AW: {a['Subject']}",
                "Danke, ich warte.",
                msgid="<a2@ex.dk>",
                headers={
                    "In-Reply-To": a["Message-ID"],
                    "References": f"{a['References']} {a['Message-ID']}",
                },
            ),
            "thread:subject-ref",
        ),
        (
            "Gmail, twice over",
            customer_mail(
                f"Re: Re: {r['Subject']}",
                "Thanks!",
                msgid="<a3@ex.dk>",
                headers={"In-Reply-To": r["Message-ID"], "References": chain},
            ),
            "thread:subject-ref",
        ),
        (
            "the customer forwards our reply back with a question",
            customer_mail(f"Fwd: {r['Subject']}", "Hvad betyder dette?", msgid="<a4@ex.dk>"),
            "thread:subject-ref",
        ),
        (
            "a client that rewrote the subject and kept In-Reply-To",
            customer_mail(
                "Re: jeres brev",
                "Jeg har et spørgsmål mere.",
                msgid="<a5@ex.dk>",
                headers={"In-Reply-To": r["Message-ID"], "References": chain},
            ),
            "thread:in-reply-to",
        ),
        (
            "a phone client that keeps only In-Reply-To, to the acknowledgement",
            customer_mail(
                "Sletning",
                "Har I glemt mig?",
                msgid="<a8@ex.dk>",
                headers={"In-Reply-To": a["Message-ID"]},
            ),
            "thread:in-reply-to",
        ),
        (
            "a client that keeps only References",
            customer_mail(
                "Opfølgning", "Er I færdige?", msgid="<a6@ex.dk>", headers={"References": chain}
            ),
            "thread:references",
        ),
        (
            "webmail without headers, the reference typed in lower case",
            customer_mail(f"sv: {ref.lower()} spørgsmål", "Hej igen.", msgid="<a7@ex.dk>"),
            "thread:subject-ref",
        ),
    ]


async def test_our_letters_thread_to_the_customer_and_every_answer_joins_the_case(
    service: Service, dovecot: Dovecot, relay: Relay
) -> None:
    runtime = service.runtime
    await asyncio.to_thread(
        dovecot.append,
        customer_mail(
            "Sletning af mine oplysninger",
            "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\n\n"
            "Venlig hilsen\nMette Hansen\n",
            msgid=REQUEST_ID,
        ),
    )
    await wait_for(lambda: relay.received, "the acknowledgement at the relay")
    [ack] = relay.received
    with unit_of_work(runtime.sessions) as session:
        [case] = list(session.execute(select(Case)).scalars())
        [draft] = list(session.execute(select(Draft)).scalars())
    ref = case.ref
    assert ref in ack.message["Subject"]
    assert ack.rcpt_tos == (CUSTOMER,)
    assert ack.message["In-Reply-To"] == REQUEST_ID
    assert REQUEST_ID in ack.message["References"].split()

    await asyncio.to_thread(staff.approve_draft, runtime, draft_id=draft.id, actor="anne")
    service.outbox_ready.set()
    await wait_for(lambda: len(relay.received) == 2, "the reply at the relay")
    reply = relay.received[1]
    assert ref in reply.message["Subject"]
    assert reply.message["In-Reply-To"] == REQUEST_ID
    assert REQUEST_ID in reply.message["References"].split()

    variants = answers(ack, reply, ref)
    for _what, raw, _rule in variants:
        await asyncio.to_thread(dovecot.append, raw)

    def decided() -> list[Message] | None:
        with unit_of_work(runtime.sessions) as session:
            rows = list(
                session.execute(
                    select(Message).where(Message.direction == "in").order_by(Message.id)
                ).scalars()
            )
        done = [r for r in rows if r.status not in ("received", "processing")]
        return rows if len(done) == len(rows) == 1 + len(variants) else None

    rows = await wait_for(decided, "every answer decided")
    by_id = {(r.message_id or "").strip("<>"): r for r in rows}  # type: ignore[union-attr]
    for what, raw, rule in variants:
        msgid = raw.split(b"Message-ID: ", 1)[1].split(b"\n", 1)[0].strip().decode()
        row = by_id[msgid.strip("<>")]
        assert (row.case_id, row.rule) == (case.id, rule), what
    with unit_of_work(runtime.sessions) as session:
        assert len(list(session.execute(select(Case)).scalars())) == 1, "no new case"
    await asyncio.sleep(1.0)
    assert len(relay.received) == 2, "answers to a case are not acknowledged again"
