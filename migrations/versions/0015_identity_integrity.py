"""identity and integrity: case-state digests on events, identity views with a reason, identity alerts,
monitor scopes that fail closed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 09:00:00

The chain itself becomes keyed (HMAC under AUDIT_KEY) without any schema change: events recorded
before this release keep their SHA-256 hashes until an operator runs `flask audit rekey` once
(docs/security.md), which appends a keyed event covering them. That needs the key, so it is a
command and not part of this migration.

Monitor scopes: until now an organisation with no scope rows saw every case; from now on no rows
means no cases besides its own filings. So that nobody's view changes silently on upgrade, each
organisation that has monitors and no scope rows gets one explicit "any province, any category"
row, which an administrator can then narrow.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

REASONS = "reason IS NULL OR reason IN ('contact', 'verify', 'investigate', 'legal')"
OUTPUTS = "output IS NULL OR output IN ('panel', 'case_file', 'attachment', 'export')"


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("identity_views", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("output", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(op.f("ck_identity_views_reason"), REASONS)
        batch_op.create_check_constraint(op.f("ck_identity_views_output"), OUTPUTS)
        batch_op.create_index("ix_identity_views_user_viewed", ["user_id", "viewed_at"], unique=False)
    op.create_table(
        "identity_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("view_limit", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'handled')", name=op.f("ck_identity_alerts_status")),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"], name=op.f("fk_identity_alerts_handled_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_identity_alerts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_alerts")),
    )
    with op.batch_alter_table("identity_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_alerts_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO monitor_scopes (organisation_id, province_code, category_id) "
        "SELECT o.id, NULL, NULL FROM organisations o "
        "WHERE EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.role = 'monitor') "
        "AND NOT EXISTS (SELECT 1 FROM monitor_scopes s WHERE s.organisation_id = o.id)"
    )


def downgrade():
    # The explicit "every case" rows stay: under the old rule they mean what no rows meant.
    with op.batch_alter_table("identity_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_alerts_user_id"))
    op.drop_table("identity_alerts")
    with op.batch_alter_table("identity_views", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_views_user_viewed")
        batch_op.drop_constraint(op.f("ck_identity_views_output"), type_="check")
        batch_op.drop_constraint(op.f("ck_identity_views_reason"), type_="check")
        batch_op.drop_column("output")
        batch_op.drop_column("reason")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("state_digest")
