"""The baseline of issue 9 (4): the least an importer that stores every mail must do.

It reads the mbox one message at a time with the standard library's ``mailbox.mbox``,
parses each mail with the ``email`` package and commits one SQLite row per message (same
settings as privacybot: WAL, synchronous=NORMAL). No classification, no case: the figure
is there so that ``privacybot import``'s rate can be read as a ratio on a busy machine.

Run: ``python -m bench.import_baseline MBOX DB`` (``bench.import_bench`` starts it).
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import sqlite3
import sys
import time


def main() -> None:
    path, db_path = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS message (id INTEGER PRIMARY KEY, message_id TEXT "
        "UNIQUE, sender TEXT, subject TEXT, raw BLOB)"
    )
    t0 = time.perf_counter()
    box = mailbox.mbox(path, create=False)
    n = 0
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT OR IGNORE INTO message (message_id, sender, subject, raw) VALUES (?,?,?,?)",
            (str(msg["Message-ID"] or ""), str(msg["From"] or ""), str(msg["Subject"] or ""),
             raw),
        )
        db.execute("COMMIT")
        n += 1
    print(f"{n} {time.perf_counter() - t0:.3f}")


if __name__ == "__main__":
    main()
