"""``privacybot case REF --export DIR``: the whole case as JSON and as escaped HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import pipeline
from bot.cli import main
from bot.runtime import Runtime
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
        queries.store_inbound(session, channel="smtp", external_id="<exp.1@example.dk>",
                              raw=raw, message_id="<exp.1@example.dk>")
    [outcome] = pipeline.process_pending(runtime)
    ref = outcome.case_ref or ""
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n', encoding="utf-8"
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
