"""Storing and deciding in one process, one stage at a time (issue 9, items 20 and 21).

    python bench/decide_micro.py                 # CPU ms per mail: storing, deciding,
                                                 # writing the acknowledgements
    python bench/decide_micro.py --import-store  # store as ``privacybot import`` does
    python bench/decide_micro.py --dump out.txt  # fixed clock; the database, table by table
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=_operator_call \\
        python bench/decide_micro.py --callgrind -n 200   # instructions of deciding only

A fresh database (SQLite in a temp folder, or with ``--pg`` a fresh PostgreSQL database
at 127.0.0.1:5432, created and dropped), built by ``bot.runtime.build_runtime`` as the
service builds it. ``--warmup`` bench mails (``bench/mails.py``) are stored and decided
first and not counted; then ``-n`` are stored (``smtp_listener.store_mail`` one by one,
or the importer's ``_store_batch`` 50 at a time) and decided with
``pipeline.process_pending`` until nothing is left, and their acknowledgements written
to the outbox folder (``outbox.deliver_due``), each stage timed with
``time.process_time``.

``--callgrind`` runs the deciding inside ``operator.call``, so that callgrind's
``--toggle-collect=_operator_call`` counts only that; instructions per mail are the
figure that repeats on a loaded machine. ``--dump FILE`` runs with a fixed clock and
writes every row a decision writes (message, case, draft, outbox item with a hash of its
payload, audit event, counter; own ids left out) so that two trees can be compared with
``cmp``. ``--cap``, ``--quiet``, ``--staff-chat`` and ``--fail-every`` select the paths
a decision can take (acknowledgements paused, no acknowledgement, staff cards, a
decision that raises half-way and is rolled back to its savepoint).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import operator
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.mails import make_mails
from bot import importer, outbox, pipeline
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.service import make_senders
from bot.smtp_listener import store_mail
from handlers import drafting
from handlers.values import Channel

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIXED = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
#: Tables a decision writes, and the order their rows are dumped in.
TABLES = ("message", "case", "draft", "outbox_item", "audit_event", "counter")
#: Columns dumped as a hash (bytes, or too long to read).
HASHED = {"payload", "body", "text"}


@contextmanager
def database(pg: bool, folder: Path) -> Iterator[str]:
    """A fresh database URL; a PostgreSQL one is dropped afterwards."""
    if not pg:
        yield f"sqlite:///{folder / 'privacybot.db'}"
        return
    name = f"privacybot_micro_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_runtime(url: str, folder: Path, args: argparse.Namespace) -> Runtime:
    sections: dict[str, Any] = {
        "database": {"url": url},
        "outbox": {"folder": str(folder / "outbox")},
        "smtp_listener": {"port": 0},
        "policy": {"acks_per_hour_global": args.cap},
    }
    if args.staff_chat:
        sections["telegram"] = {"enabled": True, "staff_chat_id": -100123, "token": "1:x"}
    # a fixed clock for --dump: every timestamp and the letters' Date repeat
    clock: Callable[[], datetime] = (lambda: FIXED) if args.dump else (lambda: datetime.now(UTC))
    return build_runtime(Settings(**sections), clock=clock)


def fail_every(k: int) -> None:
    """Make every k-th first draft raise: the decision is rolled back to its savepoint."""
    plain = drafting.reply
    calls = [0]

    def reply(*a: Any, **kw: Any) -> Any:
        calls[0] += 1
        if calls[0] % k == 0:
            raise RuntimeError("bench: a draft that fails")
        return plain(*a, **kw)

    drafting.reply = reply  # type: ignore[assignment]


def store(runtime: Runtime, mails: list, *, quiet: bool, import_style: bool) -> None:
    if not import_style:
        for mail in mails:
            store_mail(runtime, mail.data, channel=Channel.SMTP, quiet=quiet)
        return
    report = importer.Report()
    received = runtime.clock() - timedelta(days=30)
    cut_off = None if quiet else received - timedelta(days=1)
    for start in range(0, len(mails), importer.DECIDE_EVERY):
        batch = [importer.Found(m.data, received, i)
                 for i, m in enumerate(mails[start:start + importer.DECIDE_EVERY])]
        importer._store_batch(runtime, batch, cut_off, report)


def decide_all(runtime: Runtime) -> int:
    decided = 0
    while outcomes := pipeline.process_pending(runtime, limit=importer.DECIDE_EVERY):
        decided += len(outcomes)
    return decided


def deliver_all(runtime: Runtime) -> int:
    """Write every acknowledgement due to the outbox folder, as the service's outbox
    thread does (``outbox.deliver_due``, 20 at a time)."""
    senders = make_senders(runtime)
    sent = 0
    while True:
        batch = outbox.deliver_due(runtime, senders)
        if not batch:
            return sent
        sent += batch


def dump(runtime: Runtime, out: Path) -> None:
    lines: list[str] = []
    with runtime.engine.connect() as conn:
        for table in TABLES:
            order = "name" if table == "counter" else "id"
            result = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}'))
            # the raw mail is the input (its Date header is the generator's clock)
            names = list(result.keys())  # a Result iterates rows, not names
            columns = [c for c in names if c not in ("id", "raw")]
            lines.append(f"== {table} ({', '.join(columns)})")
            for row in result.mappings():
                values = []
                for column in columns:
                    value = row[column]
                    if column in HASHED and value is not None:
                        raw = value if isinstance(value, bytes) else str(value).encode()
                        value = "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
                    elif isinstance(value, datetime):
                        value = value.replace(tzinfo=None).isoformat()
                    values.append(repr(value))
                lines.append(" | ".join(values))
    out.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=600, help="mails measured (default 600)")
    parser.add_argument("--warmup", type=int, default=50, help="mails before (default 50)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--cap", type=int, default=1_000_000,
                        help="policy.acks_per_hour_global (the bench's 1,000,000)")
    parser.add_argument("--quiet", action="store_true", help="store every mail quiet")
    parser.add_argument("--import-store", action="store_true",
                        help="store as the importer does, 50 to a transaction")
    parser.add_argument("--staff-chat", action="store_true", help="staff chat on (cards)")
    parser.add_argument("--fail-every", type=int, default=0, metavar="K",
                        help="every K-th first draft raises")
    parser.add_argument("--dump", type=Path, help="fixed clock; write the tables here")
    parser.add_argument("--callgrind", action="store_true",
                        help="decide inside operator.call (callgrind's toggle)")
    parser.add_argument("--profile", type=Path, help="cProfile (CPU clock) of deciding")
    args = parser.parse_args(argv)
    if args.fail_every:
        fail_every(args.fail_every)
    warm = make_mails(args.warmup, tag="warm")
    mails = make_mails(args.n, tag="micro")
    with tempfile.TemporaryDirectory(prefix="decide-micro-") as tmp, \
            database(args.pg, Path(tmp)) as url:
        runtime = make_runtime(url, Path(tmp), args)
        try:
            store(runtime, warm, quiet=args.quiet, import_style=args.import_store)
            decide_all(runtime)
            deliver_all(runtime)
            t0 = time.process_time()
            store(runtime, mails, quiet=args.quiet, import_style=args.import_store)
            t1 = time.process_time()
            if args.callgrind:
                decided = operator.call(decide_all, runtime)  # type: ignore[attr-defined]
            elif args.profile:
                profile = cProfile.Profile(time.process_time)
                decided = profile.runcall(decide_all, runtime)
                profile.dump_stats(args.profile)
            else:
                decided = decide_all(runtime)
            t2 = time.process_time()
            sent = deliver_all(runtime)
            t3 = time.process_time()
            with runtime.engine.connect() as conn:
                cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
                acks = conn.execute(
                    text("SELECT count(*) FROM outbox_item WHERE kind = 'ack'")).scalar_one()
            print(f"{'postgresql' if args.pg else 'sqlite'}: {args.n} mails, {decided} "
                  f"decided, {cases} cases, {acks} acks (warm-up included); CPU per mail: "
                  f"storing {(t1 - t0) * 1000 / args.n:.2f} ms, deciding "
                  f"{(t2 - t1) * 1000 / args.n:.2f} ms, delivering {sent} "
                  f"{(t3 - t2) * 1000 / args.n:.2f} ms")
            if args.dump:
                dump(runtime, args.dump)
        finally:
            runtime.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
