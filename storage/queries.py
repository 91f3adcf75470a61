"""Data functions: keyword-only, the session first, and never committing.

The caller's ``unit_of_work`` decides where a transaction ends, so that a case, its
acknowledgement, its draft and its audit events are written together or not at all.
Work is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite every write
transaction is ``BEGIN IMMEDIATE`` (see storage.engine), which serialises claims.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlmodel import SQLModel

from handlers.flood import canonical_sender
from storage.models import Case, Counter, Draft, Message, OutboxItem, utcnow


class NotFound(LookupError):
    """The row asked for does not exist."""


class Refused(ValueError):
    """The change asked for is not allowed in the row's present state."""


# --- inbound messages ---------------------------------------------------------------


def store_inbound(
    session: Session,
    *,
    channel: str,
    external_id: str,
    raw: bytes,
    message_id: str | None = None,
    sender: str = "",
    subject: str = "",
    received_at: datetime | None = None,
    retain_until: date | None = None,
    quiet: bool = False,
    text: str = "",
    language: str = "",
) -> tuple[Message, bool]:
    """Store a received message once; the second delivery returns the first row.

    Returns the row and whether it was new. A duplicate is recognised by its external
    id (the Message-ID for mail, chat and message id for chat). ``quiet`` mail opens its
    case without an acknowledgement (old mail from an import or a first IMAP start); a
    duplicate keeps the first row's value, so a live mail never turns quiet later.
    ``text`` and ``language`` (the normalised text) are written only into a new row.
    """
    existing = session.execute(
        select(Message).where(Message.external_id == external_id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    row = Message(
        direction="in",
        channel=channel,
        external_id=external_id,
        message_id=message_id,
        sender=sender,
        subject=subject,
        raw=raw,
        size=len(raw),
        received_at=received_at or utcnow(),
        retain_until=retain_until,
        quiet=quiet,
        text=text,
        language=language,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = session.execute(
            select(Message).where(Message.external_id == external_id)
        ).scalar_one()
        return existing, False
    return row, True


def insert_inbound(
    connection: Connection,
    *,
    channel: str,
    external_id: str,
    raw: bytes,
    message_id: str | None = None,
    sender: str = "",
    subject: str = "",
    received_at: datetime | None = None,
    retain_until: date | None = None,
    quiet: bool = False,
    text: str = "",
    language: str = "",
) -> tuple[int, bool]:
    """``store_inbound`` for callers that need only the row id: one ``INSERT ... ON
    CONFLICT DO NOTHING`` on the connection, no ORM unit of work (the SMTP listener's
    store, which every mail passes before its ``250``: issue 9).

    Returns (row id, new?); a second delivery of the same external id returns the first
    row's id and changes nothing in it.
    """
    table = Message.__table__
    values = {
        "direction": "in", "channel": channel, "external_id": external_id,
        "message_id": message_id, "sender": sender, "subject": subject, "raw": raw,
        "size": len(raw), "received_at": received_at or utcnow(),
        "retain_until": retain_until, "quiet": quiet, "text": text, "language": language,
    }
    inserted = connection.execute(_insert_message(connection), values).scalar_one_or_none()
    if inserted is not None:
        return int(inserted), True
    existing = connection.execute(
        select(table.c.id).where(table.c.external_id == external_id)
    ).scalar_one()
    return int(existing), False


def _insert_message(connection: Connection) -> Any:
    """``INSERT ... ON CONFLICT (external_id) DO NOTHING RETURNING id`` into the message
    table, built once per backend and run with its values as parameters (issue 9:
    building it per row, with its cache key, cost more than the insert)."""
    dialect = connection.dialect.name
    statement = _INSERT_MESSAGE.get(dialect)
    if statement is None:
        table = Message.__table__
        insert_for = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _INSERT_MESSAGE[dialect] = (
            insert_for(table)
            .on_conflict_do_nothing(index_elements=[table.c.external_id])
            .returning(table.c.id)
        )
    return statement


_INSERT_MESSAGE: dict[str, Any] = {}


def outbound_key(message_id: str) -> str:
    """The ``external_id`` of the row for a letter we sent with this Message-ID.

    Received mail is keyed by its own Message-ID (or ``sha256:...``), chat by
    ``tg:chat:message``: none of them holds a space, so no sender can choose a
    Message-ID that takes this key before our letter is recorded.
    """
    return "out " + message_id.strip()


def store_outbound(
    session: Session,
    *,
    channel: str,
    message_id: str,
    raw: bytes,
    sender: str,
    subject: str,
    text: str,
    language: str,
    rule: str,
    case_id: int,
    sent_at: datetime,
    retain_until: date | None,
) -> bool:
    """Record a letter to a requester as sent, in the transaction that marks it sent.

    Returns whether a row was written. Recording the same letter again keeps the first
    row, so the case's history holds each letter once, at the time it first left; one
    ``INSERT ... ON CONFLICT DO NOTHING``, because a conflict raised inside the outbox's
    batch would roll back every outcome of the batch and have them all sent again.
    """
    values = {
        "direction": "out", "channel": channel, "external_id": outbound_key(message_id),
        # without angle brackets, as received mail's (``cases_by_message_ids`` reads both)
        "message_id": message_id.strip().strip("<>").strip() or None,
        "sender": sender, "subject": subject, "text": text, "language": language,
        "raw": raw, "size": len(raw), "status": "sent", "rule": rule, "labels": "[]",
        "attempts": 0, "case_id": case_id, "received_at": sent_at, "processed_at": sent_at,
        "retain_until": retain_until, "authenticity": "none", "quiet": False,
    }
    # The connection's execute, not the session's: no autoflush of the batch's other
    # outcomes before each letter (the row depends on none of them).
    # The id returned tells whether a row was written (a bare rowcount is -1 on psycopg).
    connection = session.connection()
    inserted = connection.execute(_insert_message(connection), values).scalar_one_or_none()
    return inserted is not None


#: The condition of the partial index ``ix_message_claimable`` (migration 0007).
CLAIMABLE = "status IN ('received', 'processing')"

#: SQLite: the index named, so the plan cannot change. Without it, once the database has
#: statistics (``ANALYZE``, ``PRAGMA optimize``) SQLite may scan the whole message table
#: in id order for every poll instead (180 ms at 100,000 cases).
_CLAIM_SQLITE_FROM = (
    "FROM message INDEXED BY ix_message_claimable "
    f"WHERE message.{CLAIMABLE} AND message.direction = 'in' "
    "AND (message.status = 'received' "
    "OR (message.status = 'processing' AND message.claimed_at < :stale)) "
    "ORDER BY message.id LIMIT :limit"
)
_CLAIM_PARAMS = (
    bindparam("stale", type_=Message.__table__.c.claimed_at.type),
    bindparam("limit", type_=Integer()),
)
_CLAIM_SQLITE = text("SELECT message.* " + _CLAIM_SQLITE_FROM).bindparams(*_CLAIM_PARAMS)
_CLAIM_IDS_SQLITE = text(
    "SELECT message.id, message.attempts " + _CLAIM_SQLITE_FROM
).bindparams(*_CLAIM_PARAMS)


def _claimable(stale: datetime) -> tuple[Any, ...]:
    """The claim's conditions for PostgreSQL (SQLite names its index: ``_CLAIM_SQLITE``)."""
    return (
        text(f"message.{CLAIMABLE}"),  # the partial index's own condition
        Message.direction == "in",
        or_(
            Message.status == "received",
            (Message.status == "processing") & (Message.claimed_at < stale),
        ),
    )


def claim_messages(
    session: Session, *, now: datetime, limit: int = 20, stale_after: timedelta
) -> list[Message]:
    """Claim received messages (and stale claims of a dead worker) for processing."""
    stale = now - stale_after
    if session.get_bind().dialect.name == "sqlite":
        # BEGIN IMMEDIATE (storage.engine) already holds the only write lock.
        query = select(Message).from_statement(
            _CLAIM_SQLITE.bindparams(stale=stale, limit=limit)
        )
    else:
        query = (
            select(Message)
            .where(*_claimable(stale))
            .order_by(Message.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    rows = list(session.execute(query).scalars())
    for row in rows:
        row.status = "processing"
        row.claimed_at = now
        row.attempts += 1
    session.flush()
    return rows


_CLAIM_IDS_UPDATE = (
    update(Message.__table__)
    .where(Message.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status="processing",
        claimed_at=bindparam("now", type_=Message.__table__.c.claimed_at.type),
        attempts=Message.__table__.c.attempts + 1,
    )
)


def claim_message_ids(
    session: Session, *, now: datetime, limit: int = 20, stale_after: timedelta
) -> list[tuple[int, int]]:
    """``claim_messages`` for the pipeline: (id, attempts after this claim) of each, in
    id order, with one SELECT of two columns and one UPDATE, and no ORM objects (issue
    9: loading every claimed row whole, raw mail included, to set three fields).

    On the session's connection; the caller's session must hold no pending change to
    these rows.
    """
    stale = now - stale_after
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        query: Any = _CLAIM_IDS_SQLITE.bindparams(stale=stale, limit=limit)
    else:
        query = (
            select(Message.id, Message.attempts)
            .where(*_claimable(stale))
            .order_by(Message.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    rows = [(int(mid), int(attempts) + 1) for mid, attempts in connection.execute(query)]
    if rows:
        connection.execute(_CLAIM_IDS_UPDATE, {"ids": [mid for mid, _ in rows], "now": now})
    return rows


_UNCOUNT = (
    update(Message.__table__)
    .where(Message.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .where(Message.__table__.c.attempts > 0)
    .values(attempts=Message.__table__.c.attempts - 1)
)


def uncount_attempts(session: Session, *, ids: Sequence[int]) -> None:
    """Take back one attempt from each of these messages (never below 0)."""
    if ids:
        session.connection().execute(_UNCOUNT, {"ids": list(ids)})


def lock_messages(session: Session, *, ids: Sequence[int]) -> list[Message]:
    """The messages with these ids, locked (``FOR UPDATE`` on PostgreSQL) in one query."""
    if not ids:
        return []
    return list(
        session.execute(
            select(Message).where(Message.id.in_(ids)).order_by(Message.id).with_for_update()
        ).scalars()
    )


class MessageRow:
    """A ``message`` row as plain attributes, for the pipeline's decision (issue 9).

    Read with one Core SELECT and written back with one Core UPDATE
    (``write_decided``): as an ORM ``Message`` every field the decision sets went
    through SQLModel's ``__setattr__`` (pydantic and SQLAlchemy instrumentation) and
    was written by the unit of work's flush at the message's savepoint, which together
    cost more than the UPDATE. Same attribute names as ``Message``, so the code that
    reads a message (``authorisation.message_authenticity``, the audit details) takes
    either.
    """

    __slots__ = (*Message.__table__.columns.keys(), "_read")

    def __init__(self, values: Any) -> None:
        for key in Message.__table__.columns.keys():  # noqa: SIM118 - a ColumnCollection
            setattr(self, key, values[key])
        #: The decided fields as read, so that ``write_decided`` sends only what changed.
        self._read = tuple(values[key] for key in DECIDED_FIELDS)


#: What a decision may change in a message row (``pipeline._decide`` and ``_finish``).
DECIDED_FIELDS = (
    "sender", "subject", "text", "language", "message_id", "authenticity", "labels",
    "status", "rule", "processed_at", "error", "retain_until", "case_id",
)
_MESSAGE = Message.__table__
#: SET from the parameters' keys (DECIDED_FIELDS), built once.
_WRITE_DECIDED = update(_MESSAGE).where(_MESSAGE.c.id == bindparam("row_id"))


def lock_message_rows(session: Session, *, ids: Sequence[int]) -> list[MessageRow]:
    """``lock_messages`` as plain rows: the same one query, no ORM objects.

    On the session's connection (no autoflush; the caller's batch holds no ORM message).
    """
    if not ids:
        return []
    result = session.connection().execute(
        select(_MESSAGE).where(_MESSAGE.c.id.in_(ids)).order_by(_MESSAGE.c.id).with_for_update()
    )
    return [MessageRow(values) for values in result.mappings()]


def write_decided(session: Session, row: MessageRow) -> None:
    """Write what a decision set in ``row`` with one UPDATE, in the caller's transaction.

    Only the fields of ``DECIDED_FIELDS`` that differ from what was read are sent, as
    the ORM did (issue 9, item 21: the sender, subject, text, language and Message-ID
    the store wrote are mostly what the decision reads again, and every column in the
    SET rewrites its indexes in SQLite). The few shapes this gives are each compiled
    once (SQLAlchemy's statement cache is keyed by the parameters' names).
    """
    values = {
        key: value
        for key, read, value in zip(
            DECIDED_FIELDS, row._read, (getattr(row, key) for key in DECIDED_FIELDS),
            strict=True,
        )
        if value != read or type(value) is not type(read)
    }
    if values:
        values["row_id"] = row.id
        session.connection().execute(_WRITE_DECIDED, values)


# --- cases -------------------------------------------------------------------------


#: ``insert_new``'s statement per table, built once (building it was half its cost).
_INSERT_RETURNING_ID: dict[str, Any] = {}


def insert_new(session: Session, row: SQLModel) -> int:
    """Insert a new ``row`` at once with one Core statement and keep it in the session.

    The same as ``session.add(row); session.flush()`` for the caller (the row gets its
    id and stays in the session, persistent, so later changes to it are flushed as an
    UPDATE), but without flushing everything else the session holds and without the
    unit of work's bookkeeping, which cost several times the INSERT (issue 9: a case
    and its draft were two of the three flushes of every case opened). Only for tables
    with an integer ``id`` and no server-side defaults: every column is sent as the
    object holds it.
    """
    table = type(row).__table__  # type: ignore[attr-defined]
    if session.new:
        session.flush()  # a pending row this one may refer to (a foreign key)
    statement = _INSERT_RETURNING_ID.get(table.name)
    if statement is None:
        statement = _INSERT_RETURNING_ID[table.name] = insert(table).returning(table.c.id)
    values = {c.key: getattr(row, c.key) for c in table.columns if c.key != "id"}
    new_id = int(session.connection().execute(statement, values).scalar_one())
    row.id = new_id  # type: ignore[attr-defined]
    make_transient_to_detached(row)
    session.add(row)
    return new_id


def insert_values(session: Session, table: Any, values: dict[str, Any]) -> int:
    """Insert one row from plain ``values`` with ``INSERT ... RETURNING id``; its id.

    ``insert_new`` without an ORM object to build first (issue 9: SQLModel's ``__init__``
    on a case or draft cost as much as its INSERT). Nothing is put in the session, so the
    row must not be changed later through the ORM in the same transaction unless loaded
    again. ``values`` must hold every column the row needs: no Python-side defaults.
    """
    if session.new:
        session.flush()  # a pending row this one may refer to (a foreign key)
    statement = _INSERT_RETURNING_ID.get(table.name)
    if statement is None:
        statement = _INSERT_RETURNING_ID[table.name] = insert(table).returning(table.c.id)
    return int(session.connection().execute(statement, values).scalar_one())


_COUNTER = Counter.__table__.c
_COUNTER_VALUE = select(_COUNTER.value).where(_COUNTER.name == bindparam("name"))
_NEXT_IN_SERIES = (
    update(Counter.__table__)
    .where(_COUNTER.name == bindparam("series"))
    .values(value=_COUNTER.value + 1)
    .returning(_COUNTER.value)
)


def counter_value(session: Session, *, name: str) -> int | None:
    """A counter's value as this transaction sees it; None when there is no such row.

    The ``Counter`` object when the session holds it (changed, maybe not yet flushed),
    otherwise one Core SELECT on the session's connection: ``session.get`` of a row that
    does not exist, as the acknowledgement pause's mostly does not, asks the database
    every time, and autoflushes first (issue 9: asked for every acknowledgement).
    """
    held = session.identity_map.get(session.identity_key(Counter, name))
    if held is not None:
        return int(held.value)
    return session.connection().execute(_COUNTER_VALUE, {"name": name}).scalar_one_or_none()


def allocate_sequence(session: Session, *, name: str) -> int:
    """The next number of a gap-free series, taken inside the caller's transaction.

    The counter row is updated in place, so concurrent transactions queue on its lock and
    a rolled-back transaction gives its number back.
    """
    # A Core statement on the table: the ORM's bulk-update path around it cost more than
    # the update itself (issue 9 profile); no Counter object of this series is loaded.
    # On the session's connection: nothing pending in the session concerns this row, so
    # the autoflush of ``session.execute`` would only be a flush earlier than needed.
    value = session.connection().execute(
        _NEXT_IN_SERIES, {"series": name}
    ).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with session.begin_nested():
            session.add(Counter(name=name, value=1))
        return 1
    except IntegrityError:
        return allocate_sequence(session, name=name)


def cases_by_refs(session: Session, *, refs: Sequence[str]) -> list[Case]:
    if not refs:
        return []
    return list(session.execute(select(Case).where(Case.ref.in_(refs))).scalars())


def cases_by_message_ids(session: Session, *, message_ids: Sequence[str]) -> dict[int, set[str]]:
    """Cases that a set of Message-IDs belong to (received or sent), with the ids seen.

    Messages keep their Message-ID without angle brackets (received mail, and since
    letters sent are messages too, ours), outbox items with them, and clients quote
    either form: each id is looked up in both forms. The outbox is still read: letters
    sent before they were recorded as messages are only there.
    """
    found: dict[int, set[str]] = {}
    bare = {m.strip().strip("<>").strip() for m in message_ids if m}
    bare.discard("")
    if not bare:
        return found
    forms = sorted(bare | {f"<{m}>" for m in bare})
    inbound = session.execute(
        select(Message.case_id, Message.message_id)
        .where(Message.message_id.in_(forms))
        .where(Message.case_id.is_not(None))
    )
    outbound = session.execute(
        select(OutboxItem.case_id, OutboxItem.message_id)
        .where(OutboxItem.message_id.in_(forms))
        .where(OutboxItem.case_id.is_not(None))
    )
    for case_id, mid in [*inbound, *outbound]:
        found.setdefault(case_id, set()).add(mid)
    return found


def case_by_chat_thread(session: Session, *, chat_thread: str) -> Case | None:
    return session.execute(
        select(Case)
        .where(Case.chat_thread == chat_thread)
        .where(Case.status.not_in(("closed", "rejected")))
        .order_by(Case.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def get_case(session: Session, *, ref: str) -> Case:
    row = session.execute(select(Case).where(Case.ref == ref)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no case {ref}")
    return row


def list_cases(session: Session, *, status: str | None = None) -> list[Case]:
    query = select(Case).order_by(Case.id)
    if status:
        query = query.where(Case.status == status)
    return list(session.execute(query).scalars())


def case_messages(session: Session, *, case_id: int) -> list[Message]:
    """A case's messages both ways, in the order they were received or sent.

    By time rather than id: a mail fetched by IMAP after our acknowledgement left may
    have reached the mailbox before it, and an import stores old mail late.
    """
    return list(
        session.execute(
            select(Message)
            .where(Message.case_id == case_id)
            .order_by(Message.received_at, Message.id)
        ).scalars()
    )


def acks_sent_since(session: Session, *, recipient: str, since: datetime) -> int:
    """Acknowledgements written for one address since a time, for the per-sender cap."""
    return int(
        session.execute(
            select(func.count(OutboxItem.id))
            .where(OutboxItem.kind == "ack")
            .where(OutboxItem.recipient == recipient)
            .where(OutboxItem.created_at >= since)
        ).scalar_one()
    )


# --- drafts ------------------------------------------------------------------------


def get_draft(session: Session, *, draft_id: int, lock: bool = False) -> Draft:
    query = select(Draft).where(Draft.id == draft_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return row


def list_drafts(session: Session, *, status: str | None = "pending") -> list[Draft]:
    query = select(Draft).order_by(Draft.id)
    if status:
        query = query.where(Draft.status == status)
    return list(session.execute(query).scalars())


def latest_draft(session: Session, *, case_id: int) -> Draft | None:
    return session.execute(
        select(Draft).where(Draft.case_id == case_id).order_by(Draft.version.desc()).limit(1)
    ).scalar_one_or_none()


def cases_by_ids(session: Session, *, case_ids: Sequence[int]) -> list[Case]:
    """The cases with these ids, in one query (the outbox records a batch's letters)."""
    if not case_ids:
        return []
    return list(session.execute(select(Case).where(Case.id.in_(set(case_ids)))).scalars())


def case_refs(session: Session, *, case_ids: Sequence[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.ref).where(Case.id.in_(case_ids)))
    return {case_id: ref for case_id, ref in rows}


# --- outbox ------------------------------------------------------------------------


def add_outbox(
    session: Session,
    *,
    kind: str,
    message_id: str,
    payload: bytes,
    recipient: str,
    subject: str,
    case_id: int | None,
    transport: str = "mail",
    now: datetime | None = None,
    retain_until: date | None = None,
) -> None:
    """Queue one item, inserted at once with a Core statement (no caller needs it as an
    object; building and flushing an ``OutboxItem`` cost more than the INSERT)."""
    now = now or utcnow()
    if session.new:
        session.flush()  # e.g. the case the item belongs to (a foreign key)
    session.connection().execute(
        _INSERT_OUTBOX,
        {
            "case_id": case_id,
            "kind": kind,
            "transport": transport,
            "recipient": recipient,
            # what the per-sender acknowledgement limit counts (acks_to_sender_since)
            "recipient_key": canonical_sender(recipient) if kind == "ack" else None,
            "message_id": message_id,
            "subject": subject,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "retain_until": retain_until,
        },
    )


_INSERT_OUTBOX = insert(OutboxItem.__table__)


def claim_outbox(session: Session, *, now: datetime, limit: int = 20) -> list[OutboxItem]:
    """Claim due items for sending; a claimed item is ``sending`` until its outcome is known."""
    query = (
        select(OutboxItem)
        .where(OutboxItem.status == "pending")
        .where(OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.execute(query).scalars())
    for row in rows:
        row.status = "sending"
        row.claimed_at = now
        row.attempts += 1
    session.flush()
    return rows


def lock_outbox_items(session: Session, *, ids: Sequence[int]) -> list[OutboxItem]:
    """The outbox items with these ids, locked (``FOR UPDATE`` on PostgreSQL) in one query."""
    if not ids:
        return []
    return list(
        session.execute(
            select(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .order_by(OutboxItem.id)
            .with_for_update()
        ).scalars()
    )


def stale_sending(
    session: Session, *, now: datetime, stale_after: timedelta
) -> list[OutboxItem]:
    """Items a dead worker claimed: whether they left is unknown."""
    return list(
        session.execute(
            select(OutboxItem)
            .where(OutboxItem.status == "sending")
            .where(OutboxItem.claimed_at < now - stale_after)
            .with_for_update(skip_locked=True)
        ).scalars()
    )


def renew_outbox_claim(session: Session, *, item_id: int, attempts: int, now: datetime) -> bool:
    """Move a claim's lease forward; False when the claim is no longer the caller's.

    ``attempts`` identifies the claim: every claim adds one, so a worker that took over
    a stale item holds a different value than the worker that claimed it first.
    """
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .where(OutboxItem.status == "sending")
        .where(OutboxItem.attempts == attempts)
        .values(claimed_at=now)
    )
    return bool(result.rowcount)


def outbox_items(session: Session, *, case_id: int | None = None) -> list[OutboxItem]:
    query = select(OutboxItem).order_by(OutboxItem.id)
    if case_id is not None:
        query = query.where(OutboxItem.case_id == case_id)
    return list(session.execute(query).scalars())


def labels_of(row: Case | Message) -> list[str]:
    return list(json.loads(row.labels or "[]"))



# --- IMAP mailbox cursors -----------------------------------------------------------
# MailboxCursor is imported inside these functions only because this block was added
# without touching the module's import line; move it up there when convenient.


def mailbox_cursor(session: Session, *, mailbox: str) -> MailboxCursor | None:  # noqa: F821
    """The stored IMAP progress for ``mailbox`` (the watcher's key); None before the first."""
    from storage.models import MailboxCursor

    return session.get(MailboxCursor, mailbox)


def advance_mailbox_cursor(
    session: Session,
    *,
    mailbox: str,
    uidvalidity: int,
    last_uid: int,
    now: datetime,
    quiet_before: datetime | None = None,
) -> MailboxCursor:  # noqa: F821
    """Record that every UID up to ``last_uid`` under ``uidvalidity`` has been stored.

    Within one UIDVALIDITY the cursor only moves forward, so a late or repeated call
    cannot make the watcher skip mail. A different UIDVALIDITY means the server
    renumbered the mailbox: the new value and ``last_uid`` replace the old ones, which
    is how the watcher resets to 0 and re-scans (Message-ID dedupe makes that harmless).
    """
    from storage.models import MailboxCursor

    row = session.get(MailboxCursor, mailbox)
    if row is None:
        # ``quiet_before`` is set only when the cursor is made: the first start's cut-off.
        row = MailboxCursor(
            mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last_uid,
            quiet_before=quiet_before,
        )
        session.add(row)
    elif row.uidvalidity != uidvalidity:
        row.uidvalidity = uidvalidity
        row.last_uid = last_uid
    else:
        row.last_uid = max(row.last_uid, last_uid)
    row.updated_at = now
    session.flush()
    return row


# --- acknowledgement flood limits ---------------------------------------------------


def ack_log_since(session: Session, *, since: datetime) -> list[tuple[str, datetime]]:
    """Recipient and queue time of every acknowledgement since ``since``.

    Bounded by the global hourly cap times the window, so counting the canonical sender
    in Python (``handlers.flood``) is cheap and needs no extra column.
    """
    rows = session.execute(
        select(OutboxItem.recipient, OutboxItem.created_at)
        .where(OutboxItem.kind == "ack")
        .where(OutboxItem.created_at >= since)
    )
    return [(recipient, created_at) for recipient, created_at in rows]


#: The flood limits' counts, as plain Core statements built once: these run for every
#: case opened, and the ORM's select machinery around a COUNT cost more than the COUNT
#: itself (issue 9 profile). They run on the session's connection, without an autoflush:
#: ``add_outbox`` inserts at once, so an acknowledgement queued earlier in the
#: transaction is in the table and counted.
_OUTBOX = OutboxItem.__table__.c
_ACKS_TO_SENDER = (
    select(func.count(_OUTBOX.id))
    .where(_OUTBOX.recipient_key == bindparam("key"))
    .where(_OUTBOX.created_at >= bindparam("since", type_=_OUTBOX.created_at.type))
    .where(_OUTBOX.kind == "ack")
)
_ACKS = (
    select(func.count(_OUTBOX.id))
    .where(_OUTBOX.kind == "ack")
    .where(_OUTBOX.created_at >= bindparam("since", type_=_OUTBOX.created_at.type))
)


def acks_to_sender_since(session: Session, *, key: str, since: datetime) -> int:
    """Acknowledgements queued since ``since`` to one canonical sender (``recipient_key``)."""
    return int(
        session.connection().execute(_ACKS_TO_SENDER, {"key": key, "since": since}).scalar_one()
    )


def acks_since(session: Session, *, since: datetime) -> int:
    """Acknowledgements queued since ``since``, to anyone (the global hourly cap)."""
    return int(session.connection().execute(_ACKS, {"since": since}).scalar_one())


class AckCounts(NamedTuple):
    """What the flood limits read for one acknowledgement (``ack_counts``)."""

    to_sender: int
    last_hour: int
    #: The counter ``pause`` as this transaction sees it; None when there is no such row.
    pause: int | None


_SINCE = _OUTBOX.created_at.type
#: ``acks_to_sender_since``, ``acks_since`` and ``counter_value`` as one statement of
#: three scalar subqueries, each planned on its own index as before (issue 9, item 21:
#: three statements for every acknowledgement, each with its own round through the
#: driver and SQLAlchemy's execution context).
_ACK_COUNTS = select(
    select(func.count(_OUTBOX.id))
    .where(_OUTBOX.recipient_key == bindparam("key"))
    .where(_OUTBOX.created_at >= bindparam("day_since", type_=_SINCE))
    .where(_OUTBOX.kind == "ack")
    .scalar_subquery(),
    select(func.count(_OUTBOX.id))
    .where(_OUTBOX.kind == "ack")
    .where(_OUTBOX.created_at >= bindparam("hour_since", type_=_SINCE))
    .scalar_subquery(),
    select(_COUNTER.value).where(_COUNTER.name == bindparam("pause")).scalar_subquery(),
)


def ack_counts(
    session: Session, *, key: str, day_since: datetime, hour_since: datetime, pause: str
) -> AckCounts:
    """``acks_to_sender_since(key, day_since)``, ``acks_since(hour_since)`` and
    ``counter_value(pause)`` in one statement on the session's connection (no autoflush,
    as each of them)."""
    to_sender, last_hour, value = session.connection().execute(
        _ACK_COUNTS,
        {"key": key, "day_since": day_since, "hour_since": hour_since, "pause": pause},
    ).one()
    held = session.identity_map.get(session.identity_key(Counter, pause))
    if held is not None:  # changed in this session, maybe not yet flushed
        value = held.value
    return AckCounts(int(to_sender), int(last_hour), None if value is None else int(value))


# --- chat posts and staff chat views ------------------------------------------------
# Models are imported inside these functions so that this block leaves the module's
# import line alone while others add to the file too.


def record_chat_post(
    session: Session,
    *,
    chat_id: int,
    message_id: int,
    purpose: str,
    case_id: int,
    draft_id: int | None,
    draft_version: int | None,
    now: datetime,
    retain_until: date | None = None,
) -> None:
    """Remember what a posted chat message is about; posting it twice keeps one row."""
    from storage.models import ChatPost

    existing = chat_post(session, chat_id=chat_id, message_id=message_id)
    if existing is not None:
        return
    session.add(
        ChatPost(
            chat_id=chat_id, message_id=message_id, purpose=purpose, case_id=case_id,
            draft_id=draft_id, draft_version=draft_version, created_at=now,
            retain_until=retain_until,
        )
    )
    session.flush()


def chat_post(session: Session, *, chat_id: int, message_id: int):  # type: ignore[no-untyped-def]
    """The ``ChatPost`` for one chat message, or None when the bot did not post it."""
    from storage.models import ChatPost

    return session.execute(
        select(ChatPost).where(ChatPost.chat_id == chat_id).where(ChatPost.message_id == message_id)
    ).scalar_one_or_none()


def chat_cards(session: Session, *, draft_id: int) -> list:  # type: ignore[type-arg]
    """Every card posted for a draft (a resend after an outage may have made two)."""
    from storage.models import ChatPost

    return list(
        session.execute(
            select(ChatPost).where(ChatPost.draft_id == draft_id).where(ChatPost.purpose == "card")
        ).scalars()
    )


#: Statuses in which a case still waits for staff or for the requester.
OPEN_STATUSES = (
    "new", "acknowledged", "awaiting_authorisation", "awaiting_customer", "draft_pending",
    "approved", "triage",
)


def open_cases(session: Session) -> list[Case]:
    """Open cases, soonest effective deadline (the extended one where set) first."""
    effective = func.coalesce(Case.extended_deadline, Case.deadline)
    return list(
        session.execute(
            select(Case).where(Case.status.in_(OPEN_STATUSES)).order_by(effective, Case.id)
        ).scalars()
    )


def case_status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.status, func.count(Case.id)).group_by(Case.status))
    return {status: int(count) for status, count in rows}


def outbox_exists(session: Session, *, message_id: str) -> bool:
    """Whether an outbox row with this Message-ID was ever written (reminders use it once)."""
    return (
        session.execute(
            select(OutboxItem.id).where(OutboxItem.message_id == message_id)
        ).first()
        is not None
    )


# --- case rules: consent, directory, export -------------------------------------------
# The models are imported inside these functions so that this block needs no change to
# the module's import line, which other features edit too.


def cases_awaiting_consent_from(session: Session, *, address: str) -> list[Case]:
    """Cases waiting for the consent of the data subject whose address is ``address``."""
    if not address:
        return []
    return list(
        session.execute(
            select(Case)
            .where(func.lower(Case.subject_address) == address.lower())
            .where(Case.status == "awaiting_authorisation")
            .where(Case.authorised_at.is_(None))
            .order_by(Case.id)
        ).scalars()
    )


#: ``session.info`` key: (the SQLite transaction, ``directory_in_use``'s answer in it).
_DIRECTORY_SEEN = "privacybot.directory_in_use"
_DIRECTORY_PROBE: dict[str, Any] = {}


def directory_in_use(session: Session) -> bool:
    """Whether a customer directory has been imported; without one nobody is 'unknown'.

    Asked for every case opened. On SQLite the answer is kept for the rest of the
    transaction (a batch of decisions): every write transaction holds the database's
    only write lock from its start (``BEGIN IMMEDIATE``), so no other process can
    import a directory before it ends, and a decision never changes the directory
    (issue 9, item 21). On PostgreSQL another worker's import may commit at any moment,
    so it is asked every time.
    """
    statement = _DIRECTORY_PROBE.get("in_use")
    if statement is None:  # built once (the models are imported here, see above)
        from storage.models import CustomerDirectory

        table = CustomerDirectory.__table__
        statement = _DIRECTORY_PROBE["in_use"] = select(table.c.id).limit(1)
    connection = session.connection()  # Core, no autoflush
    if connection.dialect.name != "sqlite":
        return connection.execute(statement).first() is not None
    transaction = session.get_transaction()
    seen = session.info.get(_DIRECTORY_SEEN)
    if seen is not None and seen[0] is transaction:
        return bool(seen[1])
    in_use = connection.execute(statement).first() is not None
    session.info[_DIRECTORY_SEEN] = (transaction, in_use)
    return in_use


def directory_knows(session: Session, *, email: str = "", phone: str = "") -> bool:
    """Whether the directory holds this e-mail address or phone number."""
    from storage.models import CustomerDirectory

    conditions = []
    if email.strip():
        conditions.append(func.lower(CustomerDirectory.email) == email.strip().lower())
    if phone.strip():
        conditions.append(CustomerDirectory.phone == phone.strip())
    if not conditions:
        return False
    return (
        session.execute(select(CustomerDirectory.id).where(or_(*conditions)).limit(1)).first()
        is not None
    )


def replace_directory(
    session: Session, *, rows: Sequence[dict[str, str]], now: datetime
) -> int:
    """Replace the whole directory with ``rows`` (customer_ref, name, email, phone)."""
    from sqlalchemy import delete

    from storage.models import CustomerDirectory

    session.execute(delete(CustomerDirectory))
    for row in rows:
        session.add(
            CustomerDirectory(
                customer_ref=row.get("customer_ref", ""),
                name=row.get("name", ""),
                email=row.get("email", "").strip().lower(),
                phone=row.get("phone", "").strip(),
                imported_at=now,
            )
        )
    session.flush()
    return len(rows)


def case_drafts(session: Session, *, case_id: int) -> list[Draft]:
    return list(
        session.execute(
            select(Draft).where(Draft.case_id == case_id).order_by(Draft.version)
        ).scalars()
    )


def case_events(session: Session, *, case_id: int) -> list:  # list[AuditEvent]
    """The audit events of one case, in chain order.

    A purged case's events stay in the chain with its old id, and SQLite gives the next
    case the id of a deleted last row: an event counts only when it names this case's
    reference (never reissued), or names none and came after the case was opened.
    """
    from sqlalchemy import and_

    from storage.models import AuditEvent

    case = session.get(Case, case_id)
    if case is None:
        return []
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id)
            .where(
                or_(
                    AuditEvent.case_ref == case.ref,
                    and_(AuditEvent.case_ref.is_(None), AuditEvent.at >= case.created_at),
                )
            )
            .order_by(AuditEvent.id)
        ).scalars()
    )


def pending_drafts_of(session: Session, *, case_id: int, kind: str | None = None) -> list[Draft]:
    query = select(Draft).where(Draft.case_id == case_id).where(Draft.status == "pending")
    if kind is not None:
        query = query.where(Draft.kind == kind)
    return list(session.execute(query.order_by(Draft.version)).scalars())


def release_message_claims(session: Session) -> int:
    """Give back every claimed message: only for a single process at its start.

    A SQLite service is the only worker there is, so a ``processing`` row at start-up was
    left by its own crash and can be decided again now rather than after the stale-claim
    wait; ``attempts`` is kept so a message that kills the process ends in triage.
    """
    result = session.execute(
        update(Message)
        .where(Message.direction == "in")
        .where(Message.status == "processing")
        .values(status="received", claimed_at=None)
    )
    return int(result.rowcount or 0)


def hasten_outbox(session: Session, *, transport: str, now: datetime) -> int:
    """Make waiting items of one transport due now: its server is back, so the backoff
    that was meant for its outage would only delay them."""
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.transport == transport)
        .where(OutboxItem.status == "pending")
        .where(OutboxItem.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    return int(result.rowcount or 0)


def stored_messages(
    session: Session, *, status: str | None = None, without_case: bool = False, limit: int = 100
) -> list[tuple]:
    """Received messages, newest first, as (id, received_at, channel, status, rule,
    case_ref, sender, subject) rows: what an operator needs to find mail that opened no
    case (ignored by the loop guard, not a request, in triage), without the raw bytes."""
    query = (
        select(
            Message.id, Message.received_at, Message.channel, Message.status, Message.rule,
            Case.ref, Message.sender, Message.subject,
        )
        .outerjoin(Case, Case.id == Message.case_id)
        .where(Message.direction == "in")
    )
    if status is not None:
        query = query.where(Message.status == status)
    if without_case:
        query = query.where(Message.case_id.is_(None))
    query = query.order_by(Message.received_at.desc(), Message.id.desc()).limit(limit)
    return [tuple(row) for row in session.execute(query)]



# --- mail the classifier was unsure of (bot.uncertain) -------------------------------

#: The rule of ordinary mail the classifier was unsure of (``pipeline._decide_row``): a
#: request the trained model overruled, or a near miss. Staff decide each one.
UNCERTAIN_RULE = "not_privacy:uncertain"
#: The rule once staff have decided that such mail is ordinary mail after all.
STAFF_ORDINARY_RULE = "not_privacy:staff"


class UncertainMessage(NamedTuple):
    """One row of ``uncertain_messages``. ``text`` is only for reading the classifier's
    evidence again (``bot.uncertain``); it is never shown."""

    id: int
    received_at: datetime
    channel: str
    subject: str
    language: str
    text: str
    labels: str


def uncertain_messages(session: Session, *, limit: int = 200) -> list[UncertainMessage]:
    """Received mail kept as ``not_privacy:uncertain`` that belongs to no case and that
    staff have not decided yet, oldest first: the oldest is nearest its deadline."""
    query = (
        select(
            Message.id, Message.received_at, Message.channel, Message.subject,
            Message.language, Message.text, Message.labels,
        )
        .where(Message.direction == "in")
        .where(Message.status == "processed")
        .where(Message.rule == UNCERTAIN_RULE)
        .where(Message.case_id.is_(None))
        .order_by(Message.received_at, Message.id)
        .limit(limit)
    )
    return [UncertainMessage(*row) for row in session.execute(query)]


def staff_notices_since(session: Session, *, prefix: str, since: datetime) -> int:
    """How many staff notices whose Message-ID starts with ``prefix`` were queued since."""
    return int(
        session.execute(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.kind == "staff_notice")
            .where(OutboxItem.message_id.startswith(prefix, autoescape=True))
            .where(OutboxItem.created_at >= since)
        ).scalar_one()
    )
