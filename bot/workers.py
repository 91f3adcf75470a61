"""``privacybot run --workers N``: N service processes on one machine, one supervisor.

Each worker is a plain ``privacybot run`` subprocess, exactly what a second machine runs,
so one code path serves both ways of scaling out. The workers share nothing but the
PostgreSQL database (claims, elections) and the SMTP port, which each binds with
``SO_REUSEPORT`` so that the kernel spreads connections among them. Processes rather
than threads because the work (MIME parsing, classification, drafting) is Python code
that holds the GIL.

The supervisor restarts a worker that died (with backoff, so a worker that cannot start
does not spin) and, on SIGTERM or SIGINT, passes SIGTERM to every worker, waits for their
graceful stop and kills what outlives it. A killed worker loses nothing: its claims
expire and other workers take them over, its elected jobs are taken over within seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from types import FrameType

from bot.config import Settings

log = logging.getLogger("privacybot.workers")

#: How often the supervisor looks at its workers.
TICK_SECONDS = 0.2
#: Restart delay after a worker died: doubling from the first value up to the cap, and
#: back to the first once a worker has run for ``HEALTHY_SECONDS``.
RESTART_FIRST, RESTART_CAP, HEALTHY_SECONDS = 1.0, 30.0, 60.0
#: Environment variable that tells a worker its number (1..N), so an operator can tell
#: the processes apart (``ps e``, ``/proc/PID/environ``).
WORKER_ENV = "PRIVACYBOT_WORKER"


@dataclass
class _Slot:
    number: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = RESTART_FIRST
    restart_at: float = 0.0
    restarts: int = field(default=0)


def _reserve_port(host: str) -> socket.socket:
    """A free port for all workers when the configuration says 0 ("pick one").

    The socket stays bound (not listening, so it never gets a connection) with
    ``SO_REUSEPORT`` until the supervisor ends, so no other program can take the port
    between our choice and the workers' bind, nor after a worker restarts.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, 0))
    return sock


def worker_env(settings: Settings, number: int, smtp_port: int | None) -> dict[str, str]:
    """Environment of worker ``number``: the shared SMTP port; a metrics port of its own.

    Metrics are per process (each worker counts what it did), so worker *i* serves them on
    ``metrics.port + i - 1``; with port 0 each picks a free one.
    """
    env = {**os.environ, WORKER_ENV: str(number)}
    if smtp_port is not None:
        env["PRIVACYBOT_SMTP_LISTENER__PORT"] = str(smtp_port)
    metrics = settings.metrics
    if metrics.enabled and metrics.port:
        env["PRIVACYBOT_METRICS__PORT"] = str(metrics.port + number - 1)
    return env


def supervise(count: int, settings: Settings, argv: list[str]) -> int:
    """Run ``count`` workers until SIGTERM/SIGINT; returns the exit status (0)."""
    reserved: socket.socket | None = None
    smtp_port: int | None = None
    listener = settings.smtp_listener
    if listener.enabled:
        smtp_port = listener.port
        if smtp_port == 0:
            reserved = _reserve_port(listener.host)
            smtp_port = int(reserved.getsockname()[1])
        log.info("%s workers share the SMTP port %s:%s", count, listener.host, smtp_port)

    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {
        signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    slots = [_Slot(n, worker_env(settings, n, smtp_port)) for n in range(1, count + 1)]
    try:
        while not stopping:
            now = time.monotonic()
            for slot in slots:
                _tend(slot, argv, now)
            time.sleep(TICK_SECONDS)
        log.info("stopping %s workers", count)
        _stop_all(slots, settings.service.shutdown_seconds + 5.0)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if reserved is not None:
            reserved.close()
    log.info("all workers stopped")
    return 0


def _tend(slot: _Slot, argv: list[str], now: float) -> None:
    """Start a slot's worker, or notice that it died and schedule its restart."""
    process = slot.process
    if process is not None:
        code = process.poll()
        if code is None:
            if now - slot.started >= HEALTHY_SECONDS:
                slot.delay = RESTART_FIRST
            return
        slot.process = None
        slot.restart_at = now + slot.delay
        log.error("worker %s (pid %s) ended with status %s; restarting in %.0f s",
                  slot.number, process.pid, code, slot.delay)
        slot.delay = min(slot.delay * 2, RESTART_CAP)
        return
    if now < slot.restart_at:
        return
    # The workers inherit stdout and stderr: their log lines go where ours go.
    slot.process = subprocess.Popen(argv, env=slot.env, preexec_fn=_die_with_parent)
    slot.started = now
    if slot.restart_at:
        slot.restarts += 1
    log.info("worker %s started (pid %s)", slot.number, slot.process.pid)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the supervisor dies (Linux), so that a
    killed supervisor leaves no workers that nobody stops; elsewhere nothing happens."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop_all(slots: list[_Slot], limit: float) -> None:
    """SIGTERM to all at once (they stop in parallel), then wait; kill what is left."""
    running = [slot.process for slot in slots if slot.process is not None]
    for process in running:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + limit
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            log.warning("worker pid %s did not stop in time; killing it", process.pid)
            process.kill()
            process.wait()
