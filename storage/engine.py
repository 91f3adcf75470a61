"""Engine and sessions; nothing is built at import time.

SQLite runs in WAL mode with a busy timeout, and every transaction begins with
``BEGIN IMMEDIATE`` so that two writers never both read a counter before either
writes it (the pysqlite driver's own deferred BEGIN would let them).

The SQLite file holds personal data, so it is created readable by its owner only; SQLite
gives its ``-wal`` and ``-shm`` files the database file's permissions.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import create_engine


def make_engine(url: str, *, echo: bool = False, busy_timeout: float = 30.0) -> Engine:
    """An engine for ``url``; the SQLite file's folder is created when missing.

    ``busy_timeout`` is how long a SQLite write waits for another writer's lock before
    it fails; callers that must answer someone (the SMTP listener) want it short.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database))
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout}
        )
        _prepare_sqlite(engine, busy_ms=int(busy_timeout * 1000))
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _create_private(path: Path) -> None:
    """Create the folder (0700 when new) and an empty database file with mode 0600.

    Done before SQLite opens it, because SQLite creates files with the process umask
    (usually 0644: readable by every local user). An existing file is left as it is.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o600)  # in case the umask took bits away that 0600 needs


def _prepare_sqlite(engine: Engine, *, busy_ms: int = 30000) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    # One writer at a time inside this process: a transaction waits on a Python lock and
    # starts the moment the previous one ends. Without it the waiters sit in SQLite's busy
    # handler, which sleeps 1 to 100 ms between retries and leaves the database idle (in
    # the issue 9 ingest profile that waiting was ~75 % of the service's thread time).
    # Other processes (the CLI) still meet SQLite's own lock and busy timeout.
    writer = threading.Lock()
    holder: list[object] = []  # the DBAPI connection that holds ``writer``, if any

    def _release(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        if holder and holder[0] is raw:
            holder.clear()
            writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if not writer.acquire(timeout=busy_ms / 1000):
            raise sqlite3.OperationalError("database is locked")
        holder.append(connection.connection.dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(holder[0])
            raise

    dialect = engine.dialect
    plain_commit, plain_rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        try:
            plain_commit(dbapi_connection)
        finally:
            _release(dbapi_connection)

    def do_rollback(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
        try:
            plain_rollback(dbapi_connection)
        finally:
            _release(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        _release(dbapi_connection)  # a transaction that ended without commit or rollback

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_connection, _record, _exc) -> None:  # type: ignore[no-untyped-def]
        _release(dbapi_connection)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back and re-raise on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
