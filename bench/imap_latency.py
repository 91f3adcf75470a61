"""Issue 9 item 2, IMAP half: from APPEND into a watched Dovecot mailbox to the case opened.

A real Dovecot (``tests/servers/dovecot.py``, the same server the tests start: root,
a spare loopback port, a temp folder) holds the mailbox; ``python -m bot run`` watches
it with ``[imap] enabled`` and IDLE, as production does, and keeps its SMTP listener
(whose port tells that it started). One IMAP connection of the bench APPENDs the bench
mails at a steady rate, open loop: mail i is appended at t0 + i/rate whatever the
service does. Each run has its own Dovecot and database, so no run re-reads another's
mail.

Times, per mail that opens a case:

* APPEND -> case opened: from just before the APPEND command is sent to the moment the
  case row is committed, seen by a reader thread that polls the database every 20 ms
  (so it is at most 20 ms late).
* APPEND -> stored: to the moment the watcher's stored row is committed (same reader),
  which splits the time between the watcher (IDLE, FETCH, store) and the pipeline.
* APPEND -> acknowledgement written: to the ack's ``sent_at`` (the .eml file fsynced and
  renamed into the outbox), comparable with the SMTP latency figure.

Dovecot itself tells an IDLE client of new mail about 0.5 s after it arrived (its mailbox
watcher waits that long; ``/work/shared/research/dovecot.md``), so that is the floor.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import procs
from bench.ingest import _parse_ts, _percentile
from bench.mails import make_mails

POLL = 0.02


def unavailable() -> str | None:
    """Why the benchmark cannot run here (no Dovecot, not root), or None."""
    from tests.servers.dovecot import unavailable_reason

    return unavailable_reason()


@dataclass
class Seen:
    """When each mail was first seen stored, and its case opened (time.time())."""

    stored: dict[str, float] = field(default_factory=dict)
    at: dict[str, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)


def _watch_cases(db: Path, seen: Seen) -> None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    last = last_message = 0
    try:
        while not seen.stop.is_set():
            messages = conn.execute(
                "SELECT id, message_id FROM message WHERE id > ? AND direction = 'in' "
                "ORDER BY id", (last_message,),
            ).fetchall()
            rows = conn.execute(
                'SELECT c.id, m.message_id FROM "case" c JOIN message m '
                "ON m.case_id = c.id AND m.direction = 'in' WHERE c.id > ? ORDER BY c.id",
                (last,),
            ).fetchall()
            now = time.time()
            for row_id, message_id in messages:
                seen.stored.setdefault(message_id, now)
                last_message = max(last_message, row_id)
            for case_id, message_id in rows:
                seen.at.setdefault(message_id, now)
                last = max(last, case_id)
            time.sleep(POLL)
    finally:
        conn.close()


def _wait_selected(log: Path, timeout: float = 60.0) -> None:
    """Until the watcher has selected the mailbox and scanned it (its log line says so)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "selected (UIDVALIDITY" in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the IMAP watcher did not select the mailbox:\n{log.read_text()[-2000:]}")


def one_run(folder: Path, n: int, rate: float, tag: str) -> dict:
    from tests.servers.dovecot import Dovecot

    mails = make_mails(n, tag=tag)
    dovecot = Dovecot()
    try:
        dovecot.start()
        imap = (
            f'[imap]\nenabled = true\nhost = "{dovecot.host}"\nport = {dovecot.port}\n'
            f'tls = "none"\nusername = "{dovecot.user}"\npassword = "{dovecot.password}"\n'
            "since = 2000-01-01\n"  # live mail: every case is acknowledged, as over SMTP
        )
        with procs.start_service(folder, extra=imap) as proc:
            _wait_selected(proc.log)
            time.sleep(1.0)  # start-up work done: the watcher idles on an empty mailbox
            db = folder / "privacybot.db"
            seen = Seen()
            watcher = threading.Thread(target=_watch_cases, args=(db, seen), daemon=True)
            watcher.start()
            appended: dict[str, float] = {}
            append_ms: list[float] = []
            late = 0.0
            with dovecot.client(timeout=60) as client:
                t0 = time.perf_counter()
                for i, mail in enumerate(mails):
                    due = t0 + i / rate
                    wait = due - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                    late = max(late, time.perf_counter() - due)
                    start = time.time()
                    client.append("INBOX", mail.data)
                    append_ms.append((time.time() - start) * 1000)
                    appended[mail.message_id] = start
            procs.wait_settled(db, expected=n, timeout=300)
            time.sleep(2 * POLL)
            seen.stop.set()
            watcher.join()
            conn = sqlite3.connect(db)
            acks = conn.execute(
                "SELECT m.message_id, o.sent_at FROM outbox_item o "
                "JOIN message m ON m.case_id = o.case_id AND m.direction = 'in' "
                "WHERE o.kind = 'ack' AND o.status = 'sent'"
            ).fetchall()
            decided = conn.execute(
                "SELECT count(*) FROM message WHERE direction = 'in' AND status IN "
                "('processed', 'ignored')"
            ).fetchone()[0]
            conn.close()
    finally:
        dovecot.close()
    case_ms = [(at - appended[mid]) * 1000 for mid, at in seen.at.items() if mid in appended]
    stored_ms = [(at - appended[mid]) * 1000 for mid, at in seen.stored.items()
                 if mid in appended]
    ack_ms = [(_parse_ts(sent) - appended[mid]) * 1000 for mid, sent in acks if mid in appended]
    return {
        "mails": n, "decided": decided, "cases": len(case_ms), "acks": len(ack_ms),
        "case_p50_ms": _percentile(case_ms, 50), "case_p99_ms": _percentile(case_ms, 99),
        "case_max_ms": max(case_ms),
        "stored_p50_ms": _percentile(stored_ms, 50), "stored_p99_ms": _percentile(stored_ms, 99),
        "ack_p50_ms": _percentile(ack_ms, 50), "ack_p99_ms": _percentile(ack_ms, 99),
        "append_p50_ms": _percentile(append_ms, 50), "append_p99_ms": _percentile(append_ms, 99),
        "schedule_late_max_ms": late * 1000,
    }


def imap_latency(rate: float, seconds: float, runs: int, *, log=print) -> dict:  # type: ignore[no-untyped-def]
    n = int(rate * seconds)
    per_run = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-") as tmp:
        for i in range(runs):
            r = one_run(Path(tmp) / f"imap{i}", n, rate, f"m{i}")
            log(f"  run {i + 1}/{runs}: {n} mails appended at {rate:g}/s, {r['decided']} "
                f"decided, {r['cases']} cases, {r['acks']} acks: APPEND->case opened p50 "
                f"{r['case_p50_ms']:.0f} ms, p99 {r['case_p99_ms']:.0f} ms, max "
                f"{r['case_max_ms']:.0f} ms; APPEND->stored p50 {r['stored_p50_ms']:.0f} ms, p99 "
                f"{r['stored_p99_ms']:.0f} ms; APPEND->ack written p50 {r['ack_p50_ms']:.0f} "
                f"ms, p99 {r['ack_p99_ms']:.0f} ms; APPEND itself p50 "
                f"{r['append_p50_ms']:.1f} ms, p99 {r['append_p99_ms']:.1f} ms; appender "
                f"behind schedule by up to {r['schedule_late_max_ms']:.0f} ms")
            per_run.append(r)
    return {
        "rate": rate, "seconds": seconds, "runs": runs,
        **{k: statistics.median(r[k] for r in per_run) for k in per_run[0]},
    }
