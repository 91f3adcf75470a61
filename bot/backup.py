"""``privacybot backup DEST`` and ``privacybot restore SRC``: the database, copied safely.

The database holds everything (cases, drafts, the audit chain, the outbox), so it is the
one thing to back up; ``docs/deploy.md`` says what else to keep and how often.

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies one consistent
  snapshot while the service keeps running and writing: in WAL mode a reader blocks no
  writer, and the snapshot includes what is still in the ``-wal`` file, which a plain file
  copy would miss or tear. The copy is written beside DEST, checked (``quick_check``, the
  tables of privacybot) and only then renamed to DEST, so DEST is either complete or
  absent; it is one self-contained file (journal mode DELETE) with mode 0600.
- **PostgreSQL**: ``pg_dump --format=custom`` (a consistent snapshot, also while the
  workers run) and ``pg_restore --single-transaction`` (all or nothing). The password goes
  to them in ``PGPASSWORD``, never on a command line that ``ps`` shows.

Neither command migrates or otherwise writes the schema: a backup taken before an upgrade
must be of the old schema, and a restored copy is migrated by the next ``privacybot run``.
A restore refuses a database that already holds data unless ``--force`` is given.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

#: Tables that make a file a privacybot database (and whose rows the report counts).
REQUIRED_TABLES = ("alembic_version", "case", "audit_event")
#: How long the SQLite copy waits for a writer's lock before it gives up.
BUSY_TIMEOUT = 30.0
#: A PostgreSQL client tool taking longer than this is stopped.
TOOL_TIMEOUT = 3600


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in one line."""


@dataclass(frozen=True)
class Report:
    #: The backup file written, or the database restored into (password hidden).
    where: str
    cases: int
    audit_events: int

    def summary(self, verb: str) -> str:
        return f"{verb} {self.where}: {self.cases} cases, {self.audit_events} audit events"


def backup(url: str, dest: Path, *, now: datetime | None = None) -> Report:
    """Copy the database at ``url`` to ``dest`` (a new file, or a folder to put a dated
    file in) while the service may be running."""
    parsed = make_url(url)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if parsed.get_backend_name() == "sqlite":
        return _backup_sqlite(_sqlite_file(parsed), _target(dest, f"privacybot-{stamp}.db"))
    if parsed.get_backend_name() == "postgresql":
        return _backup_postgres(parsed, _target(dest, f"privacybot-{stamp}.dump"))
    raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")


def restore(url: str, src: Path, *, force: bool = False) -> Report:
    """Restore the backup ``src`` into the database at ``url`` (stop the service first)."""
    if not src.is_file():
        raise BackupError(f"no backup file at {src}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _restore_sqlite(src, _sqlite_file(parsed), force=force)
    if parsed.get_backend_name() == "postgresql":
        return _restore_postgres(parsed, src, force=force)
    raise BackupError(f"cannot restore into a {parsed.get_backend_name()} database")


# --------------------------------------------------------------------------- SQLite


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the configured SQLite database is not a file")
    return Path(url.database)


def _target(dest: Path, dated_name: str) -> Path:
    """DEST itself, or a dated file inside it when it is a folder; never an existing file
    (a good backup must not be overwritten by accident)."""
    target = dest / dated_name if dest.is_dir() else dest
    if target.exists():
        raise BackupError(f"{target} exists; choose a new name or a folder")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent}")
    return target


def _connect_existing(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to a database file that must exist (``sqlite3.connect`` would quietly
    create an empty one)."""
    mode = "ro" if read_only else "rw"
    try:
        return sqlite3.connect(
            f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT
        )
    except sqlite3.OperationalError as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None


def _checked(connection: sqlite3.Connection, what: Path) -> tuple[int, int]:
    """``quick_check`` and privacybot's tables; the numbers of cases and audit events."""
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        listed = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in listed}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a readable SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{what} is damaged: {result}")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(f"{what} is not a privacybot database (no {', '.join(missing)})")
    cases = connection.execute('SELECT count(*) FROM "case"').fetchone()[0]
    events = connection.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    return int(cases), int(events)


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _backup_sqlite(source: Path, target: Path) -> Report:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    partial = target.with_name(f".{target.name}.partial")
    _private_file(partial)
    try:
        src = _connect_existing(source)
        try:
            dst = sqlite3.connect(partial)
            try:
                # One step (pages=-1): one read transaction, hence one consistent snapshot;
                # in WAL mode the service's writers go on meanwhile.
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                cases, events = _checked(dst, source)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    _sync_folder(target.parent)
    return Report(str(target), cases, events)


def _restore_sqlite(src: Path, target: Path, *, force: bool) -> Report:
    backup_db = _connect_existing(src, read_only=True)
    try:
        _checked(backup_db, src)
        if target.exists() and target.stat().st_size > 0:
            existing = _connect_existing(target)
            try:
                tables = existing.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).fetchone()[0]
            finally:
                existing.close()
            if tables and not force:
                raise BackupError(
                    f"{target} already holds a database; stop the service and add --force "
                    "to replace it"
                )
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not target.exists():
            _private_file(target)
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT)
        try:
            backup_db.backup(dst)
            cases, events = _checked(dst, target)
        finally:
            dst.close()
    finally:
        backup_db.close()
    return Report(str(target), cases, events)


# --------------------------------------------------------------------------- PostgreSQL


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (the server's major "
            "version or newer)"
        )
    return path


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(argv[0]).name} did not finish in {TOOL_TIMEOUT} s") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{Path(argv[0]).name} failed: {lines[-1] if lines else done.returncode}")


def _postgres_counts(url: URL) -> tuple[int, int, int]:
    """Tables in the database's schema, cases and audit events (0 when absent)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = set(
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"
                    )
                ).scalars()
            )
            cases = events = 0
            if "case" in names:
                cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
            if "audit_event" in names:
                events = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - one line: the server said no
        raise BackupError(f"cannot read the database ({type(exc).__name__})") from None
    finally:
        engine.dispose()
    return len(names), int(cases), int(events)


def _backup_postgres(url: URL, target: Path) -> Report:
    pg_dump = _tool("pg_dump")
    uri, env = _libpq(url)
    partial = target.with_name(f".{target.name}.partial")
    _private_file(partial)
    try:
        _, cases, events = _postgres_counts(url)
        _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={uri}"], env)
        _run([_tool("pg_restore"), "--list", str(partial)], env)  # readable, complete
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    _sync_folder(target.parent)
    # Counted just before the snapshot: with the service running, the dump may hold a few
    # more; the restore reports what it really restored.
    return Report(str(target), cases, events)


def _restore_postgres(url: URL, src: Path, *, force: bool) -> Report:
    pg_restore = _tool("pg_restore")
    uri, env = _libpq(url)
    tables, _, _ = _postgres_counts(url)
    if tables and not force:
        raise BackupError(
            "the database already holds tables; stop every worker and add --force to "
            "replace them, or restore into a new, empty database"
        )
    argv = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", f"--dbname={uri}"]
    if tables:
        argv += ["--clean", "--if-exists"]
    _run([*argv, str(src)], env)
    _, cases, events = _postgres_counts(url)
    return Report(url.render_as_string(hide_password=True), cases, events)
