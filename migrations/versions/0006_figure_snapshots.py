"""stored dashboard figures per period, and the writes that may change an ended month

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figure_snapshots",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("touch_mark", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_figure_snapshots")),
    )
    op.create_table(
        "figure_touches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("earliest", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_touches")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("figure_touches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figure_touches_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("figure_touches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figure_touches_created_at"))
    op.drop_table("figure_touches")
    op.drop_table("figure_snapshots")
