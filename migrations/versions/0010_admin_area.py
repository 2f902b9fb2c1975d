"""the admin area: versions on edited settings, one-time account links, dated service-level terms

- users, organisations, categories, routing_rules, offices, info_pages: `version` (an edit from a stale page
  is refused); users.last_login_at;
- account_tokens: invitations and password resets (one-time, expiring, stored as SHA-256);
- organisations.kind may be 'platform';
- sla_policies: terms per scope ("*", "priority:<p>", "category:<id>") from an effective instant,
  so a change applies to cases received from then on; cases.sla_policy_id records the terms a
  case was received under (existing cases: the terms of their category, else the defaults).

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

VERSIONED = ("users", "organisations", "categories", "routing_rules", "offices", "info_pages")
EPOCH = "2000-01-01 00:00:00"


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_kind"), "kind IN ('cso', 'union', 'platform')")

    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("purpose IN ('invite', 'reset')", name=op.f("ck_account_tokens_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_tokens_user_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_account_tokens_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_account_tokens_user_purpose", ["user_id", "purpose"], unique=False)

    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("effective_from", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE sla_policies SET scope = CASE WHEN category_id IS NULL THEN '*' "
        "ELSE 'category:' || CAST(category_id AS VARCHAR(20)) END, "
        f"effective_from = '{EPOCH}', created_at = '{EPOCH}'"
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.alter_column("scope", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("effective_from", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("created_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_constraint(op.f("uq_sla_policies_category_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_sla_policies_scope_effective_from"), ["scope", "effective_from"])
        batch_op.create_check_constraint(
            op.f("ck_sla_policies_priority"), "priority IS NULL OR priority IN ('normal', 'urgent')"
        )
        batch_op.create_foreign_key(
            op.f("fk_sla_policies_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_cases_sla_policy_id_sla_policies"), "sla_policies", ["sla_policy_id"], ["id"]
        )
    # Every case so far ran on its category's terms, or the defaults (one row each before this).
    op.execute(
        "UPDATE cases SET sla_policy_id = COALESCE("
        "(SELECT p.id FROM sla_policies p WHERE p.category_id = cases.category_id), "
        "(SELECT p.id FROM sla_policies p WHERE p.scope = '*'))"
    )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_cases_sla_policy_id_sla_policies"), type_="foreignkey")
        batch_op.drop_column("sla_policy_id")
    # Only the terms each scope had first survive: the old table held one row per category.
    op.execute(
        "DELETE FROM sla_policies WHERE scope LIKE 'priority:%' OR id NOT IN "
        "(SELECT MIN(id) FROM sla_policies GROUP BY scope)"
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_sla_policies_created_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_sla_policies_priority"), type_="check")
        batch_op.drop_constraint(op.f("uq_sla_policies_scope_effective_from"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_sla_policies_category_id"), ["category_id"])
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("created_at")
        batch_op.drop_column("version")
        batch_op.drop_column("effective_from")
        batch_op.drop_column("priority")
        batch_op.drop_column("scope")

    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_account_tokens_user_purpose")
    op.drop_table("account_tokens")

    op.execute("UPDATE organisations SET kind = 'cso' WHERE kind = 'platform'")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_kind"), "kind IN ('cso', 'union')")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
