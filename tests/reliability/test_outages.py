"""Outages: a relay that is down or refusing, a database that is locked or away.

What a user notices: acknowledgements and approved replies wait while the relay is away
and then each arrives exactly once; a sending server is told ``4xx`` (try again) while
the database cannot store its mail, never ``250`` for a mail that was not stored.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot import staff
from bot.config import Settings
from bot.service import POLL_SECONDS
from storage import queries
from storage.engine import unit_of_work
from storage.models import AuditEvent, Message, OutboxItem, utcnow
from tests.reliability.conftest import running_service, settled
from tests.servers.relay import Relay
from tests.servers.tcp_proxy import TcpProxy
from tests.support import wait_for


class Clock:
    """Wall time plus an offset the test moves, so backoff delays pass without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset


def request(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Kunde {n} <kunde{n}@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Sletning"
    msg["Message-ID"] = f"<req{n}@example.dk>"
    msg.set_content("Jeg vil gerne have slettet alle mine personoplysninger hos jer.\n")
    return msg


def relay_settings(make_settings: Callable[..., Settings], relay: Relay) -> Settings:
    return make_settings(
        relay={"enabled": True, "host": "127.0.0.1", "port": relay.port, "tls": "none"},
        outbox={"send_timeout_seconds": 5},
    )


def outbox_rows(svc) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    with unit_of_work(svc.runtime.sessions) as session:
        return list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())


async def test_relay_outage_mail_waits_and_is_delivered_once(
    make_settings: Callable[..., Settings],
) -> None:
    relay = Relay()  # down: connection refused
    clock = Clock()
    settings = relay_settings(make_settings, relay)
    async with running_service(settings, clock=clock) as svc:
        for n in range(5):
            await aiosmtplib.send(request(n), hostname="127.0.0.1", port=svc.smtp_port)
        await wait_for(
            lambda: (
                len(outbox_rows(svc)) == 5
                and all(r.attempts >= 1 and r.status == "pending" for r in outbox_rows(svc))
            ),
            what="every acknowledgement tried once and waiting",
        )
        errors = {r.last_error for r in outbox_rows(svc)}
        assert errors == {"relay unreachable: ConnectionRefusedError"}

        # Staff approve a reply while the relay is still away: it waits too.
        with unit_of_work(svc.runtime.sessions) as session:
            draft = queries.list_drafts(session)[0]
        await asyncio.to_thread(staff.approve_draft, svc.runtime, draft_id=draft.id, actor="t")

        relay.fail_codes = [451, 421]  # back, but busy for the first two mails
        relay.start()

        def delivered() -> bool:
            clock.offset += timedelta(hours=1)  # every backoff delay has passed
            svc.outbox_ready.set()
            return settled(svc)

        await wait_for(delivered, what="the outbox emptied")
        rows = outbox_rows(svc)
    relay.stop()
    assert [r.status for r in rows] == ["sent"] * 6
    ids = [r.message["Message-ID"] for r in relay.received]
    assert len(ids) == 6 and len(set(ids)) == 6, "every mail arrived, none twice"
    assert sorted(ids) == sorted(r.message_id for r in rows)
    assert relay.refused == 2
    kinds = sorted(r.kind for r in rows)
    assert kinds == ["ack"] * 5 + ["reply"]


async def test_relay_permanent_refusal_fails_once_and_is_reported(
    make_settings: Callable[..., Settings],
) -> None:
    with Relay() as relay:
        relay.fail_codes = [554]
        async with running_service(relay_settings(make_settings, relay)) as svc:
            await aiosmtplib.send(request(1), hostname="127.0.0.1", port=svc.smtp_port)
            await wait_for(lambda: settled(svc))
            [row] = outbox_rows(svc)
            with unit_of_work(svc.runtime.sessions) as session:
                actions = [e.action for e in session.execute(select(AuditEvent)).scalars()]
    # The server's reason is kept, so the operator sees why without the relay's logs.
    assert row.status == "failed"
    assert row.last_error == "relay answered 554 5.7.1 refused by the test relay"
    assert "delivery_failed" in actions
    assert relay.received == [] and relay.refused == 1


async def test_locked_database_makes_the_listener_answer_4xx_never_250(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(database={"busy_timeout_seconds": 0.5})
    async with running_service(settings) as svc:
        path = settings.database.url.removeprefix("sqlite:///")
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
                await aiosmtplib.send(
                    request(7), hostname="127.0.0.1", port=svc.smtp_port, timeout=30
                )
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert 400 <= refused.value.code < 500, refused.value.code
        # The sending server retries, as a real MTA does: now it is stored, once.
        errors, _ = await aiosmtplib.send(request(7), hostname="127.0.0.1", port=svc.smtp_port)
        assert not errors
        await wait_for(lambda: settled(svc))
        with unit_of_work(svc.runtime.sessions) as session:
            rows = list(session.execute(select(Message).where(Message.direction == "in")).scalars())
    assert len(rows) == 1 and rows[0].status == "processed" and rows[0].case_id


async def test_database_away_for_a_moment_makes_the_listener_answer_4xx_never_250(
    make_settings: Callable[..., Settings],
    pg_database_url: str,
) -> None:
    """PostgreSQL restarts (through a proxy the test cuts): mail waits with its sender."""
    url = make_url(pg_database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        async with running_service(make_settings(proxied)) as svc:
            await aiosmtplib.send(request(1), hostname="127.0.0.1", port=svc.smtp_port)
            await wait_for(lambda: settled(svc))

            proxy.cut()
            with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
                await aiosmtplib.send(
                    request(2), hostname="127.0.0.1", port=svc.smtp_port, timeout=30
                )
            assert 400 <= refused.value.code < 500, refused.value.code
            # The workers meet the outage too, and keep going.
            await asyncio.sleep(2 * POLL_SECONDS)
            proxy.restore()

            # The sending server retries, as a real MTA does: stored once, acknowledged once.
            errors, _ = await aiosmtplib.send(request(2), hostname="127.0.0.1", port=svc.smtp_port)
            assert not errors
            await wait_for(lambda: settled(svc) and len(outbox_rows(svc)) == 2)
            with unit_of_work(svc.runtime.sessions) as session:
                messages = list(
                    session.execute(select(Message).where(Message.direction == "in")).scalars()
                )
            acks = outbox_rows(svc)
    finally:
        proxy.close()
    assert sorted(m.message_id for m in messages) == ["req1@example.dk", "req2@example.dk"]
    assert all(m.status == "processed" and m.case_id for m in messages)
    assert len({m.case_id for m in messages}) == 2
    assert sorted(a.case_id for a in acks) == sorted(m.case_id for m in messages)
    assert {a.status for a in acks} == {"sent"}
