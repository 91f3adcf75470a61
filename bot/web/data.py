"""What the dashboard reads from the database, as plain values for the templates.

Functions here take a session and never write, except the export records (a disclosure of
personal data is itself something the company must be able to show). Decisions are not
made here: the routes call ``bot.staff``.

The case list pages by key (``id`` below or above the last one shown) instead of OFFSET,
so page 2,000 of 100,000 cases costs what page 1 does; the filters use the indexes of
migration ``0011_web_indexes``.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import statistics
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case as case_when
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers import case_rules, normalise
from handlers.preview import hide_special_categories, mask_address, shorten
from handlers.values import REQUEST_TYPES, Channel
from storage import queries
from storage.audit import ChainReport, verify_chain
from storage.models import AuditEvent, Case, CaseTombstone, Counter, Draft, Message, as_utc

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
PAGE_SIZE = 50
CHANNELS = tuple(str(c) for c in Channel)
TYPES = tuple(str(t) for t in REQUEST_TYPES)
STATUSES = tuple(
    sorted(set(queries.OPEN_STATUSES) | {"answered", "closed", "rejected", "triage"})
)


def local(value: datetime | None) -> str:
    """A stored time as the office reads it (Copenhagen), to the minute."""
    if value is None:
        return ""
    return as_utc(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def effective_deadline(case: Case) -> date:
    return case.extended_deadline or case.deadline


# --- the case list ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    """The list's filters, parsed from the query string; unknown values are dropped, not
    passed on, so a crafted URL can only ask for what the form offers."""

    status: str = ""
    type: str = ""
    language: str = ""
    channel: str = ""
    overdue: bool = False
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> CaseFilter:
        language = (params.get("language") or "").strip().lower()
        return cls(
            status=_one_of(params.get("status"), STATUSES),
            type=_one_of(params.get("type"), TYPES),
            language=language if re.fullmatch(r"[a-z]{2,3}", language) else "",
            channel=_one_of(params.get("channel"), CHANNELS),
            overdue=params.get("overdue") in ("1", "on", "true"),
            q=(params.get("q") or "").strip()[:100],
        )

    def params(self) -> dict[str, str]:
        """The filters as query parameters, for paging and export links."""
        out = {
            "status": self.status, "type": self.type, "language": self.language,
            "channel": self.channel, "overdue": "1" if self.overdue else "", "q": self.q,
        }
        return {k: v for k, v in out.items() if v}


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _filtered(query: Any, flt: CaseFilter, today: date) -> Any:
    if flt.status:
        query = query.where(Case.status == flt.status)
    if flt.type:
        # Labels are a JSON list of fixed names; the name is one of TYPES, never user text.
        query = query.where(Case.labels.like(f'%"{flt.type}"%'))
    if flt.language:
        query = query.where(Case.language == flt.language)
    if flt.channel:
        query = query.where(Case.channel == flt.channel)
    if flt.overdue:
        effective = func.coalesce(Case.extended_deadline, Case.deadline)
        query = query.where(Case.status.in_(queries.OPEN_STATUSES)).where(effective < today)
    reference = case_rules.find_reference(flt.q) if flt.q else None
    if reference is not None and reference.lower() == flt.q.lower():
        # A whole reference names one case: the unique index, not a scan of every subject.
        query = query.where(Case.ref == reference)
    elif flt.q:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", flt.q.lower()) + "%"
        query = query.where(
            or_(
                func.lower(Case.ref).like(pattern, escape="\\"),
                func.lower(Case.subject).like(pattern, escape="\\"),
            )
        )
    return query


@dataclass(frozen=True)
class CaseRow:
    ref: str
    status: str
    labels: list[str]
    language: str
    channel: str
    received: str
    deadline: str
    overdue: bool
    #: Masked: no sentence about health and the like, the sender's address shortened.
    subject: str
    requester: str


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    #: Keys for the neighbouring pages; None when there is none.
    older: int | None
    newer: int | None


def _row(case: Case, today: date) -> CaseRow:
    deadline = effective_deadline(case)
    return CaseRow(
        ref=case.ref,
        status=case.status,
        labels=queries.labels_of(case),
        language=case.language,
        channel=case.channel,
        received=local(case.received_at),
        deadline=deadline.isoformat(),
        overdue=case.status in queries.OPEN_STATUSES and deadline < today,
        subject=shorten(hide_special_categories(case.subject).replace("\n", " "), 90),
        requester=mask_address(case.requester),
    )


def list_cases(
    session: Session, flt: CaseFilter, *, today: date, before: int | None = None,
    after: int | None = None, limit: int = PAGE_SIZE,
) -> CasePage:
    """One page of cases, newest first. ``before``/``after`` are case ids of the last and
    first row of the page the reader comes from."""
    query = _filtered(select(Case), flt, today)
    if after is not None:
        query = query.where(Case.id > after).order_by(Case.id.asc())
    else:
        if before is not None:
            query = query.where(Case.id < before)
        query = query.order_by(Case.id.desc())
    cases = list(session.execute(query.limit(limit + 1)).scalars())
    more = len(cases) > limit
    cases = cases[:limit]
    if after is not None:
        cases.reverse()
    rows = [_row(c, today) for c in cases]
    if not cases:
        return CasePage(rows, None, None)
    first, last = cases[0].id, cases[-1].id
    if after is not None:
        older = last if _exists(session, flt, today, Case.id < (last or 0)) else None
        newer = first if more else None
    else:
        older = last if more else None
        newer = first if before is not None and _exists(
            session, flt, today, Case.id > (first or 0)
        ) else None
    return CasePage(rows, older, newer)


def _exists(session: Session, flt: CaseFilter, today: date, condition: Any) -> bool:
    query = _filtered(select(Case.id), flt, today).where(condition).limit(1)
    return session.execute(query).first() is not None


CSV_COLUMNS = (
    "ref", "status", "request_types", "language", "channel", "received", "deadline",
    "extended_deadline", "overdue", "requester", "subject",
)


def cases_csv(session: Session, flt: CaseFilter, *, today: date) -> tuple[str, int]:
    """Every case the filters match, as CSV, with the same masking as the list.

    A spreadsheet is where this goes, so a cell that starts like a formula is prefixed
    with an apostrophe: a subject line must not run as a formula in someone's Excel.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    query = _filtered(select(Case), flt, today).order_by(Case.id)
    for case in session.execute(query.execution_options(yield_per=1000)).scalars():
        row = _row(case, today)
        writer.writerow([_cell(v) for v in (
            row.ref, row.status, " ".join(row.labels), row.language, row.channel,
            row.received, case.deadline.isoformat(),
            case.extended_deadline.isoformat() if case.extended_deadline else "",
            "yes" if row.overdue else "", row.requester, row.subject,
        )])
        count += 1
    return out.getvalue(), count


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- one case --------------------------------------------------------------------------

#: Where quoted history starts in a reply: "> " lines, "On … wrote:", Outlook's headers.
_QUOTE_START = re.compile(
    r"^\s*(?:>|(?:On|Den|Le|Am|Op)\s.{4,200}(?:wrote|skrev|schrieb|a écrit|schreef)\b.{0,200}:\s*$"
    r"|-{2,}\s*(?:Original Message|Oprindelig meddelelse|Forwarded message|"
    r"Videresendt meddelelse|Ursprüngliche Nachricht)\s*-{2,}"
    r"|(?:From|Fra|Von):\s.+$)",
    re.IGNORECASE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """The new part of a message and the quoted history below it (folded on the page)."""
    lines = (text or "").splitlines()
    for i, line in enumerate(lines):
        if i > 0 and _QUOTE_START.match(line):
            return "\n".join(lines[:i]).rstrip(), "\n".join(lines[i:])
    return (text or "").rstrip(), ""


#: Channels whose stored ``raw`` is a whole RFC 5322 mail.
_MAIL_CHANNELS = frozenset({Channel.SMTP, Channel.IMAP, Channel.FILE, Channel.IMPORT})


def quoted_history(message: Message) -> str:
    """The history quoted below a received mail's own words, for the page to fold.

    The pipeline stores only the new part (``Message.text``), which is what the rules
    read; staff still need to see what the customer was answering. It is parsed again
    from the stored mail, with the same pure parser, only for the case page in view.
    """
    if message.direction != "in" or message.channel not in _MAIL_CHANNELS or not message.raw:
        return ""
    inbound = normalise.parse(bytes(message.raw), Channel(message.channel))
    return inbound.quoted.strip("\n")


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: ``add``, ``del``, ``hunk`` or ``same``."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


class ChainCache:
    """The audit chain's verification, recomputed only when the chain head has moved or
    after ``ttl`` seconds: verifying reads every event, and the case page would otherwise
    do that on every view once there are a million events."""

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None
        self._at = 0.0
        self._report: ChainReport | None = None

    def report(self, session: Session) -> tuple[ChainReport, float]:
        head = session.get(Counter, "audit_head")
        key = (head.text, head.value) if head is not None else ("", 0)
        with self._lock:
            fresh = time.monotonic() - self._at < self.ttl
            if self._report is not None and self._key == key and fresh:
                return self._report, self._at
        report = verify_chain(session)
        with self._lock:
            self._key, self._report, self._at = key, report, time.monotonic()
        return report, self._at


@dataclass
class CaseDetail:
    case: Case
    labels: list[str]
    flags: list[str]
    deadline: date
    overdue: bool
    days_left: int
    can_extend: bool
    messages: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    pending: list[Draft] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    chain: ChainReport | None = None


def case_detail(session: Session, ref: str, *, now: datetime, chain: ChainCache) -> CaseDetail:
    """Everything the case page shows; raises ``queries.NotFound`` for an unknown ref."""
    case = queries.get_case(session, ref=ref)
    case_id = case.id or 0
    today = now.date()
    deadline = effective_deadline(case)
    open_ = case.status in queries.OPEN_STATUSES
    detail = CaseDetail(
        case=case,
        labels=queries.labels_of(case),
        flags=list(json.loads(case.flags or "[]")),
        deadline=deadline,
        overdue=open_ and deadline < today,
        days_left=(deadline - today).days,
        can_extend=open_ and case.extended_deadline is None
        and case_rules.can_extend(as_utc(case.received_at), now),
    )
    for m in queries.case_messages(session, case_id=case_id):
        fresh, quoted = split_quoted(m.text or "")
        if not quoted:
            quoted = quoted_history(m)
        detail.messages.append({
            "id": m.id, "direction": m.direction, "channel": m.channel, "sender": m.sender,
            "subject": m.subject, "received": local(m.received_at), "fresh": fresh,
            "quoted": quoted, "quoted_lines": len(quoted.splitlines()),
            "authenticity": m.authenticity, "message_id": m.message_id,
            # a letter we sent: which one (``rule`` holds the outbox kind)
            "kind": m.rule if m.direction == "out" else None,
        })
    previous: dict[str, str] = {}
    for d in queries.case_drafts(session, case_id=case_id):
        before = previous.get(d.kind)
        detail.drafts.append({
            "draft": d, "created": local(d.created_at), "decided": local(d.decided_at),
            "diff": diff_lines(before, d.body) if before is not None else [],
            "has_previous": before is not None,
        })
        previous[d.kind] = d.body
        if d.status == "pending":
            detail.pending.append(d)
    detail.drafts.reverse()  # newest version first: that is the one to decide
    detail.outbox = [
        {"id": o.id, "kind": o.kind, "transport": o.transport, "status": o.status,
         "subject": o.subject, "created": local(o.created_at), "sent": local(o.sent_at)}
        for o in queries.outbox_items(session, case_id=case_id)
    ]
    detail.events = [
        {"id": e.id, "at": local(e.at), "actor": e.actor, "action": e.action,
         "detail": e.detail, "hash": e.hash[:12]}
        for e in queries.case_events(session, case_id=case_id)
    ]
    detail.chain, _ = chain.report(session)
    return detail


# --- figures ---------------------------------------------------------------------------


def months_back(today: date, count: int = 12) -> list[str]:
    """``YYYY-MM`` of the last ``count`` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def _month_starts(labels_: list[str]) -> list[datetime]:
    """The first instant (UTC) of each ``YYYY-MM`` in local time, and of the month after."""
    starts = []
    for label in labels_:
        year, month = map(int, label.split("-"))
        starts.append(datetime(year, month, 1, tzinfo=LOCAL_TZ))
    year, month = starts[-1].year, starts[-1].month
    starts.append(datetime(year + month // 12, month % 12 + 1, 1, tzinfo=LOCAL_TZ))
    return [start.astimezone(UTC) for start in starts]


def _bucket(column: Any, bounds: list[datetime]) -> Any:
    """Which month a timestamp falls in, 0 to len(bounds) - 2, as SQL (-1 before the first)."""
    whens = [(column >= bounds[i], i) for i in range(len(bounds) - 2, -1, -1)]
    return case_when(*whens, else_=-1)


def _monthly_count(session: Session, column: Any, bounds: list[datetime], *where: Any) -> list[int]:
    counts = [0] * (len(bounds) - 1)
    bucket = _bucket(column, bounds)
    for i, count in session.execute(
        select(bucket, func.count()).where(*where)
        .where(column >= bounds[0]).where(column < bounds[-1]).group_by(bucket)
    ):
        counts[i] = count
    return counts


@dataclass
class Figures:
    months: list[str]
    per_type: dict[str, list[int]]
    answer_median: list[float | None]
    answer_worst: list[float | None]
    answered: list[int]
    answered_late: list[int]
    open_cases: int
    overdue: int
    by_status: dict[str, int]
    acks_suppressed: list[int]
    loop_ignored: list[int]


def figures(session: Session, *, today: date, months: int = 12) -> Figures:
    """The desk's figures for the last ``months`` months, by month of receipt.

    Time to answer is from receipt to the approval of the first reply; late means that
    approval came after the effective deadline. Purged cases still count as requests
    (their tombstones keep type and date), not in the answer times.

    The database counts, by month (a ``CASE`` over the months' first instants, in UTC),
    so the page costs a few grouped queries, not a Python loop over every case of the
    year; only the answer times, whose median needs every value, come back per case.
    """
    labels_ = months_back(today, months)
    bounds = _month_starts(labels_)

    per_type = {t: [0] * months for t in TYPES}
    for table in (Case, CaseTombstone):
        bucket = _bucket(table.received_at, bounds)
        for i, labels, count in session.execute(
            select(bucket, table.labels, func.count())
            .where(table.received_at >= bounds[0]).where(table.received_at < bounds[-1])
            .group_by(bucket, table.labels)
        ):
            for label in json.loads(labels or "[]"):
                if label in per_type:
                    per_type[label][i] += count

    first_answer = (
        select(Draft.case_id, func.min(Draft.decided_at).label("answered"))
        .join(Case, Case.id == Draft.case_id)
        .where(Draft.status == "approved").where(Draft.kind == "reply")
        .where(Case.received_at >= bounds[0]).where(Case.received_at < bounds[-1])
        .group_by(Draft.case_id).subquery()
    )
    answers = session.execute(
        select(_bucket(Case.received_at, bounds), Case.received_at,
               func.coalesce(Case.extended_deadline, Case.deadline), first_answer.c.answered)
        .join(first_answer, first_answer.c.case_id == Case.id)
    ).all()
    days: list[list[float]] = [[] for _ in labels_]
    late = [0] * months
    for i, received, deadline, answered in answers:
        if answered is None:
            continue
        answered = as_utc(answered)
        days[i].append(round((answered - as_utc(received)).total_seconds() / 86400, 1))
        if answered.astimezone(LOCAL_TZ).date() > deadline:
            late[i] += 1

    effective = func.coalesce(Case.extended_deadline, Case.deadline)
    by_status = dict(
        session.execute(select(Case.status, func.count(Case.id)).group_by(Case.status)).all()
    )
    overdue = session.execute(
        select(func.count(Case.id))
        .where(Case.status.in_(queries.OPEN_STATUSES)).where(effective < today)
    ).scalar_one()

    suppressed = _monthly_count(
        session, AuditEvent.at, bounds, AuditEvent.action == "ack_suppressed"
    )
    ignored = _monthly_count(session, Message.received_at, bounds, Message.status == "ignored")

    return Figures(
        months=labels_,
        per_type=per_type,
        answer_median=[statistics.median(d) if d else None for d in days],
        answer_worst=[max(d) if d else None for d in days],
        answered=[len(d) for d in days],
        answered_late=late,
        open_cases=sum(int(by_status.get(s, 0)) for s in queries.OPEN_STATUSES),
        overdue=int(overdue),
        by_status={str(k): int(v) for k, v in sorted(by_status.items())},
        acks_suppressed=suppressed,
        loop_ignored=ignored,
    )


def type_totals(fig: Figures) -> Tally[str]:
    return Tally({t: sum(v) for t, v in fig.per_type.items()})
