"""The retention purge: what the service stores is personal data too, and it expires.

A finished case (answered, closed or rejected) is kept for the configured years after
it finished, the extended years when it carries a complaint; its messages, drafts and
outbox items go with it. Mail that opened no case expires on its own date. What stays
of a purged case is a tombstone (reference, request types, dates, outcome) and its audit
events, which carry references and ids rather than personal data: that is what the
company needs to show afterwards that it answered, and when. Open cases are never purged,
whatever their date, because someone still has to answer them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from bot.progress import bar as progress_bar
from bot.runtime import Runtime
from handlers import case_rules
from handlers.values import RequestType
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, CaseTombstone, Draft, Message, OutboxItem, as_utc

FINISHED = ("answered", "closed", "rejected")
#: Messages that opened no case and need nobody any more ("triage" still waits for staff).
DONE_MESSAGES = ("processed", "ignored", "failed")


@dataclass
class PurgeReport:
    """What a purge did, or with ``dry_run`` would do: counts and case references only."""

    today: date
    dry_run: bool
    counts: dict[str, int] = field(
        default_factory=lambda: {"cases": 0, "messages": 0, "drafts": 0, "outbox items": 0}
    )
    refs: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        text = f"{verb}: " + ", ".join(f"{n} {what}" for what, n in self.counts.items())
        if self.refs:
            text += " (cases " + ", ".join(self.refs) + ")"
        return text


def finished_at(case: Case) -> datetime:
    """When a finished case finished: its closing time, else its last change."""
    return as_utc(case.closed_at or case.updated_at or case.received_at)


def retention_date(case: Case, runtime: Runtime) -> date:
    """The last day a finished case may be kept, by the configured rules.

    Counted from when it finished, not from receipt ("2 years after the case closes"),
    and never earlier than a date already stored on the case, which may have been set
    longer on purpose.
    """
    complaint = RequestType.COMPLAINT in set(json.loads(case.labels or "[]"))
    due = case_rules.retention_until(finished_at(case), runtime.policy, complaint=complaint)
    if case.retain_until is not None and case.retain_until > due:
        return case.retain_until
    return due


def purge(
    runtime: Runtime, *, today: date, dry_run: bool = False, progress: bool | None = None
) -> PurgeReport:
    """Erase what is due on ``today``; with ``dry_run``, only say what that would be.

    ``progress``: a bar with rate and ETA over the cases written, in batches (None: only
    when standard error is a terminal). It counts cases, never names them.
    """
    report = PurgeReport(today=today, dry_run=dry_run)
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        finished = list(
            session.execute(
                select(Case).where(Case.status.in_(FINISHED)).order_by(Case.id)
            ).scalars()
        )
        expired: list[Case] = []
        changed: dict[date, list[Case]] = {}
        for case in finished:
            due = retention_date(case, runtime)
            if due < today:
                expired.append(case)
            elif not dry_run and case.retain_until != due:
                changed.setdefault(due, []).append(case)
        work = 0 if dry_run else len(expired) + sum(len(cases) for cases in changed.values())
        # Nothing to write (or a dry run): no bar, not even an empty one.
        bar = progress_bar("purge", total=work, unit=" cases", show=progress if work else False)
        _set_retention(session, changed, bar)
        ids = [case.id for case in expired if case.id is not None]
        report.refs = [case.ref for case in expired]
        report.counts["cases"] = len(ids)
        if ids:
            report.counts["messages"] += _count(session, Message, Message.case_id.in_(ids))
            report.counts["drafts"] += _count(session, Draft, Draft.case_id.in_(ids))
            report.counts["outbox items"] += _count(
                session, OutboxItem, OutboxItem.case_id.in_(ids)
            )
        loose_messages = (
            Message.case_id.is_(None),
            Message.retain_until < today,
            Message.status.in_(DONE_MESSAGES),
        )
        loose_outbox = (
            OutboxItem.case_id.is_(None),
            OutboxItem.retain_until < today,
            OutboxItem.status.in_(("sent", "failed")),
        )
        report.counts["messages"] += _count(session, Message, *loose_messages)
        report.counts["outbox items"] += _count(session, OutboxItem, *loose_outbox)
        if dry_run:
            bar.close()
            session.rollback()
            return report

        for start in range(0, len(expired), BATCH):
            cases = expired[start : start + BATCH]
            for case in cases:
                session.add(_tombstone(case, runtime, now))
                append_event(
                    session, actor="privacybot", action="case_purged", case_id=case.id,
                    case_ref=case.ref,
                    detail={"outcome": case.status,
                            "before": {"status": case.status},
                            "after": {"status": "purged"}},
                    at=now,
                )
            batch = [case.id for case in cases if case.id is not None]
            if batch:
                session.execute(delete(Message).where(Message.case_id.in_(batch)))
                session.execute(delete(Draft).where(Draft.case_id.in_(batch)))
                session.execute(delete(OutboxItem).where(OutboxItem.case_id.in_(batch)))
                session.execute(delete(Case).where(Case.id.in_(batch)))
            bar.update(len(cases))
        bar.close()
        session.execute(delete(Message).where(*loose_messages))
        session.execute(delete(OutboxItem).where(*loose_outbox))
        if any(report.counts.values()):
            append_event(
                session, actor="privacybot", action="retention_purge",
                detail={"today": today.isoformat(), "cases": report.refs, **{
                    k.replace(" ", "_"): v for k, v in report.counts.items() if k != "cases"
                }},
                at=now,
            )
    return report


def _count(session, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return int(session.execute(select(func.count()).select_from(model).where(*conditions))
               .scalar_one())


#: Case ids per ``UPDATE ... WHERE case_id IN (...)``: well under SQLite's variable limit.
BATCH = 500


def _set_retention(session, changed: dict[date, list[Case]], bar=None) -> None:  # type: ignore[no-untyped-def]
    """Write finished cases' retention dates onto them and everything that belongs to them.

    Bulk statements per date and batch of cases, without synchronising the session (its
    only loaded rows are these cases, set below). One ORM update per case and table, each
    walking the whole session, held the write lock for minutes with 10,000 cases.
    """
    for due, cases in changed.items():
        for start in range(0, len(cases), BATCH):
            batch = [int(case.id or 0) for case in cases[start : start + BATCH]]
            for model in (Case, Message, Draft, OutboxItem):
                key = model.id if model is Case else model.case_id
                session.execute(
                    update(model).where(key.in_(batch)).values(retain_until=due),
                    execution_options={"synchronize_session": False},
                )
            if bar is not None:
                bar.update(len(batch))
        for case in cases:
            set_committed_value(case, "retain_until", due)


def _tombstone(case: Case, runtime: Runtime, now: datetime) -> CaseTombstone:
    return CaseTombstone(
        ref=case.ref,
        labels=case.labels,
        channel=case.channel,
        received_at=as_utc(case.received_at),
        deadline=case.deadline,
        extended_deadline=case.extended_deadline,
        finished_at=finished_at(case),
        outcome=case.status,
        retain_until=retention_date(case, runtime),
        purged_at=now,
    )
