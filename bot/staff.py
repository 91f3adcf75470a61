"""What staff decide about a draft: approve, reject, edit. Used by the CLI, the chat and
the web dashboard.

Each decision is one transaction that locks the draft row, checks that it is still the
newest pending version (a stale button or an old ID is refused), and writes the outcome
with its audit event. A decision taken outside the chat also queues an edit of the
draft's chat cards, so the staff chat shows it as decided instead of offering buttons
that can only be refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.authorisation import (
    KIND_AUTHORISATION_REQUEST,
    draft_options,
    first_draft_kind,
    refuse_disclosure,
)
from bot.mail import build_message
from bot.pipeline import case_view, queue_staff_card
from bot.runtime import Runtime
from handlers import case_rules, drafting
from handlers.values import REQUEST_TYPES, RequestType
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft, as_utc
from storage.queries import Refused


@dataclass(frozen=True)
class Decided:
    draft_id: int
    case_ref: str
    version: int
    status: str
    #: Extra facts for the caller to show (the new deadline of an extension, for one).
    note: str = ""


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


#: The chat's own handlers edit the cards they decided from, at once and with the name
#: Telegram shows; only decisions by other actors need the outbox to do it.
CHAT_ACTOR_PREFIX = "telegram:"
_OFFICE_TZ = ZoneInfo("Europe/Copenhagen")


def _show_in_chat(
    session: Session, runtime: Runtime, case: Case, draft: Draft, *, actor: str, outcome: str,
    now: datetime,
) -> None:
    """Queue the edit of ``draft``'s staff chat cards that records ``outcome``, in the
    deciding transaction (the outbox's ``card_update``; the chat sender removes the
    buttons). Nothing when there is no staff chat or the chat itself decided."""
    telegram = runtime.settings.telegram
    if not (telegram.enabled and telegram.staff_chat_id) or actor.startswith(CHAT_ACTOR_PREFIX):
        return
    when = as_utc(now).astimezone(_OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    queries.add_outbox(
        session,
        kind="card_update",
        transport="chat",
        # A draft version is decided once, so this id is made once.
        message_id=drafting.message_id(
            kind="card-update", ref=case.ref, n=draft.version, domain=runtime.mail_domain
        ),
        payload=json.dumps(
            {"draft_id": draft.id, "outcome": f"{outcome} by {actor} at {when}."},
            ensure_ascii=False,
        ).encode("utf-8"),
        recipient=str(telegram.staff_chat_id),
        subject="",
        case_id=case.id,
        now=now,
        retain_until=case.retain_until,
    )


def approve_draft(runtime: Runtime, *, draft_id: int, actor: str) -> Decided:
    """Approve: the reply goes into the outbox and the case moves to ``approved``."""
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        draft, case = _pending_draft(session, draft_id)
        refuse_disclosure(case, draft)
        before = _state(case, draft)
        if draft.kind == "reply" and case.status != "awaiting_authorisation":
            # A third-party case's first letter asks for the subject's consent; the case
            # keeps waiting for it after that letter is approved. An extension notice
            # answers nothing, so it leaves the case where it is.
            case.status = case_rules.transition(case.status, "approved")
        draft.status = "approved"
        draft.decided_by = actor
        draft.decided_at = now
        _show_in_chat(session, runtime, case, draft, actor=actor, outcome="✅ Approved", now=now)
        if case.channel == "chat":
            message_id = _queue_chat_letter(session, runtime, case, draft, now)
            append_event(
                session, actor=actor, action="draft_approved", case_id=case.id,
                case_ref=case.ref,
                detail={"draft": draft.id, "version": draft.version, "message_id": message_id,
                        "before": before, "after": _state(case, draft)},
                at=now,
            )
            return Decided(draft.id or 0, case.ref, draft.version, draft.status)
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
            kind=draft.kind,
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
            detail={"draft": draft.id, "version": draft.version, "message_id": mail.message_id,
                    "before": before, "after": _state(case, draft)},
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
        before = _state(case, draft)
        draft.status = "rejected"
        draft.decided_by = actor
        draft.decided_at = now
        draft.reason = reason
        case.status = case_rules.transition(case.status, "rejected")
        _show_in_chat(session, runtime, case, draft, actor=actor, outcome="❌ Rejected", now=now)
        case.updated_at = now
        append_event(
            session, actor=actor, action="draft_rejected", case_id=case.id, case_ref=case.ref,
            detail={"draft": draft.id, "version": draft.version, "reason": reason,
                    "before": before, "after": _state(case, draft)},
            at=now,
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
            version=_next_version(session, case),
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
        _show_in_chat(session, runtime, case, draft, actor=actor,
                      outcome=f"✏️ Replaced by v{new.version}, edited", now=now)
        append_event(
            session, actor=actor, action="draft_edited", case_id=case.id, case_ref=case.ref,
            detail={"draft": new.id, "version": new.version, "replaces": draft.id,
                    "before": {"draft": draft.id, "version": draft.version},
                    "after": {"draft": new.id, "version": new.version}},
            at=now,
        )
        queue_staff_card(session, runtime, case, new, now)
        return Decided(new.id or 0, case.ref, new.version, new.status)


def _state(case: Case, draft: Draft) -> dict[str, str]:
    """What a decision changes, for the audit event's ``before`` and ``after``: an
    auditor reads from the event alone what the case and the draft were, and became."""
    return {"case_status": case.status, "draft_status": draft.status}


def _next_version(session: Session, case: Case) -> int:
    """Versions count per case, across the reply and any extension notice beside it."""
    newest = queries.latest_draft(session, case_id=case.id or 0)
    return (newest.version if newest else 0) + 1


def _queue_chat_letter(
    session: Session, runtime: Runtime, case: Case, draft: Draft, now
) -> str:  # type: ignore[no-untyped-def]
    """An approved letter for a case that came by chat goes back into that chat.

    The chat sender delivers the plain text (staff notes removed); the Message-ID is
    derived like a mail's, so the outbox recognises a repeat.
    """
    message_id = drafting.message_id(
        kind=draft.kind, ref=case.ref, n=draft.version, domain=runtime.mail_domain
    )
    text = drafting.strip_staff_notes(draft.body)
    queries.add_outbox(
        session,
        kind=draft.kind,
        transport="chat",
        message_id=message_id,
        payload=json.dumps(
            {"chat_id": int(case.chat_thread or 0), "text": text}, ensure_ascii=False
        ).encode("utf-8"),
        recipient=f"tg:{case.chat_thread}",
        subject=draft.subject,
        case_id=case.id,
        now=now,
        retain_until=case.retain_until,
    )
    return message_id


def relabel_draft(
    runtime: Runtime, *, draft_id: int, actor: str, labels: list[str]
) -> Decided:
    """Relabel: the case takes the chosen request types and the reply is drafted anew.

    The old version is superseded (its buttons go stale), like an edit; what staff had
    typed into it is lost, which is why the chat asks before applying.
    """
    chosen = [t for t in REQUEST_TYPES if str(t) in set(labels)]
    if not chosen:
        raise Refused("choose at least one request type")
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        draft, case = _pending_draft(session, draft_id)
        if draft.kind not in ("reply", KIND_AUTHORISATION_REQUEST):
            raise Refused(f"draft {draft_id} is an {draft.kind} notice; relabel the reply")
        before = json.loads(case.labels)
        case.labels = json.dumps([str(t) for t in chosen])
        # The same identity checks as the first draft (flagged sender, chat requester).
        subject, body = drafting.reply(
            runtime.templates, case=case_view(case), company=runtime.company,
            policy=runtime.policy, **draft_options(runtime, case),
        )
        draft.status = "superseded"
        draft.decided_by = actor
        draft.decided_at = now
        new = Draft(
            case_id=case.id or 0, version=_next_version(session, case),
            kind="reply" if case.authorised_at else first_draft_kind(chosen),
            subject=subject, body=body, created_by=actor, created_at=now,
            retain_until=draft.retain_until,
        )
        session.add(new)
        session.flush()
        waiting = RequestType.THIRD_PARTY_AUTHORISATION in chosen
        wanted = "awaiting_authorisation" if waiting else "draft_pending"
        if case.status != wanted and case_rules.can_transition(case.status, wanted):
            case.status = wanted
        case.updated_at = now
        _show_in_chat(session, runtime, case, draft, actor=actor,
                      outcome=f"🏷 Replaced by v{new.version}, relabelled", now=now)
        append_event(
            session, actor=actor, action="case_relabelled", case_id=case.id, case_ref=case.ref,
            detail={"from": before, "to": [str(t) for t in chosen], "draft": new.id,
                    "version": new.version, "replaces": draft.id,
                    "before": {"labels": before, "draft": draft.id, "version": draft.version},
                    "after": {"labels": [str(t) for t in chosen], "draft": new.id,
                              "version": new.version}},
            at=now,
        )
        queue_staff_card(session, runtime, case, new, now)
        return Decided(new.id or 0, case.ref, new.version, new.status)


def extend_deadline(runtime: Runtime, *, draft_id: int, actor: str, reason: str) -> Decided:
    """Extend from a draft's button: refused for a stale draft, otherwise as ``extend_case``.

    The reply draft stays pending beside the notice; each is approved on its own.
    """
    if not reason.strip():
        raise Refused("an extension needs a reason the requester can read")
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        _draft, case = _pending_draft(session, draft_id)
        notice = _extend(session, runtime, case, actor=actor, reason=reason, now=now)
        return Decided(
            notice.id or 0, case.ref, notice.version, notice.status, note=notice_deadline(case)
        )


def notice_deadline(case: Case) -> str:
    return (case.extended_deadline or case.deadline).isoformat()


@dataclass(frozen=True)
class Extended:
    case_ref: str
    deadline: str
    draft_id: int
    version: int


def extend_case(runtime: Runtime, *, ref: str, actor: str, reason: str) -> Extended:
    """Extend a case's deadline by two months, by reference, and draft the notice.

    Unlike ``extend_deadline`` this needs no pending draft: a third-party case whose
    consent letter went out, or a case waiting for the customer, may need more time too.
    The new deadline is three months from receipt, rolled to a working day, not two
    months after the rolled first deadline; and only while the first month runs, since
    art. 12(3) wants the requester told within it.

    Raises:
        queries.NotFound: no case ``ref``.
        queries.Refused: no reason, already extended, finished, or the first month is over.
    """
    from sqlalchemy import select

    if not reason or not reason.strip():
        raise Refused("an extension needs a reason the requester can read")
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        case = session.execute(
            select(Case).where(Case.ref == ref).with_for_update()
        ).scalar_one_or_none()
        if case is None:
            raise queries.NotFound(f"no case {ref}")
        if case.status in ("answered", "closed", "rejected"):
            raise Refused(f"case {case.ref} is {case.status}; there is nothing left to extend")
        notice = _extend(session, runtime, case, actor=actor, reason=reason, now=now)
        return Extended(case.ref, notice_deadline(case), notice.id or 0, notice.version)


def _extend(
    session: Session, runtime: Runtime, case: Case, *, actor: str, reason: str, now: datetime
) -> Draft:
    """The one place an extension happens: new deadline, notice draft, audit, staff card.

    The caller has locked the case and checked that it may still be extended.
    """
    if case.extended_deadline is not None:
        raise Refused(f"case {case.ref} was already extended to {case.extended_deadline}")
    received = as_utc(case.received_at)
    if not case_rules.can_extend(received, now):
        raise Refused(
            f"case {case.ref}: the first deadline {case.deadline} has passed; "
            "an extension must be announced within the first month"
        )
    new_deadline = case_rules.extended_deadline(received)
    subject, body = drafting.extension_notice(
        runtime.templates, case=case_view(case), company=runtime.company,
        new_deadline=new_deadline, reason=reason,
    )
    before = case.deadline.isoformat()
    case.extended_deadline = new_deadline
    case.extension_reason = reason.strip()
    case.updated_at = now
    notice = Draft(
        case_id=case.id or 0, version=_next_version(session, case), kind="extension",
        subject=subject, body=body, created_by=actor, created_at=now,
        retain_until=case.retain_until,
    )
    session.add(notice)
    session.flush()
    append_event(
        session, actor=actor, action="deadline_extended", case_id=case.id,
        case_ref=case.ref,
        detail={
            "deadline": new_deadline.isoformat(), "reason": reason.strip(),
            "draft": notice.id, "version": notice.version,
            "before": {"deadline": before},
            "after": {"deadline": new_deadline.isoformat()},
        },
        at=now,
    )
    queue_staff_card(session, runtime, case, notice, now)
    return notice

