"""The baseline of issue 9 (1): a bare aiosmtpd server that parses each mail and commits
one SQLite row before it answers 250 -- the least any service that stores before it
answers must do. Same SQLite settings as privacybot (WAL, synchronous=NORMAL).

Run: ``python -m bench.baseline_server --port P --db FILE`` (the benchmark starts it).
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import signal
import sqlite3

from aiosmtpd.smtp import SMTP, Envelope, Session


class Store:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS message (id INTEGER PRIMARY KEY, message_id TEXT "
            "UNIQUE, sender TEXT, subject TEXT, raw BLOB)"
        )

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute(
            "INSERT OR IGNORE INTO message (message_id, sender, subject, raw) VALUES (?,?,?,?)",
            (str(msg["Message-ID"] or ""), str(msg["From"] or ""), str(msg["Subject"] or ""),
             raw),
        )
        self.db.execute("COMMIT")
        return f"250 2.0.0 OK: queued as {cur.lastrowid}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    handler = Store(args.db)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, enable_SMTPUTF8=True, hostname="baseline"),
        host="127.0.0.1", port=args.port,
    )
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
