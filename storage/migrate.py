"""Apply the Alembic migrations that ship inside the package."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

#: Advisory lock id that serialises schema upgrades on PostgreSQL ("privacybot" in ASCII).
MIGRATION_LOCK = 0x70726976616379


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revisions (every branch head); safe at every start."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Workers started together (``run --workers N``) would otherwise all create
            # the same tables at once. The lock ends with this transaction, which holds
            # the whole upgrade: whoever waited then finds the schema current.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
