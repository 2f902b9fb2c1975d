"""duplicates: the programme number also as a keyed hash, for matching without showing it

Revision ID: 0024d
Revises: 0024l
Create Date: 2026-12-04 21:30:00

Existing rows get their hash from `flask cases key-programme-numbers` (it needs the app's key),
which appends a `state_recorded` event per case, so `flask audit verify` stays clean.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024d"
down_revision = "0024l"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complainants") as batch:
        batch.add_column(sa.Column("programme_hash", sa.String(length=32), nullable=True))
    op.create_index(op.f("ix_complainants_programme_hash"), "complainants", ["programme_hash"])


def downgrade():
    op.drop_index(op.f("ix_complainants_programme_hash"), table_name="complainants")
    with op.batch_alter_table("complainants") as batch:
        batch.drop_column("programme_hash")
