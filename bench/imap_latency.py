"""How soon mail that lands in the IMAP mailbox is taken in, under IDLE (issue 3, item 1).

    .venv/bin/python bench/imap_latency.py            # 40 mails, one at a time
    .venv/bin/python bench/imap_latency.py -n 100 --json /tmp/imap.json

The service is the production start path, ``python -m bot --config <tmp> run``, with
SQLite and the ``.eml`` outbox, watching a real Dovecot (``tests/servers/dovecot.py``, on
loopback, plaintext login) with the default watcher timing. Mails are delivered one at a
time with APPEND, as a local delivery agent would, at random gaps of 0.3 to 1.5 s so that
each arrives while the watcher is idling. A mail's clock starts when the server answered
the APPEND (it is then in the mailbox) and stops when its row is in the database
("stored", what the issue's "picked up" means) and when its acknowledgement file is in
the outbox ("acknowledged"); the database and the folder are polled every 5 ms.

Nothing here is a test: the script only prints (and with ``--json`` writes) figures. The
issue's target is "within 2 seconds of its arrival on the server under IDLE".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``bench``, ``bot`` and ``tests`` importable
    sys.path.insert(0, str(ROOT))

from bench.procs import Proc, free_port  # noqa: E402
from tests.servers.dovecot import Dovecot  # noqa: E402

POLL = 0.005
TARGET = 2.0


def request(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Kunde {n} <kunde{n}@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Sletning af mine oplysninger"
    msg["Message-ID"] = f"<imap-bench.{n}@example.dk>"
    msg.set_content("Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n")
    return msg.as_bytes()


def write_config(folder: Path, server: Dovecot, port: int) -> Path:
    config = folder / "privacybot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{folder / "privacybot.db"}"\n'
        f'[smtp_listener]\nport = {port}\n'
        f'[outbox]\nfolder = "{folder / "outbox"}"\n'
        "[policy]\nacks_per_hour_global = 1000000\n"
        f'[imap]\nenabled = true\nhost = "{server.host}"\nport = {server.port}\n'
        f'tls = "none"\nusername = "{server.user}"\npassword = "{server.password}"\n'
        f"since = {date.today().isoformat()}\n",
        encoding="utf-8",
    )
    return config


def wait(predicate, timeout: float = 60.0) -> float:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` every POLL seconds; the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(POLL)
    raise RuntimeError("timed out waiting")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="mails, one at a time (default 40)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"IMAP IDLE pick-up: {args.n} mails; {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load avg {load}")

    stored: list[float] = []
    acked: list[float] = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-imap-") as tmp:
        folder = Path(tmp)
        server = Dovecot()
        server.start()
        try:
            port = free_port()
            config = write_config(folder, server, port)
            outbox = folder / "outbox"
            with Proc([sys.executable, "-m", "bot", "--config", str(config), "run"], port,
                      folder / "service.log"):
                db = sqlite3.connect(f"file:{folder / 'privacybot.db'}?mode=ro", uri=True,
                                     timeout=30)

                def has(n: int) -> bool:
                    row = db.execute("SELECT 1 FROM message WHERE external_id = ?",
                                     (f"imap-bench.{n}@example.dk",)).fetchone()
                    return row is not None

                # A first mail proves the watcher connected and went into IDLE.
                server.append(request(0))
                wait(lambda: has(0))
                wait(lambda: len(list(outbox.glob("ack.*.eml"))) == 1)
                for n in range(1, args.n + 1):
                    time.sleep(rng.uniform(0.3, 1.5))
                    server.append(request(n))
                    arrived = time.monotonic()
                    stored.append(wait(lambda n=n: has(n)) - arrived)
                    acked.append(wait(
                        lambda n=n: len(list(outbox.glob("ack.*.eml"))) == n + 1
                    ) - arrived)
                db.close()
        finally:
            server.close()

    figures = {}
    for name, values in (("stored", stored), ("acknowledged", acked)):
        figures[name] = {
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "max_ms": max(values) * 1000,
            "within_2s": sum(v <= TARGET for v in values),
        }
        f = figures[name]
        print(f"  APPEND answered -> {name:<12} p50 {f['p50_ms']:7.1f} ms   "
              f"p95 {f['p95_ms']:7.1f} ms   max {f['max_ms']:7.1f} ms   "
              f"within {TARGET:g} s: {f['within_2s']}/{len(values)}")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  (load avg at the end {load})")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "figures": figures}, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
