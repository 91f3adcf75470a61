"""Pieces of the multi-worker tests: mails, an MTA-like sender, the processes, the checks.

The sender's view decides what was delivered: a mail counts only when a listener said
250, and every other attempt goes back in line, as a real MTA would retry it.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.election import APPLICATION_PREFIX, lock_key

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(rb"tok[a-z]\d{5}x")


def build_mails(count: int, *, prefix: str = "s") -> list[tuple[str, str, bytes]]:
    """(kind, token, raw): 80 % privacy requests (one sender each), 15 % orders, 5 % auto."""
    mails = []
    for n in range(count):
        msg = EmailMessage()
        token = f"tok{prefix}{n:05d}x"
        share = n % 20
        if share < 16:
            kind, sender = "privacy", f"kunde.{prefix}{n}@example.dk"
            msg["Subject"] = "Sletning"
            body = "Jeg vil gerne have slettet alle mine personoplysninger hos jer."
        elif share < 19:
            kind, sender = "order", f"ordre.{prefix}{n}@example.dk"
            msg["Subject"] = "Min ordre"
            body = "Hvornår kommer min ordre med lampen?"
        else:
            kind, sender = "auto", f"ferie.{prefix}{n}@example.dk"
            msg["Subject"] = "Automatisk svar"
            msg["Auto-Submitted"] = "auto-replied"
            body = "Jeg er på ferie og læser ikke mine mails."
        msg["From"] = f"Kunde {n} <{sender}>"
        msg["To"] = "info@alottbetter.dk"
        msg["Message-ID"] = f"<{token}@example.dk>"
        msg["Date"] = "Mon, 06 Jan 2025 10:00:00 +0100"
        msg.set_content(f"{body}\n\nRef {token}\n")
        mails.append((kind, token, msg.as_bytes()))
    return mails


class MtaSender:
    """Client threads over one queue; a mail is done only on 250, else it goes back."""

    def __init__(self, port: int, mails: list[tuple[str, str, bytes]]) -> None:
        self.port = port
        self.mails = mails
        self.queue = list(range(len(mails)))
        self.lock = threading.Lock()
        self.delivered: set[int] = set()
        self.attempts = 0
        self.failures = Counter[str]()
        self.threads: list[threading.Thread] = []

    def start(self, clients: int) -> None:
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(deadline - time.monotonic(), 0.1))

    def finish(self, *, stall: float = 120.0) -> None:
        """Wait for the client threads for as long as mails keep being delivered; give
        up only after ``stall`` seconds in which none was (the caller then sees how many
        were not)."""
        last, changed = -1, time.monotonic()
        while any(thread.is_alive() for thread in self.threads):
            with self.lock:
                done = len(self.delivered)
            if done != last:
                last, changed = done, time.monotonic()
            if time.monotonic() - changed >= stall:
                return
            self.join(timeout=1.0)

    def _next(self) -> int | None:
        with self.lock:
            return self.queue.pop(0) if self.queue else None

    def _run(self) -> None:
        while (index := self._next()) is not None:
            _kind, token, raw = self.mails[index]
            with self.lock:
                self.attempts += 1
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
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


def listeners(port: int) -> int:
    """How many sockets listen on ``port`` (one per worker with SO_REUSEPORT), from
    /proc/net/tcp: state 0A is LISTEN, the local port is hex after the colon."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            count += 1
    return count


def write_config(
    path: Path, *, url: str, outbox: Path, port: int, lease: float = 10.0, extra: str = ""
) -> Path:
    path.write_text(
        f'[database]\nurl = "{url}"\n[outbox]\nfolder = "{outbox}"\n'
        f"[smtp_listener]\nport = {port}\n"
        f"[policy]\nacks_per_hour_global = 1000000\n"
        f"[service]\nshutdown_seconds = 10\nclaim_lease_seconds = {lease}\n{extra}",
        encoding="utf-8",
    )
    return path


def start_run(config: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``privacybot --config CONFIG run ARGS`` with its output appended to ``log``."""
    with log.open("ab") as fh:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run", *args],
            cwd=config.parent,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def children(pid: int) -> list[int]:
    try:
        text_ = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text_.split()]


def leader(engine: Engine, role: str) -> int | None:
    """The OS pid of the process that holds ``role``, from the server's own lock table."""
    key = lock_key(role)
    with engine.connect() as conn:
        name = conn.execute(
            text(
                "SELECT a.application_name FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND l.classid::bigint = :hi AND l.objid::bigint = :lo AND l.objsubid = 1"
            ),
            {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
        ).scalar_one_or_none()
    if name is None or not name.startswith(APPLICATION_PREFIX):
        return None
    return int(name.rsplit(":", 1)[1])


def wait_for(predicate, timeout: float, what: str, *, every: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def settled(engine: Engine) -> bool:
    busy = scalar(engine, "SELECT count(*) FROM message WHERE status IN ('received','processing')")
    queued = scalar(
        engine, "SELECT count(*) FROM outbox_item WHERE status IN ('pending','sending')"
    )
    return busy == 0 and queued == 0


def progress(engine: Engine) -> tuple[tuple[str, int], ...]:
    """Where the work stands: messages and outbox items per status."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT 'message ' || status, count(*) FROM message GROUP BY status "
                "UNION ALL SELECT 'outbox ' || status, count(*) FROM outbox_item "
                "GROUP BY status ORDER BY 1"
            )
        ).all()
    return tuple((str(name), int(count)) for name, count in rows)


def wait_until_settled(engine: Engine, stored: int, *, stall: float = 120.0) -> None:
    """Wait until ``stored`` messages are in and all work is done, for as long as the
    work moves. A busy shared machine may take minutes; only ``stall`` seconds without
    any change in the counts is a failure (something is stuck), reported with them."""
    last, changed = progress(engine), time.monotonic()
    while True:
        received = scalar(engine, "SELECT count(*) FROM message WHERE direction = 'in'")
        if received >= stored and settled(engine):
            return
        time.sleep(0.5)
        now = progress(engine)
        if now != last:
            last, changed = now, time.monotonic()
        assert time.monotonic() - changed < stall, (
            f"no progress for {stall:.0f} s before all work was done: {dict(now)}"
        )


def check_exactly_once(
    engine: Engine, mails: list[tuple[str, str, bytes]], outbox: Path
) -> dict[str, int]:
    """Every mail stored once; each privacy request one case with one reference; each case
    one acknowledgement row, sent, and one file; references unique and gap-free per year."""
    with engine.connect() as conn:
        stored = list(
            conn.execute(text("SELECT raw, status, case_id FROM message WHERE direction = 'in'"))
        )
        cases = list(conn.execute(text('SELECT id, ref, year, seq FROM "case"')))
        acks = list(
            conn.execute(text("SELECT case_id, status FROM outbox_item WHERE kind = 'ack'"))
        )
    per_token: Counter[str] = Counter()
    row_of: dict[str, tuple[str, int | None]] = {}
    for raw, status, case_id in stored:
        found = TOKEN.search(bytes(raw))
        assert found, "a stored message is none of ours"
        token = found.group(0).decode()
        per_token[token] += 1
        row_of[token] = (status, case_id)
    assert len(stored) == len(mails), f"{len(stored)} stored for {len(mails)} mails"
    assert set(per_token.values()) == {1}, "a mail was stored twice"

    privacy = [t for k, t, _ in mails if k == "privacy"]
    case_ids = [row_of[t][1] for t in privacy]
    assert None not in case_ids, "a privacy request opened no case"
    assert len(set(case_ids)) == len(privacy), "two requests share a case"
    assert all(row_of[t][1] is None for k, t, _ in mails if k == "order")
    assert all(row_of[t][0] == "ignored" for k, t, _ in mails if k == "auto")
    assert len(cases) == len(privacy), "a case was opened twice"

    refs = [ref for _, ref, _, _ in cases]
    assert len(set(refs)) == len(refs), "a case reference was given twice"
    per_year: dict[int, list[int]] = {}
    for _, _, year, seq in cases:
        per_year.setdefault(year, []).append(seq)
    for year, seqs in per_year.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"references of {year} have gaps"

    assert sorted(c for c, _ in acks) == sorted(case_ids), "not one acknowledgement per case"
    assert {s for _, s in acks} == {"sent"}
    files = sorted(p.name for p in outbox.glob("ack.*.eml"))
    assert files == sorted(f"ack.{ref}.1@alottbetter.dk.eml" for ref in refs)
    return {"stored": len(stored), "cases": len(cases), "acks": len(acks), "files": len(files)}


def audit_verify(config: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "audit", "verify"],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr
    return result.stdout.strip()
