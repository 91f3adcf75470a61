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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session

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


#: What the purge reads of a finished case: columns, never whole rows as ORM objects,
#: so that its memory does not grow with the number of cases (issue 9 item 7: loading
#: every finished case into one session took the idle service to 310 MB at 100,000).
_COLUMNS = (
    Case.id, Case.ref, Case.status, Case.labels, Case.channel, Case.received_at,
    Case.deadline, Case.extended_deadline, Case.closed_at, Case.updated_at,
    Case.retain_until,
)
#: A finished case as the purge reads it: a ``Case`` or a row of ``_COLUMNS``.
CaseDates = Case | Row[Any]


def finished_at(case: CaseDates) -> datetime:
    """When a finished case finished: its closing time, else its last change."""
    return as_utc(case.closed_at or case.updated_at or case.received_at)


def retention_date(case: CaseDates, runtime: Runtime) -> date:
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


def _finished_batches(session: Session) -> Iterator[list[Row[Any]]]:
    """Finished cases in id order, ``BATCH`` at a time (keyset, so each query is short)."""
    last = 0
    while True:
        rows = list(
            session.execute(
                select(*_COLUMNS)
                .where(Case.status.in_(FINISHED))
                .where(Case.id > last)
                .order_by(Case.id)
                .limit(BATCH)
            ).all()
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _sort(
    rows: list[Row[Any]], runtime: Runtime, today: date
) -> tuple[list[Row[Any]], dict[date, list[int]]]:
    """(expired rows, ids whose stored retention date differs from the rules, by date)."""
    expired: list[Row[Any]] = []
    changed: dict[date, list[int]] = {}
    for row in rows:
        due = retention_date(row, runtime)
        if due < today:
            expired.append(row)
        elif row.retain_until != due:
            changed.setdefault(due, []).append(int(row.id))
    return expired, changed


def purge(
    runtime: Runtime, *, today: date, dry_run: bool = False, progress: bool | None = None
) -> PurgeReport:
    """Erase what is due on ``today``; with ``dry_run``, only say what that would be.

    ``progress``: a bar with rate and ETA over the cases written, in batches (None: only
    when standard error is a terminal). It counts cases, never names them.

    Finished cases are read in batches of their columns, twice: once to count what is
    due (the report, and the bar's total), once to write it. Memory stays that of one
    batch however many cases the database holds.
    """
    report = PurgeReport(today=today, dry_run=dry_run)
    now = runtime.clock()
    with unit_of_work(runtime.sessions) as session:
        work = 0
        for rows in _finished_batches(session):
            expired, changed = _sort(rows, runtime, today)
            work += len(expired) + sum(len(ids) for ids in changed.values())
            _count_belongings(session, report, [int(row.id) for row in expired])
            report.refs.extend(row.ref for row in expired)
        report.counts["cases"] = len(report.refs)
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
            session.rollback()
            return report

        # Nothing to write: no bar, not even an empty one.
        bar = progress_bar("purge", total=work, unit=" cases", show=progress if work else False)
        for rows in _finished_batches(session):
            expired, changed = _sort(rows, runtime, today)
            _set_retention(session, changed, bar)
            _erase(session, runtime, expired, now)
            bar.update(len(expired))
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


def _count_belongings(session: Session, report: PurgeReport, ids: list[int]) -> None:
    """Add what goes with these (expired) cases to the report's counts."""
    if not ids:
        return
    report.counts["messages"] += _count(session, Message, Message.case_id.in_(ids))
    report.counts["drafts"] += _count(session, Draft, Draft.case_id.in_(ids))
    report.counts["outbox items"] += _count(session, OutboxItem, OutboxItem.case_id.in_(ids))


def _erase(session: Session, runtime: Runtime, expired: list[Row[Any]], now: datetime) -> None:
    """Tombstone, audit event and deletion of one batch of expired cases."""
    if not expired:
        return
    for row in expired:
        session.add(_tombstone(row, runtime, now))
        append_event(
            session, actor="privacybot", action="case_purged", case_id=row.id,
            case_ref=row.ref,
            detail={"outcome": row.status,
                    "before": {"status": row.status},
                    "after": {"status": "purged"}},
            at=now,
        )
    batch = [int(row.id) for row in expired]
    session.execute(delete(Message).where(Message.case_id.in_(batch)))
    session.execute(delete(Draft).where(Draft.case_id.in_(batch)))
    session.execute(delete(OutboxItem).where(OutboxItem.case_id.in_(batch)))
    session.execute(delete(Case).where(Case.id.in_(batch)))
    # The tombstones and events are written now, and then only weakly held by the
    # session: a batch's objects do not pile up until the commit.
    session.flush()


def _count(session, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return int(session.execute(select(func.count()).select_from(model).where(*conditions))
               .scalar_one())


#: Cases per read and per ``UPDATE``/``DELETE ... IN (...)``: well under SQLite's variable
#: limit, and the memory of one batch is all the purge holds.
BATCH = 500


def _set_retention(session, changed: dict[date, list[int]], bar=None) -> None:  # type: ignore[no-untyped-def]
    """Write finished cases' retention dates onto them and everything that belongs to them.

    Bulk statements per date and batch of cases, without synchronising the session (it
    holds none of these rows). One ORM update per case and table, each walking the whole
    session, held the write lock for minutes with 10,000 cases.
    """
    for due, ids in changed.items():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            for model in (Case, Message, Draft, OutboxItem):
                key = model.id if model is Case else model.case_id
                session.execute(
                    update(model).where(key.in_(batch)).values(retain_until=due),
                    execution_options={"synchronize_session": False},
                )
            if bar is not None:
                bar.update(len(batch))


def _tombstone(case: CaseDates, runtime: Runtime, now: datetime) -> CaseTombstone:
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
