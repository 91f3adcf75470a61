"""Plain values that every decision in ``handlers/`` takes and returns.

They are frozen so that a decision can never change what another step saw; the
adapters in ``bot/`` build them, the storage layer persists what they say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class RequestType(StrEnum):
    """The request types of DESIGN.md; ``not_privacy`` never stands with another."""

    CONSENT_WITHDRAWAL = "consent_withdrawal"
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    THIRD_PARTY_AUTHORISATION = "third_party_authorisation"
    COMPLAINT = "complaint"
    NOT_PRIVACY = "not_privacy"


#: The seven request types in the order a letter answers them.
REQUEST_TYPES: tuple[RequestType, ...] = (
    RequestType.THIRD_PARTY_AUTHORISATION,
    RequestType.ACCESS,
    RequestType.RECTIFICATION,
    RequestType.CONSENT_WITHDRAWAL,
    RequestType.RESTRICTION,
    RequestType.ERASURE,
    RequestType.COMPLAINT,
)


class Channel(StrEnum):
    SMTP = "smtp"
    IMAP = "imap"
    CHAT = "chat"
    FILE = "file"
    #: A mailbox export read by ``privacybot import`` (mbox or Maildir).
    IMPORT = "import"


@dataclass(frozen=True)
class Inbound:
    """One message as it arrived, normalised; the only input the decisions need.

    ``text`` is the new text the sender wrote (quoted history and signature removed);
    ``quoted`` keeps what was removed so that a reader can still see it.
    ``headers`` holds the headers that matter to decisions, with lower-case names
    (``auto-submitted``, ``precedence``, ``list-id``, ``in-reply-to``, ...).
    """

    channel: Channel
    external_id: str
    message_id: str | None
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    quoted: str
    language: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    return_path: str | None = None
    content_type: str = "text/plain"
    attachments: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()
    chat_thread: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A phrase in the text that made the classifier choose a label."""

    label: RequestType
    phrase: str
    rule: str


@dataclass(frozen=True)
class Classification:
    labels: tuple[RequestType, ...]
    language: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()

    @property
    def is_privacy(self) -> bool:
        return RequestType.NOT_PRIVACY not in self.labels


@dataclass(frozen=True)
class LoopVerdict:
    """Why a message must never get an automatic answer; ``rule`` names the check.

    ``relayed``: the sender is a no-reply address of a system that may carry a person's
    words (a ticket system's notification, a review site, a web form): never answered,
    but read, and a request in it waits in triage for staff."""

    rule: str
    reason: str
    relayed: bool = False


@dataclass(frozen=True)
class CaseCandidate:
    """An open case as the threading decision sees it."""

    ref: str
    case_id: int
    message_ids: tuple[str, ...] = ()
    sender: str | None = None
    chat_thread: str | None = None


@dataclass(frozen=True)
class ThreadMatch:
    case_id: int
    ref: str
    rule: str


@dataclass(frozen=True)
class OutgoingMail:
    """A rendered mail ready for the outbox; headers include threading headers."""

    to: str
    sender: str
    subject: str
    body: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)
    language: str = "da"


@dataclass(frozen=True)
class Company:
    """The controller's details as templates and decisions need them."""

    name: str
    email: str
    phone: str
    website: str
    address: str
    default_language: str = "da"


@dataclass(frozen=True)
class Policy:
    retention_years: int = 2
    extended_retention_years: int = 10
    access_requires_signed_letter: bool = True
    acks_per_sender_per_day: int = 3
    acks_per_hour_global: int = 100
    message_retention_days: int = 3 * 365


@dataclass(frozen=True)
class CaseView:
    """What a letter about a case needs to know of it."""

    ref: str
    labels: tuple[RequestType, ...]
    language: str
    received_at: datetime
    deadline: date
    requester_name: str
    requester_address: str
    subject: str
    status: str = "new"
