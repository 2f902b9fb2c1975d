"""api keys say what they are for: relay (a platform passing on people's own reports) or assisted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # Keys issued before purposes existed were used for assisted filing (consent required).
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=16), server_default="assisted", nullable=False))
        batch_op.create_check_constraint(op.f("ck_api_keys_purpose"), "purpose IN ('relay', 'assisted')")


def downgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_keys_purpose"), type_="check")
        batch_op.drop_column("purpose")
