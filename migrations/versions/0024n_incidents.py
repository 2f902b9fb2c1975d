"""incidents: mass incidents and the cases linked to them

Revision ID: 0024n
Revises: 0024d
Create Date: 2026-12-04 21:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024n"
down_revision = "0024d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("district_code", sa.String(length=4), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_incidents_status")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_incidents_period")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_incidents_fund_id_funds")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_incidents_category_id_categories")),
        sa.ForeignKeyConstraint(["declared_by_id"], ["users.id"], name=op.f("fk_incidents_declared_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_fund_id"), ["fund_id"], unique=False)
    op.create_table(
        "case_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("current_case_id", sa.Integer(), nullable=True),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("unlinked_by_id", sa.Integer(), nullable=True),
        sa.Column("unlinked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("how IN ('one', 'filter', 'suggested')", name=op.f("ck_case_incidents_how")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_case_incidents_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_incidents_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["current_case_id"], ["cases.id"], name=op.f("fk_case_incidents_current_case_id_cases")
        ),
        sa.ForeignKeyConstraint(["linked_by_id"], ["users.id"], name=op.f("fk_case_incidents_linked_by_id_users")),
        sa.ForeignKeyConstraint(
            ["unlinked_by_id"], ["users.id"], name=op.f("fk_case_incidents_unlinked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_incidents")),
        sa.UniqueConstraint("current_case_id", name=op.f("uq_case_incidents_current_case_id")),
    )
    with op.batch_alter_table("case_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_incidents_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_incidents_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_incidents_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_incidents_incident_id"))
    op.drop_table("case_incidents")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_fund_id"))
    op.drop_table("incidents")
