"""queue indexes for capped counts

The officer queue now counts per status and per SLA state with LIMIT 1001 ("1,000+"), each
count an equality on status and/or SLA state. A count reads at most 1,001 index entries only
if its filters are a prefix of the index it walks, so:

- province and assignee (a person's own cases, the unassigned ones) get indexes of their own
  that lead with them; category is reached through ix_cases_queue_status (fund, status,
  sla_state, category, ...). They end with resolve_due_at, so that the page of a province or
  of a person's cases sorts the few matching index entries and reads only the 51 rows shown;
- the page of cases filtered by SLA state walks (fund, sla_state, resolve_due_at) and checks
  status and the other filters in the index instead of reading each row: this covering index
  replaces both ix_cases_fund_sla_due (its prefix) and ix_cases_queue_sla (no count needs an
  index led by SLA state then status any more; SLA-state counts over all statuses use the new
  one).

Net one index more on cases.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NEW = {
    "ix_cases_queue_sla_due": [
        "fund_id", "sla_state", "resolve_due_at", "status", "category_id", "province_code", "assignee_id"
    ],
    "ix_cases_queue_province": [
        "fund_id", "province_code", "status", "sla_state", "category_id", "assignee_id", "resolve_due_at"
    ],
    "ix_cases_queue_assignee": [
        "fund_id", "assignee_id", "status", "sla_state", "category_id", "province_code", "resolve_due_at"
    ],
}
OLD = {
    "ix_cases_fund_sla_due": ["fund_id", "sla_state", "resolve_due_at"],
    "ix_cases_queue_sla": ["fund_id", "sla_state", "status", "category_id", "province_code", "assignee_id"],
}


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, columns in NEW.items():
            batch_op.create_index(name, columns, unique=False)
        for name in OLD:
            batch_op.drop_index(name)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, columns in OLD.items():
            batch_op.create_index(name, columns, unique=False)
        for name in reversed(list(NEW)):
            batch_op.drop_index(name)
