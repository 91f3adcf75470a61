"""Crash safety, continued: mail by SMTP *and* IMAP at once, and the SMTP run on PostgreSQL.

``test_crash.py`` kills ``privacybot run`` while mail arrives by SMTP on SQLite. Here:

- ``test_sigkill_while_mail_arrives_by_smtp_and_imap``: the same 300 mails, each sent by
  SMTP only, appended to a real Dovecot mailbox only, or both (the same bytes, so one
  Message-ID reaches the service twice, by two channels); the service runs with
  ``[imap] enabled`` on SQLite and is SIGKILLed at random points while both arrive.
  Mail without a Message-ID goes by one channel only: its dedupe key is a hash of the
  bytes, and a copy that an MTA or Dovecot rewrote is, by definition, another mail.
- ``test_sigkill_smtp_on_postgresql``: ``test_crash.py``'s run on a fresh PostgreSQL
  database (one process; claims a crash left are taken up after ``claim_lease_seconds``).

Both check with one function: every mail exactly one stored message, each privacy request
exactly one case, each case exactly one acknowledgement row (sent) and one file, the audit
chain verifies, the log holds no customer's address or words. The helpers are
``test_crash.py``'s, imported. Figures are printed (``-s``) for ``docs/reliability.md``;
``PRIVACYBOT_CRASH_SEED`` picks the seed as there.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.engine import make_engine
from tests.reliability.test_crash import (
    KILLS,
    ROOT,
    SEED,
    SHUTDOWN_SECONDS,
    Sender,
    build_mails,
    listening,
    start,
)
from tests.servers.dovecot import Dovecot, unavailable_reason
from tests.servers.relay import free_port

Mail = tuple[str, str, bytes]
LOG_NEEDLES = ("@example.dk", "personoplysninger", "lampen", "ferie", "Kunde ", "tok0")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


def write_config(path: Path, *, url: str, outbox: Path, port: int, extra: str = "") -> Path:
    # The [smtp_listener] port comes first: ``test_crash.start`` waits for the first
    # ``port = N`` of the file.
    path.write_text(
        f'[database]\nurl = "{url}"\n[outbox]\nfolder = "{outbox}"\n'
        f"[smtp_listener]\nport = {port}\n"
        f"[policy]\nacks_per_hour_global = 100000\n"
        f"[service]\nshutdown_seconds = {SHUTDOWN_SECONDS}\nclaim_lease_seconds = 3\n"
        f"{extra}",
        encoding="utf-8",
    )
    return path


def imap_section(server: Dovecot) -> str:
    return (
        f'[imap]\nenabled = true\nhost = "{server.host}"\nport = {server.port}\n'
        f'tls = "none"\nusername = "{server.user}"\npassword = "{server.password}"\n'
        "since = 2000-01-01\n"  # every mail here is live: acknowledge it
    )


class Appender:
    """Delivers mail into the Dovecot mailbox as an LDA would, paced, in its own thread.

    Dovecot is not the process being killed, so an append fails only by accident; a
    failed one goes back in line like a refused SMTP attempt."""

    def __init__(self, server: Dovecot, mails: list[Mail], rng: random.Random) -> None:
        self.server = server
        self.queue = list(range(len(mails)))
        self.mails = mails
        self.pauses = [rng.uniform(0.0, 0.15) for _ in mails]
        self.delivered: set[int] = set()
        self.failures = 0
        self.finished = 0.0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while self.queue:
            index = self.queue.pop(0)
            try:
                self.server.append(self.mails[index][2])
            except Exception:  # noqa: BLE001 - retried, counted
                self.failures += 1
                self.queue.append(index)
                time.sleep(0.1)
                continue
            self.delivered.add(index)
            time.sleep(self.pauses[index])
        self.finished = time.monotonic()


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def settled(engine: Engine) -> bool:
    busy = rows(engine, "select count(*) from message where status in ('received','processing')")
    queued = rows(engine, "select count(*) from outbox_item where status in ('pending','sending')")
    return busy[0][0] == 0 and queued[0][0] == 0


def kill_repeatedly(
    proc: subprocess.Popen[bytes], rng: random.Random, config: Path, cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc = start(config, cwd, log)
    return proc


def finish(
    proc: subprocess.Popen[bytes], engine: Engine, expected: int, log: Path, port: int
) -> None:
    """Wait until every mail is stored and decided, then stop gracefully (SIGTERM)."""
    deadline = time.monotonic() + 120
    while not (
        rows(engine, "select count(*) from message where direction = 'in'")[0][0] >= expected
        and settled(engine)
    ):
        assert time.monotonic() < deadline, "the service did not finish the work"
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=SHUTDOWN_SECONDS + 5) == 0
    assert not listening(port)


def check_exactly_once(
    engine: Engine,
    mails: list[Mail],
    outbox: Path,
    config: Path,
    log: Path,
    secrets: tuple[str, ...] = (),
) -> dict[str, object]:
    """The invariants of issue 7 item 2; returns figures for the report."""
    stored = rows(
        engine, "select raw, status, case_id, channel from message where direction = 'in'"
    )
    per_token: Counter[str] = Counter()
    token_row: dict[str, tuple[str, int | None]] = {}
    channels: Counter[str] = Counter()
    for raw, status, case_id, channel in stored:
        found = re.search(rb"tok\d{4}x", bytes(raw))
        assert found, "a stored message is none of ours"
        token = found.group(0).decode()
        per_token[token] += 1
        token_row[token] = (status, case_id)
        channels[channel] += 1
    assert len(stored) == len(mails), f"{len(stored)} stored for {len(mails)} mails"
    assert set(per_token.values()) == {1}, "a mail was stored twice"

    privacy = [t for k, t, _ in mails if k.startswith("privacy")]
    case_ids = [token_row[t][1] for t in privacy]
    assert None not in case_ids, "a privacy request opened no case"
    assert len(set(case_ids)) == len(privacy), "two requests share a case"
    assert all(token_row[t][1] is None for k, t, _ in mails if k == "order")
    assert all(token_row[t][0] == "ignored" for k, t, _ in mails if k == "auto")
    assert rows(engine, 'select count(*) from "case"')[0][0] == len(privacy)

    acks = rows(engine, "select case_id, status from outbox_item where kind = 'ack'")
    assert sorted(c for c, _ in acks) == sorted(case_ids), "not one acknowledgement per case"
    assert {s for _, s in acks} == {"sent"}
    files = sorted(p.name for p in outbox.glob("ack.*.eml"))
    refs = [r for (r,) in rows(engine, 'select ref from "case"')]
    assert files == sorted(f"ack.{ref}.1@alottbetter.dk.eml" for ref in refs)

    audit = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "audit", "verify"],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert audit.returncode == 0 and "OK" in audit.stdout, audit.stdout + audit.stderr

    text_ = log.read_text(errors="replace")
    for needle in (*LOG_NEEDLES, *secrets):
        assert needle not in text_, "the log holds a customer's data or a secret"
    return {
        "stored": len(stored),
        "channels": dict(channels),
        "cases": len(privacy),
        "files": len(files),
        "taken up": text_.count("decided again"),
    }


def test_sigkill_while_mail_arrives_by_smtp_and_imap(tmp_path: Path, dovecot: Dovecot) -> None:
    rng = random.Random(SEED)
    port = free_port()
    db, outbox, log = tmp_path / "privacybot.db", tmp_path / "outbox", tmp_path / "service.log"
    config = write_config(
        tmp_path / "privacybot.toml",
        url=f"sqlite:///{db}",
        outbox=outbox,
        port=port,
        extra=imap_section(dovecot),
    )
    mails = build_mails()
    route = [
        ("smtp", "imap")[n % 2] if kind == "privacy-no-id" else rng.choice(("smtp", "imap", "both"))
        for n, (kind, _t, _r) in enumerate(mails)
    ]
    smtp_mails = [m for m, r in zip(mails, route, strict=True) if r in ("smtp", "both")]
    imap_mails = [m for m, r in zip(mails, route, strict=True) if r in ("imap", "both")]
    rng.shuffle(imap_mails)

    engine = make_engine(f"sqlite:///{db}")
    sender = Sender(port, smtp_mails)
    appender = Appender(dovecot, imap_mails, rng)
    proc = start(config, tmp_path, log)
    clients = [threading.Thread(target=sender.run, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()
    appender.thread.start()
    began = time.monotonic()
    proc = kill_repeatedly(proc, rng, config, tmp_path, log)
    kill_window = time.monotonic() - began
    for client in clients:
        client.join(timeout=300)
    appender.thread.join(timeout=300)
    assert len(sender.delivered) == len(smtp_mails), "the sender could not deliver everything"
    assert len(appender.delivered) == len(imap_mails), "Dovecot did not take every mail"
    # Mail stored just before a kill was never flagged; the next session marks it.
    deadline = time.monotonic() + 120
    while any("$PrivacybotProcessed" not in f for f in dovecot.flags().values()):
        assert time.monotonic() < deadline, "stored mail left unflagged in the mailbox"
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    finish(proc, engine, len(mails), log, port)

    figures = check_exactly_once(engine, mails, outbox, config, log, secrets=(dovecot.password,))
    flags = dovecot.flags()
    unflagged = sum(1 for f in flags.values() if "$PrivacybotProcessed" not in f)
    marked_late = log.read_text(errors="replace").count("were stored but not marked")
    engine.dispose()
    assert unflagged == 0
    print(
        f"\ncrash run smtp+imap (seed {SEED}): {len(mails)} mails "
        f"({route.count('smtp')} SMTP only, {route.count('imap')} IMAP only, "
        f"{route.count('both')} both), {KILLS} SIGKILLs + 1 SIGTERM, "
        f"{sender.attempts} SMTP attempts, {sum(sender.failures.values())} not answered 250 "
        f"({dict(sender.failures)}), {len(imap_mails)} IMAP appends "
        f"({appender.failures} failed; the last after {appender.finished - began:.1f} s of a "
        f"{kill_window:.1f} s kill window), {figures}, "
        f"{len(flags)} in the mailbox, {unflagged} left unflagged ({marked_late} sessions "
        f"marked mail a crash had left unmarked), lost 0, doubled 0"
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sigkill_smtp_on_postgresql(tmp_path: Path, database_url: str) -> None:
    rng = random.Random(SEED)
    port = free_port()
    outbox, log = tmp_path / "outbox", tmp_path / "service.log"
    config = write_config(tmp_path / "privacybot.toml", url=database_url, outbox=outbox, port=port)
    mails = build_mails()
    engine = make_engine(database_url)
    sender = Sender(port, mails)
    proc = start(config, tmp_path, log)
    clients = [threading.Thread(target=sender.run, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()
    proc = kill_repeatedly(proc, rng, config, tmp_path, log)
    for client in clients:
        client.join(timeout=300)
    assert len(sender.delivered) == len(mails), "the sender could not deliver everything"
    finish(proc, engine, len(mails), log, port)

    figures = check_exactly_once(engine, mails, outbox, config, log)
    engine.dispose()
    print(
        f"\ncrash run postgresql (seed {SEED}): {len(mails)} mails, {KILLS} SIGKILLs + "
        f"1 SIGTERM, {sender.attempts} SMTP attempts, {sum(sender.failures.values())} not "
        f"answered 250 ({dict(sender.failures)}), {figures}, lost 0, doubled 0"
    )
