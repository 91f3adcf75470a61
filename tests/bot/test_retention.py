"""The retention purge on real databases: what is due goes, a tombstone stays, the audit
chain still verifies, and a dry run changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import outbox, pipeline, staff
from bot.cli import main
from bot.retention import purge
from bot.runtime import Runtime
from bot.senders import EmlFolderSender
from storage import queries
from storage.audit import verify_chain
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case, CaseTombstone, Draft, Message, OutboxItem


def receive(runtime: Runtime, msgid: str, subject: str, body: str) -> Case:
    raw = (
        f"From: Kunde <{msgid.split('.')[0]}@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(session, channel="smtp", external_id=f"<{msgid}>", raw=raw,
                              message_id=f"<{msgid}>")
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

    three_years = date.today() + timedelta(days=3 * 366)
    preview = purge(runtime, today=three_years, dry_run=True)
    assert preview.refs == [done.ref]
    assert preview.counts["cases"] == 1 and preview.counts["drafts"] == 1
    assert counts(runtime) == before, "a dry run changes nothing"

    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n', encoding="utf-8"
    )
    assert main(["--config", str(config), "purge", "--dry-run",
                 "--today", three_years.isoformat()]) == 0
    assert capsys.readouterr().out.startswith("would purge: 1 cases")
    assert counts(runtime) == before

    report = purge(runtime, today=three_years)
    assert report.refs == [done.ref] and not report.dry_run
    with unit_of_work(runtime.sessions) as session:
        refs = [c.ref for c in session.execute(select(Case).order_by(Case.id)).scalars()]
        assert refs == [complaint.ref, still_open.ref]
        assert not session.execute(select(Message).where(Message.case_id == done.id)).all()
        [stone] = session.execute(select(CaseTombstone)).scalars()
        assert (stone.ref, stone.outcome) == (done.ref, "answered")
        assert json.loads(stone.labels) == ["erasure"]
        assert stone.deadline == done.deadline
        assert not hasattr(stone, "requester")
        actions = [e.action for e in session.execute(
            select(AuditEvent).order_by(AuditEvent.id)).scalars()]
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
    assert stored.retain_until is not None and stored.retain_until >= case.retain_until
    assert {d.retain_until for d in drafts} == {stored.retain_until}
