"""``privacybot import``: a mailbox export taken in once, even when the import is killed.

The command runs as a real process (``python -m bot import``) on a real database, is
killed half-way with SIGKILL (nothing gets to clean up), and is run again. What a person
would notice is asserted: every mail is there exactly once, cases were opened, and only
mail received after the cut-off got an acknowledgement.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session, sessionmaker

from bot.importer import read_mbox
from storage.engine import make_engine, make_sessionmaker, unit_of_work
from storage.models import AuditEvent, Case, Message, OutboxItem

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 300
FIRST_DAY = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
#: Mail n arrived on FIRST_DAY + n days; from this one on, mail is acknowledged.
ACK_FROM = 280
NO_MESSAGE_ID = 7  # dedupe by hash of the bytes must survive a resume too
#: ``service.claim_lease_seconds`` here: how long a killed import's claims keep others off.
CLAIM_LEASE = 1.0


def is_request(n: int) -> bool:
    return n % 10 != 3  # every tenth mail is an ordinary question, not a privacy request


def mbox_entry(n: int) -> bytes:
    received = FIRST_DAY + timedelta(days=n)
    from_line = f"From kunde{n}@example.dk {received:%a %b %d %H:%M:%S %Y}\n"
    subject, body = (
        (
            "Sletning af mine oplysninger",
            "Jeg vil gerne have slettet alle mine personoplysninger hos jer.",
        )
        if is_request(n)
        else ("Åbningstider", "Hvornår har butikken åbent på lørdag?")
    )
    headers = (
        f"From: Kunde {n} <kunde{n}@example.dk>\n"
        "To: info@alottbetter.dk\n"
        f"Subject: {subject}\n"
        f"Date: {received:%a, %d %b %Y %H:%M:%S} +0000\n"
        + ("" if n == NO_MESSAGE_ID else f"Message-ID: <import.{n}@example.dk>\n")
        + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    )
    # A body line that an mbox writer escaped: the reader must give it back as written.
    text = f"Hej\n\n{body}\n>From min side: tak.\n\nVenlig hilsen\nKunde {n}\n"
    return from_line.encode() + headers.encode() + text.encode() + b"\n"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "info.mbox"
    with path.open("wb") as fh:
        for n in range(TOTAL):
            fh.write(mbox_entry(n))
    return path


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "privacybot.toml"
    path.write_text(
        f'[database]\nurl = "{database_url}"\n\n[outbox]\nfolder = "{tmp_path / "outbox"}"\n'
        f"\n[smtp_listener]\nport = 0\n\n[service]\nclaim_lease_seconds = {CLAIM_LEASE}\n",
        encoding="utf-8",
    )
    return path


def privacybot(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def db(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def count(sessions: sessionmaker[Session], model: type) -> int:
    with unit_of_work(sessions) as session:
        return int(session.execute(sql_select(func.count()).select_from(model)).scalar_one())


def stored_so_far(database_url: str) -> int:
    """Messages stored, read without the writer lock: privacybot's sessions begin with
    ``BEGIN IMMEDIATE`` on SQLite, and a watcher that waits for the lock between the
    import's transactions can miss the whole import (seen in CI once deciding got fast)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sql_select(func.count()).select_from(Message)
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_an_import_killed_half_way_resumes_without_doubles_and_acks_only_new_mail(
    export: Path, config: Path, db: sessionmaker[Session], database_url: str
) -> None:
    ack_after = (FIRST_DAY + timedelta(days=ACK_FROM)).date().isoformat()
    command = privacybot(config, "import", str(export), "--ack-after", ack_after)
    # The schema must exist before the test can watch rows arrive.
    subprocess.run(
        privacybot(config, "db", "upgrade"), check=True, cwd=ROOT, env=_env(), capture_output=True
    )

    # At the lowest priority, so that on a busy machine this test's watch for the first
    # quarter still gets the CPU before the (fast) import has stored everything.
    first = subprocess.Popen(
        ["nice", "-n", "19", *command],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while stored_so_far(database_url) < TOTAL // 4 and first.poll() is None:
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)
    still_running = first.poll() is None
    first.kill()  # SIGKILL: no handler, no cleanup, as a crash or the OOM killer
    _, first_err = first.communicate(timeout=30)
    assert still_running, f"the import ended before it could be interrupted: {first_err!r}"
    stored_when_killed = count(db, Message)
    assert TOTAL // 4 <= stored_when_killed < TOTAL
    # Killed while deciding, the import leaves its batch claimed. On SQLite the next
    # import gives such claims back at once; on PostgreSQL (where a service's workers may
    # hold claims of their own) they are a dead worker's claims, taken over when the lease
    # has run out, as the service's own workers' are.
    time.sleep(CLAIM_LEASE + 0.5)

    second = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0, second.stderr
    # Not a terminal: no progress bar, only the summary.
    assert second.stderr.strip() == "", second.stderr
    assert second.stdout.startswith("import done: 300 messages read"), second.stdout
    assert f"{TOTAL - stored_when_killed} stored" in second.stdout, second.stdout

    with unit_of_work(db) as session:
        messages = list(session.execute(sql_select(Message).order_by(Message.id)).scalars())
        cases = list(session.execute(sql_select(Case)).scalars())
        acks = list(
            session.execute(sql_select(OutboxItem).where(OutboxItem.kind == "ack")).scalars()
        )
        suppressed = [
            json.loads(e.detail)["reason"]
            for e in session.execute(
                sql_select(AuditEvent).where(AuditEvent.action == "ack_suppressed")
            ).scalars()
        ]
    ids = [m.external_id for m in messages]
    assert len(ids) == len(set(ids)) == TOTAL, "each mail exactly once"
    assert sum(i.startswith("sha256:") for i in ids) == 1
    assert {m.channel for m in messages} == {"import"}
    assert {m.status for m in messages} == {"processed"}, "everything was decided"
    assert "\nFrom min side: tak." in messages[0].raw.decode()

    requests = [n for n in range(TOTAL) if is_request(n)]
    new_requests = [n for n in requests if n >= ACK_FROM]
    assert len(cases) == len(requests), "every privacy request opened its case"
    assert len({c.first_message_id for c in cases}) == len(cases)
    assert sorted(a.recipient for a in acks) == sorted(f"kunde{n}@example.dk" for n in new_requests)
    assert suppressed.count("received before the cut-off") == len(requests) - len(new_requests)
    first_case = min(cases, key=lambda c: c.received_at)
    assert first_case.received_at.astimezone(UTC).date() == FIRST_DAY.date(), (
        "the deadline runs from when the company received the mail"
    )

    # A third run finds everything there already and changes nothing.
    third = subprocess.run(
        command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert third.returncode == 0
    assert "0 stored" in third.stdout and f"{TOTAL} already there" in third.stdout
    assert count(db, OutboxItem) == len(acks)


def test_on_a_terminal_the_import_shows_a_progress_bar_with_rate_and_eta(
    tmp_path: Path, config: Path
) -> None:
    small = tmp_path / "small.mbox"
    small.write_bytes(b"".join(mbox_entry(n) for n in range(20)))
    leader, follower = pty.openpty()
    # A terminal 120 columns wide, as a person's would be (a new pty has none).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        privacybot(config, "import", str(small)),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=follower,
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
    assert "import: 100%" in text, text
    assert "B/s" in text and "<" in text, "rate and time left are shown"
    assert out.decode().startswith("import done: 20 messages read, 20 stored (20 without")


def test_a_path_that_is_no_export_is_one_line_and_exit_2(tmp_path: Path, config: Path) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("hello\n")
    done = subprocess.run(
        privacybot(config, "import", str(note)),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "is not an mbox file" in done.stderr


def test_a_maildir_is_imported_too(tmp_path: Path, config: Path, db: sessionmaker[Session]) -> None:
    folder = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    for n in range(5):
        entry = mbox_entry(n).split(b"\n", 1)[1]  # without the From_ line
        (folder / ("cur" if n % 2 else "new") / f"{1700000000 + n}.M{n}P1.host:2,S").write_bytes(
            entry
        )
    done = subprocess.run(
        privacybot(config, "import", str(folder)),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("import done: 5 messages read, 5 stored (5 without")
    assert count(db, Message) == 5
    assert count(db, OutboxItem) == 0


def test_a_mail_twice_in_one_export_is_stored_once(
    tmp_path: Path, config: Path, db: sessionmaker[Session]
) -> None:
    # Exports of several folders hold copies; messages are stored many to a transaction,
    # so the copy (with and without a Message-ID) meets its original in the same one.
    path = tmp_path / "twice.mbox"
    path.write_bytes(b"".join(mbox_entry(n) for n in [*range(10), 3, NO_MESSAGE_ID]))
    done = subprocess.run(
        privacybot(config, "import", str(path)),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "import done: 12 messages read, 10 stored (10 without acknowledgement), 2 already there"
    ), done.stdout
    assert count(db, Message) == 10
    assert count(db, Case) == sum(1 for n in range(10) if is_request(n))


def test_reading_an_mbox_keeps_memory_at_the_size_of_one_mail(tmp_path: Path) -> None:
    big = tmp_path / "big.mbox"
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 60 + "\n") * 4
    with big.open("wb") as fh:
        for n in range(3000):
            entry = mbox_entry(n)
            fh.write(entry[:-1] + filler.encode() + b"\n")
    size = big.stat().st_size
    assert size > 40 * 2**20
    tracemalloc.start()
    try:
        with big.open("rb") as stream:
            seen = sum(1 for _ in read_mbox(stream))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 3000
    assert peak < 2 * 2**20, f"peak {peak} bytes for a {size} byte mbox"


def test_reader_dates_come_from_the_from_line(tmp_path: Path) -> None:
    path = tmp_path / "one.mbox"
    path.write_bytes(mbox_entry(0) + mbox_entry(1))
    with path.open("rb") as stream:
        found = list(read_mbox(stream))
    assert [f.received_at for f in found] == [FIRST_DAY, FIRST_DAY + timedelta(days=1)]
    assert found[0].raw.endswith(b"Kunde 0\n"), "the separating blank line is not the mail's"
