"""The append-only, hash-chained audit log.

Each event's hash covers its own fields and the previous event's hash, so a changed,
removed or re-ordered event breaks every hash after it. The chain head lives in the
``counter`` row ``audit_head``; updating that row in the writing transaction is what
keeps two writers from both chaining onto the same predecessor.

The head row is locked (``SELECT ... FOR UPDATE``) at a transaction's first event and
kept, locked, for the rest of that transaction: later events chain onto the head held in
the session instead of reading it again (issue 9: a case opened four events, each a
SELECT, an INSERT, an UPDATE and a flush).

The event rows and the head's new value are Core statements on the session's connection,
sent at once (ids ascend in chain order, which ``verify_chain`` reads by): an ``INSERT``
of the event and an ``UPDATE`` of the head, whose new value is also set in the held
object as its committed state, so the object stays clean and no flush is needed for it
(issue 9: the unit of work's flush of that one changed row, at every savepoint a
decision ends, cost several times the UPDATE). A savepoint or transaction rolled back
takes its events and its head updates with it; every rollback, a savepoint's included,
drops the head held in the session (``_forget_head``), so the next event locks and reads
it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import AuditEvent, Counter, as_utc, utcnow

GENESIS = "0" * 64
HEAD = "audit_head"
_INSERT_EVENT = insert(AuditEvent.__table__)
_WRITE_HEAD = (
    update(Counter.__table__)
    .where(Counter.__table__.c.name == HEAD)
    .values(value=bindparam("head_value"), text=bindparam("head_text"))
)


def event_hash(
    *, prev_hash: str, case_ref: str | None, at: datetime, actor: str, action: str, detail: str
) -> str:
    body = json.dumps(
        [
            prev_hash,
            case_ref or "",
            as_utc(at).isoformat(timespec="microseconds"),
            actor,
            action,
            detail,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    case_id: int | None = None,
    case_ref: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> str:
    """Add one event to the chain inside the caller's transaction (never commits).

    The event row and the new head are written at once. Returns the event's hash.
    """
    at = at or utcnow()
    head = _transaction_head(session)
    prev = head.text or GENESIS
    detail_text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str)
    at = as_utc(at)
    digest = event_hash(
        prev_hash=prev, case_ref=case_ref, at=at, actor=actor, action=action, detail=detail_text
    )
    row = {
        "case_id": case_id,
        "case_ref": case_ref,
        "at": at,
        "actor": actor,
        "action": action,
        "detail": detail_text,
        "prev_hash": prev,
        "hash": digest,
    }
    # The row is locked by this transaction (``_transaction_head``), so the increment
    # made here is the one the database gets. Set in the held object as what the
    # database holds (no pending change for a flush to write again).
    value = (head.value or 0) + 1
    set_committed_value(head, "value", value)
    set_committed_value(head, "text", digest)
    waiting = session.info.get(_WAITING)
    if waiting is not None:  # inside ``events_together``: written at its end
        waiting.append(row)
        return digest
    # session.connection(), not session.execute(): no autoflush of whatever else the
    # transaction has pending; the event depends on no other row (case_id is no foreign
    # key), and the head object stays in the session to be flushed as before.
    session.connection().execute(_INSERT_EVENT, row)
    session.connection().execute(_WRITE_HEAD, {"head_value": value, "head_text": digest})
    return digest


#: ``session.info`` key: the event rows ``events_together`` holds until its block ends.
_WAITING = "privacybot.audit_waiting"


class EventsLost(RuntimeError):
    """A rollback inside ``events_together`` (a savepoint in the block) dropped the chain
    head the held events were chained onto; they cannot be written."""


@contextmanager
def events_together(session: Session) -> Iterator[None]:
    """Write the events appended inside the block with one INSERT of all of them and one
    UPDATE of the head, at the block's end (issue 9, item 21: a case opened wrote three
    to five events, each an INSERT and an UPDATE of the head).

    The events are hashed and chained at ``append_event`` as always, in the order
    appended; only the writing waits. Nothing inside the block may read the audit
    table or the head from the database (the pipeline's decision does not). When the
    block raises, its events are dropped and the head held in the session is forgotten
    (read again at the next event), as a rolled-back savepoint does; the caller rolls
    back what else the block wrote. A rollback inside the block (a savepoint of its
    own) forgets the head the held events chain onto: the block then raises
    ``EventsLost`` instead of writing a broken chain. Not nested.
    """
    if _WAITING in session.info:
        raise RuntimeError("events_together does not nest")
    waiting: list[dict[str, Any]] = []
    session.info[_WAITING] = waiting
    try:
        yield
    except BaseException:
        _drop_head(session)
        raise
    finally:
        session.info.pop(_WAITING, None)
    if not waiting:
        return
    held = session.info.get(_HELD)
    chained = all(
        a["hash"] == b["prev_hash"] for a, b in zip(waiting, waiting[1:], strict=False)
    )
    if held is None or held[1].text != waiting[-1]["hash"] or not chained:
        _drop_head(session)
        raise EventsLost("a rollback inside events_together dropped the audit head")
    connection = session.connection()
    connection.execute(_INSERT_EVENT, waiting)  # executemany: ids ascend in list order
    connection.execute(_WRITE_HEAD, {"head_value": held[1].value, "head_text": held[1].text})


#: ``session.info`` key: (the transaction that locked the head, the locked head row).
_HELD = "privacybot.audit_head"


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_head(session: Session, _previous: object) -> None:
    """After any rollback, a savepoint's included, the head held may be one the database
    no longer has (its events were rolled back): drop it, and expire the object so that
    nobody reads the rolled-back value from it; the next event locks and reads it again.
    """
    _drop_head(session)


def _drop_head(session: Session) -> None:
    held = session.info.pop(_HELD, None)
    if held is not None and inspect(held[1]).session_id == session.hash_key:
        session.expire(held[1])


def _transaction_head(session: Session) -> Counter:
    """The chain head, locked once per transaction and then kept in the session.

    Locked again when the transaction is a new one, or when the head held was expunged
    or expired (its value would otherwise be read without the lock, or lost).
    """
    held = session.info.get(_HELD)
    transaction = session.get_transaction()
    if held is not None and transaction is not None and held[0] is transaction:
        head = held[1]
        state = inspect(head)
        if state.session_id == session.hash_key and not state.expired_attributes:
            return head
    head = _lock_head(session)
    session.info[_HELD] = (session.get_transaction(), head)
    return head


def _lock_head(session: Session) -> Counter:
    """The chain head, locked until the caller's commit; made at the very first event.

    Two workers may write the first event of a fresh database at once: the loser's
    insert fails on the primary key inside a savepoint, and it then queues on the
    winner's row like every later writer does, instead of failing its transaction.
    """
    # populate_existing: a head row already in the session (an earlier transaction of
    # the same session) is read again under the lock, never taken from memory.
    query = (
        select(Counter)
        .where(Counter.name == HEAD)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.execute(query).scalar_one_or_none()
    if head is not None:
        return head
    try:
        with session.begin_nested():
            head = Counter(name=HEAD, value=0, text=GENESIS)
            session.add(head)
        return head
    except IntegrityError:
        return session.execute(query).scalar_one()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event that does not fit."""
    prev = GENESIS
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    for event in rows:
        count += 1
        if event.prev_hash != prev:
            return ChainReport(False, count, event.id, "previous hash does not match")
        at = as_utc(event.at)
        expected = event_hash(
            prev_hash=prev,
            case_ref=event.case_ref,
            at=at,
            actor=event.actor,
            action=event.action,
            detail=event.detail,
        )
        if expected != event.hash:
            return ChainReport(False, count, event.id, "event content does not match its hash")
        prev = event.hash
    head = session.get(Counter, HEAD)
    if head is not None and head.text != prev:
        return ChainReport(False, count, None, "events after the last one were removed")
    return ChainReport(True, count)
