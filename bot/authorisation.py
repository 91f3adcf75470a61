"""Who may have what: sender authenticity, the customer directory, third-party consent.

The pipeline calls these inside its deciding transaction, so a flag, a consent and the
staff notice about it commit together with the message that caused them. The decisions
themselves are pure functions in ``handlers.authenticity`` and ``handlers.identity``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from sqlalchemy.orm import Session

from bot.mail import build_message
from bot.runtime import Runtime
from handlers import case_rules, drafting, identity
from handlers.authenticity import UNKNOWN, Authenticity, assess
from handlers.values import Channel, Inbound, OutgoingMail, RequestType
from storage import queries
from storage.audit import append_event
from storage.models import Case, Draft, Message

log = logging.getLogger("privacybot.cases")

#: The first letter of a case where someone writes for another person: it asks for the
#: data subject's consent and discloses nothing, so it may be approved before consent.
KIND_AUTHORISATION_REQUEST = "authorisation_request"
#: Drafts that may be approved while a case still waits for the data subject's consent.
NON_DISCLOSING_KINDS = frozenset({KIND_AUTHORISATION_REQUEST, "extension"})

STAFF_TRANSPORT = "staff"


# --------------------------------------------------------------------------- authenticity


def message_authenticity(runtime: Runtime, row: Message) -> Authenticity:
    """The trusted receiving server's verdict on a stored mail; chat has none.

    Read from the raw bytes rather than the normalised value because a mail may carry
    several ``Authentication-Results`` headers (one per hop) and all of them are needed
    to find the trusted one.
    """
    if row.channel == Channel.CHAT:
        return UNKNOWN
    trusted = runtime.settings.policy.trusted_authserv_id
    if not trusted:
        return UNKNOWN
    headers = BytesHeaderParser(policy=compat32).parsebytes(row.raw, headersonly=True)
    values = [str(v) for v in headers.get_all("Authentication-Results") or []]
    return assess(values, trusted_authserv_id=trusted)


def case_flags(case: Case) -> list[str]:
    return list(json.loads(case.flags or "[]"))


@dataclass(frozen=True)
class NewCaseMarks:
    """What ``mark_new_case`` sets on a new case (``new_case_marks``)."""

    flags: list[str]
    subject_address: str | None
    authenticity: Authenticity


def new_case_marks(
    session: Session, runtime: Runtime, row: Message, inbound: Inbound, labels: Iterable[str]
) -> NewCaseMarks:
    """The sender's flags and the data subject's address of a case about to be opened.

    Worked out before the case is inserted, so that it is inserted with them (issue 9,
    item 21: an INSERT and then an UPDATE of the same row); ``mark_new_case`` takes them.
    """
    authenticity = message_authenticity(runtime, row)
    in_use = queries.directory_in_use(session)
    known = in_use and queries.directory_knows(session, email=inbound.sender)
    flags = list(identity.flags(authenticity, directory_in_use=in_use, sender_known=known))
    subject_address = None
    if RequestType.THIRD_PARTY_AUTHORISATION in {str(label) for label in labels}:
        others = identity.mentioned_addresses(
            inbound.text, exclude=(inbound.sender, *runtime.own_addresses)
        )
        subject_address = others[0] if others else None
    return NewCaseMarks(flags, subject_address, authenticity)


def mark_new_case(
    session: Session, runtime: Runtime, case: Case, row: Message, inbound: Inbound,
    now: datetime, marks: NewCaseMarks | None = None,
) -> list[str]:
    """Flag the sender of a new case and note whose consent a third-party case awaits.

    ``marks``: ``new_case_marks`` of this case, when the caller worked them out already.
    """
    if marks is None:
        marks = new_case_marks(session, runtime, row, inbound, queries.labels_of(case))
    flags, authenticity = marks.flags, marks.authenticity
    case.flags = json.dumps(flags)
    if RequestType.THIRD_PARTY_AUTHORISATION in set(queries.labels_of(case)):
        case.subject_address = marks.subject_address
    if flags:
        append_event(
            session, actor="privacybot", action="sender_flagged", case_id=case.id,
            case_ref=case.ref,
            detail={"flags": flags, "message": row.id, "dmarc": authenticity.dmarc,
                    "dkim": authenticity.dkim, "spf": authenticity.spf},
            at=now,
        )
        queue_staff_notice(
            session, runtime, case, now=now, event="sender_flagged",
            text=_flag_text(flags),
        )
        log.info("case %s: sender flagged (%s)", case.ref, ",".join(flags))
    return flags


def _flag_text(flags: list[str]) -> str:
    reasons = {
        identity.FLAG_AUTH_FAILED: "the mail failed the receiving server's authentication "
        "check (DMARC/DKIM/SPF), so it may not come from the address it shows",
        identity.FLAG_UNKNOWN_SENDER: "the sender's address is not in the customer directory",
    }
    return (
        "The sender of this request is flagged: "
        + "; ".join(reasons.get(f, f) for f in flags)
        + ". An access or erasure draft asks for proof of identity instead of acting."
    )


def draft_options(runtime: Runtime, case: Case) -> dict[str, Any]:
    """Keyword arguments for ``drafting.reply`` that follow from the sender's flags and
    the case's channel: a chat case's access or erasure draft asks for proof of identity
    by e-mail. Every draft of the case (first, relabelled, after consent) gets them."""
    flags = case_flags(case)
    flags += [f for f in identity.channel_flags(case.channel) if f not in flags]
    verify = runtime.settings.policy.verify_flagged_senders and identity.needs_verification(
        queries.labels_of(case), flags
    )
    return {"sender_flags": flags, "verify_identity": verify}


def first_draft_kind(labels: Any) -> str:
    """A third-party case's first letter asks for consent; every other one is the reply."""
    if RequestType.THIRD_PARTY_AUTHORISATION in {str(label) for label in labels}:
        return KIND_AUTHORISATION_REQUEST
    return "reply"


# --------------------------------------------------------------------------- consent


def needs_consent(case: Case) -> bool:
    """Whether the case is about someone other than the writer and their consent is missing."""
    return (
        RequestType.THIRD_PARTY_AUTHORISATION in set(queries.labels_of(case))
        and case.authorised_at is None
    )


def refuse_disclosure(case: Case, draft: Draft) -> None:
    """Refuse to send a letter that could disclose the subject's data before consent.

    Raises:
        queries.Refused: the case waits for consent and the draft is not the letter
            asking for it (or an extension notice).
    """
    if needs_consent(case) and draft.kind not in NON_DISCLOSING_KINDS:
        raise queries.Refused(
            f"case {case.ref} waits for the data subject's written consent; draft "
            f"{draft.id} ({draft.kind}) could disclose their data and cannot be approved "
            "before the consent has arrived"
        )


def consent_case_for(session: Session, inbound: Inbound) -> int | None:
    """The one case waiting for this sender's consent, when the message gives it.

    This is how a consent written as a new mail (no reference, no reply headers) from the
    address the writer gave for the data subject finds its case; with two such cases the
    message is ambiguous and opens a case of its own for staff to sort out.
    """
    if not identity.expresses_consent(inbound.text):
        return None
    waiting = queries.cases_awaiting_consent_from(session, address=inbound.sender)
    if len(waiting) != 1:
        return None
    return waiting[0].id


def on_message_added(
    session: Session,
    runtime: Runtime,
    case: Case,
    row: Message,
    inbound: Inbound,
    *,
    rule: str,
    now: datetime,
) -> bool:
    """Move a waiting third-party case on when this message is the subject's consent.

    The consent must come from someone other than the writer (a mother cannot consent
    for her son), read as consent, and not fail authentication. It counts when it came in
    the case's thread or from the address the writer gave for the subject. Returns
    whether the case moved on.
    """
    if not needs_consent(case) or case.status != case_rules.CaseStatus.AWAITING_AUTHORISATION:
        return False
    sender = (inbound.sender or "").lower()
    if not sender or sender == (case.requester or "").lower():
        return False
    if not identity.expresses_consent(inbound.text):
        return False
    authenticity = message_authenticity(runtime, row)
    from_subject = bool(case.subject_address) and sender == case.subject_address.lower()
    if authenticity.verdict == "fail":
        append_event(
            session, actor="privacybot", action="consent_not_accepted", case_id=case.id,
            case_ref=case.ref, detail={"message": row.id, "reason": "authentication failed"},
            at=now,
        )
        queue_staff_notice(
            session, runtime, case, now=now, event="consent_not_accepted",
            text="A message that reads as the data subject's consent arrived, but it failed "
            "the receiving server's authentication check; the case keeps waiting. Check "
            "the consent with the data subject before going on.",
        )
        return False
    _authorise(session, runtime, case, row, now=now, evidence=rule, from_subject=from_subject)
    return True


def _authorise(
    session: Session,
    runtime: Runtime,
    case: Case,
    row: Message,
    *,
    now: datetime,
    evidence: str,
    from_subject: bool,
) -> None:
    from bot.pipeline import case_view  # the pipeline imports this module

    before = case.status
    view = case_view(case)
    answered = tuple(label for label in view.labels
                     if label != RequestType.THIRD_PARTY_AUTHORISATION)
    # Nothing but "on behalf of" was recognised: staff must say what is asked for.
    target = case_rules.CaseStatus.DRAFT_PENDING if answered else case_rules.CaseStatus.TRIAGE
    case.status = case_rules.transition(case.status, target)
    case.authorised_at = now
    case.updated_at = now
    for old in queries.pending_drafts_of(session, case_id=case.id or 0,
                                         kind=KIND_AUTHORISATION_REQUEST):
        old.status = "superseded"
        old.decided_by = "privacybot"
        old.decided_at = now
    # The answer itself now: the requests without the third-party section, which only
    # asked for the consent that has now arrived.
    draft_id = version = None
    if answered:
        subject, body = drafting.reply(
            runtime.templates, case=replace(view, labels=answered), company=runtime.company,
            policy=runtime.policy, **draft_options(runtime, case),
        )
        note = (
            f"{drafting.STAFF_NOTE_PREFIX} The data subject's written consent arrived "
            f"(message {row.id}); this answer goes to the person writing on their behalf. "
            "Check that it fits the consent's scope, and delete this line.]\n"
        )
        newest = queries.latest_draft(session, case_id=case.id or 0)
        version = (newest.version if newest else 0) + 1
        draft = Draft(
            case_id=case.id or 0, version=version, kind="reply", subject=subject,
            body=note + body, created_at=now, retain_until=case.retain_until,
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    append_event(
        session, actor="privacybot", action="consent_received", case_id=case.id,
        case_ref=case.ref,
        detail={
            "message": row.id,
            "evidence": evidence,
            "from_subject_address": from_subject,
            "before": {"status": before},
            "after": {"status": case.status, "draft": draft_id, "version": version},
        },
        at=now,
    )
    queue_staff_notice(
        session, runtime, case, now=now, event="consent_received",
        text="The data subject's written consent has arrived"
        + (" from the address the writer gave for them" if from_subject else
           " in the case's thread (from an address we did not know for them: check it)")
        + ". The case has moved on"
        + (f"; draft {draft_id} (version {version}) answers the request." if draft_id else
           " to triage: no request type besides the authorisation was recognised, so "
           "staff must say what is asked for."),
    )
    log.info("case %s: consent received in message %s (%s)", case.ref, row.id, evidence)


# --------------------------------------------------------------------------- staff notices


def queue_staff_notice(
    session: Session, runtime: Runtime, case: Case, *, now: datetime, event: str, text: str
) -> None:
    """Tell staff something they must act on, through the outbox in the same transaction.

    Into the staff chat when one is configured, otherwise as a mail file in the outbox
    folder's ``staff/`` subfolder. Every notice names the case and its deadline, because
    the deadline is what decides how soon staff must act.
    """
    deadline: date = case.extended_deadline or case.deadline
    lines = [
        f"Case {case.ref} ({', '.join(queries.labels_of(case))}), status {case.status}",
        f"Deadline: {deadline.isoformat()}",
        "",
        text,
    ]
    body = "\n".join(lines) + "\n"
    n = _notice_number(session, case)
    message_id = drafting.message_id(
        kind=f"staff-{event.replace('_', '-')}", ref=case.ref, n=n, domain=runtime.mail_domain
    )
    telegram = runtime.settings.telegram
    if telegram.enabled and telegram.staff_chat_id:
        payload = json.dumps({"chat_id": telegram.staff_chat_id, "text": body},
                             ensure_ascii=False).encode("utf-8")
        transport, recipient = "chat", str(telegram.staff_chat_id)
    else:
        mail = OutgoingMail(
            to=runtime.company.email, sender=runtime.company.email,
            subject=f"[{case.ref}] {event.replace('_', ' ')} (deadline {deadline.isoformat()})",
            body=body, message_id=message_id,
            headers={"Auto-Submitted": "auto-generated", "X-Loop": runtime.company.email},
            language="en",
        )
        payload = build_message(mail, sender_name="privacybot", date=now)
        transport, recipient = STAFF_TRANSPORT, runtime.company.email
    queries.add_outbox(
        session, kind="staff_notice", transport=transport, message_id=message_id,
        payload=payload, recipient=recipient,
        subject=f"[{case.ref}] {event.replace('_', ' ')}", case_id=case.id, now=now,
        retain_until=case.retain_until,
    )


def _notice_number(session: Session, case: Case) -> int:
    return 1 + sum(
        1 for item in queries.outbox_items(session, case_id=case.id) if item.kind == "staff_notice"
    )
