"""The retention purge: what the service stores is personal data too, and it expires.

A case and everything that belongs to it (messages, drafts, outbox items) is deleted
once its ``retain_until`` has passed and the case is finished; mail that opened no case
expires on its own date. The audit events stay, since they carry references and ids,
not personal data; the purge itself is an audit event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from bot.runtime import Runtime
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft, Message, OutboxItem

FINISHED = ("answered", "closed", "rejected")


def purge(runtime: Runtime, *, today: date) -> dict[str, int]:
    with unit_of_work(runtime.sessions) as session:
        expired = list(
            session.execute(
                select(Case.id)
                .where(Case.retain_until < today)
                .where(Case.status.in_(FINISHED))
            ).scalars()
        )
        counts = {"cases": len(expired), "messages": 0, "drafts": 0, "outbox items": 0}
        if expired:
            counts["messages"] += session.execute(
                delete(Message).where(Message.case_id.in_(expired))
            ).rowcount
            counts["drafts"] = session.execute(
                delete(Draft).where(Draft.case_id.in_(expired))
            ).rowcount
            counts["outbox items"] += session.execute(
                delete(OutboxItem).where(OutboxItem.case_id.in_(expired))
            ).rowcount
            session.execute(delete(Case).where(Case.id.in_(expired)))
        counts["messages"] += session.execute(
            delete(Message)
            .where(Message.case_id.is_(None))
            .where(Message.retain_until < today)
            .where(Message.status.in_(("processed", "ignored", "failed")))
        ).rowcount
        counts["outbox items"] += session.execute(
            delete(OutboxItem)
            .where(OutboxItem.case_id.is_(None))
            .where(OutboxItem.retain_until < today)
            .where(OutboxItem.status.in_(("sent", "failed")))
        ).rowcount
        if any(counts.values()):
            append_event(
                session, actor="privacybot", action="retention_purge",
                detail={"today": today.isoformat(), **counts}, at=runtime.clock(),
            )
        return counts
