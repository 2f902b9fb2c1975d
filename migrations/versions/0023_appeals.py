"""appeals: the appeal stage with its own clock and review; the appeal term of the service levels

Revision ID: 0023a
Revises: 0022k
Create Date: 2026-12-04 12:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023a"
down_revision = "0022k"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("warn_at", sa.DateTime(), nullable=False),
        sa.Column("appeal_days", sa.Integer(), nullable=False),
        sa.Column("reviewer_body", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("warned_at", sa.DateTime(), nullable=True),
        sa.Column("breached_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("reviewer_body IN ('fund', 'council')", name=op.f("ck_appeals_reviewer_body")),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'overturned')", name=op.f("ck_appeals_outcome")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appeals_case_id_cases")),
        sa.ForeignKeyConstraint(["resolver_id"], ["users.id"], name=op.f("fk_appeals_resolver_id_users")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_appeals_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_due_at"), ["due_at"], unique=False)
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_days", sa.Integer(), nullable=False, server_default="10"))


def downgrade():
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_column("appeal_days")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_due_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_case_id"))
    op.drop_table("appeals")
