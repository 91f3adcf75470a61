"""The worker that turns stored messages into cases: the one place where decisions
(``handlers/``) and storage meet.

Each message is decided and its outcome written in one transaction: the case, the
acknowledgement in the outbox, the first draft, the audit events and the message's
new status commit together. A crash before the commit leaves the message claimed; the
claim goes stale and the message is decided again, with the same result.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot import authorisation, parsed
from bot.mail import address_text, build_message
from bot.runtime import Runtime
from handlers import (
    case_rules,
    case_thread,
    classify,
    drafting,
    flood,
    loop_guard,
    normalise,
    preview,
)
from handlers.values import (
    CaseCandidate,
    CaseView,
    Channel,
    Classification,
    Inbound,
    RequestType,
)
from storage import queries
from storage.audit import append_event, events_together
from storage.engine import unit_of_work
from storage.models import Case, Counter, Draft, Message, as_utc

log = logging.getLogger("privacybot.cases")

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MAX_ATTEMPTS = 3
CRASH_LIMIT = 6
#: Counter row that is 1 while acknowledgements are paused by the global hourly cap.
ACK_PAUSE = "acks_paused"
#: Defects after which the text cannot be trusted to be what the sender wrote: a person
#: reads the raw mail instead of the bot guessing (``normalise.parse`` never raises, it
#: records these).
_TRIAGE_DEFECTS = ("parse-error:", "nesting-too-deep", "headers-unreadable")


@dataclass(frozen=True)
class Outcome:
    """What happened to one message, for logs and tests (no personal data)."""

    message_id: int
    status: str
    case_ref: str | None = None
    rule: str | None = None


_CASE_TABLE = Case.__table__  # type: ignore[attr-defined]
_DRAFT_TABLE = Draft.__table__  # type: ignore[attr-defined]
_CASE_COLUMNS = tuple(c.key for c in _CASE_TABLE.columns if c.key != "id")
#: SET from the parameters' keys; built once (building it per case cost more than running it).
_UPDATE_CASE = update(_CASE_TABLE).where(_CASE_TABLE.c.id == bindparam("row_id"))


class NewCase:
    """A case being opened, as plain attributes named like ``Case``'s columns (issue 9).

    Inserted with one Core statement (``insert``); what opening it changes afterwards
    (status, sender flags, the subject's address) is written with one UPDATE at the end
    (``write_changes``), before the message's savepoint ends. As an ORM ``Case`` its
    construction (SQLModel's ``__init__``: pydantic and SQLAlchemy instrumentation on
    every attribute) and the flush of those changes cost as much again as the rest of
    opening it. The helpers that read or set a case's fields (``case_view``,
    ``authorisation.mark_new_case``, ``draft_options``, ``queue_staff_notice``) take it as
    they take a ``Case``; none of them needs it in the session.
    """

    __slots__ = ("id", *_CASE_COLUMNS, "_inserted")

    def __init__(self, **values: Any) -> None:
        self.id: int | None = None
        for key in _CASE_COLUMNS:
            setattr(self, key, values[key])
        self._inserted: dict[str, Any] = {}

    def insert(self, session: Session, **final: Any) -> int:
        """Insert the case; ``final``: columns inserted with the value the case will hold
        when it is written at the end, while the attributes keep what the steps in
        between read (the status is ``new`` until the draft is made; staff notices
        quote it). The UPDATE at the end then has nothing to write (issue 9, item 21)."""
        self._inserted = {key: getattr(self, key) for key in _CASE_COLUMNS}
        self._inserted.update(final)
        self.id = queries.insert_values(session, _CASE_TABLE, self._inserted)
        return self.id

    def write_changes(self, session: Session) -> None:
        changed = {
            key: getattr(self, key)
            for key in _CASE_COLUMNS
            if getattr(self, key) != self._inserted[key]
        }
        if changed:
            session.connection().execute(_UPDATE_CASE, {**changed, "row_id": self.id})
            self._inserted.update(changed)


class DraftRef(NamedTuple):
    """What ``queue_staff_card`` reads of a draft: a first draft inserted with Core."""

    id: int
    version: int


def inbound_from_row(row: Message | queries.MessageRow) -> Inbound:
    """Rebuild the normalised value from the stored raw bytes.

    When this process stored the mail a moment ago, the value its adapter already parsed
    from these very bytes is taken instead (``bot.parsed``; ``normalise.parse`` is pure).
    """
    if row.channel == Channel.CHAT:
        fields = json.loads(row.raw.decode("utf-8"))
        return normalise.parse_chat(**fields)
    held = parsed.take(row.external_id, row.channel, row.raw)
    if held is not None:
        return held
    return normalise.parse(row.raw, Channel(row.channel), external_id=row.external_id)


def case_view(case: Case | NewCase) -> CaseView:
    return CaseView(
        ref=case.ref,
        labels=tuple(RequestType(label) for label in json.loads(case.labels)),
        language=case.language,
        received_at=as_utc(case.received_at),
        deadline=case.extended_deadline or case.deadline,
        requester_name=case.requester_name,
        requester_address=case.requester,
        subject=case.subject,
        status=case.status,
    )


def claim_lease(runtime: Runtime) -> timedelta:
    """How long a claim keeps other workers off a message (``service.claim_lease_seconds``).

    Only a dead worker's claim should expire; should a live one be slower, the row lock
    in ``process_message`` still keeps the message from being decided twice.
    """
    return timedelta(seconds=runtime.settings.service.claim_lease_seconds)


def process_pending(
    runtime: Runtime, *, limit: int = 20, should_stop: Callable[[], bool] | None = None
) -> list[Outcome]:
    """Claim a batch of stored messages and decide them.

    Messages claimed for the first time are decided together in one transaction, each
    in a savepoint of its own (issue 9: one commit, one claim read and one lock of the
    audit head per batch instead of per message); a message whose decision raises is
    rolled back to its savepoint and put in triage alone. A message claimed before
    (its worker died, or the database failed) is decided in a transaction of its own,
    so that a message that kills the process is found and stopped (``CRASH_LIMIT``).

    ``should_stop`` is asked before each message; on shutdown the rest of the batch is
    given back untouched so a restart takes it up at once.
    """
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        ids = queries.claim_message_ids(
            session, now=now, limit=limit, stale_after=claim_lease(runtime)
        )
        fresh = len(ids) > 1 and all(attempts == 1 for _, attempts in ids)
        if not fresh:
            # Only the first of a batch counts as an attempt: a crash interrupts the
            # message in hand, which comes first in the next batch (ids ascend), while
            # the others were only waiting their turn and must not creep towards
            # CRASH_LIMIT.
            queries.uncount_attempts(session, ids=[mid for mid, _ in ids[1:]])
            ids = ids[:1] + [(mid, max(attempts - 1, 0)) for mid, attempts in ids[1:]]
    if fresh:
        # A crash in the batch leaves every one of its messages with one attempt: the
        # next claim then finds none of them fresh and decides them one by one.
        outcomes = _decide_batch(runtime, [mid for mid, _ in ids], should_stop)
        if outcomes is not None:
            return outcomes
    outcomes = []
    for index, (message_id, attempts) in enumerate(ids):
        if should_stop is not None and should_stop():
            _give_back(runtime, [mid for mid, _ in ids[index:]],
                       counted=[mid for mid, _ in ids] if fresh else [ids[0][0]])
            break
        if attempts > CRASH_LIMIT:
            # Claimed this often without an outcome: the process died while deciding it
            # (a stack overflow, the OOM killer). Deciding it again would kill it again.
            outcomes.append(_triage(runtime, message_id, "processing-interrupted"))
            continue
        try:
            outcomes.append(process_message(runtime, message_id))
        except DBAPIError as exc:
            # The database, not the message: try again later (locked, restarted). The
            # type only: the error's text holds the row's values (personal data).
            log.error("message %s could not be processed (attempt %s): %s",
                      message_id, attempts, type(exc).__name__)
            outcomes.append(_record_failure(runtime, message_id, attempts))
        except Exception as exc:  # RecursionError and LookupError included
            # The message itself: the same input fails the same way every time, so a
            # retry is a crash loop. A person reads it instead.
            log.error(
                "message %s could not be decided (%s); it is in triage",
                message_id, type(exc).__name__,
            )
            outcomes.append(_triage(runtime, message_id, f"error:{type(exc).__name__}"))
    return outcomes


def _decide_batch(
    runtime: Runtime, message_ids: list[int], should_stop: Callable[[], bool] | None
) -> list[Outcome] | None:
    """Decide freshly claimed messages in one transaction, a savepoint each.

    Returns None when the database failed: the transaction is rolled back whole and the
    caller decides the same messages again one by one, as it always did, so a database
    error is recorded against the message that met it and nothing else.
    """
    outcomes: list[Outcome] = []
    left: list[int] = []
    try:
        with unit_of_work(runtime.sessions) as session:
            rows = {row.id: row for row in queries.lock_message_rows(session, ids=message_ids)}
            for index, message_id in enumerate(message_ids):
                if should_stop is not None and should_stop():
                    left = message_ids[index:]
                    break
                row = rows.get(message_id)
                if row is None:
                    outcomes.append(Outcome(message_id, "missing"))
                    continue
                savepoint = _Savepoint(session)
                try:
                    outcomes.append(_decide(session, runtime, row, savepoint.begin))
                    savepoint.release()
                except DBAPIError:
                    raise  # the whole batch is rolled back
                except Exception as exc:  # the message itself, as in process_pending
                    savepoint.roll_back()
                    log.error("message %s could not be decided (%s); it is in triage",
                              message_id, type(exc).__name__)
                    reason = f"error:{type(exc).__name__}"
                    row = session.get(Message, message_id)  # reloaded after the rollback
                    assert row is not None
                    _mark_triage(session, runtime, row, reason, runtime.clock())
                    outcomes.append(Outcome(message_id, "triage", rule=reason))
    except DBAPIError as exc:
        log.error("a batch of %s messages met a database error (%s); deciding them one "
                  "by one", len(message_ids), type(exc).__name__)
        return None
    if left:
        _give_back(runtime, left, counted=left)
    return outcomes


class _Savepoint:
    """A message's savepoint in a batch, begun only at its decision's first write.

    A decision reads (the claimed row, threading candidates, consent) and computes
    (parse, loop guard, classification) before it writes anything; a message that is
    ignored or is not a privacy request writes nothing but its own row, with one UPDATE
    at the end. Until the first write there is nothing a failure could leave behind, so
    the savepoint (SAVEPOINT, RELEASE and the session's nested transaction around them)
    is begun there (``begin``, called by ``_decide_row`` before each path that writes
    more than the row), not for every message (issue 9, item 21). A failure after it
    rolls back to it, as before; a failure before it has nothing to roll back. The one
    UPDATE of the row (``queries.write_decided``) is a single statement: it is written
    whole or, as any database error does, fails the batch, which is then decided again
    one message at a time.
    """

    __slots__ = ("_session", "_nested")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._nested: Any = None

    def begin(self) -> None:
        if self._nested is None:
            self._nested = self._session.begin_nested()

    def release(self) -> None:
        if self._nested is not None:
            self._nested.commit()
            self._nested = None

    def roll_back(self) -> None:
        if self._nested is not None:
            if self._nested.is_active:
                self._nested.rollback()
            self._nested = None


def _no_savepoint() -> None:
    """``_decide``'s ``begin_writes`` in a transaction of one message: nothing to begin."""


def _give_back(runtime: Runtime, message_ids: list[int], *, counted: list[int]) -> None:
    """Return untouched claims; ``counted`` are those that had an attempt added."""
    with unit_of_work(runtime.sessions) as session:
        for message_id in message_ids:
            row = session.get(Message, message_id)
            if row is not None and row.status == "processing":
                row.status, row.claimed_at = "received", None
                if message_id in counted:
                    row.attempts = max(row.attempts - 1, 0)


def _triage(runtime: Runtime, message_id: int, reason: str) -> Outcome:
    """Keep the message, stop deciding it automatically, and tell staff why."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        row = session.get(Message, message_id)
        if row is None:
            return Outcome(message_id, "missing")
        _mark_triage(session, runtime, row, reason, now)
    return Outcome(message_id, "triage", rule=reason)


def _mark_triage(
    session: Session,
    runtime: Runtime,
    row: Message | queries.MessageRow,
    reason: str,
    now: datetime,
) -> None:
    _finish(row, status="triage", rule="triage", now=now, runtime=runtime)
    row.error = reason[:200]
    append_event(
        session,
        actor="privacybot",
        action="message_triage",
        case_id=row.case_id,
        detail={"message": row.id, "reason": reason[:200]},
        at=now,
    )
    log.warning("message %s put in triage: %s", row.id, reason[:200])


def _triage_reason(inbound: Inbound) -> str | None:
    for defect in inbound.defects:
        if defect.startswith(_TRIAGE_DEFECTS):
            return defect[:200]
    return None


def _record_failure(runtime: Runtime, message_id: int, attempts: int) -> Outcome:
    status = "failed" if attempts >= MAX_ATTEMPTS else "received"
    with unit_of_work(runtime.sessions) as session:
        row = session.get(Message, message_id)
        if row is not None:
            row.status = status
            row.error = "processing failed; see the service log"
            if status == "failed":
                append_event(
                    session,
                    actor="privacybot",
                    action="message_failed",
                    detail={"message": message_id, "attempts": attempts},
                )
    if status == "failed":
        log.error("message %s failed %s times and needs an operator", message_id, attempts)
    return Outcome(message_id, status)


def process_message(runtime: Runtime, message_id: int) -> Outcome:
    with unit_of_work(runtime.sessions) as session:
        # Locked, so that a worker that took over an expired claim waits here and then
        # finds the message decided, instead of opening a second case (PostgreSQL;
        # SQLite's BEGIN IMMEDIATE serialises anyway).
        rows = queries.lock_message_rows(session, ids=[message_id])
        if not rows:
            raise queries.NotFound(f"no message {message_id}")
        return _decide(session, runtime, rows[0], _no_savepoint)


def _decide(
    session: Session, runtime: Runtime, row: queries.MessageRow,
    begin_writes: Callable[[], None],
) -> Outcome:
    """Decide one locked message inside the caller's transaction.

    ``row`` is a plain copy of the message row; what the decision sets in it is written
    with one UPDATE at the end (``queries.write_decided``), before the caller's savepoint
    or transaction ends, so the next message of a batch sees it. ``begin_writes`` is
    called before the first write other than that UPDATE (``_Savepoint.begin``).
    """
    if row.status not in ("received", "processing"):
        return Outcome(int(row.id or 0), row.status, rule="already-decided")
    with events_together(session):  # a decision's audit events: one INSERT at its end
        outcome = _decide_row(session, runtime, row, begin_writes)
    queries.write_decided(session, row)
    return outcome


def _decide_row(
    session: Session, runtime: Runtime, row: queries.MessageRow,
    begin_writes: Callable[[], None],
) -> Outcome:
    """The decision; reads and pure work only until ``begin_writes()``, which each path
    that writes more than the message's own row calls first."""
    message_id = int(row.id or 0)
    inbound = inbound_from_row(row)
    row.sender = inbound.sender
    row.subject = inbound.subject
    row.text = inbound.text
    row.language = inbound.language
    row.message_id = row.message_id or inbound.message_id
    row.authenticity = authorisation.message_authenticity(runtime, row).verdict
    now = runtime.clock()

    reason = _triage_reason(inbound)
    if reason is not None:
        begin_writes()
        _mark_triage(session, runtime, row, reason, now)
        return Outcome(message_id, "triage", rule=reason)

    verdict = loop_guard.check(
        inbound, own_addresses=runtime.own_addresses, own_domains=runtime.own_domains
    )

    def ignored(rule: str) -> Outcome:
        _finish(row, status="ignored", rule=rule, now=now, runtime=runtime)
        log.info("message %s ignored by loop guard (%s)", message_id, rule)
        return Outcome(message_id, "ignored", rule=rule)

    if verdict is not None and not verdict.relayed:
        return ignored(verdict.rule)

    if verdict is None:  # a no-reply system's notification belongs to no thread of ours
        match = case_thread.match(inbound, _candidates(session, inbound))
        if match is not None:
            begin_writes()
            return _add_to_case(session, runtime, row, inbound, match.case_id, match.rule)
        waiting = authorisation.consent_case_for(session, inbound)
        if waiting is not None:  # the data subject's consent, from the address given
            begin_writes()
            return _add_to_case(session, runtime, row, inbound, waiting, "subject-address")

    classification = classify.classify(
        inbound, runtime.phrases, use_model=runtime.settings.classifier.model
    )
    # A ticket, a review or a form relayed by a no-reply sender: a request in it is a
    # person's, who can only be reached through the system that relayed it, so staff
    # decide (triage, no acknowledgement); anything else is ignored as before.
    if verdict is not None and not classification.is_privacy:
        return ignored(verdict.rule)
    row.labels = json.dumps([label.value for label in classification.labels])
    if verdict is not None:
        begin_writes()
        case = open_case(
            session, runtime, row, inbound, classification,
            triage_reason=f"relayed by a no-reply sender ({verdict.rule})",
        )
        return Outcome(message_id, "processed", case_ref=case.ref, rule="case_opened")
    uncertain = classification.confidence < runtime.settings.classifier.triage_below
    if not classification.is_privacy:
        rule = "not_privacy:uncertain" if uncertain else "not_privacy"
        _finish(row, status="processed", rule=rule, now=now, runtime=runtime)
        if classification.evidence:  # a request the model overruled, not a near miss
            begin_writes()  # the staff notice goes into the outbox
            queue_uncertain_notice(session, runtime, row, classification, now)
        log.info("message %s is not a privacy request (%s)", message_id, rule)
        return Outcome(message_id, "processed", rule=rule)
    begin_writes()
    case = open_case(session, runtime, row, inbound, classification)
    return Outcome(message_id, "processed", case_ref=case.ref, rule="case_opened")


def _finish(
    row: Message | queries.MessageRow, *, status: str, rule: str, now: datetime,
    runtime: Runtime,
) -> None:
    row.status = status
    row.rule = rule
    row.processed_at = now
    row.error = None
    if row.retain_until is None:
        row.retain_until = (now + timedelta(days=runtime.policy.message_retention_days)).date()


def _candidates(session: Session, inbound: Inbound) -> list[CaseCandidate]:
    """Open cases this message could belong to, loaded as plain values for the decision."""
    cases: dict[int, Case] = {}
    ids: dict[int, set[str]] = {}
    ref = case_rules.find_reference(inbound.subject)
    for case in queries.cases_by_refs(session, refs=[ref] if ref else []):
        cases[case.id] = case
    wanted = [mid for mid in (inbound.in_reply_to, *inbound.references) if mid]
    for case_id, seen in queries.cases_by_message_ids(session, message_ids=wanted).items():
        ids[case_id] = seen
        if case_id not in cases:
            found = session.get(Case, case_id)
            if found is not None:
                cases[case_id] = found
    if inbound.chat_thread:
        found = queries.case_by_chat_thread(session, chat_thread=inbound.chat_thread)
        if found is not None:
            cases[found.id] = found
    return [
        CaseCandidate(
            ref=case.ref,
            case_id=case.id,
            message_ids=tuple(sorted(ids.get(case.id, ()))),
            sender=case.requester,
            chat_thread=case.chat_thread,
        )
        for case in cases.values()
        if case.id is not None
    ]


def _add_to_case(
    session: Session,
    runtime: Runtime,
    row: queries.MessageRow,
    inbound: Inbound,
    case_id: int,
    rule: str,
) -> Outcome:
    case = session.get(Case, case_id)
    assert case is not None
    now = runtime.clock()
    row.case_id = case.id
    _finish(row, status="processed", rule=f"thread:{rule}", now=now, runtime=runtime)
    row.retain_until = case.retain_until
    case.updated_at = now
    append_event(
        session,
        actor="privacybot",
        action="message_added",
        case_id=case.id,
        case_ref=case.ref,
        detail={"message": row.id, "rule": rule},
        at=now,
    )
    authorisation.on_message_added(session, runtime, case, row, inbound, rule=rule, now=now)
    log.info("message %s added to case %s (%s)", row.id, case.ref, rule)
    return Outcome(row.id or 0, "processed", case_ref=case.ref, rule=f"thread:{rule}")


def open_case(
    session: Session,
    runtime: Runtime,
    row: queries.MessageRow,
    inbound: Inbound,
    classification: Classification,
    *,
    actor: str = "privacybot",
    triage_reason: str | None = None,
) -> NewCase:
    """Open the case with its acknowledgement, first draft and audit events.

    ``actor`` is who decided that the message is a request: the service, or a staff
    member deciding mail the classifier was unsure of (``bot.uncertain``).
    ``triage_reason``: the case waits in triage, unacknowledged, whatever the confidence.
    """
    now = runtime.clock()
    received_at = as_utc(row.received_at)
    year = received_at.astimezone(COPENHAGEN).year
    seq = queries.allocate_sequence(session, name=f"case_ref:{year}")
    ref = case_rules.format_reference(year, seq)
    labels = classification.labels
    complaint = RequestType.COMPLAINT in labels
    retain = case_rules.retention_until(received_at, runtime.policy, complaint=complaint)
    language = drafting.choose_language(classification.language, runtime.company)
    marks = authorisation.new_case_marks(
        session, runtime, row, inbound, [label.value for label in labels]  # type: ignore[arg-type]
    )
    triage = (
        triage_reason is not None
        or classification.confidence < runtime.settings.classifier.triage_below
    )
    status = "triage" if triage else case_rules.initial_status(labels)
    case = NewCase(
        ref=ref,
        year=year,
        seq=seq,
        status="new",
        labels=json.dumps([label.value for label in labels]),
        evidence=json.dumps(
            [
                {"label": e.label.value, "phrase": e.phrase, "rule": e.rule}
                for e in classification.evidence
            ],
            ensure_ascii=False,
        ),
        confidence=classification.confidence,
        language=language,
        channel=row.channel,
        requester=inbound.sender,
        requester_name=inbound.sender_name,
        subject=inbound.subject,
        chat_thread=inbound.chat_thread,
        first_message_id=inbound.message_id,
        received_at=received_at,
        deadline=case_rules.deadline(received_at),
        extended_deadline=None,
        extension_reason=None,
        created_at=now,
        updated_at=now,
        closed_at=None,
        retain_until=retain,
        flags=json.dumps(marks.flags),
        subject_address=marks.subject_address,
        authorised_at=None,
    )
    case.insert(session, status=status)
    authorisation.mark_new_case(
        session, runtime, case, row, inbound, now, marks  # type: ignore[arg-type]
    )
    row.case_id = case.id
    _finish(row, status="processed", rule="case_opened", now=now, runtime=runtime)
    row.retain_until = retain
    append_event(
        session,
        actor=actor,
        action="case_opened",
        case_id=case.id,
        case_ref=ref,
        detail={
            "message": row.id,
            "labels": [label.value for label in labels],
            "channel": row.channel,
            "deadline": case.deadline.isoformat(),
        },
        at=now,
    )
    view = case_view(case)
    if triage:
        # Not sure it is a request: staff decide before the customer hears anything.
        append_event(
            session, actor="privacybot", action="ack_suppressed", case_id=case.id,
            case_ref=ref, detail={"reason": f"triage: {triage_reason or 'low confidence'}",
                                  "confidence": round(classification.confidence, 3)}, at=now,
        )
    else:
        _queue_acknowledgement(session, runtime, case, view, inbound, now, quiet=row.quiet)
    subject, body = drafting.reply(
        runtime.templates, case=view, company=runtime.company, policy=runtime.policy,
        **authorisation.draft_options(runtime, case),
    )
    # Core, no ``Draft`` object: nothing changes the first draft in this transaction.
    draft = DraftRef(
        id=queries.insert_values(session, _DRAFT_TABLE, {
            "case_id": case.id, "version": 1, "kind": authorisation.first_draft_kind(labels),
            "status": "pending", "subject": subject, "body": body,
            "created_by": "privacybot", "created_at": now, "decided_by": None,
            "decided_at": None, "reason": None, "retain_until": retain,
        }),
        version=1,
    )
    case.status = status
    append_event(
        session,
        actor="privacybot",
        action="draft_created",
        case_id=case.id,
        case_ref=ref,
        detail={"draft": draft.id, "version": 1, "status": status},
        at=now,
    )
    queue_staff_card(session, runtime, case, draft, now)
    case.write_changes(session)
    log.info("case %s opened from message %s (%s)", ref, row.id, ",".join(labels))
    return case


def _queue_acknowledgement(
    session: Session,
    runtime: Runtime,
    case: NewCase,
    view: CaseView,
    inbound: Inbound,
    now: datetime,
    *,
    quiet: bool = False,
) -> None:
    if quiet:
        # Old mail (an import, or what a first IMAP start found): its sender wrote long
        # ago and was answered by hand or not at all; a receipt now would only confuse.
        decision = flood.AckDecision(False, "received before the cut-off")
    elif inbound.channel == Channel.CHAT:
        _queue_chat_acknowledgement(session, runtime, case, view, now)
        return
    else:
        decision = _mail_ack_decision(session, runtime, inbound, now)
    if decision.alert:
        # The log line reaches the operator's monitoring, if there is any; staff must
        # hear it where they work, since only they can tell a loop from a busy day.
        authorisation.queue_staff_notice(
            session, runtime, case, now=now, event=ACK_PAUSE,
            text=f"Acknowledgements are paused: more than "
            f"{runtime.policy.acks_per_hour_global} were queued in the last hour. That is "
            "how a mail loop with an auto-responder or a flood of forged requests looks. "
            "Look at the newest cases; requests still open cases, only the "
            "acknowledgements wait. They resume by themselves once the last hour holds "
            "fewer than the cap (policy.acks_per_hour_global). This case is the first "
            "one left unacknowledged.",
        )
    if not decision.send:
        append_event(
            session,
            actor="privacybot",
            action="ack_suppressed",
            case_id=case.id,
            case_ref=case.ref,
            detail={"reason": decision.reason},
            at=now,
        )
        case.status = "acknowledged"
        return
    _write_acknowledgement(session, runtime, case, view, inbound, now)


def _mail_ack_decision(
    session: Session, runtime: Runtime, inbound: Inbound, now: datetime
) -> flood.AckDecision:
    try:
        address_text(inbound.sender)
    except ValueError:
        # An address with quotes, spaces or two @ could smuggle a second recipient into a
        # header; the case is opened and staff write to the sender themselves.
        return flood.AckDecision(False, "no sender" if not inbound.sender else "unsafe address")
    return _ack_decision(session, runtime, inbound.sender, now)


def _write_acknowledgement(
    session: Session, runtime: Runtime, case: NewCase, view: CaseView, inbound: Inbound, now
) -> None:  # type: ignore[no-untyped-def]
    mail = drafting.acknowledgement(
        runtime.templates, case=view, inbound=inbound, company=runtime.company
    )
    queries.add_outbox(
        session,
        kind="ack",
        message_id=mail.message_id,
        payload=build_message(mail, sender_name=runtime.company.name, date=now),
        recipient=mail.to,
        subject=mail.subject,
        case_id=case.id,
        now=now,
        retain_until=case.retain_until,
    )
    case.status = "acknowledged"
    append_event(
        session,
        actor="privacybot",
        action="ack_queued",
        case_id=case.id,
        case_ref=case.ref,
        detail={"message_id": mail.message_id},
        at=now,
    )


def _ack_decision(
    session: Session, runtime: Runtime, sender: str, now
) -> flood.AckDecision:  # type: ignore[no-untyped-def]
    """Count what was queued (per canonical sender, 24 h; everyone, 1 h) and decide.

    Crossing the global cap pauses acknowledgements: one ``acks_paused`` audit event, one
    ERROR line for the operator's log monitoring and (``decision.alert``, in the caller)
    one staff notice; they resume by themselves when the hour's count falls below the
    cap again.
    """
    policy = runtime.policy
    key = flood.canonical_sender(sender)
    to_sender, last_hour, pause_value = queries.ack_counts(
        session, key=key, day_since=now - timedelta(days=1),
        hour_since=now - timedelta(hours=1), pause=ACK_PAUSE,
    )
    paused = pause_value == 1
    decision = flood.decide_ack(
        sender=sender,
        sent_to_sender=to_sender,
        per_sender_cap=policy.acks_per_sender_per_day,
        sent_last_hour=last_hour,
        global_cap=policy.acks_per_hour_global,
        paused=paused,
    )
    if decision.alert:
        pause = session.get(Counter, ACK_PAUSE)
        if pause is None:
            pause = Counter(name=ACK_PAUSE)
            session.add(pause)
        pause.value, pause.text = 1, now.isoformat()
        append_event(
            session,
            actor="privacybot",
            action="acks_paused",
            detail={"reason": "global hourly cap", "cap": policy.acks_per_hour_global},
            at=now,
        )
        log.error(
            "acknowledgements paused: %s queued in the last hour (cap %s); "
            "staff must look for a mail loop or flood",
            last_hour, policy.acks_per_hour_global,
        )
    elif paused and last_hour < policy.acks_per_hour_global:
        pause = session.get(Counter, ACK_PAUSE)  # there: it read as paused just now
        if pause is not None:
            pause.value = 0
            append_event(
                session, actor="privacybot", action="acks_resumed",
                detail={"queued_last_hour": last_hour}, at=now,
            )
            log.warning("acknowledgements resumed (%s in the last hour)", last_hour)
    return decision


# --- chat ----------------------------------------------------------------------------


def queue_staff_card(
    session: Session,
    runtime: Runtime,
    case: Case | NewCase,
    draft: Draft | DraftRef,
    now: datetime,
) -> None:
    """Post the draft to the staff chat through the outbox, in the deciding transaction.

    Through the outbox rather than straight to Telegram, so that a card for a case opened
    while Telegram is unreachable is posted once it is back, and never twice. The chat
    sender renders the card when it sends it, from the database as it is then.
    """
    telegram = runtime.settings.telegram
    if not (telegram.enabled and telegram.staff_chat_id):
        return
    queries.add_outbox(
        session,
        kind="staff_card",
        transport="chat",
        message_id=drafting.message_id(
            kind="card", ref=case.ref, n=draft.version, domain=runtime.mail_domain
        ),
        payload=json.dumps({"draft_id": draft.id, "version": draft.version}).encode(),
        recipient=str(telegram.staff_chat_id),
        subject="",
        case_id=case.id,
        now=now,
        retain_until=case.retain_until,
    )


def _queue_chat_acknowledgement(
    session: Session, runtime: Runtime, case: NewCase, view: CaseView, now
) -> None:  # type: ignore[no-untyped-def]
    """A case opened from a chat message is acknowledged in that chat, with its reference."""
    language = drafting.choose_language(case.language, runtime.company)
    text = runtime.templates.get_template(f"{language}/chat_ack.txt.j2").render(
        case=view, company=runtime.company
    )
    message_id = drafting.message_id(
        kind="ack", ref=case.ref, n=1, domain=runtime.mail_domain
    )
    queries.add_outbox(
        session,
        kind="ack",
        transport="chat",
        message_id=message_id,
        payload=json.dumps(
            {"chat_id": int(case.chat_thread or 0), "text": text.strip()}, ensure_ascii=False
        ).encode("utf-8"),
        recipient=f"tg:{case.chat_thread}",
        subject="",
        case_id=case.id,
        now=now,
        retain_until=case.retain_until,
    )
    case.status = "acknowledged"
    append_event(
        session, actor="privacybot", action="ack_queued", case_id=case.id, case_ref=case.ref,
        detail={"message_id": message_id, "transport": "chat"}, at=now,
    )


#: Notices about mail kept as uncertain, at most this many an hour: a flood of unsure
#: mail must not bury the staff chat; ``/uncertain`` lists them all.
UNCERTAIN_NOTICES_PER_HOUR = 10
_UNCERTAIN_NOTICE_KIND = "staff-uncertain"


def queue_uncertain_notice(
    session: Session,
    runtime: Runtime,
    row: Message | queries.MessageRow,
    classification: Classification,
    now: datetime,
) -> None:
    """Tell the staff chat that a message was kept as uncertain ordinary mail, through
    the outbox in the deciding transaction, as a new case's card is.

    A request the model overruled by mistake misses its deadline unless a person looks:
    the notice names the message, the deadline a request would have and what the rules
    saw, masked like a card (a short subject and phrase, no address, no body).
    """
    telegram = runtime.settings.telegram
    if not (telegram.enabled and telegram.staff_chat_id):
        return
    prefix = f"<{_UNCERTAIN_NOTICE_KIND}."
    if queries.staff_notices_since(
        session, prefix=prefix, since=now - timedelta(hours=1)
    ) >= UNCERTAIN_NOTICES_PER_HOUR:
        log.info("message %s kept as uncertain; no notice (hourly cap)", row.id)
        return
    received_at = as_utc(row.received_at)
    due = case_rules.deadline(received_at)
    subject = preview.shorten(preview.hide_special_categories(row.subject or ""), 60)
    lines = [
        f"❓ Mail {row.id} ({row.channel}, received "
        f"{received_at.astimezone(COPENHAGEN):%Y-%m-%d}) was kept as ordinary mail, but "
        "the classifier was unsure.",
        f"Subject: «{subject}»" if subject else "No subject.",
    ]
    phrases = [
        preview.shorten(preview.hide_special_categories(e.phrase), 60)
        for e in classification.evidence[:2] if e.phrase
    ]
    if phrases:
        lines.append("The model overruled: " + "; ".join(f"«{p}»" for p in phrases))
    lines.append(f"If it is a request, it is due by {due.isoformat()}. Decide with /uncertain.")
    queries.add_outbox(
        session,
        kind="staff_notice",
        transport="chat",
        message_id=drafting.message_id(
            kind=_UNCERTAIN_NOTICE_KIND, ref=f"M{row.id}", n=1, domain=runtime.mail_domain
        ),
        payload=json.dumps(
            {"chat_id": telegram.staff_chat_id, "text": "\n".join(lines)}, ensure_ascii=False
        ).encode("utf-8"),
        recipient=str(telegram.staff_chat_id),
        subject="",
        case_id=None,
        now=now,
        retain_until=row.retain_until,
    )
