"""Crash safety: ``privacybot run`` is SIGKILLed at random points while a few hundred
mails arrive by SMTP, restarted each time, and finally stopped with SIGTERM.

The sending side's view decides what was delivered: a mail counts only when the listener
said 250, and every other attempt is repeated later, as a real MTA does. Afterwards
every mail must be stored exactly once, each privacy request must have exactly one case,
each case exactly one acknowledgement file, the audit chain must verify, and the
service's own log must not hold a customer's address or words.

IMAP is not part of this run (the watcher is being built separately); mail arrives by
SMTP only. Figures are printed (``-s``) for ``docs/reliability.md``.
"""

from __future__ import annotations

import os
import random
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from tests.servers.relay import free_port

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("PRIVACYBOT_CRASH_SEED", "20261102"))
KILLS = 12
PRIVACY, ORDERS, AUTO, NO_ID = 200, 60, 30, 10
SHUTDOWN_SECONDS = 10


def build_mails(scale: int = 1) -> list[tuple[str, str, bytes]]:
    """(kind, token, raw); the token identifies the mail in the stored raw bytes.

    ``scale`` multiplies every kind, for a run that needs the flood to last longer.
    """
    mails = []
    privacy, orders, auto = PRIVACY * scale, ORDERS * scale, AUTO * scale
    for n in range((PRIVACY + ORDERS + AUTO + NO_ID) * scale):
        msg = EmailMessage()
        token = f"tok{n:04d}x"
        if n < privacy:
            kind, sender = "privacy", f"kunde{n}@example.dk"
            msg["Subject"] = "Sletning"
            body = "Jeg vil gerne have slettet alle mine personoplysninger hos jer."
        elif n < privacy + orders:
            kind, sender = "order", f"ordre{n}@example.dk"
            msg["Subject"] = "Min ordre"
            body = "Hvornår kommer min ordre med lampen?"
        elif n < privacy + orders + auto:
            kind, sender = "auto", f"ferie{n}@example.dk"
            msg["Subject"] = "Automatisk svar"
            msg["Auto-Submitted"] = "auto-replied"
            body = "Jeg er på ferie og læser ikke mine mails."
        else:
            kind, sender = "privacy-no-id", f"uden{n}@example.dk"
            msg["Subject"] = "Indsigt"
            body = "Send mig venligst en kopi af alle personoplysninger I har om mig."
        msg["From"] = f"Kunde {n} <{sender}>"
        msg["To"] = "info@alottbetter.dk"
        if kind != "privacy-no-id":
            msg["Message-ID"] = f"<{token}@example.dk>"
        msg.set_content(f"{body}\n\nRef {token}\n")
        mails.append((kind, token, msg.as_bytes()))
    return mails


class Sender:
    """Four SMTP clients; a mail is done only on 250, otherwise it goes back in line."""

    def __init__(self, port: int, mails: list[tuple[str, str, bytes]]) -> None:
        self.port = port
        self.queue = list(range(len(mails)))
        self.mails = mails
        self.lock = threading.Lock()
        self.delivered: set[int] = set()
        self.attempts = 0
        self.failures = Counter[str]()

    def next(self) -> int | None:
        with self.lock:
            return self.queue.pop(0) if self.queue else None

    def run(self) -> None:
        while (index := self.next()) is not None:
            kind, token, raw = self.mails[index]
            with self.lock:
                self.attempts += 1
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=15) as client:
                    client.sendmail(f"bounce-{token}@example.dk", ["info@alottbetter.dk"], raw)
            except (OSError, smtplib.SMTPException) as exc:
                with self.lock:
                    self.failures[type(exc).__name__] += 1
                    self.queue.append(index)
                time.sleep(0.05)
                continue
            with self.lock:
                self.delivered.add(index)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(config: Path, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    deadline = time.monotonic() + 60
    while not listening_port_ready(config, proc):
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "privacybot did not start listening"
        time.sleep(0.05)
    return proc


def listening_port_ready(config: Path, proc: subprocess.Popen[bytes]) -> bool:
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))  # type: ignore[union-attr]
    return listening(port)


def counts(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute(sql))


def settled(db: Path) -> bool:
    busy = counts(db, "select count(*) from message where status in ('received','processing')")
    queued = counts(db, "select count(*) from outbox_item where status in ('pending','sending')")
    return busy[0][0] == 0 and queued[0][0] == 0


def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    port = free_port()
    db, outbox, log = tmp_path / "privacybot.db", tmp_path / "outbox", tmp_path / "service.log"
    config = tmp_path / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[outbox]\nfolder = "{outbox}"\n'
        f"[smtp_listener]\nport = {port}\n"
        f"[policy]\nacks_per_hour_global = 100000\n"
        f"[service]\nshutdown_seconds = {SHUTDOWN_SECONDS}\n",
        encoding="utf-8",
    )
    mails = build_mails()
    sender = Sender(port, mails)
    proc = start(config, tmp_path, log)
    clients = [threading.Thread(target=sender.run, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()

    kills = 0
    while kills < KILLS:
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        proc = start(config, tmp_path, log)
    for client in clients:
        client.join(timeout=300)
    assert len(sender.delivered) == len(mails), "the sender could not deliver everything"

    deadline = time.monotonic() + 120
    while not settled(db):
        assert time.monotonic() < deadline, "the service did not finish the work"
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)

    # Graceful stop: SIGTERM, exit 0 within the configured time; the port is closed.
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=SHUTDOWN_SECONDS + 5) == 0
    assert not listening(port)

    # Every mail stored exactly once (found by the token in its raw bytes).
    stored = counts(
        db, "select raw, status, case_id, message_id from message where direction = 'in'"
    )
    per_token = Counter()
    token_row = {}
    for raw, status, case_id, _mid in stored:
        found = re.search(rb"tok\d{4}x", raw)
        assert found, "a stored message is none of ours"
        per_token[found.group(0).decode()] += 1
        token_row[found.group(0).decode()] = (status, case_id)
    assert len(stored) == len(mails)
    assert set(per_token.values()) == {1}, "a mail was stored twice"

    # Each privacy request exactly one case; orders none; auto-replies ignored.
    privacy = [t for k, t, _ in mails if k.startswith("privacy")]
    case_ids = [token_row[t][1] for t in privacy]
    assert None not in case_ids and len(set(case_ids)) == len(privacy)
    assert all(token_row[t][1] is None for k, t, _ in mails if k == "order")
    assert all(token_row[t][0] == "ignored" for k, t, _ in mails if k == "auto")
    assert counts(db, 'select count(*) from "case"')[0][0] == len(privacy)

    # Each case exactly one acknowledgement row, sent, and exactly one file.
    acks = counts(db, "select case_id, status, message_id from outbox_item where kind='ack'")
    assert sorted(c for c, _, _ in acks) == sorted(case_ids)
    assert {s for _, s, _ in acks} == {"sent"}
    files = sorted(p.name for p in outbox.glob("ack.*.eml"))
    refs = [r for (r,) in counts(db, 'select ref from "case"')]
    assert files == sorted(f"ack.{ref}.1@alottbetter.dk.eml" for ref in refs)
    # ... and exactly one message sent in its case's history, however often it was written.
    sent = counts(db, "select case_id, message_id from message where direction = 'out'")
    assert sorted(sent) == sorted((c, m.strip("<>")) for c, _, m in acks)

    audit = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "audit", "verify"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert audit.returncode == 0 and "OK" in audit.stdout, audit.stdout + audit.stderr

    # The service's log: ids and references, never an address or a customer's words.
    text = log.read_text(errors="replace")
    for needle in ("@example.dk", "personoplysninger", "lampen", "ferie", "Kunde ", "tok0"):
        assert needle not in text, f"the log holds {needle!r}"

    print(
        f"\ncrash run (seed {SEED}): {len(mails)} mails, {kills} SIGKILLs + 1 SIGTERM, "
        f"{sender.attempts} SMTP attempts, {sum(sender.failures.values())} not answered 250 "
        f"({dict(sender.failures)}), {len(stored)} stored, {len(privacy)} cases, "
        f"{len(files)} acknowledgement files, "
        f"{text.count('decided again')} restarts took up messages left in hand, "
        f"lost 0, doubled 0"
    )
