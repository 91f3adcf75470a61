"""ingest speed: the per-sender ack count in SQL, and a claim index ANALYZE keeps

Revision ID: 0007_perf
Revises: 0001
Create Date: 2026-11-25

Written by hand (issue 9).

* ``outbox_item.recipient_key``: an acknowledgement's recipient as the flood limit counts
  it (``handlers.flood.canonical_sender``: lower-case, SRS/BATV unwrapped, ``+tag``
  removed), with ``ix_outbox_item_recipient_key_created_at``. The pipeline counted the
  acknowledgements of the last 24 hours per sender by loading every one of them and
  canonicalising each recipient in Python, for every case opened; it is now a ``COUNT``.
  Existing acknowledgements get their key here.
* ``ix_message_claimable``: a partial index on ``message(id)`` over the rows
  ``queries.claim_messages`` looks for (status ``received`` or ``processing``). Once the
  database has statistics (``ANALYZE``, ``PRAGMA optimize``), SQLite gave up
  ``ix_message_status`` for that query and scanned the message table.

Other features add their own branches on 0001 and ``upgrade`` applies every head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_perf"
down_revision = "0001"
branch_labels = None
depends_on = None

CLAIMABLE = "status IN ('received', 'processing')"


def upgrade() -> None:
    from handlers.flood import canonical_sender

    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_key", sa.String(length=512), nullable=True))
    connection = op.get_bind()
    items = sa.table(
        "outbox_item",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("recipient", sa.String),
        sa.column("recipient_key", sa.String),
    )
    rows = connection.execute(
        sa.select(items.c.id, items.c.recipient).where(items.c.kind == "ack")
    ).all()
    if rows:
        connection.execute(
            sa.update(items)
            .where(items.c.id == sa.bindparam("row_id"))
            .values(recipient_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": canonical_sender(recipient or "")}
             for row_id, recipient in rows],
        )
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_item_recipient_key_created_at",
            ["recipient_key", "created_at"],
            unique=False,
        )
    op.create_index(
        "ix_message_claimable",
        "message",
        ["id"],
        unique=False,
        sqlite_where=sa.text(CLAIMABLE),
        postgresql_where=sa.text(CLAIMABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_message_claimable", table_name="message")
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_item_recipient_key_created_at")
        batch_op.drop_column("recipient_key")
