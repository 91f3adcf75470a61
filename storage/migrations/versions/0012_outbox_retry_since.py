"""outbox_item.retry_since: when the current retry window began

Revision ID: 0012_outbox_retry_since
Revises: 0001
Create Date: 2026-12-03

Written by hand. A temporary failure is retried for ``outbox.retry_hours`` counted from
this instant; NULL means from ``created_at``. ``privacybot outbox resend`` sets it, so an
item that failed after a long outage gets a whole new window, not a single attempt.
A branch of its own on 0001, like every feature's.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_outbox_retry_since"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_column("retry_since")
