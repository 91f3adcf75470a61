"""Claims of work items, one step below the multi-process tests: ``FOR UPDATE SKIP
LOCKED`` lets a second worker take other rows while a first one holds its claim open,
and a claim whose worker died is taken over once its lease (``service
.claim_lease_seconds``) has run out, and not before.

The dead worker is played exactly: a claim committed and never followed by a send or a
record, which is what a SIGKILL between the two leaves behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot import outbox
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.senders import EmlFolderSender
from storage import queries
from storage.engine import unit_of_work
from storage.models import OutboxItem, utcnow


def _letter(n: int) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = "info@alottbetter.dk"
    msg["To"] = f"kunde.{n}@example.dk"
    msg["Subject"] = "Kvittering"
    msg["Message-ID"] = f"<ack.lease{n}@alottbetter.dk>"
    msg.set_content("Vi har modtaget din henvendelse.\n")
    return f"<ack.lease{n}@alottbetter.dk>", msg.as_bytes()


def _queue(runtime: Runtime, count: int) -> None:
    with unit_of_work(runtime.sessions) as session:
        for n in range(count):
            message_id, payload = _letter(n)
            queries.add_outbox(
                session,
                kind="ack",
                message_id=message_id,
                payload=payload,
                recipient=f"kunde.{n}@example.dk",
                subject="Kvittering",
                case_id=None,
                now=runtime.clock(),
            )


@pytest.fixture
def pg_runtime(pg_url: str, tmp_path: Path) -> Iterator[Runtime]:
    runtime = build_runtime(
        Settings(database={"url": pg_url}, outbox={"folder": str(tmp_path / "outbox")})
    )
    yield runtime
    runtime.engine.dispose()


def _impatient(session: Session) -> None:
    """Fail instead of waiting if a row lock is hit: SKIP LOCKED must never wait."""
    session.execute(text("SET LOCAL lock_timeout = '5s'"))


def test_a_second_worker_skips_rows_the_first_holds_instead_of_waiting(
    pg_runtime: Runtime,
) -> None:
    with unit_of_work(pg_runtime.sessions) as session:
        for n in range(3):
            queries.store_inbound(session, channel="smtp", external_id=f"m{n}", raw=b"x")
    _queue(pg_runtime, 3)
    now = utcnow()
    lease = timedelta(minutes=5)

    first = pg_runtime.sessions()
    second = pg_runtime.sessions()
    try:
        held = queries.claim_messages(first, now=now, limit=1, stale_after=lease)
        held_out = queries.claim_outbox(first, now=now, limit=1)
        # The first worker's transaction is still open: its rows are locked.
        _impatient(second)
        rest = queries.claim_messages(second, now=now, limit=10, stale_after=lease)
        rest_out = queries.claim_outbox(second, now=now, limit=10)
        assert [m.external_id for m in held] == ["m0"]
        assert [m.external_id for m in rest] == ["m1", "m2"]
        assert len(held_out) == 1 and len(rest_out) == 2
        assert {i.id for i in held_out}.isdisjoint(i.id for i in rest_out)
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    with unit_of_work(pg_runtime.sessions) as session:
        attempts = session.execute(select(OutboxItem.attempts)).scalars().all()
    assert sorted(attempts) == [1, 1, 1]  # each item claimed once


def test_a_dead_workers_outbox_claim_is_taken_over_after_the_lease_only(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Both backends: the ``.eml`` sender rewrites the same file, so the item is sent
    again by whoever finds the stale claim, once, and recorded once."""
    folder = tmp_path / "letters"
    senders = {"mail": EmlFolderSender(folder)}
    _queue(runtime, 2)
    start = runtime.clock()
    with unit_of_work(runtime.sessions) as session:  # a worker claims, then is killed
        assert len(queries.claim_outbox(session, now=start)) == 2

    lease = runtime.settings.service.claim_lease_seconds

    def at(moment: datetime) -> Runtime:
        return dataclasses.replace(runtime, clock=lambda: moment)

    within = at(start + timedelta(seconds=lease / 2))
    assert outbox.deliver_due(within, senders) == 0
    assert not list(folder.glob("*.eml")), "a live claim was taken over"

    after = at(start + timedelta(seconds=lease + 1))
    outbox.deliver_due(after, senders)  # settles the stale claims: pending again
    outbox.deliver_due(after, senders)
    with unit_of_work(runtime.sessions) as session:
        rows = session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars().all()
        assert [(r.status, r.attempts) for r in rows] == [("sent", 2), ("sent", 2)]
    assert sorted(p.name for p in folder.glob("*.eml")) == [
        "ack.lease0@alottbetter.dk.eml",
        "ack.lease1@alottbetter.dk.eml",
    ]
    for _ in range(2):  # and nothing more, however often the outbox looks again
        assert outbox.deliver_due(after, senders) == 0
