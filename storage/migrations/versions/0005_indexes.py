"""indexes for the queries the pipeline and the outbox run on every message

Revision ID: 0005_indexes
Revises: 0001
Create Date: 2026-11-26

Written by hand (issue 9, item 7): ``EXPLAIN QUERY PLAN`` on a database with 10,000
cases showed full table scans in

* ``queries.ack_log_since`` / ``acks_sent_since`` (outbox_item by kind and created_at,
  run for every case opened): ``ix_outbox_item_kind_created_at``;
* ``queries.stale_sending`` (outbox_item by status and claimed_at, every outbox poll;
  scans once the database has statistics): ``ix_outbox_item_status_claimed_at``;
* ``queries.case_by_chat_thread`` (case by chat_thread, every chat message):
  ``ix_case_chat_thread``.

Other features add their own branches on 0001 and ``upgrade`` applies every head.
"""

from alembic import op

revision = "0005_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_item_kind_created_at", ["kind", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_item_status_claimed_at", ["status", "claimed_at"], unique=False
        )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_chat_thread"), ["chat_thread"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_chat_thread"))
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_item_status_claimed_at")
        batch_op.drop_index("ix_outbox_item_kind_created_at")
