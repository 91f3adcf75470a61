"""The one schema: what the Alembic migrations build is, on SQLite and on PostgreSQL
alike, exactly what the models in storage/models.py describe.

The service only ever gets its tables from the migrations (``storage.migrate.upgrade``);
the code reads and writes through the models. A column, constraint or index that one
has and the other lacks would show up on one backend as a slow scan or a failed write,
so both are compared after every migration has run.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers every table on SQLModel.metadata
from bot.runtime import Runtime


def test_the_migrations_build_what_the_models_describe(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], differences
