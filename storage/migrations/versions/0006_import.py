"""quiet mail: old mail that opens its case without an acknowledgement

Revision ID: 0006_import
Revises: 0001
Create Date: 2026-11-27

Written by hand (issue 3, items 1 and 7). ``message.quiet`` marks mail taken in by
``privacybot import`` or at the first IMAP start that was received before the cut-off;
the pipeline opens its case and draft but writes no acknowledgement.
``mailbox_cursor.quiet_before`` keeps the IMAP cut-off with the cursor, so a first scan
interrupted half-way goes on with the same cut-off after a restart. Other features add
their own branches on 0001 and ``upgrade`` applies every head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_import"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiet", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("mailbox_cursor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiet_before", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("mailbox_cursor", schema=None) as batch_op:
        batch_op.drop_column("quiet_before")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("quiet")
