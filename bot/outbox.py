"""The outbox worker: claim due items, hand each to its sender, record the result.

An item is marked ``sent`` only after its sender returned; a temporary failure is
retried with exponential backoff and jitter, a permanent one stops and is reported.
"""

from __future__ import annotations

import email
import json
import logging
import quopri
import random
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.policy import compat32

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.senders import OutcomeUnknown, PermanentFailure, Sender, TemporaryFailure
from storage import queries
from storage.audit import append_event, events_together
from storage.engine import is_postgres, unit_of_work
from storage.models import Case, OutboxItem, as_utc

log = logging.getLogger("privacybot.outbox")

STALE_CLAIM = timedelta(minutes=10)

#: Outbox kinds that go to staff (the staff chat, the staff mailbox), not to the
#: requester: the service's working notes, not letters of the case's correspondence.
STAFF_KINDS = frozenset({"staff_card", "card_update", "reminder", "staff_notice"})
#: Transports that reach the requester (``staff`` is the staff mailbox folder).
LETTER_TRANSPORTS = frozenset({"mail", "chat"})


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """30 s doubling per attempt, capped at one hour, with up to 20 % jitter."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    jitter = (rng or random).uniform(0, base * 0.2)
    return timedelta(seconds=base + jitter)


def deliver_due(
    runtime: Runtime,
    senders: Mapping[str, Sender],
    *,
    limit: int = 20,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Deliver what is due now; returns how many items were sent.

    ``should_stop`` is asked before each item: on shutdown the items not yet tried go
    back to ``pending`` at once, instead of waiting out a stale claim after the restart.
    """
    now = runtime.clock()
    lease = timedelta(seconds=runtime.settings.service.claim_lease_seconds)
    shared = is_postgres(runtime.engine)
    with unit_of_work(runtime.sessions) as session:
        _settle_stale(session, senders, now, stale_after=lease)
        claimed = queries.claim_outbox(session, now=now, limit=limit)
        session.expunge_all()
    sent = 0
    # Outcomes of idempotent senders (the .eml folder) are recorded together, in one
    # transaction after the batch (issue 9: one commit per file was a third of the
    # outbox's cost); should the process die before that commit, the items are written
    # again after the restart, which replaces the same files. A sender that is not
    # idempotent (the relay) has each outcome recorded at once, as before, so a crash
    # leaves at most the item in hand in doubt.
    waiting: list[tuple[OutboxItem, Exception | None]] = []
    for index, item in enumerate(claimed):
        if should_stop is not None and should_stop():
            _release(runtime, [i.id for i in claimed[index:] if i.id is not None])
            break
        if shared and index and not _renew(runtime, item):
            # Another worker took the claim over (this batch outlived the lease): it
            # sends the item; sending it here too would deliver it twice.
            continue
        sender = senders.get(item.transport)
        error: Exception | None = None
        if sender is None:
            error = PermanentFailure(f"no sender for transport {item.transport}")
        else:
            try:
                sender.send(item)
            except (TemporaryFailure, PermanentFailure, OutcomeUnknown) as exc:
                error = exc
        sent += error is None
        waiting.append((item, error))
        if not getattr(sender, "idempotent", False) or shared:
            _record(runtime, waiting)
            waiting = []
    if waiting:
        _record(runtime, waiting)
    return sent


def _retries_exhausted(runtime: Runtime, row: OutboxItem, now: datetime) -> bool:
    """A temporary failure is retried for a time, not a count, as mail servers do.

    An outage of the relay or of Telegram longer than a handful of backoff steps must not
    turn acknowledgements and staff cards into failures; what counts is how long the item
    has waited.
    """
    cfg = runtime.settings.outbox
    if cfg.max_attempts is not None and row.attempts >= cfg.max_attempts:
        return True
    since = as_utc(row.retry_since or row.created_at)
    return now - since >= timedelta(hours=cfg.retry_hours)


def _renew(runtime: Runtime, item: OutboxItem) -> bool:
    """Renew this worker's claim on ``item`` before sending it; False when it is lost.

    Several workers share the outbox on PostgreSQL, and a claim older than the lease is
    settled by whichever worker sees it, so a live worker renews before each item of its
    batch: the lease then only has to outlast one send, not a whole batch of them.
    """
    with unit_of_work(runtime.sessions) as session:
        return queries.renew_outbox_claim(
            session, item_id=int(item.id or 0), attempts=item.attempts, now=runtime.clock()
        )


def _release(runtime: Runtime, ids: list[int]) -> None:
    """Claimed but never handed to a sender: certainly not sent, so simply pending again."""
    with unit_of_work(runtime.sessions) as session:
        for row_id in ids:
            row = session.get(OutboxItem, row_id)
            if row is not None and row.status == "sending":
                row.status = "pending"
                row.attempts = max(row.attempts - 1, 0)
                row.claimed_at = None


def settle_after_restart(runtime: Runtime, senders: Mapping[str, Sender]) -> None:
    """At the start of the only worker (SQLite): settle its own crash's claims now."""
    with unit_of_work(runtime.sessions) as session:
        _settle_stale(session, senders, runtime.clock(), stale_after=timedelta(0))


def _settle_stale(
    session: Session,
    senders: Mapping[str, Sender],
    now: datetime,
    stale_after: timedelta = STALE_CLAIM,
) -> None:
    """A claim left by a crash: resend only where sending twice is harmless.

    Writing the same ``.eml`` file again replaces it, so those go back to ``pending``.
    A relay may already have accepted the mail before the crash: such an item becomes
    ``in_doubt`` and waits for ``privacybot outbox resend|mark-sent ID``.
    """
    for row in queries.stale_sending(session, now=now, stale_after=stale_after):
        sender = senders.get(row.transport)
        if getattr(sender, "idempotent", False):
            row.status = "pending"
            row.next_attempt_at = now
            continue
        row.status = "in_doubt"
        append_event(
            session, actor="privacybot", action="delivery_in_doubt",
            case_id=row.case_id, detail={"outbox": row.id}, at=now,
        )
        log.error("outbox %s may or may not have been sent; an operator must decide", row.id)


def _record(runtime: Runtime, outcomes: list[tuple[OutboxItem, Exception | None]]) -> None:
    """Record what the senders did with claimed items, in one transaction."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        rows = {
            row.id: row
            for row in queries.lock_outbox_items(
                session, ids=[int(item.id or 0) for item, _ in outcomes]
            )
        }
        cases = {
            case.id: case
            for case in queries.cases_by_ids(
                session, case_ids=[row.case_id for row in rows.values() if row.case_id]
            )
        }
        # the batch's audit events: one INSERT at its end, as a decision's (nothing in
        # the block reads the audit table)
        with events_together(session):
            for item, error in outcomes:
                row = rows.get(item.id)
                if row is None or row.status != "sending" or row.attempts != item.attempts:
                    # Not our claim any more: a worker that took it over records its own
                    # outcome (one audit event per delivery), or an operator decided
                    # (in_doubt).
                    continue
                _record_one(session, runtime, row, cases.get(row.case_id or 0), error, now)


def _record_one(
    session: Session,
    runtime: Runtime,
    row: OutboxItem,
    case: Case | None,
    error: Exception | None,
    now: datetime,
) -> None:
    ref = case.ref if case is not None else None
    if error is None:
        row.status = "sent"
        row.sent_at = now
        row.last_error = None
        if case is not None and row.kind == "reply" and case.status == "approved":
            case.status = "answered"
            case.updated_at = now
        record_letter(session, row, case, company_address=runtime.company.email, now=now)
        append_event(
            session, actor="privacybot", action=f"{row.kind}_sent",
            case_id=row.case_id, case_ref=ref, detail={"outbox": row.id}, at=now,
        )
        log.info("outbox %s (%s) sent for case %s", row.id, row.kind, ref)
        return
    if isinstance(error, OutcomeUnknown):
        # The relay may hold the mail already: resending could reach the customer
        # twice, so a person decides (privacybot outbox resend|mark-sent ID).
        row.status = "in_doubt"
        row.last_error = str(error)
        append_event(
            session, actor="privacybot", action="delivery_in_doubt",
            case_id=row.case_id, case_ref=ref,
            detail={"outbox": row.id, "error": str(error)}, at=now,
        )
        log.error("outbox %s for case %s may or may not have been sent (%s); an operator "
                  "must decide", row.id, ref, error)
        return
    permanent = isinstance(error, PermanentFailure)
    if permanent or _retries_exhausted(runtime, row, now):
        row.status = "failed"
        row.last_error = str(error)
        append_event(
            session, actor="privacybot", action="delivery_failed",
            case_id=row.case_id, case_ref=ref,
            detail={"outbox": row.id, "error": str(error)}, at=now,
        )
        log.error("outbox %s for case %s failed for good: %s", row.id, ref, error)
    else:
        row.status = "pending"
        row.last_error = str(error)
        row.next_attempt_at = now + backoff(row.attempts)
        if row.attempts == 1:
            log.warning("outbox %s for case %s will be retried: %s", row.id, ref, error)


def settle_by_operator(
    session: Session,
    item: OutboxItem,
    *,
    decision: str,
    actor: str,
    now: datetime,
    company_address: str,
) -> None:
    """An operator's answer for an item in doubt (or failed): ``resend`` or ``mark-sent``.

    ``mark-sent`` has the effects a delivery recorded by ``_record`` has, so a reply that
    is marked sent answers its case and joins its history (``company_address`` is the
    letter's sender there); otherwise the case would wait as ``approved`` for a delivery
    that will never be recorded. ``resend`` hands the item back to the worker, which
    sends the same letter (same Message-ID) once more.
    """
    case = session.get(Case, item.case_id) if item.case_id else None
    if decision == "resend":
        item.status, item.next_attempt_at, item.attempts = "pending", now, 0
        item.retry_since = now  # a whole new retry window, not a single attempt
    elif decision == "mark-sent":
        item.status, item.sent_at = "sent", now
        if case is not None and item.kind == "reply" and case.status == "approved":
            case.status = "answered"
            case.updated_at = now
        record_letter(session, item, case, company_address=company_address, now=now)
    else:
        raise ValueError(f"unknown decision {decision!r}")
    append_event(
        session, actor=actor, action=f"outbox_{decision.replace('-', '_')}",
        case_id=item.case_id, case_ref=case.ref if case else None,
        detail={"outbox": item.id}, at=now,
    )
    log.info("outbox %s: %s by an operator", item.id, decision)


def is_letter(item: OutboxItem) -> bool:
    """Whether an item is a letter to the requester of its case, which the case's history
    shows as a message sent, rather than something for staff."""
    return (
        item.case_id is not None
        and item.transport in LETTER_TRANSPORTS
        and item.kind not in STAFF_KINDS
    )


def record_letter(
    session: Session,
    item: OutboxItem,
    case: Case | None,
    *,
    company_address: str,
    now: datetime,
) -> None:
    """Make a letter that was sent a message of its case, in the transaction that
    records it as sent, so that the history never shows a letter that did not leave nor
    misses one that did. It is kept as long as its case (the retention purge erases it
    with the case, as it does the case's received mail)."""
    if not is_letter(item) or item.case_id is None:
        return
    language = case.language if case is not None else ""
    text, stated = _letter_text(item)
    queries.store_outbound(
        session,
        channel=item.transport,
        message_id=item.message_id,
        raw=item.payload,
        sender=company_address,
        subject=item.subject,
        text=text,
        language=stated or language,
        rule=item.kind,
        case_id=item.case_id,
        sent_at=now,
        retain_until=case.retain_until if case is not None else item.retain_until,
    )


def _letter_text(item: OutboxItem) -> tuple[str, str]:
    """The text a requester reads in a letter, and its language when the letter says it.

    Our plain letters (``bot.mail._build_plain``: ASCII headers on one line each, one
    UTF-8 text part in 7bit or quoted-printable) are read directly (``_plain_letter``:
    the parser was a quarter of recording an acknowledgement, issue 9); anything else
    with the ``compat32`` parser (the modern one took ten times as long). Never raises:
    the payload is our own, but a letter that cannot be read back must still be recorded
    as sent; an exception here would undo the outcomes of the whole batch and have every
    one of them sent again.
    """
    try:
        if item.transport == "chat":
            return str(json.loads(item.payload.decode("utf-8")).get("text", "")), ""
        return _plain_letter(item.payload) or _parsed_letter(item.payload)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.warning("outbox %s: letter text not readable (%s)", item.id, type(exc).__name__)
        return "", ""


def _parsed_letter(payload: bytes) -> tuple[str, str]:
    """A letter's text and language, read by the ``compat32`` parser."""
    mail = email.message_from_bytes(payload, policy=compat32)
    language = str(mail.get("Content-Language", "") or "")[:8]
    part = next((p for p in mail.walk() if p.get_content_type() == "text/plain"), None)
    if part is None:
        return "", language
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return "", language
    text = data.decode(part.get_content_charset() or "utf-8", "replace")
    return text.replace("\r\n", "\n"), language


#: A header line as ``compat32`` reads it: a name of printable characters, a colon.
_HEADER_LINE = re.compile(rb"([\x21-\x39\x3b-\x7e]+):[ \t]*(.*)")
_PLAIN_TYPE = b'text/plain; charset="utf-8"'
#: Transfer encodings the parser decodes besides quoted-printable; under any other
#: (7bit, or none) it hands the body over as it stands.
_DECODED = frozenset({b"base64", b"x-uuencode", b"uuencode", b"uue", b"x-uue"})


def _plain_letter(payload: bytes) -> tuple[str, str] | None:
    """What the ``compat32`` parser reads from one of our plain letters (text, language),
    or None for any other payload. Only ASCII, every header on one line, the text part
    alone, not in base64: there the parser's reading is plain to see (the
    body as it stands, or ``quopri`` of it; the first header of a name counts), which a
    property test holds it to (``tests/bot/test_mail_bytes.py``)."""
    head, blank, body = payload.partition(b"\r\n\r\n")
    if not blank or not payload.isascii():
        return None
    fields: dict[bytes, bytes] = {}
    for line in head.split(b"\r\n"):
        m = _HEADER_LINE.fullmatch(line)
        if m is None or b"\r" in line or b"\n" in line:
            return None
        fields.setdefault(m.group(1).lower(), m.group(2))
    if fields.get(b"content-type") != _PLAIN_TYPE:
        return None
    encoding = fields.get(b"content-transfer-encoding", b"").lower()
    if encoding == b"quoted-printable":
        body = quopri.decodestring(body)
    elif encoding in _DECODED:
        return None
    language = fields.get(b"content-language", b"").decode("ascii")[:8]
    return body.decode("utf-8", "replace").replace("\r\n", "\n"), language
