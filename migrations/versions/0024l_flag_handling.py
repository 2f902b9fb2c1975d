"""council flags handled: an instruction to the fund with a due date, the fund's answer, notes, an outcome

Revision ID: 0024l
Revises: 0023a
Create Date: 2026-12-04 21:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024l"
down_revision = "0023a"
branch_labels = None
depends_on = None

COLUMNS = (
    ("instruction", sa.Text()),
    ("instruction_due_at", sa.DateTime()),
    ("instructed_at", sa.DateTime()),
    ("instructed_by_id", sa.Integer()),
    ("answer", sa.Text()),
    ("answered_at", sa.DateTime()),
    ("answered_by_id", sa.Integer()),
    ("outcome", sa.Text()),
)


def upgrade():
    with op.batch_alter_table("case_flags") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_foreign_key(op.f("fk_case_flags_instructed_by_id_users"), "users", ["instructed_by_id"], ["id"])
        batch.create_foreign_key(op.f("fk_case_flags_answered_by_id_users"), "users", ["answered_by_id"], ["id"])
    op.create_table(
        "case_flag_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["case_flags.id"], name=op.f("fk_case_flag_notes_flag_id_case_flags")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_flag_notes_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_flag_notes")),
    )
    op.create_index(op.f("ix_case_flag_notes_flag_id"), "case_flag_notes", ["flag_id"])


def downgrade():
    op.drop_index(op.f("ix_case_flag_notes_flag_id"), table_name="case_flag_notes")
    op.drop_table("case_flag_notes")
    with op.batch_alter_table("case_flags") as batch:
        batch.drop_constraint(op.f("fk_case_flags_answered_by_id_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_case_flags_instructed_by_id_users"), type_="foreignkey")
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
