"""Mail the classifier was unsure of: what staff see of it, and what they decide.

The pipeline keeps such mail as ordinary mail (rule ``not_privacy:uncertain``) and opens
no case: a request the trained model overruled, or a near miss of the rules. A request
overruled by mistake would miss its one-month deadline (GDPR art. 12(3)), so staff see
each one and decide: **open a case** with the request types they choose, or **ordinary
mail**. The chat, the dashboard and the command line call these same functions.

Each decision is one transaction that locks the message row: the second of two staff
deciding at once is refused with "already decided" (``AlreadyDecided``). Opening a case
goes through ``pipeline.open_case``, the pipeline's own path: the acknowledgement to the
sender, the deadline from the message's receipt, the first draft and its staff card, and
the audit events, ``case_opened`` with the staff member as actor. Ordinary mail keeps
its retention date; only its rule changes (``not_privacy:staff``), so it leaves the list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import pipeline
from bot.runtime import Runtime
from handlers import case_rules, classify, preview
from handlers.values import REQUEST_TYPES, Classification, RequestType
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import as_utc

log = logging.getLogger("privacybot.uncertain")

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
#: How much of a subject and an evidence phrase staff see in a list (like a card's).
SUBJECT_CHARS = 60
PHRASE_CHARS = 60


class AlreadyDecided(queries.Refused):
    """Another staff member (or an earlier tap) decided this message already."""


@dataclass(frozen=True)
class UncertainItem:
    """One undecided message as staff see it: no address, no body."""

    message_id: int
    received_at: datetime
    channel: str
    #: Shortened, with special-category sentences hidden (``handlers.preview``).
    subject: str
    #: (request type, phrase) as the rules read the message: what the model overruled.
    evidence: tuple[tuple[str, str], ...]
    #: Every request type, the ones the rules saw first: the order staff are offered them.
    likely: tuple[str, ...]
    #: The one-month deadline a request in this message has, counted from receipt.
    deadline: date
    days_left: int


@dataclass(frozen=True)
class Decision:
    message_id: int
    #: ``case`` or ``ordinary``.
    outcome: str
    case_ref: str | None = None


def _today(runtime: Runtime) -> date:
    return as_utc(runtime.clock()).astimezone(COPENHAGEN).date()


def _rules_reading(runtime: Runtime, subject: str, text: str, language: str) -> Classification:
    """What the rules alone find in the stored subject and text (pure and quick).

    The message keeps no evidence of its own; the rules read the same stored text the
    pipeline classified, so this is what the model overruled (a near miss finds nothing).
    """
    return classify.classify_text(subject, text, language, phrases=runtime.phrases)


def describe(runtime: Runtime, row: queries.UncertainMessage, today: date) -> UncertainItem:
    reading = _rules_reading(runtime, row.subject, row.text, row.language)
    seen = tuple(str(label) for label in reading.labels if label in REQUEST_TYPES)
    evidence = tuple(
        (str(e.label), preview.shorten(preview.hide_special_categories(e.phrase), PHRASE_CHARS))
        for e in reading.evidence
        if e.label in REQUEST_TYPES
    )
    received_at = as_utc(row.received_at)
    due = case_rules.deadline(received_at)
    return UncertainItem(
        message_id=row.id,
        received_at=received_at,
        channel=row.channel,
        subject=preview.shorten(
            preview.hide_special_categories(row.subject or ""), SUBJECT_CHARS
        ),
        evidence=evidence,
        likely=seen + tuple(str(t) for t in REQUEST_TYPES if str(t) not in seen),
        deadline=due,
        days_left=(due - today).days,
    )


def list_uncertain(runtime: Runtime, *, limit: int = 200) -> list[UncertainItem]:
    """Undecided uncertain mail, oldest first (blocking; the chat and web use a thread)."""
    with unit_of_work(runtime.sessions) as session:
        rows = queries.uncertain_messages(session, limit=limit)
    today = _today(runtime)
    return [describe(runtime, row, today) for row in rows]


def _undecided(session: Session, message_id: int) -> queries.MessageRow:
    """The message, locked, if it still waits for staff; otherwise why not."""
    rows = queries.lock_message_rows(session, ids=[message_id])
    if not rows or rows[0].direction != "in":
        raise queries.NotFound(f"no received message {message_id}")
    row = rows[0]
    if row.case_id is not None:
        ref = queries.case_refs(session, case_ids=[row.case_id]).get(row.case_id, "?")
        raise AlreadyDecided(f"message {message_id} was already decided: case {ref}")
    if row.rule == queries.STAFF_ORDINARY_RULE:
        raise AlreadyDecided(f"message {message_id} was already decided: ordinary mail")
    if row.status != "processed" or row.rule != queries.UNCERTAIN_RULE:
        raise queries.Refused(
            f"message {message_id} is not mail the classifier was unsure of "
            f"({row.rule or row.status})"
        )
    return row


def request_types(labels: Iterable[str]) -> tuple[RequestType, ...]:
    """Staff's choice as request types, in the order a letter answers them."""
    chosen = {str(label).strip() for label in labels if str(label).strip()}
    known = {str(t) for t in REQUEST_TYPES}
    unknown = sorted(chosen - known)
    if unknown:
        raise queries.Refused(f"unknown request type {unknown[0]!r}; one of {', '.join(known)}")
    if not chosen:
        raise queries.Refused("choose at least one request type")
    return tuple(t for t in REQUEST_TYPES if str(t) in chosen)


def open_case(
    runtime: Runtime, *, message_id: int, labels: Iterable[str], actor: str
) -> Decision:
    """Staff say the message is a request: open its case as the pipeline would have."""
    types = request_types(labels)
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        row = _undecided(session, message_id)
        inbound = pipeline.inbound_from_row(row)
        language = row.language or inbound.language
        reading = _rules_reading(runtime, row.subject, row.text, language)
        # The rules' phrases for the types staff chose are why the case exists; the
        # choice itself is in the audit log.
        evidence = tuple(e for e in reading.evidence if e.label in types)
        # Staff are sure: no triage, the sender is acknowledged at once.
        classification = Classification(types, language, 1.0, evidence)
        case = pipeline.open_case(session, runtime, row, inbound, classification, actor=actor)
        queries.write_decided(session, row)
        append_event(
            session, actor=actor, action="uncertain_decided", case_id=case.id,
            case_ref=case.ref,
            detail={"message": message_id, "decision": "case",
                    "labels": [str(t) for t in types]},
            at=now,
        )
    log.info("uncertain message %s: case %s opened by staff", message_id, case.ref)
    return Decision(message_id, "case", case.ref)


def mark_ordinary(runtime: Runtime, *, message_id: int, actor: str) -> Decision:
    """Staff say the message is ordinary mail: it leaves the list, keeping its retention."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        row = _undecided(session, message_id)
        row.rule = queries.STAFF_ORDINARY_RULE
        queries.write_decided(session, row)
        append_event(
            session, actor=actor, action="uncertain_decided",
            detail={"message": message_id, "decision": "ordinary"}, at=now,
        )
    log.info("uncertain message %s: ordinary mail, decided by staff", message_id)
    return Decision(message_id, "ordinary")


def item_json(item: UncertainItem) -> str:
    """One item as the command line's ``--json`` prints it."""
    return json.dumps({
        "id": item.message_id, "received_at": item.received_at.isoformat(),
        "channel": item.channel, "subject": item.subject,
        "evidence": [{"label": label, "phrase": phrase} for label, phrase in item.evidence],
        "deadline": item.deadline.isoformat(), "days_left": item.days_left,
    }, ensure_ascii=False)
