"""Graceful shutdown: SIGTERM while mail arrives, and work in hand that will not finish.

``test_crash.py`` ends its runs with one SIGTERM once everything is quiet; here SIGTERM
comes in the middle of the work, as ``systemctl stop`` or a deploy sends it:

- ``test_sigterm_under_load_...``: ``privacybot run`` is stopped with SIGTERM at random
  points while 300 mails arrive by SMTP, and started again each time. Every stop must
  exit 0 within ``service.shutdown_seconds`` and leave nothing claimed (no message
  ``processing``, no outbox item ``sending``): what was in hand was finished or given
  back, so the next start has nothing to take up after a crash. At the end every mail
  is stored once, each request has one case and one acknowledgement, the chain verifies.
- ``test_work_that_outlasts_the_limit_...``: the relay takes the connection and never
  answers, so the acknowledgement in hand cannot finish. After SIGTERM the listener
  refuses new mail at once, the process still exits 0 within the limit, and the restart
  continues: the abandoned send is ``in_doubt`` for a person to decide (the relay might
  have taken it; RFC 1047), never sent twice on its own, and new mail flows as before.

Figures are printed (``-s``) for ``docs/reliability.md``; ``PRIVACYBOT_CRASH_SEED``
picks the seed as in ``test_crash.py``.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from storage.engine import make_engine
from tests.reliability.test_crash import ROOT, SEED, Sender, build_mails, listening, start
from tests.reliability.test_crash_imap import check_exactly_once, finish, rows, write_config
from tests.servers.relay import Relay, free_port

STOPS = 6
#: Fewer stops under load than this and the run proves too little: make the mails more.
MIN_STOPS = 3
SHUTDOWN_SECONDS = 10
#: Mail stored; the letters we sent are messages too (direction ``out``), not counted here.
RECEIVED = "select count(*) from message where direction = 'in'"


def left_in_hand(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Messages and outbox items still claimed: what a stop neither finished nor gave back."""
    messages = rows(engine, "select count(*) from message where status = 'processing'")[0][0]
    sending = rows(engine, "select count(*) from outbox_item where status = 'sending'")[0][0]
    return messages, sending


def test_sigterm_under_load_leaves_nothing_in_hand_and_a_restart_continues(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    port = free_port()
    db, outbox, log = tmp_path / "privacybot.db", tmp_path / "outbox", tmp_path / "service.log"
    config = write_config(
        tmp_path / "privacybot.toml", url=f"sqlite:///{db}", outbox=outbox, port=port
    )
    # Three times the crash test's mail: the flood must outlast the six stops of a
    # service that takes about 100 mails a second in (300 were in after one or two).
    mails = build_mails(scale=3)
    engine = make_engine(f"sqlite:///{db}")
    sender = Sender(port, mails)
    proc = start(config, tmp_path, log)
    clients = [threading.Thread(target=sender.run, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()

    stops, stored_at_stop, waiting_at_stop = 0, [], []
    while stops < STOPS:
        # Mail must be flowing when the signal comes: some stored since the start. On a
        # fast run the senders may have delivered everything before the last stops; those
        # are not stops under load, so the run ends there (at least MIN_STOPS came first).
        before = rows(engine, RECEIVED)[0][0]
        deadline = time.monotonic() + 60
        while rows(engine, RECEIVED)[0][0] < before + 3:
            if len(sender.delivered) == len(mails):
                break
            assert time.monotonic() < deadline, "no mail arrived"
            time.sleep(0.05)
        if len(sender.delivered) == len(mails):
            break
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGTERM)
        # Exit status 0 within the configured time (the bound guards the promise made to
        # systemd's TimeoutStopSec, it measures no speed).
        assert proc.wait(timeout=SHUTDOWN_SECONDS + 5) == 0, log.read_text()[-3000:]
        assert not listening(port)
        assert left_in_hand(engine) == (0, 0), "a stop left work claimed"
        stored_at_stop.append(rows(engine, RECEIVED)[0][0])
        waiting_at_stop.append(
            rows(engine, "select count(*) from message where status = 'received'")[0][0]
        )
        stops += 1
        proc = start(config, tmp_path, log)
    assert stops >= MIN_STOPS, f"only {stops} stops came while mail was arriving"
    for client in clients:
        client.join(timeout=300)
    assert len(sender.delivered) == len(mails), "the sender could not deliver everything"
    finish(proc, engine, len(mails), log, port)

    figures = check_exactly_once(engine, mails, outbox, config, log)
    engine.dispose()
    text = log.read_text(errors="replace")
    assert text.count("privacybot stopped") == stops + 1, "every stop was a clean one"
    assert "abandoned" not in text
    assert "decided again" not in text, "a start found messages a stop had left in hand"
    print(
        f"\nsigterm run (seed {SEED}): {len(mails)} mails, {stops + 1} SIGTERMs (stored when "
        f"stopped: {stored_at_stop}; of them not yet decided, given back or never claimed: "
        f"{waiting_at_stop}), {sender.attempts} SMTP attempts, "
        f"{sum(sender.failures.values())} not answered 250 ({dict(sender.failures)}), "
        f"{figures}, left in hand 0, lost 0, doubled 0"
    )


class SilentRelay:
    """Accepts TCP connections and never says a word: a relay that hangs."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        # shutdown() wakes the accept() of the other thread; close() alone would leave the
        # port bound until that thread returned.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=10)
        for conn in self.held:
            conn.close()


def request(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Kunde {n} <kunde{n}@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Sletning"
    msg["Message-ID"] = f"<stop{n}@example.dk>"
    msg.set_content("Jeg vil gerne have slettet alle mine personoplysninger hos jer.\n")
    return msg


def send(port: int, msg: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(msg)


def privacybot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def wait_until(predicate, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while not predicate():
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"{what} not reached"
        time.sleep(0.1)


def test_work_that_outlasts_the_limit_is_abandoned_in_time_and_taken_up_safely(
    tmp_path: Path,
) -> None:
    limit = 2
    port, relay_port = free_port(), free_port()
    db, outbox, log = tmp_path / "privacybot.db", tmp_path / "outbox", tmp_path / "service.log"
    config = tmp_path / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[outbox]\nfolder = "{outbox}"\n'
        f"send_timeout_seconds = 600\n"
        f"[smtp_listener]\nport = {port}\n"
        f'[relay]\nenabled = true\nhost = "127.0.0.1"\nport = {relay_port}\ntls = "none"\n'
        f"[service]\nshutdown_seconds = {limit}\n",
        encoding="utf-8",
    )
    engine = make_engine(f"sqlite:///{db}")
    silent = SilentRelay(relay_port)
    proc = start(config, tmp_path, log)
    try:
        send(port, request(1))
        wait_until(lambda: left_in_hand(engine)[1] == 1, "the acknowledgement in hand", proc, log)

        proc.send_signal(signal.SIGTERM)
        # The send in hand waits for a relay that never answers, so the process is still
        # there; the listener is not: new mail is refused and stays with its sender.
        wait_until(lambda: not listening(port), "the listener closed", proc, log)
        assert proc.poll() is None
        try:
            send(port, request(2))
        except OSError:
            refused = True
        else:
            refused = False
        assert refused, "mail was taken while stopping"
        assert proc.wait(timeout=limit + 10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        silent.close()
    text = log.read_text(errors="replace")
    assert f"did not finish within {limit}" in text and "abandoned" in text

    # The relay answers again; the sender of mail 2 retries it.
    relay = Relay()
    relay.port = relay_port
    with relay:
        proc = start(config, tmp_path, log)
        try:
            send(port, request(2))
            wait_until(
                lambda: (
                    rows(
                        engine,
                        "select count(*) from outbox_item where kind = 'ack' and status = 'sent'",
                    )[0][0]
                    == 1
                ),
                "the second ack",
                proc,
                log,
            )
            acks = dict(rows(engine, "select status, id from outbox_item where kind = 'ack'"))
            assert set(acks) == {"in_doubt", "sent"}
            assert len(relay.received) == 1, "the abandoned send was not repeated on its own"
            assert relay.received[0].rcpt_tos == ("kunde2@example.dk",)

            # A person looks, decides, and the doubtful acknowledgement goes out once.
            listing = privacybot(config, "outbox")
            assert "in_doubt" in listing.stdout, listing.stdout + listing.stderr
            resent = privacybot(config, "outbox", "resend", str(acks["in_doubt"]))
            assert resent.returncode == 0, resent.stderr
            wait_until(lambda: len(relay.received) == 2, "the resent acknowledgement", proc, log)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=limit + 10) == 0
    assert sorted(r.rcpt_tos[0] for r in relay.received) == [
        "kunde1@example.dk",
        "kunde2@example.dk",
    ]
    assert rows(engine, RECEIVED)[0][0] == 2
    assert rows(engine, 'select count(*) from "case"')[0][0] == 2
    engine.dispose()
