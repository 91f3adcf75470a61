"""The audit log as an auditor uses it: every staff decision says who, what, when, which
case, before and after; ``privacybot audit verify`` finds an edited, a removed and a
re-ordered event and names the first broken link."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import pipeline, staff
from bot.cli import main
from bot.runtime import Runtime
from storage import queries
from storage.engine import unit_of_work
from storage.models import AuditEvent, Case
from tests.support import cli_config


def receive(runtime: Runtime, n: int) -> Case:
    raw = (
        f"From: Kunde {n} <kunde{n}@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        f"Subject: Slet mine data\r\nMessage-ID: <audit.{n}@example.dk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n"
    ).encode()
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id=f"<audit.{n}@example.dk>",
            raw=raw,
            message_id=f"<audit.{n}@example.dk>",
        )
    [outcome] = pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        return queries.get_case(session, ref=outcome.case_ref or "")


def pending(runtime: Runtime, case: Case) -> int:
    with unit_of_work(runtime.sessions) as session:
        [draft] = queries.pending_drafts_of(session, case_id=case.id or 0, kind="reply")
        return draft.id or 0


def events(runtime: Runtime) -> list[AuditEvent]:
    with unit_of_work(runtime.sessions) as session:
        return list(session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())


def test_every_staff_decision_records_who_what_when_which_case_before_and_after(
    runtime: Runtime,
) -> None:
    one, two = receive(runtime, 1), receive(runtime, 2)
    staff.edit_draft(runtime, draft_id=pending(runtime, one), actor="anne", body="Kære kunde")
    staff.relabel_draft(
        runtime, draft_id=pending(runtime, one), actor="bo", labels=["erasure", "restriction"]
    )
    staff.extend_case(runtime, ref=one.ref, actor="anne", reason="Tre praktiksteder.")
    staff.approve_draft(runtime, draft_id=pending(runtime, one), actor="bo")
    staff.reject_draft(
        runtime, draft_id=pending(runtime, two), actor="anne", reason="Ikke en anmodning."
    )

    decided = {e.action: e for e in events(runtime) if e.actor in ("anne", "bo")}
    assert set(decided) == {
        "draft_edited",
        "case_relabelled",
        "deadline_extended",
        "draft_approved",
        "draft_rejected",
    }
    for event in decided.values():
        detail = json.loads(event.detail)
        assert event.case_ref in (one.ref, two.ref) and event.case_id is not None
        assert event.at is not None
        assert detail["before"] != detail["after"], event.action
    detail = {action: json.loads(e.detail) for action, e in decided.items()}
    assert detail["draft_approved"]["before"] == {
        "case_status": "draft_pending",
        "draft_status": "pending",
    }
    assert detail["draft_approved"]["after"] == {
        "case_status": "approved",
        "draft_status": "approved",
    }
    assert detail["draft_rejected"]["after"] == {
        "case_status": "rejected",
        "draft_status": "rejected",
    }
    assert detail["draft_edited"]["before"]["version"] == 1
    assert detail["draft_edited"]["after"]["version"] == 2
    assert detail["case_relabelled"]["before"]["labels"] == ["erasure"]
    assert sorted(detail["case_relabelled"]["after"]["labels"]) == ["erasure", "restriction"]
    assert detail["deadline_extended"]["before"]["deadline"] == one.deadline.isoformat()
    assert decided["draft_rejected"].case_ref == two.ref


@pytest.fixture
def config(runtime: Runtime, tmp_path: Path) -> Path:
    return cli_config(
        runtime.settings.database.url, runtime.settings.outbox.folder, tmp_path / "c.toml"
    )


def _edit(ids: list[int]) -> tuple[str, dict[str, int]]:
    return "UPDATE audit_event SET actor = 'someone else' WHERE id = :a", {"a": ids[3]}


def _delete(ids: list[int]) -> tuple[str, dict[str, int]]:
    return "DELETE FROM audit_event WHERE id = :a", {"a": ids[3]}


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason"),
    [
        (_edit, 3, "event content does not match its hash"),
        (_delete, 4, "previous hash does not match"),
        ("swap", 3, "previous hash does not match"),
    ],
    ids=["edited", "deleted", "reordered"],
)
def test_audit_verify_names_the_first_broken_link(
    runtime: Runtime,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    tamper: Callable[[list[int]], tuple[str, dict[str, int]]] | str,
    broken_at: int,
    reason: str,
) -> None:
    for n in range(3):
        receive(runtime, n)
    assert main(["--config", str(config), "audit", "verify"]) == 0
    capsys.readouterr()
    ids = [e.id or 0 for e in events(runtime)]
    assert len(ids) >= 8
    with unit_of_work(runtime.sessions) as session:
        if tamper == "swap":
            # Two events change places; each still matches its own hash.
            a, b = ids[3], ids[4]
            for sql, params in (
                ("UPDATE audit_event SET id = :t WHERE id = :a", {"t": -a, "a": a}),
                ("UPDATE audit_event SET id = :a WHERE id = :b", {"a": a, "b": b}),
                ("UPDATE audit_event SET id = :b WHERE id = :t", {"b": b, "t": -a}),
            ):
                session.execute(text(sql), params)
        else:
            assert callable(tamper)
            sql, params = tamper(ids)
            session.execute(text(sql), params)
    assert main(["--config", str(config), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"audit chain BROKEN at event {ids[broken_at]} ")
    assert reason in out
