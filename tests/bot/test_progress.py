"""``privacybot purge`` as a person and as cron see it: a bar with rate and ETA on a
terminal, nothing but the one-line summary otherwise. (``privacybot import`` has the same
two tests in test_import.py.)"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot import outbox, pipeline, staff
from bot.runtime import Runtime
from bot.senders import EmlFolderSender
from storage import queries
from storage.engine import unit_of_work

ROOT = Path(__file__).resolve().parents[2]
ERASE = "Hej\r\n\r\nJeg vil gerne have slettet mine personoplysninger.\r\n"
CASES = 3
#: Far enough ahead that every finished erasure case is due.
LATER = (date.today() + timedelta(days=3 * 366)).isoformat()


def finished_cases(runtime: Runtime, n: int) -> None:
    """``n`` erasure requests, each answered: finished cases the purge will erase."""
    for i in range(n):
        raw = (
            f"From: Kunde <kunde{i}@example.dk>\r\nTo: info@alottbetter.dk\r\n"
            f"Subject: Slet mine data\r\nMessage-ID: <purge.{i}@example.dk>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + ERASE
        ).encode()
        with unit_of_work(runtime.sessions) as session:
            queries.store_inbound(
                session,
                channel="smtp",
                external_id=f"<purge.{i}>",
                raw=raw,
                message_id=f"<purge.{i}@example.dk>",
            )
        [outcome] = pipeline.process_pending(runtime)
        with unit_of_work(runtime.sessions) as session:
            case = queries.get_case(session, ref=outcome.case_ref or "")
            [draft] = queries.pending_drafts_of(session, case_id=case.id or 0)
        staff.approve_draft(runtime, draft_id=draft.id or 0, actor="staff")
    outbox.deliver_due(runtime, {"mail": EmlFolderSender(runtime.settings.outbox.folder)})


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: what a terminal shows does not depend on the backend."""
    return f"sqlite:///{tmp_path / 'privacybot.db'}"


@pytest.fixture
def command(runtime: Runtime, tmp_path: Path) -> list[str]:
    finished_cases(runtime, CASES)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{runtime.settings.database.url}"\n'
        f'[outbox]\nfolder = "{runtime.settings.outbox.folder}"\n',
        encoding="utf-8",
    )
    return [sys.executable, "-m", "bot", "--config", str(config), "purge", "--today", LATER]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_not_on_a_terminal_the_purge_prints_only_its_summary(command: list[str]) -> None:
    done = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "no bar, no escape codes in a cron mail or a pipe"
    assert done.stdout.startswith(f"purged: {CASES} cases"), done.stdout
    assert done.stdout.count("\n") == 1


def test_on_a_terminal_the_purge_shows_a_bar_with_rate_and_eta(command: list[str]) -> None:
    leader, follower = pty.openpty()
    # A terminal 120 columns wide, as a person's would be (a new pty has none).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=follower
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    text = seen.decode(errors="replace")
    assert "purge: 100%" in text, text
    assert f"{CASES}/{CASES}" in text and "cases/s" in text and "<" in text, (
        "count, rate and time left are shown"
    )
    assert "kunde" not in text, "the bar counts cases, it names nobody"
    assert out.decode().startswith(f"purged: {CASES} cases")
