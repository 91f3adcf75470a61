"""What the issue 9 speed-ups must keep: the audit chain, the flood counts, the claims.

No timing here: these check behaviour only, on both real backends where a database is
involved.
"""

from __future__ import annotations

import email.policy
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import outbox, parsed, pipeline
from bot.directory import import_csv
from bot.runtime import Runtime
from bot.senders import EmlFolderSender, TemporaryFailure
from bot.smtp_listener import store_mail
from handlers import normalise
from handlers.values import Channel
from storage import queries
from storage.audit import HEAD, EventsLost, append_event, events_together, verify_chain
from storage.engine import unit_of_work
from storage.models import AuditEvent, Counter, Message, OutboxItem, as_utc, utcnow
from tests.reliability import mail_factory as mf


def test_several_events_in_one_transaction_chain_and_move_the_head_once_each(
    runtime: Runtime,
) -> None:
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="first")
    with unit_of_work(runtime.sessions) as session:
        for i in range(4):
            append_event(session, actor="test", action="step", detail={"i": i})
        # read back inside the same transaction: the head and the events agree
        assert verify_chain(session).ok
    with unit_of_work(runtime.sessions) as session:
        events = list(session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())
        head = session.get(Counter, HEAD)
        report = verify_chain(session)
    assert report.ok and report.events == 5
    assert head is not None and head.value == 5 and head.text == events[-1].hash
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_a_rolled_back_transaction_leaves_the_chain_as_it_was(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="kept")
    try:
        with unit_of_work(runtime.sessions) as session:
            append_event(session, actor="test", action="lost")
            append_event(session, actor="test", action="lost")
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="after")
    with unit_of_work(runtime.sessions) as session:
        report = verify_chain(session)
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
    assert report.ok and actions == ["kept", "after"]


def test_a_rolled_back_savepoint_takes_its_events_and_its_head_with_it(
    runtime: Runtime,
) -> None:
    """The head is written at each event and held clean in the session: a savepoint rolled
    back in the middle of a transaction must not leave the next event chained onto the
    rolled-back one, nor a reader of the head in the same session seeing it."""
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="kept")
        with pytest.raises(RuntimeError), session.begin_nested():
            append_event(session, actor="test", action="lost")
            raise RuntimeError("a message that fails half-way")
        head = session.get(Counter, HEAD)
        assert head is not None and head.value == 1  # not the rolled-back 2
        last = append_event(session, actor="test", action="after")
        assert verify_chain(session).ok
    with unit_of_work(runtime.sessions) as session:
        report = verify_chain(session)
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        head = session.get(Counter, HEAD)
    assert report.ok and actions == ["kept", "after"]
    assert head is not None and head.value == 2 and head.text == last


def test_events_written_together_chain_as_if_written_one_by_one(runtime: Runtime) -> None:
    """``events_together`` writes its events at the block's end: same rows, same hashes,
    the head moved once per event, in the order appended."""
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="before")
        with events_together(session):
            hashes = [
                append_event(session, actor="test", action="held", detail={"i": i})
                for i in range(3)
            ]
            assert (
                session.connection().execute(text("SELECT count(*) FROM audit_event")).scalar_one()
                == 1
            )  # not yet
        last = append_event(session, actor="test", action="after")
    with unit_of_work(runtime.sessions) as session:
        events = list(session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())
        head = session.get(Counter, HEAD)
        assert verify_chain(session).ok
    assert [e.action for e in events] == ["before", "held", "held", "held", "after"]
    assert [e.hash for e in events[1:4]] == hashes
    assert head is not None and head.value == 5 and head.text == last


def test_a_block_that_raises_writes_none_of_its_events(runtime: Runtime) -> None:
    """Even when the caller catches the error and commits: the next event chains onto
    the last one written, not onto one that was only held."""
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="kept")
        with pytest.raises(RuntimeError), events_together(session):
            append_event(session, actor="test", action="lost")
            raise RuntimeError("a decision that fails half-way")
        last = append_event(session, actor="test", action="after")
    with unit_of_work(runtime.sessions) as session:
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        head = session.get(Counter, HEAD)
        assert verify_chain(session).ok
    assert actions == ["kept", "after"]
    assert head is not None and head.value == 2 and head.text == last


def test_a_rollback_inside_the_block_refuses_to_write_a_broken_chain(
    runtime: Runtime,
) -> None:
    """A savepoint rolled back inside the block forgets the head the held events chain
    onto: the block raises instead of writing them, and the chain stays whole."""
    with unit_of_work(runtime.sessions) as session:
        append_event(session, actor="test", action="kept")
        with pytest.raises(EventsLost), events_together(session):
            append_event(session, actor="test", action="held")
            with pytest.raises(RuntimeError), session.begin_nested():
                append_event(session, actor="test", action="rolled back")
                raise RuntimeError("inner failure")
            append_event(session, actor="test", action="held after")
        append_event(session, actor="test", action="after")
    with unit_of_work(runtime.sessions) as session:
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        assert verify_chain(session).ok
    assert actions == ["kept", "after"]


def test_a_session_that_commits_twice_reads_the_head_again(runtime: Runtime) -> None:
    session = runtime.sessions()
    try:
        append_event(session, actor="test", action="one")
        session.commit()
        with unit_of_work(runtime.sessions) as other:  # another writer in between
            append_event(other, actor="test", action="two")
        append_event(session, actor="test", action="three")
        session.commit()
    finally:
        session.close()
    with unit_of_work(runtime.sessions) as check:
        assert verify_chain(check).ok


def test_ack_counts_see_through_tags_and_srs(runtime: Runtime) -> None:
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        for n, rcpt in enumerate(
            [
                "Robot+1@example.org",
                "robot+2@example.org",
                "SRS0=abcd=tt=example.org=robot@forwarder.example",
                "someone@example.org",
            ]
        ):
            queries.add_outbox(
                session,
                kind="ack",
                message_id=f"<a{n}@x>",
                payload=b"x",
                recipient=rcpt,
                subject="",
                case_id=None,
                now=now,
            )
        queries.add_outbox(
            session,
            kind="reply",
            message_id="<r@x>",
            payload=b"x",
            recipient="robot@example.org",
            subject="",
            case_id=None,
            now=now,
        )
        old = now - timedelta(days=2)
        queries.add_outbox(
            session,
            kind="ack",
            message_id="<old@x>",
            payload=b"x",
            recipient="robot@example.org",
            subject="",
            case_id=None,
            now=old,
        )
    with unit_of_work(runtime.sessions) as session:
        day = now - timedelta(days=1)
        assert queries.acks_to_sender_since(session, key="robot@example.org", since=day) == 3
        assert queries.acks_since(session, since=now - timedelta(hours=1)) == 4


def test_the_claim_query_uses_its_index_after_analyze(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        for i in range(30):
            queries.store_inbound(session, channel="smtp", external_id=f"m{i}", raw=b"x")
        session.execute(text("UPDATE message SET status = 'processed' WHERE id > 3"))
    if runtime.engine.dialect.name == "sqlite":
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    with unit_of_work(runtime.sessions) as session:
        claimed = queries.claim_messages(session, now=utcnow(), stale_after=timedelta(minutes=5))
    assert [m.external_id for m in claimed] == ["m0", "m1", "m2"]
    if runtime.engine.dialect.name == "sqlite":
        db = sqlite3.connect(runtime.engine.url.database)
        try:
            sql = queries._CLAIM_SQLITE.text.replace(":stale", "'x'").replace(":limit", "20")
            plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
        finally:
            db.close()
        assert "ix_message_claimable" in plan, plan


def test_the_parse_cache_gives_only_the_value_of_the_same_bytes() -> None:
    raw = b"From: a@example.org\r\nMessage-ID: <c1@example.org>\r\n\r\nHello\r\n"
    inbound = normalise.parse(raw, Channel.SMTP, external_id="c1@example.org")
    parsed.put(inbound, raw)
    assert parsed.take("c1@example.org", "smtp", raw + b"changed") is None
    assert parsed.take("c1@example.org", "smtp", raw) is None, "taken out by the miss"
    parsed.put(inbound, raw)
    assert parsed.take("c1@example.org", "imap", raw) is None
    parsed.put(inbound, raw)
    assert parsed.take("c1@example.org", "smtp", raw) == inbound
    assert parsed.take("c1@example.org", "smtp", raw) is None, "once"


def test_reusing_parsed_headers_changes_nothing_the_parser_makes_of_a_mail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every test mail, parsed twice in a row and after the others (so the kept MIME
    headers are warm), gives what the standard policy gives."""
    mails = [p.read_bytes() for p in sorted((Path(__file__).parents[1] / "data").rglob("*.eml"))]
    assert len(mails) > 20
    fast = [normalise.parse(raw, Channel.SMTP) for raw in mails + mails]
    monkeypatch.setattr(normalise, "_POLICY", email.policy.default)
    plain = [normalise.parse(raw, Channel.SMTP) for raw in mails]
    assert fast == plain + plain


class _Died(BaseException):
    """Stands for the process dying in the middle of a decision: nothing after it runs."""


def _three_requests(runtime: Runtime) -> list[int]:
    return [
        store_mail(runtime, mf.plain(f"batch.{i}@fuzz.example"), channel=Channel.SMTP)[0]
        for i in range(3)
    ]


def _explode_on(monkeypatch: pytest.MonkeyPatch, message_id: str, error: BaseException) -> None:
    real = pipeline.classify.classify

    def classify(inbound, phrases=(), **options):  # type: ignore[no-untyped-def]
        if inbound.message_id == message_id:
            raise error
        return real(inbound, phrases, **options)

    monkeypatch.setattr(pipeline.classify, "classify", classify)


def _statuses(runtime: Runtime, ids: list[int]) -> list[tuple[str, str | None]]:
    with unit_of_work(runtime.sessions) as session:
        rows = [session.get(Message, i) for i in ids]
        return [(row.status, row.error) for row in rows if row is not None]


def test_a_message_that_fails_in_a_batch_goes_to_triage_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _three_requests(runtime)
    _explode_on(monkeypatch, "batch.1@fuzz.example", LookupError("uft-8"))
    outcomes = pipeline.process_pending(runtime)
    assert [(o.status, o.rule) for o in outcomes] == [
        ("processed", "case_opened"),
        ("triage", "error:LookupError"),
        ("processed", "case_opened"),
    ]
    assert pipeline.process_pending(runtime) == []
    assert _statuses(runtime, ids) == [
        ("processed", None),
        ("triage", "error:LookupError"),
        ("processed", None),
    ]
    with unit_of_work(runtime.sessions) as session:
        refs = [ref for (ref,) in session.execute(text('SELECT ref FROM "case" ORDER BY id'))]
        acks = session.execute(
            text("SELECT count(*) FROM outbox_item WHERE kind = 'ack'")
        ).scalar_one()
        assert verify_chain(session).ok
    assert len(refs) == 2 and refs[1].endswith("2"), "no reference lost to the rollback"
    assert acks == 2


def test_a_message_that_kills_the_worker_in_a_batch_ends_in_triage_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch dies with it; after each restart the messages are decided one by one,
    so the killer reaches CRASH_LIMIT and its neighbours are decided as usual."""
    ids = _three_requests(runtime)
    _explode_on(monkeypatch, "batch.1@fuzz.example", _Died())
    for _restart in range(pipeline.CRASH_LIMIT + 2):
        try:
            pipeline.process_pending(runtime)
        except _Died:
            with unit_of_work(runtime.sessions) as session:  # what the next start does
                queries.release_message_claims(session)
            continue
        break
    else:
        raise AssertionError("the worker never got past the message")
    assert pipeline.process_pending(runtime) == []
    assert _statuses(runtime, ids) == [
        ("processed", None),
        ("triage", "processing-interrupted"),
        ("processed", None),
    ]
    with unit_of_work(runtime.sessions) as session:
        assert verify_chain(session).ok


def test_a_message_that_fails_after_writing_rolls_back_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message's savepoint begins at its decision's first write (item 21). One that
    fails after opening its case, taking a reference, queueing its acknowledgement and
    chaining audit events leaves none of that behind, in a batch with messages that
    wrote nothing but their own row (no savepoint) before and after it."""

    def request(i: int) -> bytes:
        return mf.plain(f"batch.{i}@fuzz.example", sender=f"Kunde <kunde{i}@example.dk>".encode())

    ordinary = mf.plain(
        "batch.o1@fuzz.example", "Hvornår går bussen til lejren i juli?", subject=b"Bus til lejren"
    )
    raws = [
        request(0),
        ordinary,
        request(2),
        mf.plain("batch.o3@fuzz.example", "Tak for en dejlig tur!", subject=b"Tak"),
    ]
    raws.append(request(4))
    ids = [store_mail(runtime, raw, channel=Channel.SMTP)[0] for raw in raws]
    real = pipeline.drafting.reply

    def reply(*args, case, **kwargs):  # type: ignore[no-untyped-def]
        if case.requester_address == "kunde2@example.dk":
            raise RuntimeError("a template that breaks after the case was written")
        return real(*args, case=case, **kwargs)

    monkeypatch.setattr(pipeline.drafting, "reply", reply)
    outcomes = pipeline.process_pending(runtime)
    assert [(o.status, o.rule) for o in outcomes] == [
        ("processed", "case_opened"),
        ("processed", "not_privacy"),
        ("triage", "error:RuntimeError"),
        ("processed", "not_privacy"),
        ("processed", "case_opened"),
    ]
    assert _statuses(runtime, ids) == [
        ("processed", None),
        ("processed", None),
        ("triage", "error:RuntimeError"),
        ("processed", None),
        ("processed", None),
    ]
    with unit_of_work(runtime.sessions) as session:
        cases = session.execute(text('SELECT ref, requester FROM "case" ORDER BY id')).all()
        acks = (
            session.execute(
                text("SELECT recipient FROM outbox_item WHERE kind = 'ack' ORDER BY id")
            )
            .scalars()
            .all()
        )
        failed = session.get(Message, ids[2])
        events = session.execute(text("SELECT action FROM audit_event ORDER BY id")).scalars()
        assert verify_chain(session).ok
        actions = list(events)
    assert [requester for _, requester in cases] == ["kunde0@example.dk", "kunde4@example.dk"]
    assert cases[1][0].endswith("2"), "the failed message's reference was given back"
    assert acks == ["kunde0@example.dk", "kunde4@example.dk"]
    assert failed is not None and failed.case_id is None
    assert actions.count("case_opened") == 2 and actions.count("message_triage") == 1


def test_a_directory_imported_between_two_batches_is_seen_by_the_second(
    runtime: Runtime, tmp_path: Path
) -> None:
    """``directory_in_use`` is kept for one SQLite transaction (item 21), never longer:
    the batch after an import flags the sender the directory does not know."""

    def request(i: int, sender: str) -> bytes:
        return mf.plain(f"dir.{i}@fuzz.example", sender=f"Kunde <{sender}>".encode())

    def flags_of_new_cases() -> list[tuple[str, str]]:
        with unit_of_work(runtime.sessions) as session:
            return [
                (r, f)
                for r, f in session.execute(text('SELECT requester, flags FROM "case" ORDER BY id'))
            ]

    for i, sender in enumerate(["jens@example.dk", "ukendt@example.dk"]):
        store_mail(runtime, request(i, sender), channel=Channel.SMTP)
    assert len(pipeline.process_pending(runtime)) == 2
    listing = tmp_path / "customers.csv"
    listing.write_text("email,name\njens@example.dk,Jens Jensen\n", encoding="utf-8")
    assert import_csv(runtime, listing, actor="test") == 1
    for i, sender in enumerate(["jens@example.dk", "ukendt@example.dk"], start=2):
        store_mail(runtime, request(i, sender), channel=Channel.SMTP)
    assert len(pipeline.process_pending(runtime)) == 2
    assert flags_of_new_cases() == [
        ("jens@example.dk", "[]"),
        ("ukendt@example.dk", "[]"),
        ("jens@example.dk", "[]"),
        ("ukendt@example.dk", '["unknown_sender"]'),
    ]


class _FlakyFolder(EmlFolderSender):
    """The real .eml folder sender, except that one item's write fails for now."""

    def __init__(self, folder: Path, failing: str) -> None:
        super().__init__(folder)
        self.failing = failing

    def send(self, item: OutboxItem) -> None:
        if item.message_id == self.failing:
            raise TemporaryFailure("disk full")
        super().send(item)


def test_outcomes_recorded_together_keep_each_items_own_outcome(
    runtime: Runtime, tmp_path: Path
) -> None:
    now = utcnow()
    with unit_of_work(runtime.sessions) as session:
        for i in range(3):
            queries.add_outbox(
                session,
                kind="ack",
                message_id=f"ack.{i}@alottbetter.dk",
                payload=b"Subject: x\r\n\r\nx\r\n",
                recipient=f"k{i}@example.dk",
                subject="x",
                case_id=None,
                now=now,
            )
    sender = _FlakyFolder(tmp_path / "out", failing="ack.1@alottbetter.dk")
    assert outbox.deliver_due(runtime, {"mail": sender}) == 2
    with unit_of_work(runtime.sessions) as session:
        items = queries.outbox_items(session)
        sent_events = session.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'ack_sent'")
        ).scalar_one()
        assert verify_chain(session).ok
    assert [(i.status, i.attempts) for i in items] == [("sent", 1), ("pending", 1), ("sent", 1)]
    assert as_utc(items[1].next_attempt_at) > now and items[1].last_error == "disk full"
    assert sent_events == 2
    assert sorted(p.name for p in (tmp_path / "out").glob("*.eml")) == [
        "ack.0@alottbetter.dk.eml",
        "ack.2@alottbetter.dk.eml",
    ]
