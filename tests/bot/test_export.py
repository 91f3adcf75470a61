"""``privacybot case REF --export DIR``: the whole case as JSON and as escaped HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import outbox, pipeline, staff
from bot.cli import main
from bot.runtime import Runtime
from bot.senders import EmlFolderSender
from storage import queries
from storage.audit import verify_chain
from storage.engine import unit_of_work

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def test_export_writes_json_and_escaped_html(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = (
        "From: Mette <mette@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        f"Subject: Slet mine data {HOSTILE}\r\nMessage-ID: <exp.1@example.dk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger. {HOSTILE}\r\n"
    ).encode()
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id="<exp.1@example.dk>",
            raw=raw,
            message_id="<exp.1@example.dk>",
        )
    [outcome] = pipeline.process_pending(runtime)
    ref = outcome.case_ref or ""
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n',
        encoding="utf-8",
    )
    target = tmp_path / "export"
    assert main(["--config", str(config), "case", ref, "--export", str(target)]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(target / f"{ref}.json"), str(target / f"{ref}.html")]

    data = json.loads((target / f"{ref}.json").read_text(encoding="utf-8"))
    assert data["case"]["ref"] == ref and data["case"]["labels"] == ["erasure"]
    assert HOSTILE in data["messages"][0]["text"]
    assert data["drafts"][0]["version"] == 1 and data["drafts"][0]["status"] == "pending"
    assert data["deadlines"]["effective"] == data["deadlines"]["deadline"]
    assert [e["action"] for e in data["events"]][0] == "case_opened"
    assert data["chain"]["ok"] is True

    html = (target / f"{ref}.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert ref in html and data["deadlines"]["deadline"] in html

    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=ref)
        assert queries.case_events(session, case_id=case.id or 0)[-1].action == "case_exported"
        assert verify_chain(session).ok

    assert main(["--config", str(config), "case", "PR-1999-0001", "--export", str(target)]) == 2


def test_export_of_a_decided_case_shows_versions_decisions_and_deadlines(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 6, item 7: what an authority asks about a finished case is all there."""
    raw = (
        b"From: Mette <mette@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        b"Subject: Slet mine data\r\nMessage-ID: <exp.2@example.dk>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n"
    )
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id="<exp.2@example.dk>",
            raw=raw,
            message_id="<exp.2@example.dk>",
        )
    [outcome] = pipeline.process_pending(runtime)
    ref = outcome.case_ref or ""
    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=ref)
        [first] = queries.pending_drafts_of(session, case_id=case.id or 0)
    edited = staff.edit_draft(
        runtime,
        draft_id=first.id or 0,
        actor="anne",
        body="Kære Mette\n\nVi har slettet dine oplysninger.\n",
    )
    staff.extend_case(runtime, ref=ref, actor="bo", reason="Vi spørger tre praktiksteder.")
    staff.approve_draft(runtime, draft_id=edited.draft_id, actor="bo")
    outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})

    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n',
        encoding="utf-8",
    )
    target = tmp_path / "export"
    assert main(["--config", str(config), "case", ref, "--export", str(target), "--by", "dpo"]) == 0
    capsys.readouterr()
    data = json.loads((target / f"{ref}.json").read_text(encoding="utf-8"))
    assert data["case"]["status"] == "answered"
    assert [(d["version"], d["kind"], d["status"], d["decided_by"]) for d in data["drafts"]] == [
        (1, "reply", "superseded", "anne"),
        (2, "reply", "approved", "bo"),
        (3, "extension", "pending", None),
    ]
    assert "Vi har slettet dine oplysninger." in data["drafts"][1]["body"]
    deadlines = data["deadlines"]
    assert deadlines["extended_deadline"] == deadlines["effective"] != deadlines["deadline"]
    assert deadlines["extension_reason"] == "Vi spørger tre praktiksteder."
    assert {(o["kind"], o["status"]) for o in data["outbox"]} == {
        ("ack", "sent"),
        ("reply", "sent"),
    }
    actions = [e["action"] for e in data["events"]]
    for action in (
        "case_opened",
        "draft_edited",
        "deadline_extended",
        "draft_approved",
        "reply_sent",
    ):
        assert action in actions
    assert all(e["hash"] and e["prev_hash"] for e in data["events"])
    assert data["exported_by"] == "dpo" and data["chain"]["ok"] is True

    html = (target / f"{ref}.html").read_text(encoding="utf-8")
    assert "version 1 (reply): superseded" in html and "decided by anne" in html
    assert "version 2 (reply): approved" in html and "decided by bo" in html
    assert f"{deadlines['extended_deadline']} (Vi spørger tre praktiksteder.)" in html
    assert "Audit chain: verified" in html and "draft_approved" in html
    assert oct((target / f"{ref}.json").stat().st_mode & 0o777) == "0o600"
