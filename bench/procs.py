"""Processes under test: privacybot as ``python -m bot run`` with a temp config, and the
baseline server; plus what the benchmarks read from them (ports, RSS, database counts).

The service runs as a subprocess, exactly as production starts it (same CLI, same
logging to stderr -- here into a file), so its memory and CPU are its own and the load
generator in the bench process does not share its event loop or GIL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Raised global acknowledgement cap (see write_config).
ACK_CAP = 1_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def wait_log(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until the service's log holds ``text`` (a line it writes when it is ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        if log.exists() and text in log.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{text!r} not in {log} after {timeout}s")


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) in KiB from /proc/<pid>/status."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Proc:
    """A started subprocess; ``stop()`` sends SIGTERM to it (only to it) and waits."""

    def __init__(self, args: list[str], port: int, log: Path, env: dict | None = None,
                 cwd: Path = ROOT) -> None:
        self.port = port
        self.log = log
        self._log_fh = log.open("wb")
        self.proc = subprocess.Popen(
            args, cwd=cwd, stdout=self._log_fh, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            wait_port(port, self.proc)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_fh.close()

    def __enter__(self) -> Proc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_config(folder: Path, port: int, extra: str = "") -> Path:
    """Embedded defaults except paths, port, the global acknowledgement cap and ``extra``
    (more TOML sections, such as ``[imap]`` for the IMAP benchmark).

    The cap (``policy.acks_per_hour_global``, 100 by default) pauses acknowledgements in
    a flood; the benchmark raises it so that every case's acknowledgement is written, as
    issue 9 (1) asks, and so the figure includes rendering and writing every one of them.
    """
    from bot.config import PolicySettings

    policy = ""
    if "acks_per_hour_global" in PolicySettings.model_fields:
        policy = f"[policy]\nacks_per_hour_global = {ACK_CAP}\n"
    config = folder / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{folder / "privacybot.db"}"\n'
        f'[smtp_listener]\nhost = "127.0.0.1"\nport = {port}\n'
        f'[outbox]\nfolder = "{folder / "outbox"}"\n' + policy + extra,
        encoding="utf-8",
    )
    return config


def start_service(folder: Path, tree: Path = ROOT, extra: str = "") -> Proc:
    """privacybot with SQLite and the .eml outbox in ``folder`` (production start path).

    ``tree`` is the source tree it runs from (``python -m bot`` in that folder): another
    checkout gives an A/B comparison with the same venv.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = write_config(folder, port, extra)
    return Proc([sys.executable, "-m", "bot", "--config", str(config), "run"], port,
                folder / "service.log", cwd=tree)


def start_baseline(folder: Path) -> Proc:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    return Proc([sys.executable, "-m", "bench.baseline_server", "--port", str(port),
                 "--db", str(folder / "baseline.db")], port, folder / "baseline.log")


class Progress:
    """Reads the service's database (WAL: readers never block the writer)."""

    def __init__(self, db: Path) -> None:
        self.db = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)

    def counts(self) -> dict[str, int]:
        row = self.db.execute(
            # mail received only: letters sent are messages too (direction 'out')
            "SELECT (SELECT count(*) FROM message WHERE status IN "
            "        ('processed','ignored','failed')),"
            " (SELECT count(*) FROM message WHERE direction = 'in'),"
            " (SELECT count(*) FROM \"case\"),"
            " (SELECT count(*) FROM outbox_item WHERE status = 'sent'),"
            " (SELECT count(*) FROM outbox_item WHERE status IN ('pending','sending')),"
            " (SELECT count(*) FROM message WHERE status = 'failed')"
        ).fetchone()
        keys = ("decided", "stored", "cases", "acks_sent", "outbox_open", "failed")
        return dict(zip(keys, row, strict=True))

    def close(self) -> None:
        self.db.close()


def wait_settled(db: Path, *, expected: int, base: dict[str, int] | None = None,
                 timeout: float = 900.0, interval: float = 0.05) -> tuple[float, dict]:
    """Wait until ``expected`` more messages are decided and the outbox is empty.

    Returns the time.perf_counter() at which that was first seen, and the counts.
    """
    base = base or {"decided": 0}
    progress = Progress(db)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            counts = progress.counts()
            if counts["decided"] - base["decided"] >= expected and counts["outbox_open"] == 0:
                return time.perf_counter(), counts
            time.sleep(interval)
    finally:
        progress.close()
    raise TimeoutError(f"not settled after {timeout}s: {counts}")


def rss_mb(kib: int) -> float:
    return kib / 1024
