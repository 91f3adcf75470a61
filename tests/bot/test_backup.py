"""``privacybot backup`` / ``restore``: copies taken while the service runs are the database.

The service runs in this process and takes mail over SMTP; the commands run as an
operator runs them, as subprocesses. A copy counts as good when ``audit verify`` and
``cases --json`` on the restored database say exactly what they say on the live one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import create_engine, text

from bot import pipeline, staff
from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from bot.smtp_listener import store_mail
from handlers.values import Channel
from storage import queries
from storage.engine import unit_of_work
from tests.scale.cluster import scalar, settled

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get(
    "PRIVACYBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

BODIES = [
    ("Slet mine oplysninger", "Hej\n\nJeg vil gerne have slettet mine personoplysninger.\n"),
    ("My data", "Hello\n\nPlease send me a copy of the personal data you hold about me.\n"),
    ("Samtykke", "Jeg trækker mit samtykke til markedsføring tilbage.\n"),
    ("Min ordre", "Hvornår kommer min ordre med lampen?\n"),
]


def privacybot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACYBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(config: Path, *args: str) -> str:
    result = privacybot(config, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def refs(cases_json: str) -> set[str]:
    return {json.loads(line)["ref"] for line in cases_json.splitlines()}


def write_config(path: Path, url: str, outbox: Path) -> Path:
    path.write_text(f'[database]\nurl = "{url}"\n[outbox]\nfolder = "{outbox}"\n', encoding="utf-8")
    return path


@pytest.fixture
def new_database(database_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Empty databases to restore into, on the backend under test (dropped afterwards)."""
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    created: list[str] = []
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def make() -> str:
        if not database_url.startswith("postgresql"):
            return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.db'}"
        name = f"privacybot_restore_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Service]:
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(200):
        if svc.smtp_port:
            break
        await asyncio.sleep(0.05)
    try:
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 20)
        runtime.engine.dispose()


async def deliver(svc: Service, first: int, count: int) -> None:
    for n in range(first, first + count):
        subject, body = BODIES[n % len(BODIES)]
        msg = EmailMessage()
        msg["From"] = f"Kunde {n} <kunde.{n}@example.dk>"
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"] = subject
        msg["Message-ID"] = f"<backup.{n}@example.dk>"
        msg.set_content(body)
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=svc.smtp_port, timeout=10)


async def until_settled(svc: Service, messages: int) -> None:
    engine = svc.runtime.engine
    for _ in range(600):
        stored = await asyncio.to_thread(
            scalar, engine, "SELECT count(*) FROM message WHERE direction = 'in'"
        )
        if stored == messages and await asyncio.to_thread(settled, engine):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the service did not settle")


async def test_a_backup_taken_while_the_service_runs_restores_to_the_same_database(
    make_settings: Callable[..., Settings],
    database_url: str,
    tmp_path: Path,
    new_database: Callable[[], str],
) -> None:
    outbox = tmp_path / "outbox"
    live = write_config(tmp_path / "live.toml", database_url, outbox)
    async with running(make_settings(database_url)) as svc:
        await deliver(svc, 0, 8)
        await until_settled(svc, 8)
        with unit_of_work(svc.runtime.sessions) as session:
            draft_id = queries.list_drafts(session)[0].id or 0
        await asyncio.to_thread(staff.approve_draft, svc.runtime, draft_id=draft_id, actor="anne")
        await until_settled(svc, 8)
        if database_url.startswith("sqlite"):
            # What makes a plain file copy unsafe: committed pages still in the WAL.
            wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
            assert wal.stat().st_size > 0

        # 1. A backup while mail keeps arriving is a consistent snapshot: its audit chain
        #    verifies, and every case in it is one the live database has.
        during = tmp_path / "during.bak"
        mail = asyncio.create_task(deliver(svc, 8, 12))
        said = await asyncio.to_thread(ok, live, "backup", str(during))
        await mail
        assert said.startswith(f"backed up to {during}:")
        copy = write_config(tmp_path / "copy1.toml", new_database(), outbox)
        assert "restored into" in ok(copy, "restore", str(during))
        assert "audit chain OK" in ok(copy, "audit", "verify")
        await until_settled(svc, 20)
        snapshot = refs(ok(copy, "cases", "--json"))
        assert snapshot and snapshot <= refs(ok(live, "cases", "--json"))

        # 2. Settled, the copy says what the live database says, to the character.
        if database_url.startswith("sqlite"):
            folder = tmp_path / "backups"
            folder.mkdir()
            said = await asyncio.to_thread(ok, live, "backup", str(folder))
            [settled_backup] = folder.iterdir()
            assert settled_backup.stat().st_mode & 0o077 == 0  # personal data: owner only
            with contextlib.closing(sqlite3.connect(settled_backup)) as db:
                assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        else:
            settled_backup = tmp_path / "settled.dump"
            said = await asyncio.to_thread(ok, live, "backup", str(settled_backup))
        copy = write_config(tmp_path / "copy2.toml", new_database(), outbox)
        restored = ok(copy, "restore", str(settled_backup))
        assert said.split(": ", 1)[1] == restored.split(": ", 1)[1]  # same counts
        assert ok(copy, "audit", "verify") == ok(live, "audit", "verify")
        assert ok(copy, "cases", "--json") == ok(live, "cases", "--json")
        assert len(ok(copy, "cases", "--json").splitlines()) == 15  # 20 mails, 5 orders

        # A restore never lands on a database that holds data by accident.
        refused = privacybot(copy, "restore", str(settled_backup))
        assert refused.returncode == 2 and "--force" in refused.stderr
        assert "restored into" in ok(copy, "restore", "--force", str(settled_backup))
        assert ok(copy, "cases", "--json") == ok(live, "cases", "--json")


def test_backup_and_restore_refuse_what_would_lose_data(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "p.toml", f"sqlite:///{tmp_path / 'p.db'}", tmp_path / "outbox"
    )
    ok(config, "cases")  # creates and migrates the database
    target = tmp_path / "b.db"
    ok(config, "backup", str(target))
    again = privacybot(config, "backup", str(target))
    assert again.returncode == 2 and "exists" in again.stderr

    not_ours = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(not_ours)) as db:
        db.execute("CREATE TABLE t (x)")
        db.commit()
    other = write_config(
        tmp_path / "o.toml", f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "outbox"
    )
    wrong = privacybot(other, "restore", str(not_ours))
    assert wrong.returncode == 2 and "not a privacybot database" in wrong.stderr
    missing = privacybot(other, "restore", str(tmp_path / "nothing.db"))
    assert missing.returncode == 2 and "no backup file" in missing.stderr
    assert not (tmp_path / "new.db").exists()


CHECK_SCRIPT = ROOT / "docs" / "deploy" / "check-backup.sh"


def test_the_documented_check_script_restores_a_backup_aside_and_verifies_it(
    make_settings: Callable[..., Settings],
    database_url: str,
    tmp_path: Path,
    new_database: Callable[[], str],
) -> None:
    """docs/deploy.md's "Test the backups" is docs/deploy/check-backup.sh: a backup
    restores into a scratch database with its chain intact; the live database is not
    touched even when the operator's shell names it; a damaged backup fails the check."""
    runtime = build_runtime(make_settings(database_url))
    for n in range(3):
        msg = EmailMessage()
        msg["From"] = f"Kunde {n} <kunde.{n}@example.dk>"
        msg["To"] = "info@alottbetter.dk"
        msg["Subject"], body = BODIES[n]
        msg["Message-ID"] = f"<check.{n}@example.dk>"
        msg.set_content(body)
        store_mail(runtime, bytes(msg), channel=Channel.SMTP)
    pipeline.process_pending(runtime)
    runtime.engine.dispose()
    live = write_config(tmp_path / "live.toml", database_url, tmp_path / "outbox")
    before = ok(live, "cases", "--json")
    suffix = ".db" if database_url.startswith("sqlite") else ".dump"
    backup = tmp_path / f"privacybot-test{suffix}"
    ok(live, "backup", str(backup))

    def check(path: Path) -> subprocess.CompletedProcess[str]:
        args = [str(path)] if suffix == ".db" else [str(path), new_database()]
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PRIVACYBOT": f"{sys.executable} -m bot",
            # An operator's shell that points at the live service, as the pb() helper
            # of docs/deploy.md does: the script must not restore into it.
            "PRIVACYBOT_CONFIG": str(live),
            "PRIVACYBOT_DATABASE__URL": database_url,
        }
        return subprocess.run(
            ["sh", str(CHECK_SCRIPT), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )

    good = check(backup)
    assert good.returncode == 0, good.stdout + good.stderr
    lines = good.stdout.splitlines()
    assert lines[0].startswith("restored into")
    assert lines[1].startswith("audit chain OK")
    assert lines[-1] == "3 cases in the backup"  # two requests and a withdrawn consent
    assert ok(live, "cases", "--json") == before

    damaged = tmp_path / f"damaged{suffix}"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    bad = check(damaged)
    assert bad.returncode != 0 and "cases in the backup" not in bad.stdout
    assert ok(live, "cases", "--json") == before
