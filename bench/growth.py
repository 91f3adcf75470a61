"""Issue 9 item 7: how cost grows with the cases already stored.

``seed`` fills a migrated database (the service's own schema, via ``build_runtime``)
with S closed-over history: per case one inbound request, 1.5 ordinary or ignored mails
(the 40 % mix), the sent acknowledgement, the first draft, and four audit events whose
hash chain is real (``privacybot audit verify`` passes), with the counters set so new
cases continue the series. Rows are written with SQLAlchemy Core in large transactions.

``explain`` runs the pipeline and the outbox in-process on a seeded copy, records every
statement they send to SQLite (``before_cursor_execute``), and prints
``EXPLAIN QUERY PLAN`` for each distinct one: a ``SCAN`` line is a query whose cost grows
with its table.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.mails import make_mails


def seed(folder: Path, cases: int, *, log=print) -> Path:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from bot.config import Settings
    from bot.runtime import build_runtime
    from handlers import case_rules
    from storage.audit import GENESIS, HEAD, event_hash
    from storage.models import AuditEvent, Case, Counter, Draft, Message, OutboxItem

    try:
        from bot.retention import retention_date
    except ImportError:  # the retention purge is newer than this benchmark
        retention_date = None

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "privacybot.db"
    settings = Settings(database={"url": f"sqlite:///{db}"},
                        outbox={"folder": str(folder / "outbox")})
    runtime = build_runtime(settings)
    rng = random.Random(7)
    samples = make_mails(200, tag="seed")
    requests = [m.data for m in samples if m.kind.startswith("request")]
    others = [m for m in samples if not m.kind.startswith("request")]
    ack_payload = b"X" * 1800  # about the size of a rendered acknowledgement
    now = datetime.now(UTC)
    year = now.astimezone(ZoneInfo("Europe/Copenhagen")).year
    prev = GENESIS
    events = 0
    chunk = 5000
    for start in range(0, cases, chunk):
        ids = range(start + 1, min(cases, start + chunk) + 1)
        case_rows, msg_rows, out_rows, draft_rows, audit_rows = [], [], [], [], []
        for i in ids:
            at = now - timedelta(days=2 + (cases - i) * 300 / cases, seconds=rng.random())
            ref = case_rules.format_reference(year, i)
            sender = f"seed{i}@example.dk"
            mid = f"seed.{i}@example.dk"
            retain = (at + timedelta(days=730)).date()
            if retention_date is not None:  # what the daily purge would write (steady state)
                retain = retention_date(Case(ref=ref, year=year, seq=i, channel="smtp",
                                             labels='["erasure"]', received_at=at,
                                             updated_at=at, deadline=at.date()), runtime)
            case_rows.append(dict(
                id=i, ref=ref, year=year, seq=i, status="answered", labels='["erasure"]',
                evidence="[]", confidence=0.9, language="da", channel="smtp",
                requester=sender, requester_name=f"Kunde {i}", subject="Slet mine oplysninger",
                first_message_id=mid, received_at=at, deadline=(at + timedelta(days=30)).date(),
                created_at=at, updated_at=at, retain_until=retain))
            msg_rows.append(dict(
                direction="in", channel="smtp", external_id=mid, message_id=mid, sender=sender,
                subject="Slet mine oplysninger", text="Slet venligst mine oplysninger.",
                language="da", raw=requests[i % len(requests)], size=1200, status="processed",
                rule="case_opened", labels='["erasure"]', attempts=1, case_id=i,
                received_at=at, claimed_at=at, processed_at=at, retain_until=retain))
            for k in range(3 if i % 2 else 1):  # 1.5 ordinary or ignored mails per case
                other = others[(i + k) % len(others)]
                omid = f"seed.{i}.{k}@example.com"
                msg_rows.append(dict(
                    direction="in", channel="smtp", external_id=omid, message_id=omid,
                    sender=other.sender, subject="...", text="...", language="en",
                    raw=other.data, size=len(other.data),
                    status="ignored" if other.kind in ("auto", "newsletter") else "processed",
                    rule="not_privacy", labels="[]", attempts=1, case_id=None, received_at=at,
                    claimed_at=at, processed_at=at, retain_until=retain))
            ack_id = f"ack.{ref}.1@alottbetter.dk"
            # the acknowledgement as sent, a message of its case (direction out)
            msg_rows.append(dict(
                direction="out", channel="mail", external_id=f"out <{ack_id}>",
                message_id=ack_id, sender="info@alottbetter.dk",
                subject=f"[{ref}] Vi har modtaget din henvendelse", text="Tak ...",
                language="da", raw=ack_payload, size=len(ack_payload), status="sent",
                rule="ack", labels="[]", attempts=0, case_id=i, received_at=at,
                claimed_at=None, processed_at=at, retain_until=retain))
            out_rows.append(dict(
                id=i, case_id=i, kind="ack", transport="mail", recipient=sender,
                message_id=ack_id, subject=f"[{ref}] Vi har modtaget din henvendelse",
                payload=ack_payload, status="sent", attempts=1, next_attempt_at=at,
                claimed_at=at, sent_at=at, created_at=at, retain_until=retain,
                **({"recipient_key": sender} if "recipient_key" in OutboxItem.__table__.c
                   else {})))
            draft_rows.append(dict(
                case_id=i, version=1, kind="reply", status="approved", subject=f"[{ref}]",
                body="Kære kunde\n\nVi har slettet dine oplysninger.\n" * 10,
                created_by="privacybot", created_at=at, decided_by="cli", decided_at=at,
                retain_until=retain))
            for action, detail in (("case_opened", {"message": i}), ("ack_queued", {}),
                                   ("draft_created", {"version": 1}),
                                   ("ack_sent", {"outbox": i})):
                text = json.dumps(detail, sort_keys=True)
                digest = event_hash(prev_hash=prev, case_ref=ref, at=at, actor="privacybot",
                                    action=action, detail=text)
                audit_rows.append(dict(case_id=i, case_ref=ref, at=at, actor="privacybot",
                                       action=action, detail=text, prev_hash=prev, hash=digest))
                prev = digest
                events += 1
        with runtime.engine.begin() as conn:
            for model, rows in ((Case, case_rows), (Message, msg_rows), (OutboxItem, out_rows),
                                (Draft, draft_rows), (AuditEvent, audit_rows)):
                conn.execute(insert(model.__table__), rows)
    with runtime.engine.begin() as conn:
        conn.execute(insert(Counter.__table__), [
            dict(name=f"case_ref:{year}", value=cases, text=""),
            dict(name=HEAD, value=events, text=prev),
        ])
    runtime.engine.dispose()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # No ANALYZE: privacybot never runs it, so the planner has no statistics (with them,
    # it prefers a rowid scan for claim_messages; see docs/PERFORMANCE.md).
    raw.close()
    log(f"  seeded {cases:,} cases: {db.stat().st_size / 2**20:,.0f} MB")
    return db


def explain(seeded: Path, work: Path) -> list[tuple[str, list[str]]]:
    """(statement, plan lines) for each distinct statement the pipeline and outbox send."""
    from sqlalchemy import event

    from bot import outbox, pipeline
    from bot.config import Settings
    from bot.runtime import build_runtime
    from bot.service import make_senders
    from bot.smtp_listener import store_mail
    from handlers.values import Channel

    work.mkdir(parents=True, exist_ok=True)
    db = work / "privacybot.db"
    shutil.copy(seeded, db)
    settings = Settings(database={"url": f"sqlite:///{db}"},
                        outbox={"folder": str(work / "outbox")})
    runtime = build_runtime(settings)
    seen: dict[str, tuple] = {}

    @event.listens_for(runtime.engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        head = statement.lstrip().split(None, 1)[0].upper()
        if head in ("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"):
            params = parameters[0] if executemany and parameters else parameters
            seen.setdefault(" ".join(statement.split()), params)

    mails = make_mails(60, tag="explain")
    for mail in mails:
        store_mail(runtime, b"Return-Path: <" + mail.sender.encode() + b">\r\n" + mail.data,
                   channel=Channel.SMTP)
    # a reply quoting a seeded case's reference and Message-ID: the threading queries
    reply = (b"From: seed5@example.dk\r\nTo: info@alottbetter.dk\r\nSubject: Re: [PR-"
             + str(datetime.now(UTC).year).encode() + b"-0005] tak\r\nMessage-ID: "
             b"<reply.5@example.dk>\r\nIn-Reply-To: <seed.5@example.dk>\r\n\r\nTak.\r\n")
    store_mail(runtime, reply, channel=Channel.SMTP)
    while pipeline.process_pending(runtime):
        pass
    senders = make_senders(runtime)
    while outbox.deliver_due(runtime, senders):
        pass
    runtime.engine.dispose()
    conn = sqlite3.connect(db)
    plans = []
    for statement, params in seen.items():
        try:
            rows = conn.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
        except sqlite3.Error as exc:
            plans.append((statement, [f"(not explained: {exc})"]))
            continue
        plans.append((statement, [row[-1] for row in rows]))
    conn.close()
    return plans


def scans(plans: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Statements with a full table scan (``SCAN t`` without an index narrowing it)."""
    out = []
    for statement, lines in plans:
        bad = [line for line in lines if line.startswith("SCAN ")
               and "CONSTANT ROW" not in line]
        if bad:
            out.append((statement, bad))
    return out
