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
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.mail import build_message
from bot.runtime import Runtime
from handlers import case_rules, case_thread, classify, drafting, loop_guard, normalise
from handlers.values import (
    CaseCandidate,
    CaseView,
    Channel,
    Classification,
    Inbound,
    RequestType,
)
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message, as_utc

log = logging.getLogger("privacybot.cases")

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MAX_ATTEMPTS = 3
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class Outcome:
    """What happened to one message, for logs and tests (no personal data)."""

    message_id: int
    status: str
    case_ref: str | None = None
    rule: str | None = None


def inbound_from_row(row: Message) -> Inbound:
    """Rebuild the normalised value from the stored raw bytes."""
    if row.channel == Channel.CHAT:
        fields = json.loads(row.raw.decode("utf-8"))
        return normalise.parse_chat(**fields)
    return normalise.parse(row.raw, Channel(row.channel), external_id=row.external_id)


def case_view(case: Case) -> CaseView:
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


def process_pending(runtime: Runtime, *, limit: int = 20) -> list[Outcome]:
    """Claim a batch of stored messages and decide each in its own transaction."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        claimed = queries.claim_messages(
            session, now=now, limit=limit, stale_after=STALE_CLAIM
        )
        ids = [(row.id, row.attempts) for row in claimed]
    outcomes = []
    for message_id, attempts in ids:
        try:
            outcomes.append(process_message(runtime, message_id))
        except Exception:
            log.exception("message %s could not be processed (attempt %s)", message_id, attempts)
            outcomes.append(_record_failure(runtime, message_id, attempts))
    return outcomes


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
        row = session.get(Message, message_id)
        if row is None:
            raise queries.NotFound(f"no message {message_id}")
        if row.status not in ("received", "processing"):
            return Outcome(message_id, row.status, rule="already-decided")
        inbound = inbound_from_row(row)
        row.sender = inbound.sender
        row.subject = inbound.subject
        row.text = inbound.text
        row.language = inbound.language
        row.message_id = row.message_id or inbound.message_id
        now = runtime.clock()

        verdict = loop_guard.check(
            inbound, own_addresses=runtime.own_addresses, own_domains=runtime.own_domains
        )
        if verdict is not None:
            _finish(row, status="ignored", rule=verdict.rule, now=now, runtime=runtime)
            log.info("message %s ignored by loop guard (%s)", message_id, verdict.rule)
            return Outcome(message_id, "ignored", rule=verdict.rule)

        match = case_thread.match(inbound, _candidates(session, inbound))
        if match is not None:
            return _add_to_case(session, runtime, row, inbound, match.case_id, match.rule)

        classification = classify.classify(inbound)
        row.labels = json.dumps([label.value for label in classification.labels])
        if not classification.is_privacy:
            _finish(row, status="processed", rule="not_privacy", now=now, runtime=runtime)
            log.info("message %s is not a privacy request", message_id)
            return Outcome(message_id, "processed", rule="not_privacy")
        case = open_case(session, runtime, row, inbound, classification)
        return Outcome(message_id, "processed", case_ref=case.ref, rule="case_opened")


def _finish(row: Message, *, status: str, rule: str, now, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
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
    session: Session, runtime: Runtime, row: Message, inbound: Inbound, case_id: int, rule: str
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
    log.info("message %s added to case %s (%s)", row.id, case.ref, rule)
    return Outcome(row.id or 0, "processed", case_ref=case.ref, rule=f"thread:{rule}")


def open_case(
    session: Session,
    runtime: Runtime,
    row: Message,
    inbound: Inbound,
    classification: Classification,
) -> Case:
    """Open the case with its acknowledgement, first draft and audit events."""
    now = runtime.clock()
    received_at = as_utc(row.received_at)
    year = received_at.astimezone(COPENHAGEN).year
    seq = queries.allocate_sequence(session, name=f"case_ref:{year}")
    ref = case_rules.format_reference(year, seq)
    labels = classification.labels
    complaint = RequestType.COMPLAINT in labels
    retain = case_rules.retention_until(received_at, runtime.policy, complaint=complaint)
    language = drafting.choose_language(classification.language, runtime.company)
    case = Case(
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
        created_at=now,
        updated_at=now,
        retain_until=retain,
    )
    session.add(case)
    session.flush()
    row.case_id = case.id
    _finish(row, status="processed", rule="case_opened", now=now, runtime=runtime)
    row.retain_until = retain
    append_event(
        session,
        actor="privacybot",
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
    _queue_acknowledgement(session, runtime, case, view, inbound, now)
    subject, body = drafting.reply(
        runtime.templates, case=view, company=runtime.company, policy=runtime.policy
    )
    draft = Draft(
        case_id=case.id,
        version=1,
        subject=subject,
        body=body,
        created_at=now,
        retain_until=retain,
    )
    session.add(draft)
    session.flush()
    status = case_rules.initial_status(labels)
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
    log.info("case %s opened from message %s (%s)", ref, row.id, ",".join(labels))
    return case


def _queue_acknowledgement(
    session: Session, runtime: Runtime, case: Case, view: CaseView, inbound: Inbound, now
) -> None:  # type: ignore[no-untyped-def]
    if inbound.channel == Channel.CHAT:
        return  # the chat adapter answers in the chat; no mail address to write to
    cap = runtime.policy.acks_per_sender_per_day
    sent = queries.acks_sent_since(
        session, recipient=inbound.sender, since=now - timedelta(days=1)
    )
    if not inbound.sender or sent >= cap:
        append_event(
            session,
            actor="privacybot",
            action="ack_suppressed",
            case_id=case.id,
            case_ref=case.ref,
            detail={"reason": "no sender" if not inbound.sender else "per-sender cap"},
            at=now,
        )
        case.status = "acknowledged"
        return
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
