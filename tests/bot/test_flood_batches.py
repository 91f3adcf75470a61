"""In a flood the service's workers let their next batch fill before they take it; a
mail that arrives alone is still decided at once (``bot.service.FLOOD_LINGER_SECONDS``).

Real parts: the running service (SMTP listener, pipeline and outbox workers) on SQLite
and PostgreSQL, ``aiosmtplib`` clients, the ``.eml`` outbox folder. The waits are made
far longer than any test runs (two minutes) where a test must show that something does
*not* wait: a worker that wrongly lingered would then time the test out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import text

from bot import pipeline, service
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from bot.smtp_listener import store_mails
from handlers.values import Channel
from tests.support import wait_for

LONG = 120.0


def _mail(n: int, *, request: bool) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"kunde{n}@example.dk"
    msg["To"] = "info@alottbetter.dk"
    msg["Message-ID"] = f"<flood-{n}@example.dk>"
    if request:
        msg["Subject"] = "Slet mine oplysninger"
        msg.set_content(
            f"Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n\nKunde {n}"
        )
    else:
        msg["Subject"] = f"Spørgsmål om rejse {n}"
        msg.set_content(f"Hej, hvornår går bussen til Berlin på tur nummer {n}?\n")
    return msg


@pytest.fixture
async def running(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[Service]:
    runtime = await asyncio.to_thread(build_runtime, make_settings(database_url))
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    await wait_for(lambda: svc.smtp_port, 30, "SMTP listener")
    yield svc
    svc.stop()
    await asyncio.wait_for(task, 30)
    runtime.engine.dispose()


def _counts(svc: Service) -> tuple[int, int, int]:
    """(messages decided, cases, acknowledgements sent)."""
    with svc.runtime.engine.connect() as conn:
        decided = conn.execute(text(
            "SELECT count(*) FROM message WHERE direction = 'in' "
            "AND status NOT IN ('received', 'processing')"
        )).scalar_one()
        cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
        acks = conn.execute(text(
            "SELECT count(*) FROM outbox_item WHERE kind = 'ack' AND status = 'sent'"
        )).scalar_one()
    return int(decided), int(cases), int(acks)


async def _send(svc: Service, msg: EmailMessage) -> None:
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port, timeout=30)


async def test_a_mail_that_arrives_alone_is_decided_without_waiting(
    running: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "FLOOD_LINGER_SECONDS", LONG)
    for n in range(3):
        await _send(running, _mail(n, request=True))
        await wait_for(lambda n=n: _counts(running) == (n + 1, n + 1, n + 1), 30,
                       f"mail {n} decided and acknowledged")


async def test_a_flood_is_decided_once_in_batches_no_larger_than_the_limit(
    running: Service, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    batches: list[int] = []
    decide = pipeline.process_pending

    def counted(*args: object, **kwargs: object) -> list[pipeline.Outcome]:
        outcomes = decide(*args, **kwargs)  # type: ignore[arg-type]
        batches.append(len(outcomes))
        return outcomes

    monkeypatch.setattr(pipeline, "process_pending", counted)
    mails = [_mail(n, request=n % 5 < 2) for n in range(60)]
    await asyncio.gather(*(_send(running, m) for m in mails))

    await wait_for(lambda: _counts(running) == (60, 24, 24), 60, "every mail decided")
    assert sum(batches) == 60
    assert max(batches) <= service.DECIDE_BATCH
    # one acknowledgement file to each of the 24 who asked, none to anyone else
    written = {
        message_from_bytes(f.read_bytes())["To"] for f in (tmp_path / "outbox").glob("*.eml")
    }
    assert written == {f"kunde{n}@example.dk" for n in range(60) if n % 5 < 2}


async def test_a_filling_batch_is_taken_when_full_or_when_the_service_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "FLOOD_LINGER_SECONDS", LONG)
    svc = Service(runtime=None, senders={})  # type: ignore[arg-type]  # _fill needs neither
    count = [0]

    async def arrive(n: int) -> None:
        for _ in range(n):
            await asyncio.sleep(0.01)
            count[0] += 1
            svc.inbound_ready.set()

    # full: five arrivals fill a batch of five long before the linger is over
    filling = asyncio.create_task(svc._fill(lambda: count[0], svc.inbound_ready, 5))
    await arrive(5)
    await asyncio.wait_for(filling, 10)
    assert count[0] == 5

    # stopped: nothing arrives, the service stops, the wait ends with it
    filling = asyncio.create_task(svc._fill(lambda: 0, svc.inbound_ready, 5))
    await asyncio.sleep(0.05)
    assert not filling.done()
    svc.stopping.set()
    svc.inbound_ready.set()
    await asyncio.wait_for(filling, 10)

    # the linger passes: a short one ends the wait with the batch not full
    monkeypatch.setattr(service, "FLOOD_LINGER_SECONDS", 0.05)
    svc.stopping.clear()
    await asyncio.wait_for(svc._fill(lambda: 0, svc.inbound_ready, 5), 10)


async def test_a_backlog_already_stored_is_decided_without_waiting(
    make_settings: Callable[..., Settings], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full batches follow each other at once: a folder's backlog or the mail stored
    before a restart must not wait for mail that is not coming."""
    monkeypatch.setattr(service, "FLOOD_LINGER_SECONDS", LONG)
    runtime = await asyncio.to_thread(build_runtime, make_settings(database_url))
    raws = [_mail(n, request=n % 5 < 2).as_bytes() for n in range(45)]
    await asyncio.to_thread(store_mails, runtime, raws, channel=Channel.SMTP)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        await wait_for(lambda: _counts(svc)[:2] == (45, 18), 30, "the backlog decided")
    finally:
        svc.stop()
        await asyncio.wait_for(task, 30)
        runtime.engine.dispose()
