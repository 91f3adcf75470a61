"""Which worker runs the jobs that must run once: the IMAP watcher and the scheduler.

Several workers share one PostgreSQL database and nothing else, so the database elects:
a role belongs to whoever holds a session-level advisory lock (``pg_try_advisory_lock``)
on a connection kept for that purpose alone. The lock lives exactly as long as that
session, so there is no lease to renew and no clock to trust:

- a worker that dies (SIGKILL, OOM, power) closes its socket, PostgreSQL ends the session
  and the lock is free; the others try again every ``retry_seconds`` and one takes over;
- a worker that loses its connection (database restart, network) cannot know whether the
  server still counts it as holder, so it stops the role at once and campaigns again.
  The server frees the lock only when it notices the dead session, which keepalives on
  the lock connection bound to seconds, so two holders never overlap by more than one
  health-check interval, and only when the server dropped a session we still thought
  alive. The roles tolerate such an overlap anyway: IMAP storage is deduplicated by
  Message-ID and the retention purge deletes only what is due.

With SQLite there is one service process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from storage.engine import is_postgres

log = logging.getLogger("privacybot.election")

#: How often a worker that lost an election tries again: the takeover delay after the
#: holder dies is at most this (plus the server noticing, immediate for a local crash).
RETRY_SECONDS = 2.0
#: How often the holder checks that its lock connection is still alive.
CHECK_SECONDS = 2.0
#: A health check that takes longer than this counts as a lost connection.
CHECK_TIMEOUT = 5.0
#: ``application_name`` prefix of lock connections, so an operator (and the tests) can see
#: in ``pg_stat_activity`` which host and process leads.
APPLICATION_PREFIX = "privacybot-election"

#: Client-side libpq keepalives and timeouts for the lock connection: a dead network is
#: noticed in about ten seconds instead of the kernel's two hours.
_CONNECT_ARGS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}
#: The same on the server's side, so the server frees the lock of a vanished worker soon.
_SESSION_SETTINGS = (
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
    "SET statement_timeout = '5s'",
)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock id for a role name (same on every machine)."""
    digest = hashlib.sha256(f"privacybot:election:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def holder_name() -> str:
    """Who holds a lock, as shown in ``pg_stat_activity.application_name`` (≤ 63 bytes)."""
    return f"{APPLICATION_PREFIX}:{socket.gethostname()[:30]}:{os.getpid()}"


class AdvisoryLock:
    """One role's lock on its own connection. Blocking: call it from a thread."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.name = name
        self.key = lock_key(name)
        self._postgres = is_postgres(engine)
        self._url = engine.url
        self._connection: Connection | None = None
        self._engine: Engine | None = None
        self._sqlite_held = False

    def acquire(self) -> bool:
        """Try once, without waiting; True when this process now holds the role."""
        if not self._postgres:
            self._sqlite_held = True
            return True
        if self._connection is not None:
            return True
        if self._engine is None:
            # A pool of its own, outside the engine's: the lock connection must never be
            # handed to other work, and must not count against the workers' pool.
            self._engine = create_engine(
                self._url, poolclass=NullPool,
                connect_args={**_CONNECT_ARGS, "application_name": holder_name()},
            )
        connection = self._engine.connect()
        try:
            for statement in _SESSION_SETTINGS:
                connection.exec_driver_sql(statement)
            won = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                ).scalar_one()
            )
            connection.commit()  # the lock is session-level: it outlives this transaction
        except Exception:
            connection.close()
            raise
        if not won:
            connection.close()
            return False
        self._connection = connection
        return True

    def healthy(self) -> bool:
        """Whether the lock is certainly still ours: the connection answers and the server
        lists the lock as granted to this very session."""
        if not self._postgres:
            return self._sqlite_held
        connection = self._connection
        if connection is None:
            return False
        try:
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND classid = ((:key >> 32) & 4294967295)::bigint::oid "
                    "AND objid = (:key & 4294967295)::bigint::oid AND objsubid = 1"
                ),
                {"key": self.key},
            ).scalar_one()
            connection.commit()
        except Exception:  # noqa: BLE001 - any failure means we cannot vouch for the lock
            self._drop(connection)
            return False
        if not held:
            self._drop(connection)
            return False
        return True

    def abandon(self) -> None:
        """Forget a connection whose check hung, without touching it (a thread may still
        be blocked on it); its session ends when the keepalives give up, freeing the lock."""
        self._connection = None

    def release(self) -> None:
        """Give the role up (unlock, close); a dead connection has given it up already."""
        if not self._postgres:
            self._sqlite_held = False
            return
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                connection.commit()
            self._drop(connection)

    def dispose(self) -> None:
        self.release()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _drop(self, connection: Connection) -> None:
        if self._connection is connection:
            self._connection = None
        with contextlib.suppress(Exception):
            connection.invalidate()  # never back into any pool: the session is suspect
        with contextlib.suppress(Exception):
            connection.close()


Role = Callable[[asyncio.Event], Awaitable[None]]


async def lead(
    lock: AdvisoryLock,
    stopping: asyncio.Event,
    role: Role,
    *,
    retry_seconds: float = RETRY_SECONDS,
    check_seconds: float = CHECK_SECONDS,
) -> None:
    """Campaign for ``lock`` until ``stopping``; while held, run ``role(until)``.

    ``role`` must return soon after ``until`` is set: that is how it is told that this
    worker stopped or lost the lock. Errors of the database while campaigning are logged
    by type only and retried; this coroutine itself never raises for them.
    """
    try:
        while not stopping.is_set():
            try:
                won = await _bounded(lock.acquire)
            except Exception as exc:  # noqa: BLE001 - the database is away: campaign on
                log.warning("election for %s failed (%s); trying again", lock.name,
                            type(exc).__name__)
                won = False
            if not won:
                await _wait(stopping, retry_seconds)
                continue
            log.info("this worker now leads %s", lock.name)
            until = asyncio.Event()
            term = asyncio.create_task(role(until))
            lost = False
            try:
                while not stopping.is_set() and not term.done():
                    await _wait(stopping, check_seconds)
                    if stopping.is_set() or term.done():
                        break
                    if not await _healthy(lock):
                        lost = True
                        log.warning("lost the lead of %s (connection to the database "
                                    "lost); stopping it and campaigning again", lock.name)
                        break
            finally:
                until.set()
                with contextlib.suppress(Exception):
                    await term  # the role logs its own errors
                if not lost:
                    await asyncio.to_thread(lock.release)
            if not lost and not stopping.is_set():
                log.warning("%s ended on its own; giving up the lead", lock.name)
                await _wait(stopping, retry_seconds)
    finally:
        await asyncio.to_thread(lock.dispose)


async def _bounded(func: Callable[[], bool]) -> bool:
    return await asyncio.wait_for(asyncio.to_thread(func), CHECK_TIMEOUT * 2)


async def _healthy(lock: AdvisoryLock) -> bool:
    """A check that hangs (a dead network) counts as failed; the server side keepalives
    then free the lock for the others, and our own keepalives end the hung call."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(lock.healthy), CHECK_TIMEOUT)
    except TimeoutError:
        lock.abandon()
        return False


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
