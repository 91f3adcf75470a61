"""indexes for the staff web dashboard's case list and figures

Revision ID: 0011_web_indexes
Revises: 0001
Create Date: 2026-12-01

Written by hand (issue 11): the dashboard's case list pages by ``id`` (keyset) under
filters on channel and language, and its figures read cases by receipt time and audit
events by action. Without these, each is a full scan of a 100,000-case table:

* ``ix_case_channel_id``, ``ix_case_language_id``: a filter plus ``ORDER BY id DESC``
  walks the index in order and stops after one page;
* ``ix_case_received_at``: requests per month and time to answer, last twelve months;
* ``ix_audit_event_action_at``: acknowledgements held back (``ack_suppressed``) per month.

Status already has ``ix_case_status``. A branch of its own on 0001, like every feature's.
"""

from alembic import op

revision = "0011_web_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_channel_id", "case", ["channel", "id"], unique=False)
    op.create_index("ix_case_language_id", "case", ["language", "id"], unique=False)
    op.create_index("ix_case_received_at", "case", ["received_at"], unique=False)
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_event_action_at", table_name="audit_event")
    op.drop_index("ix_case_received_at", table_name="case")
    op.drop_index("ix_case_language_id", table_name="case")
    op.drop_index("ix_case_channel_id", table_name="case")
