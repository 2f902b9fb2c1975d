"""settings an administrator changes at run time (Khmer digits first)

Revision ID: 0022k
Revises: 0015
Create Date: 2026-12-04 06:30:00

No rows are written: without a row the deployment's configuration (KHMER_DIGITS) still decides,
so an upgrade changes nothing anyone sees until an administrator saves the settings page.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022k"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_settings")),
    )


def downgrade():
    op.drop_table("settings")
