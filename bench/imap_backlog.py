"""A backlog in a watched mailbox (issue 9: "a mailbox backlog is imported").

``N`` bench mails are APPENDed to a real Dovecot (``tests/servers/dovecot.py``, root, a
spare loopback port) before ``python -m bot run`` starts with ``[imap] enabled``; the
figures are the seconds from the service's start until every mail is stored, and until
every one is decided with its acknowledgement written, and the service's CPU seconds.
Start-up (about a second) is included: it is what an operator waits after a restart.

    python -m bench.imap_backlog [N] [--tree DIR]   # DIR: another checkout, same .venv
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from bench import procs
from bench.mails import make_mails


def _stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    except sqlite3.OperationalError:
        return 0  # not created yet
    try:
        return conn.execute("SELECT count(*) FROM message WHERE direction = 'in'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not migrated yet
    finally:
        conn.close()


def one_run(n: int, tree: Path) -> dict[str, float]:
    from tests.servers.dovecot import Dovecot

    mails = make_mails(n, tag="backlog")
    dovecot = Dovecot()
    dovecot.start()
    try:
        with dovecot.client(timeout=120) as client:
            for mail in mails:
                client.append("INBOX", mail.data)
        imap = (
            f'[imap]\nenabled = true\nhost = "{dovecot.host}"\nport = {dovecot.port}\n'
            f'tls = "none"\nusername = "{dovecot.user}"\npassword = "{dovecot.password}"\n'
            "since = 2000-01-01\n"  # live mail: every case is acknowledged
        )
        with tempfile.TemporaryDirectory(prefix="imap-backlog-") as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            with procs.start_service(folder, tree=tree, extra=imap) as proc:
                db = folder / "privacybot.db"
                while _stored(db) < n:
                    time.sleep(0.02)
                stored = time.perf_counter() - t0
                procs.wait_settled(db, expected=n, timeout=600)
                decided = time.perf_counter() - t0
                cpu = procs.cpu_seconds(proc.pid)
    finally:
        dovecot.stop()
    return {"stored_s": stored, "decided_s": decided, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--tree", type=Path, default=procs.ROOT)
    args = parser.parse_args()
    r = one_run(args.n, args.tree)
    print(f"{args.tree}: {args.n} mails stored in {r['stored_s']:.2f} s, all decided in "
          f"{r['decided_s']:.2f} s ({args.n / r['decided_s']:.0f} mails/s with start-up); "
          f"service CPU {r['cpu_s']:.1f} s")


if __name__ == "__main__":
    main()
