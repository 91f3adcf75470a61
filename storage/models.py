"""The tables privacybot keeps. Every row that holds personal data has ``retain_until``.

Times are stored as aware UTC datetimes. Labels and evidence are JSON text so that the
same schema works on SQLite and PostgreSQL. The schema is made and changed only by the
Alembic migrations in ``storage/migrations``; ``SQLModel.metadata`` is what they follow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive UTC, PostgreSQL aware in its session zone: make both UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class Message(SQLModel, table=True):
    """A message in (mail, chat) or out; inbound rows are stored before anything else.

    An outgoing row is a letter to a case's requester (acknowledgement, reply, notice),
    written by the outbox in the transaction that records it as sent: ``channel`` is its
    transport (``mail``, ``chat``), ``external_id`` ``"out "`` + its Message-ID, ``status``
    ``sent``, ``rule`` the outbox kind, ``received_at`` when it left. Only inbound rows are
    claimed, counted as mail received or listed by ``privacybot messages``.
    """

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("external_id", name="uq_message_external_id"),
        # migration 0007: what ``queries.claim_messages`` reads, and nothing else, so the
        # planner keeps using it after ANALYZE (``ix_message_status`` it gives up on).
        Index(
            "ix_message_claimable",
            "id",
            sqlite_where=sql_text("status IN ('received', 'processing')"),
            postgresql_where=sql_text("status IN ('received', 'processing')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(default="in", max_length=3)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=512)
    message_id: str | None = Field(default=None, max_length=512, index=True)
    sender: str = Field(default="", max_length=512)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str = Field(default="", max_length=8)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    status: str = Field(default="received", max_length=16, index=True)
    rule: str | None = Field(default=None, max_length=64)
    labels: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(True))
    processed_at: datetime | None = Field(default=None, sa_column=_ts(True))
    retain_until: date | None = Field(default=None, index=True)
    #: The trusted receiving server's verdict (handlers.authenticity.Verdict), or "none".
    authenticity: str = Field(default="none", max_length=8)
    #: Opens its case without an acknowledgement: old mail taken in by an import or at the
    #: first IMAP start, whose senders were answered long ago or never expect one now.
    quiet: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, default=False, server_default=false()),
    )


class Case(SQLModel, table=True):
    """One privacy request, from receipt to answer; ``ref`` is what everyone quotes."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_case_year_seq"),
        # migration 0011: the dashboard's filtered, keyset-paged list and its figures
        Index("ix_case_channel_id", "channel", "id"),
        Index("ix_case_language_id", "language", "id"),
        Index("ix_case_received_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=32, unique=True)
    year: int
    seq: int
    status: str = Field(default="new", max_length=32, index=True)
    labels: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    evidence: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    confidence: float = 0.0
    language: str = Field(default="da", max_length=8)
    channel: str = Field(max_length=16)
    requester: str = Field(default="", max_length=512)
    requester_name: str = Field(default="", max_length=512)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    chat_thread: str | None = Field(default=None, max_length=64, index=True)
    first_message_id: str | None = Field(default=None, max_length=512)
    received_at: datetime = Field(sa_column=_ts())
    deadline: date
    extended_deadline: date | None = None
    extension_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    closed_at: datetime | None = Field(default=None, sa_column=_ts(True))
    retain_until: date | None = Field(default=None, index=True)
    #: What staff must know about the sender (handlers.identity.FLAG_*), JSON list.
    flags: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    #: Where the data subject's consent is expected from, when the writer named it.
    subject_address: str | None = Field(default=None, max_length=512, index=True)
    #: When the data subject's consent arrived; until then nothing may be disclosed.
    authorised_at: datetime | None = Field(default=None, sa_column=_ts(True))


class Draft(SQLModel, table=True):
    """A versioned reply for a case; only the newest pending version can be decided."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_draft_case_version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    version: int = 1
    kind: str = Field(default="reply", max_length=32)
    status: str = Field(default="pending", max_length=16, index=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="privacybot", max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    decided_by: str | None = Field(default=None, max_length=128)
    decided_at: datetime | None = Field(default=None, sa_column=_ts(True))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    retain_until: date | None = None


class OutboxItem(SQLModel, table=True):
    """Something to deliver; written in the transaction that decided to send it."""

    __tablename__ = "outbox_item"
    __table_args__ = (
        # migration 0005: the per-sender and global ack limits, and stale claims
        Index("ix_outbox_item_kind_created_at", "kind", "created_at"),
        Index("ix_outbox_item_status_claimed_at", "status", "claimed_at"),
        # migration 0007: the per-sender ack count, in SQL
        Index("ix_outbox_item_recipient_key_created_at", "recipient_key", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    kind: str = Field(max_length=32)
    transport: str = Field(default="mail", max_length=16)
    recipient: str = Field(default="", max_length=512)
    #: An acknowledgement's recipient as the flood limit counts it
    #: (``handlers.flood.canonical_sender``); NULL for every other kind (migration 0007).
    recipient_key: str | None = Field(default=None, max_length=512)
    message_id: str = Field(max_length=512, unique=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(True))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    #: Start of the current retry window (``outbox.retry_hours``); NULL: ``created_at``.
    #: ``outbox resend`` sets it (migration 0012).
    retry_since: datetime | None = Field(default=None, sa_column=_ts(True))
    retain_until: date | None = None


class AuditEvent(SQLModel, table=True):
    """Append-only; ``hash`` covers the event and the previous event's hash."""

    __tablename__ = "audit_event"
    # migration 0011: acknowledgements held back per month (the dashboard's figures)
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, index=True)
    case_ref: str | None = Field(default=None, max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class Counter(SQLModel, table=True):
    """Serialises what must be gap-free: case references per year and the audit chain head.

    Updating the one row inside the writing transaction is the lock on both backends.
    """

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=64)
    value: int = 0
    text: str = Field(default="", max_length=128)


class MailboxCursor(SQLModel, table=True):
    """IMAP progress per mailbox: UIDVALIDITY and the last UID taken."""

    __tablename__ = "mailbox_cursor"

    mailbox: str = Field(primary_key=True, max_length=512)
    uidvalidity: int = 0
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    #: Mail the server received before this opens no acknowledgement (``imap.since``, or
    #: the first start's time); NULL for cursors made before migration 0006: none quiet.
    quiet_before: datetime | None = Field(default=None, sa_column=_ts(True))


class ChatPost(SQLModel, table=True):
    """A message the bot posted in a chat, and which case and draft version it is about.

    Telegram's ``reply_to_message`` only names a message, so this row is how a staff
    member's reply to a card (an edit) or to a question (a rejection or extension reason)
    finds its draft. ``purpose`` says which: ``card``, ``reject_prompt``, ``extend_prompt``.
    Ids are 64-bit: supergroup chat ids and newer user ids do not fit in 32 bits.
    """

    __tablename__ = "chat_post"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_chat_post_message"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    purpose: str = Field(default="card", max_length=16)
    # CASCADE: the retention purge deletes cases and drafts; their chat posts go with them.
    case_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    draft_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("draft.id", ondelete="CASCADE"), index=True),
    )
    draft_version: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    retain_until: date | None = Field(default=None, index=True)


class CustomerDirectory(SQLModel, table=True):
    """Known customers' contact details, imported from the company's own records.

    It lets the service tell a known sender from a stranger before anyone discloses or
    erases data; it is a copy that each import replaces, not a second customer register.
    """

    __tablename__ = "customer_directory"

    id: int | None = Field(default=None, primary_key=True)
    customer_ref: str = Field(default="", max_length=128)
    name: str = Field(default="", max_length=512)
    email: str = Field(default="", max_length=512, index=True)
    phone: str = Field(default="", max_length=64, index=True)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class CaseTombstone(SQLModel, table=True):
    """What remains of a purged case: enough to show it existed and how it ended.

    No names, addresses or text: the reference, the request types, the dates and the
    outcome are what an authority asks about, and none of them identifies a person.
    """

    __tablename__ = "case_tombstone"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=32, unique=True)
    labels: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    channel: str = Field(default="", max_length=16)
    received_at: datetime = Field(sa_column=_ts())
    deadline: date
    extended_deadline: date | None = None
    finished_at: datetime | None = Field(default=None, sa_column=_ts(True))
    outcome: str = Field(max_length=32)
    retain_until: date | None = None
    purged_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
