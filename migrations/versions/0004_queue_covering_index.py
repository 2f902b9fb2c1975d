"""queue covering indexes

The officer queue counts a fund's cases by status and by SLA state, with optional filters on
category, province and assignee, leaves out sensitive categories, and lists them by resolve
due date. At 1,000,000 cases each of those visited one fund's 300,000 rows; with the filter
columns in the index the counts are answered from the index alone (one index per GROUP BY
order, so the planner never prefers an ordered index that needs the rows), and the page
walks the due-date order and stops after 51 matches instead of sorting every open case.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FILTERS = ["category_id", "province_code", "assignee_id"]
INDEXES = {
    "ix_cases_queue_status": ["fund_id", "status", "sla_state", *FILTERS],
    "ix_cases_queue_sla": ["fund_id", "sla_state", "status", *FILTERS],
    "ix_cases_queue_due": ["fund_id", "resolve_due_at", "status", "sla_state", *FILTERS],
}


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in reversed(list(INDEXES)):
            batch_op.drop_index(name)
