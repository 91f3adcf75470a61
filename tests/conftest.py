"""Shared fixtures: settings in a temp folder, and a database on each real backend.

PostgreSQL is the server on this machine (127.0.0.1:5432, trust auth). Each test gets a
fresh database copied from a migrated template, dropped afterwards. When the server is
missing, PostgreSQL tests fail in CI (``CI`` set) and are skipped on a developer's
machine, with the reason printed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from storage.engine import make_engine
from storage.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "PRIVACYBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_admin():  # type: ignore[no-untyped-def]
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database; every PostgreSQL test copies it."""
    try:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} (developer machine)")
    name = f"privacybot_tmpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'privacybot.db'}"
        return
    yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture
def pg_database_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, for what only PostgreSQL does (elections)."""
    yield from _fresh_pg_database(pg_template)


def _fresh_pg_database(template: str) -> Iterator[str]:
    name = f"privacybot_test_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a test: everything under tmp_path, SMTP on a free port."""

    def build(database_url: str | None = None, **sections: dict) -> Settings:
        values: dict = {
            "database": {"url": database_url or f"sqlite:///{tmp_path / 'privacybot.db'}"},
            "outbox": {"folder": str(tmp_path / "outbox")},
            "smtp_listener": {"port": 0},
        }
        for section, overrides in sections.items():
            values.setdefault(section, {}).update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def runtime(make_settings: Callable[..., Settings], database_url: str) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(database_url))
    yield rt
    rt.engine.dispose()


DATA = Path(__file__).parent / "data"
