"""Deadlines where people see them: the acknowledgement, the case list, the staff chat's
overdue list, and a mail imported long after it arrived.

Mail goes through the real pipeline and the real outbox into ``.eml`` files; the
commands run in process through ``bot.cli.main`` on each database.
"""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path

import pytest

from bot import chat_staff, outbox, pipeline
from bot.cli import main
from bot.runtime import Runtime
from bot.senders import EmlFolderSender
from handlers import case_rules
from handlers.drafting import long_date
from storage import queries
from storage.engine import unit_of_work
from storage.models import as_utc
from tests.support import cli_config


@pytest.fixture
def config(runtime: Runtime, tmp_path: Path) -> Path:
    return cli_config(
        runtime.settings.database.url, runtime.settings.outbox.folder, tmp_path / "c.toml"
    )


def test_the_acknowledgement_gives_the_deadline_as_a_date(runtime: Runtime) -> None:
    raw = (
        b"From: Mette <mette@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        b"Subject: Slet mine data\r\nMessage-ID: <dl.1@example.dk>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n"
    )
    with unit_of_work(runtime.sessions) as session:
        queries.store_inbound(
            session,
            channel="smtp",
            external_id="<dl.1@example.dk>",
            raw=raw,
            message_id="<dl.1@example.dk>",
        )
    [outcome] = pipeline.process_pending(runtime)
    outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})
    with unit_of_work(runtime.sessions) as session:
        case = queries.get_case(session, ref=outcome.case_ref or "")
    [ack_file] = Path(runtime.settings.outbox.folder).glob("ack.*.eml")
    body = email.message_from_bytes(ack_file.read_bytes(), policy=default).get_content()
    assert case.deadline == case_rules.deadline(as_utc(case.received_at))
    assert f"Du får vores svar senest {long_date(case.deadline, 'da')}." in body


def test_a_mail_imported_forty_days_late_is_overdue_at_once(
    runtime: Runtime, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The deadline runs from when the mail arrived, not from the import; the case is
    overdue on the day it is opened, shows in the staff chat's ``/overdue`` list, and
    can no longer be extended."""
    arrived = datetime.now(UTC).replace(hour=9, minute=30, second=0, microsecond=0) - timedelta(
        days=40
    )
    mbox = tmp_path / "old.mbox"
    mbox.write_bytes(
        f"From kunde@example.dk {arrived:%a %b %d %H:%M:%S %Y}\n".encode()
        + b"From: Kunde <kunde@example.dk>\nTo: info@alottbetter.dk\n"
        b"Subject: Slet mine oplysninger\nMessage-ID: <late.1@example.dk>\n"
        + f"Date: {arrived:%a, %d %b %Y %H:%M:%S} +0000\n".encode()
        + b"Content-Type: text/plain; charset=utf-8\n\n"
        b"Hej\n\nJeg vil gerne have slettet alle mine personoplysninger hos jer.\n\n"
    )
    assert main(["--config", str(config), "import", str(mbox)]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "cases", "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = case_rules.deadline(arrived)
    assert listed["deadline"] == expected.isoformat()
    assert case_rules.is_overdue(expected, datetime.now(UTC))

    overdue = chat_staff.cases_text(runtime, overdue_only=True)
    assert overdue.startswith("<b>Overdue cases</b> (1)") and listed["ref"] in overdue

    assert main(["--config", str(config), "extend", listed["ref"], "--reason", "Sent"]) == 2
    assert "first deadline" in capsys.readouterr().err
