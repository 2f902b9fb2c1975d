"""complaints by SMS and Telegram: the two channels, drafts answered step by step, pending uploads,
inbound messages already handled, Telegram chats that asked for news, outbox secrets

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_CASE_CHANNELS = "channel IN ('web', 'api', 'assisted', 'in_person', 'phone')"
NEW_CASE_CHANNELS = "channel IN ('web', 'api', 'assisted', 'in_person', 'phone', 'sms', 'telegram')"
OLD_OUTBOX_CHANNELS = "channel IN ('email', 'sms')"
NEW_OUTBOX_CHANNELS = "channel IN ('email', 'sms', 'telegram')"


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_channel"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_channel"), NEW_CASE_CHANNELS)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_channel"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_channel"), NEW_OUTBOX_CHANNELS)
        batch_op.add_column(sa.Column("secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("transient", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("buttons", sa.Text(), nullable=True))

    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('web', 'sms', 'telegram')", name=op.f("ck_drafts_channel")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("channel", "owner_hash", name=op.f("uq_drafts_channel_owner_hash")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "pending_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name=op.f("ck_pending_uploads_type")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_pending_uploads_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_uploads")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_pending_uploads_stored_name")),
    )
    with op.batch_alter_table("pending_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_uploads_draft_id"), ["draft_id"], unique=False)

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("channel", "message_key", name=op.f("uq_inbound_messages_channel_message_key")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_messages_received_at"), ["received_at"], unique=False)

    op.create_table(
        "chat_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_hash", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_chat_links_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_links")),
        sa.UniqueConstraint("case_id", "channel", "chat_hash", name=op.f("uq_chat_links_case_id_channel_chat_hash")),
    )
    with op.batch_alter_table("chat_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_links_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_links_chat_hash"), ["chat_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("chat_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_links_chat_hash"))
        batch_op.drop_index(batch_op.f("ix_chat_links_case_id"))
    op.drop_table("chat_links")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_messages_received_at"))
    op.drop_table("inbound_messages")
    with op.batch_alter_table("pending_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_uploads_draft_id"))
    op.drop_table("pending_uploads")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_expires_at"))
    op.drop_table("drafts")

    # Messages and cases of the new channels cannot stay under the old constraints.
    op.execute("DELETE FROM outbox WHERE channel = 'telegram'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("buttons")
        batch_op.drop_column("transient")
        batch_op.drop_column("secret")
        batch_op.drop_constraint(op.f("ck_outbox_channel"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_channel"), OLD_OUTBOX_CHANNELS)
    op.execute("UPDATE cases SET channel = 'phone' WHERE channel IN ('sms', 'telegram')")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_channel"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_channel"), OLD_CASE_CHANNELS)
