"""The retention purge on real databases: what is due goes, a tombstone stays, the audit
chain still verifies, and a dry run changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import outbox, pipeline, retention, staff
from bot.cli import main
from bot.config import Settings
from bot.retention import purge
from bot.runtime import Runtime, build_runtime
from bot.senders import EmlFolderSender
from bot.service import Service, make_senders
from storage import queries
from storage.audit import verify_chain
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, CaseTombstone, Draft, Message, OutboxItem


def receive(
    runtime: Runtime, msgid: str, subject: str, body: str, received_at: datetime | None = None
) -> Case:
    raw = (
        f"From: Kunde <{msgid.split('.')[0]}@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id=f"<{msgid}>",
            raw=raw,
            message_id=f"<{msgid}>",
            received_at=received_at,
        )
    [outcome] = pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        return queries.get_case(session, ref=outcome.case_ref or "")


def answer(runtime: Runtime, case: Case) -> None:
    with unit_of_work(runtime.sessions) as session:
        [draft] = queries.pending_drafts_of(session, case_id=case.id or 0)
    staff.approve_draft(runtime, draft_id=draft.id or 0, actor="staff")
    outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})


ERASE = "Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n"
COMPLAINT = (
    "Hej\r\n\r\nJeg vil klage over, hvordan I har behandlet mine personoplysninger "
    "under praktikprogrammet. Jeg klager til Datatilsynet.\r\n"
)


def counts(runtime: Runtime) -> dict[str, int]:
    with unit_of_work(runtime.sessions) as session:
        return {
            model.__tablename__: len(session.execute(select(model)).all())
            for model in (Case, Message, Draft, OutboxItem, CaseTombstone)
        }


def test_purge_leaves_tombstones_and_a_verifying_chain(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = receive(runtime, "done.1@example.dk", "Slet mine data", ERASE)
    answer(runtime, done)
    complaint = receive(runtime, "klage.2@example.dk", "Klage", COMPLAINT)
    assert "complaint" in json.loads(complaint.labels)
    answer(runtime, complaint)
    still_open = receive(runtime, "open.3@example.dk", "Slet mine data", ERASE)
    before = counts(runtime)
    with unit_of_work(runtime.sessions) as session:
        history = queries.case_messages(session, case_id=done.id or 0)
    assert [(m.direction, m.rule) for m in history] == [
        ("in", "case_opened"),
        ("out", "ack"),
        ("out", "reply"),
    ], "the request and the two letters sent"

    three_years = date.today() + timedelta(days=3 * 366)
    preview = purge(runtime, today=three_years, dry_run=True)
    assert preview.refs == [done.ref]
    assert preview.counts["cases"] == 1 and preview.counts["drafts"] == 1
    assert preview.counts["messages"] == 3, "the letters sent go with the case"
    assert counts(runtime) == before, "a dry run changes nothing"

    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n',
        encoding="utf-8",
    )
    assert (
        main(["--config", str(config), "purge", "--dry-run", "--today", three_years.isoformat()])
        == 0
    )
    assert capsys.readouterr().out.startswith("would purge: 1 cases")
    assert counts(runtime) == before

    report = purge(runtime, today=three_years)
    assert report.refs == [done.ref] and not report.dry_run
    with unit_of_work(runtime.sessions) as session:
        refs = [c.ref for c in session.execute(select(Case).order_by(Case.id)).scalars()]
        assert refs == [complaint.ref, still_open.ref]
        assert not session.execute(select(Message).where(Message.case_id == done.id)).all()
        assert not session.execute(
            select(Message).where(Message.message_id.like(f"%{done.ref}%"))
        ).all(), "no letter to the requester outlives the case"
        [stone] = session.execute(select(CaseTombstone)).scalars()
        assert (stone.ref, stone.outcome) == (done.ref, "answered")
        assert json.loads(stone.labels) == ["erasure"]
        assert stone.deadline == done.deadline
        assert not hasattr(stone, "requester")
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        assert actions[-2:] == ["case_purged", "retention_purge"]
        assert verify_chain(session).ok

    # A complaint is kept for the extended years; an open case is never purged.
    eleven_years = date.today() + timedelta(days=11 * 366)
    assert purge(runtime, today=eleven_years).refs == [complaint.ref]
    with unit_of_work(runtime.sessions) as session:
        assert [c.ref for c in session.execute(select(Case)).scalars()] == [still_open.ref]
        assert len(session.execute(select(CaseTombstone)).all()) == 2
    assert main(["--config", str(config), "audit", "verify"]) == 0
    assert "OK" in capsys.readouterr().out


def test_retention_runs_from_when_the_case_finished(runtime: Runtime) -> None:
    case = receive(runtime, "late.1@example.dk", "Slet mine data", ERASE)
    answer(runtime, case)
    # The case finished now; two years from receipt would be the same day, so look at
    # the stored date after a purge that erased nothing: it is set from the finish.
    assert purge(runtime, today=date.today()).refs == []
    with unit_of_work(runtime.sessions) as session:
        stored = queries.get_case(session, ref=case.ref)
        drafts = queries.case_drafts(session, case_id=stored.id or 0)
        messages = queries.case_messages(session, case_id=stored.id or 0)
    assert stored.retain_until is not None and stored.retain_until >= case.retain_until
    assert {d.retain_until for d in drafts} == {stored.retain_until}
    assert [m.direction for m in messages] == ["in", "out", "out"]
    assert {m.retain_until for m in messages} == {stored.retain_until}


def test_every_stored_row_has_a_retention_date(runtime: Runtime) -> None:
    """Issue 6, item 5: messages, cases, drafts and outbox items all carry one, for an
    open case, an answered one, and mail that opened no case."""
    answer(runtime, receive(runtime, "a.1@example.dk", "Slet mine data", ERASE))
    receive(runtime, "b.2@example.dk", "Slet mine data", ERASE)
    raw = (
        b"From: <c@example.dk>\r\nTo: info@alottbetter.dk\r\nSubject: Hours\r\n"
        b"Message-ID: <c.3@example.dk>\r\n\r\nWhen are you open on Saturday?\r\n"
    )
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id="<c.3@example.dk>",
            raw=raw,
            message_id="<c.3@example.dk>",
        )
    pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        for model in (Message, Case, Draft, OutboxItem):
            rows = list(session.execute(select(model)).scalars())
            assert rows and all(row.retain_until is not None for row in rows), model


async def test_the_running_service_purges_what_is_due(
    make_settings: Callable[..., Settings],
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The daily job: a case answered three years ago is purged when the service starts,
    leaving its tombstone, and the log says what went, by reference only."""
    caplog.set_level("INFO", logger="privacybot")
    settings = make_settings(database_url)
    then = datetime.now(UTC) - timedelta(days=3 * 366)
    past = build_runtime(settings, clock=lambda: then)
    try:
        old = receive(past, "old.1@example.dk", "Slet mine data", ERASE, received_at=then)
        answer(past, old)
    finally:
        past.engine.dispose()
    runtime = await asyncio.to_thread(build_runtime, settings, migrate=False)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    try:
        for _ in range(200):
            if await asyncio.to_thread(lambda: counts(runtime)["case_tombstone"]):
                break
            await asyncio.sleep(0.1)
        after = await asyncio.to_thread(counts, runtime)
        assert after["case"] == 0 and after["case_tombstone"] == 1
        assert after["message"] == 0 and after["draft"] == 0
    finally:
        svc.stop()
        await asyncio.wait_for(task, 20)
        runtime.engine.dispose()
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retention")]
    assert line.startswith("retention purged: 1 cases") and old.ref in line
    assert "old@example.dk" not in caplog.text and "Kunde" not in caplog.text


def test_a_purged_case_takes_its_chat_cards_with_it(runtime: Runtime) -> None:
    """The staff chat's record of which card showed which draft goes with the case."""
    from storage.models import ChatPost

    case = receive(runtime, "card.1@example.dk", "Slet mine data", ERASE)
    with unit_of_work(runtime.sessions) as session:
        [draft] = queries.pending_drafts_of(session, case_id=case.id or 0)
        queries.record_chat_post(
            session,
            chat_id=-100123,
            message_id=7,
            purpose="card",
            case_id=case.id or 0,
            draft_id=draft.id,
            draft_version=draft.version,
            now=runtime.clock(),
        )
    answer(runtime, case)
    assert purge(runtime, today=date.today() + timedelta(days=3 * 366)).refs == [case.ref]
    with unit_of_work(runtime.sessions) as session:
        assert session.execute(select(ChatPost)).all() == []
        assert verify_chain(session).ok


def test_a_new_case_never_shows_a_purged_cases_history(runtime: Runtime) -> None:
    """SQLite gives a new row the id of a deleted last row. The audit events of a purged
    case stay (they are the accountability) with their case id; a new case that gets the
    same id must not show them as its own, in an export or on the dashboard."""
    from bot.export import case_data

    old = receive(runtime, "gone.1@example.dk", "Slet mine data", ERASE)
    answer(runtime, old)
    assert purge(runtime, today=date.today() + timedelta(days=3 * 366)).refs == [old.ref]
    new = receive(runtime, "new.2@example.dk", "Slet mine data", ERASE)
    with unit_of_work(runtime.sessions) as session:
        data = case_data(session, new.ref)
        events = queries.case_events(session, case_id=new.id or 0)
    assert {e.case_ref for e in events} == {new.ref}
    assert all(e["action"] != "case_purged" for e in data["events"])
    assert old.ref not in json.dumps(data)


def test_purge_goes_through_many_cases_batch_by_batch(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases are read and written a batch at a time (so memory does not grow with the
    database); batch edges lose, double and mix up nothing."""
    monkeypatch.setattr(retention, "BATCH", 2)
    finished = []
    for i in range(5):
        case = receive(runtime, f"many{i}.{i}@example.dk", "Slet mine data", ERASE)
        answer(runtime, case)
        finished.append(case.ref)
    kept = receive(runtime, "open.9@example.dk", "Slet mine data", ERASE)
    with unit_of_work(runtime.sessions) as session:  # dates the rules would not give
        session.execute(update(Case).values(retain_until=None))
    assert purge(runtime, today=date.today()).counts["cases"] == 0
    with unit_of_work(runtime.sessions) as session:
        dates = [
            c.retain_until
            for c in session.execute(select(Case).where(Case.ref.in_(finished))).scalars()
        ]
        assert None not in dates, "every finished case got its date back, in every batch"

    three_years = date.today() + timedelta(days=3 * 366)
    preview = purge(runtime, today=three_years, dry_run=True)
    assert preview.refs == finished and preview.counts["drafts"] == 5
    report = purge(runtime, today=three_years)
    assert report.refs == finished and report.counts == preview.counts
    with unit_of_work(runtime.sessions) as session:
        assert [c.ref for c in session.execute(select(Case)).scalars()] == [kept.ref]
        stones = [
            t.ref
            for t in session.execute(select(CaseTombstone).order_by(CaseTombstone.id)).scalars()
        ]
        assert stones == finished
        assert verify_chain(session).ok
