"""Storage on both real backends: dedupe, gap-free references, the audit chain, claims."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bot.runtime import Runtime
from storage import queries
from storage.audit import append_event, verify_chain
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, Message, utcnow


def test_same_message_id_is_stored_once(runtime: Runtime) -> None:
    for _ in range(2):
        with unit_of_work(runtime.sessions) as session:
            row, created = queries.store_inbound(
                session, channel="smtp", external_id="abc@example.com", raw=b"x"
            )
    with unit_of_work(runtime.sessions) as session:
        rows = session.execute(select(Message)).scalars().all()
    assert len(rows) == 1
    assert created is False


def test_references_are_unique_and_gap_free_under_concurrency(runtime: Runtime) -> None:
    numbers: list[int] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        for _ in range(n):
            with unit_of_work(runtime.sessions) as session:
                value = queries.allocate_sequence(session, name="case_ref:2026")
            with lock:
                numbers.append(value)

    threads = [threading.Thread(target=take, args=(15,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(1, 61))


def test_rolled_back_reference_is_given_back(runtime: Runtime) -> None:
    try:
        with unit_of_work(runtime.sessions) as session:
            queries.allocate_sequence(session, name="case_ref:2027")
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with unit_of_work(runtime.sessions) as session:
        assert queries.allocate_sequence(session, name="case_ref:2027") == 1


def test_audit_chain_verifies_and_detects_tampering(runtime: Runtime) -> None:
    for i in range(5):
        with unit_of_work(runtime.sessions) as session:
            append_event(session, actor="test", action="step", detail={"i": i})
    with unit_of_work(runtime.sessions) as session:
        report = verify_chain(session)
    assert report.ok and report.events == 5

    with unit_of_work(runtime.sessions) as session:
        third = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()[2]
        session.execute(
            text("UPDATE audit_event SET detail = :d WHERE id = :id"),
            {"d": '{"i": 99}', "id": third.id},
        )
    with unit_of_work(runtime.sessions) as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == third.id


def test_audit_chain_detects_a_removed_last_event(runtime: Runtime) -> None:
    for i in range(3):
        with unit_of_work(runtime.sessions) as session:
            append_event(session, actor="test", action="step", detail={"i": i})
    with unit_of_work(runtime.sessions) as session:
        session.execute(
            text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
        )
    with unit_of_work(runtime.sessions) as session:
        assert not verify_chain(session).ok


def test_a_claimed_message_is_not_claimed_twice_until_stale(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(session, channel="smtp", external_id="m1", raw=b"x")
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        first = queries.claim_messages(session, now=now, stale_after=timedelta(minutes=5))
    with unit_of_work(runtime.sessions) as session:
        second = queries.claim_messages(session, now=now, stale_after=timedelta(minutes=5))
    with unit_of_work(runtime.sessions) as session:
        later = queries.claim_messages(
            session, now=now + timedelta(minutes=6), stale_after=timedelta(minutes=5)
        )
    assert [m.external_id for m in first] == ["m1"]
    assert second == []
    assert [m.attempts for m in later] == [2]


def test_a_letter_sent_is_stored_once_and_never_taken_for_mail_received(
    runtime: Runtime,
) -> None:
    """A sent letter's row is keyed so that no received mail can claim its key: our own
    acknowledgement coming back (a loop, a copy) is stored as received mail beside it."""
    ack = "<ack.PR-2026-0001.1@alottbetter.dk>"
    sent_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with unit_of_work(runtime.sessions) as session:
        case = Case(
            ref="PR-2026-0001",
            year=2026,
            seq=1,
            channel="smtp",
            received_at=sent_at,
            deadline=sent_at.date(),
        )
        session.add(case)
        session.flush()
        case_id = case.id or 0
    for _ in range(2):
        with unit_of_work(runtime.sessions) as session:
            written = queries.store_outbound(
                session,
                channel="mail",
                message_id=ack,
                raw=b"letter",
                sender="info@x.dk",
                subject="[PR-2026-0001]",
                text="Tak",
                language="da",
                rule="ack",
                case_id=case_id,
                sent_at=sent_at,
                retain_until=None,
            )
    assert written is False, "recording the same letter again keeps the first row"
    with unit_of_work(runtime.sessions) as session:
        _, created = queries.store_inbound(
            session,
            channel="smtp",
            external_id=ack.strip("<>"),
            raw=b"looped",
            message_id=ack.strip("<>"),
        )
        assert created
        rows = session.execute(select(Message).order_by(Message.id)).scalars().all()
        assert [(r.direction, r.status) for r in rows] == [("out", "sent"), ("in", "received")]
        assert queries.cases_by_message_ids(session, message_ids=[ack]) == {
            case_id: {ack.strip("<>")}
        }, "our own Message-ID finds its case through the letter's row"
        assert queries.stored_messages(session)[0][0] == rows[1].id
        assert len(queries.stored_messages(session)) == 1, "only mail received is listed"
        claimed = queries.claim_messages(session, now=utcnow(), stale_after=timedelta(0))
        assert [r.id for r in claimed] == [rows[1].id], "only mail received is decided"
