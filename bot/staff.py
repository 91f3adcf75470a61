"""What staff decide about a draft: approve, reject, edit. Used by the CLI and the chat.

Each decision is one transaction that locks the draft row, checks that it is still the
newest pending version (a stale button or an old ID is refused), and writes the outcome
with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.mail import build_message
from bot.pipeline import case_view
from bot.runtime import Runtime
from handlers import case_rules, drafting
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft
from storage.queries import Refused


@dataclass(frozen=True)
class Decided:
    draft_id: int
    case_ref: str
    version: int
    status: str


def _pending_draft(session: Session, draft_id: int) -> tuple[Draft, Case]:
    draft = queries.get_draft(session, draft_id=draft_id, lock=True)
    case = session.get(Case, draft.case_id)
    assert case is not None
    if draft.status == "superseded":
        newest = queries.latest_draft(session, case_id=case.id)
        raise Refused(
            f"draft {draft_id} is version {draft.version} of case {case.ref}; "
            f"version {newest.version if newest else '?'} (draft {newest.id if newest else '?'})"
            " replaced it"
        )
    if draft.status != "pending":
        raise Refused(f"draft {draft_id} of case {case.ref} is already {draft.status}")
    return draft, case


def approve_draft(runtime: Runtime, *, draft_id: int, actor: str) -> Decided:
    """Approve: the reply goes into the outbox and the case moves to ``approved``."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        draft, case = _pending_draft(session, draft_id)
        if case.status != "awaiting_authorisation":
            # A third-party case's first letter asks for the subject's consent; the case
            # keeps waiting for it after that letter is approved.
            case.status = case_rules.transition(case.status, "approved")
        draft.status = "approved"
        draft.decided_by = actor
        draft.decided_at = now
        in_reply_to = case.first_message_id
        references = (in_reply_to,) if in_reply_to else ()
        mail = drafting.reply_mail(
            case=case_view(case),
            subject=draft.subject,
            body=draft.body,
            company=runtime.company,
            in_reply_to=in_reply_to,
            references=references,
            n=draft.version,
            domain=runtime.mail_domain,
        )
        queries.add_outbox(
            session,
            kind="reply",
            message_id=mail.message_id,
            payload=build_message(mail, sender_name=runtime.company.name, date=now),
            recipient=mail.to,
            subject=mail.subject,
            case_id=case.id,
            now=now,
            retain_until=case.retain_until,
        )
        case.updated_at = now
        append_event(
            session, actor=actor, action="draft_approved", case_id=case.id, case_ref=case.ref,
            detail={"draft": draft.id, "version": draft.version, "message_id": mail.message_id},
            at=now,
        )
        return Decided(draft.id or 0, case.ref, draft.version, draft.status)


def reject_draft(runtime: Runtime, *, draft_id: int, actor: str, reason: str) -> Decided:
    """Reject: nothing is sent; the case goes to ``rejected`` with the reason recorded."""
    if not reason.strip():
        raise Refused("a rejection needs a reason")
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        draft, case = _pending_draft(session, draft_id)
        draft.status = "rejected"
        draft.decided_by = actor
        draft.decided_at = now
        draft.reason = reason
        case.status = case_rules.transition(case.status, "rejected")
        case.updated_at = now
        append_event(
            session, actor=actor, action="draft_rejected", case_id=case.id, case_ref=case.ref,
            detail={"draft": draft.id, "version": draft.version, "reason": reason}, at=now,
        )
        return Decided(draft.id or 0, case.ref, draft.version, draft.status)


def edit_draft(
    runtime: Runtime, *, draft_id: int, actor: str, body: str, subject: str | None = None
) -> Decided:
    """Edit: a new version replaces the old one, which can no longer be approved."""
    if not body.strip():
        raise Refused("the new draft text is empty")
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        draft, case = _pending_draft(session, draft_id)
        draft.status = "superseded"
        draft.decided_by = actor
        draft.decided_at = now
        new = Draft(
            case_id=case.id or 0,
            version=draft.version + 1,
            kind=draft.kind,
            subject=subject or draft.subject,
            body=body,
            created_by=actor,
            created_at=now,
            retain_until=draft.retain_until,
        )
        session.add(new)
        session.flush()
        case.updated_at = now
        append_event(
            session, actor=actor, action="draft_edited", case_id=case.id, case_ref=case.ref,
            detail={"draft": new.id, "version": new.version, "replaces": draft.id}, at=now,
        )
        return Decided(new.id or 0, case.ref, new.version, new.status)
