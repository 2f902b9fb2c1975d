"""officer tools: the queue sorted by date received (an index like ix_cases_queue_due)

Revision ID: 0024o
Revises: 0023a
Create Date: 2026-12-04 18:30:00
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024o"
down_revision = "0023a"
branch_labels = None
depends_on = None

QUEUE_RECEIVED = ["fund_id", "received_at", "status", "sla_state", "category_id", "province_code", "assignee_id"]


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_queue_received", QUEUE_RECEIVED, unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_queue_received")
