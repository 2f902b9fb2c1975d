"""api submissions: what an Open311 caller sent with a case (location, media, device, account),
its Open311 token, and the digests that let a retried POST find the first case

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("idempotency_digest", sa.String(length=64), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=True),
        sa.Column("replay_secret", sa.String(length=64), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("address_string", sa.String(length=500), nullable=True),
        sa.Column("address_id", sa.String(length=100), nullable=True),
        sa.Column("media_urls", sa.Text(), nullable=True),
        sa.Column("device_id", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name=op.f("ck_api_submissions_latitude")),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name=op.f("ck_api_submissions_longitude")
        ),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_keys.id"], name=op.f("fk_api_submissions_api_key_id_api_keys")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_api_submissions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_submissions")),
        sa.UniqueConstraint("api_key_id", "content_digest", name=op.f("uq_api_submissions_api_key_id_content_digest")),
        sa.UniqueConstraint("api_key_id", "external_id", name=op.f("uq_api_submissions_api_key_id_external_id")),
        sa.UniqueConstraint(
            "api_key_id", "idempotency_digest", name=op.f("uq_api_submissions_api_key_id_idempotency_digest")
        ),
        sa.UniqueConstraint("case_id", name=op.f("uq_api_submissions_case_id")),
        sa.UniqueConstraint("token", name=op.f("uq_api_submissions_token")),
    )
    op.create_index(
        "ix_api_submissions_replay",
        "api_submissions",
        ["created_at"],
        sqlite_where=sa.text("replay_secret IS NOT NULL"),
        postgresql_where=sa.text("replay_secret IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_api_submissions_replay", table_name="api_submissions")
    op.drop_table("api_submissions")
