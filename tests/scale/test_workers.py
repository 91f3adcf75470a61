"""Several workers on one PostgreSQL database: nothing lost, nothing handled twice.

``privacybot run --workers 4`` (and, separately, four plain ``privacybot run`` processes,
as on four machines) take 1,000 mails by SMTP on one shared port, and some by IMAP from
a real Dovecot mailbox, while the worker that leads the IMAP watcher and the scheduler
is SIGKILLed in the middle. Afterwards every mail is stored once, every privacy request
has one case with one reference, every case one acknowledgement (row and file), the
references are gap-free per year and the audit chain verifies; the killed leader's roles
were taken over by another worker. Figures are printed (``-s``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import ImapSettings
from bot.imap_watcher import cursor_key
from bot.service import SCHEDULER_ROLE
from storage.engine import make_engine
from tests.scale.cluster import (
    ROOT,
    MtaSender,
    audit_verify,
    build_mails,
    check_exactly_once,
    children,
    leader,
    listeners,
    listening,
    scalar,
    start_run,
    wait_for,
    wait_until_settled,
    write_config,
)
from tests.servers.dovecot import Dovecot, unavailable_reason
from tests.servers.relay import free_port

SMTP_MAILS, IMAP_MAILS = 1000, 60
#: Generous: the assertion is that a hand-over happens, not how fast on a busy machine.
HANDOVER_TIMEOUT = 60.0


@pytest.fixture
def dovecot() -> Iterator[Dovecot | None]:
    """A Dovecot mailbox when this machine can run one; the SMTP part runs regardless."""
    if unavailable_reason():
        yield None
        return
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


def _imap_section(server: Dovecot) -> tuple[str, str]:
    """The [imap] section for ``server`` and the election role of its mailbox."""
    settings = ImapSettings(
        enabled=True,
        host=server.host,
        port=server.port,
        tls="none",
        username=server.user,
        password=server.password,  # type: ignore[arg-type]
    )
    section = (
        f'[imap]\nenabled = true\nhost = "{server.host}"\nport = {server.port}\n'
        f'tls = "none"\nusername = "{server.user}"\npassword = "{server.password}"\n'
    )
    if "since" in ImapSettings.model_fields:
        section += "since = 2000-01-01\n"  # every mail here is live: acknowledge it
    return section, f"imap:{cursor_key(settings)}"


def test_four_workers_take_1000_mails_once_each_while_the_leader_is_killed(
    pg_url: str, tmp_path: Path, dovecot: Dovecot | None
) -> None:
    port = free_port()
    outbox, log = tmp_path / "outbox", tmp_path / "service.log"
    extra, imap_role = _imap_section(dovecot) if dovecot else ("", "")
    config = write_config(
        tmp_path / "privacybot.toml", url=pg_url, outbox=outbox, port=port, extra=extra
    )
    smtp_mails = build_mails(SMTP_MAILS, prefix="s")
    imap_mails = build_mails(IMAP_MAILS, prefix="i") if dovecot else []
    engine = make_engine(pg_url)
    started = time.monotonic()
    supervisor = start_run(config, log, "--workers", "4")
    try:
        wait_for(
            lambda: listeners(port) == 4 and len(children(supervisor.pid)) == 4,
            60,
            "four workers listening",
        )
        role = imap_role or SCHEDULER_ROLE
        first = wait_for(lambda: leader(engine, role), HANDOVER_TIMEOUT, "a leader")
        assert first in children(supervisor.pid)

        sender = MtaSender(port, smtp_mails)
        sender.start(clients=8)
        for _kind, _token, raw in imap_mails[: IMAP_MAILS // 2]:
            dovecot.append(raw)  # type: ignore[union-attr]

        # Kill the leader in the middle: it holds the IMAP watcher and the scheduler
        # (when both went to one worker) and, like every worker, claims in hand.
        wait_for(lambda: len(sender.delivered) >= SMTP_MAILS * 0.4, 120, "40 % delivered")
        victim = leader(engine, role) or first
        victim_held_scheduler = leader(engine, SCHEDULER_ROLE) == victim
        killed_at = time.monotonic()
        subprocess.run(["kill", "-KILL", str(victim)], check=True)
        successor = wait_for(
            lambda: (pid := leader(engine, role)) not in (None, victim) and pid,
            HANDOVER_TIMEOUT,
            f"another worker to take over {role}",
        )
        handover = time.monotonic() - killed_at
        if victim_held_scheduler:
            wait_for(
                lambda: leader(engine, SCHEDULER_ROLE) not in (None, victim),
                HANDOVER_TIMEOUT,
                "another worker to take over the scheduler",
            )
        for _kind, _token, raw in imap_mails[IMAP_MAILS // 2 :]:
            dovecot.append(raw)  # type: ignore[union-attr]

        sender.finish()
        assert len(sender.delivered) == SMTP_MAILS, "the sender could not deliver everything"
        assert successor in children(supervisor.pid)
        wait_for(lambda: listeners(port) == 4, 60, "the killed worker restarted")
        wait_until_settled(engine, SMTP_MAILS + len(imap_mails))

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=40) == 0
        assert not listening(port)

        counts = check_exactly_once(engine, smtp_mails + imap_mails, outbox)
        counts["claimed more than once"] = scalar(
            engine, "SELECT count(*) FROM message WHERE attempts > 1"
        )
        audit = audit_verify(config)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        engine.dispose()
    text = log.read_text(errors="replace")
    for needle in ("@example.dk", "personoplysninger", "lampen", "Kunde ", "toks0"):
        assert needle not in text, f"the log holds {needle!r}"
    print(
        f"\n4 workers (--workers 4), PostgreSQL: {SMTP_MAILS} SMTP + {len(imap_mails)} IMAP "
        f"mails, leader pid {victim} SIGKILLed after {killed_at - started:.1f} s, {role} "
        f"taken over by pid {successor} in {handover:.1f} s; {sender.attempts} SMTP "
        f"attempts, {sum(sender.failures.values())} not answered 250 "
        f"({dict(sender.failures)}); {counts}; {audit}; "
        f"total {time.monotonic() - started:.0f} s"
    )


def test_separate_run_processes_share_the_port_and_the_work(pg_url: str, tmp_path: Path) -> None:
    """Four plain ``privacybot run`` on one machine (as on four machines): one is killed
    and not restarted; the others finish its claims after the lease."""
    port = free_port()
    outbox, log = tmp_path / "outbox", tmp_path / "service.log"
    config = write_config(tmp_path / "privacybot.toml", url=pg_url, outbox=outbox, port=port)
    mails = build_mails(300, prefix="p")
    engine = make_engine(pg_url)
    procs = [start_run(config, log) for _ in range(4)]
    try:
        wait_for(lambda: listeners(port) == 4, 60, "four listeners on one port")
        assert all(p.poll() is None for p in procs), log.read_text(errors="replace")[-3000:]
        sender = MtaSender(port, mails)
        sender.start(clients=6)
        wait_for(lambda: len(sender.delivered) >= 120, 120, "120 delivered")
        victim = procs.pop(1)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        sender.finish()
        assert len(sender.delivered) == len(mails)
        wait_until_settled(engine, len(mails))
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        assert [proc.wait(timeout=30) for proc in procs] == [0, 0, 0]
        counts = check_exactly_once(engine, mails, outbox)
        audit_verify(config)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        engine.dispose()
    print(f"\n4 separate run processes, one SIGKILLed: {counts}")


def test_workers_above_one_on_sqlite_are_refused_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "privacybot.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "run", "--workers", "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "PostgreSQL" in result.stderr, result.stderr
