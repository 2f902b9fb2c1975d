"""search index: trigrams over cases.description for the officer's search (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0024x
Revises: 0024o
Create Date: 2026-12-04 21:00:00

SQLite: an FTS5 external-content table `cases_search` with the trigram tokenizer (SQLite >= 3.34),
filled from the cases already there and kept in step by triggers on `cases`. A later batch
migration that rebuilds `cases` (copy, DROP, rename) drops those triggers with the old table: it
must create them again (grievance.models.search_index.install). PostgreSQL: the trusted pg_trgm
extension, a GIN index `cases_description_trgm` (gin_trgm_ops) and a 1,000-entry statistics target
on cases.description. The downgrade drops the index objects and keeps the extension.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024x"
down_revision = "0024o"
branch_labels = None
depends_on = None

FTS = "cases_search"
TRIGGERS = ("cases_search_ai", "cases_search_ad", "cases_search_au")
PG_INDEX = "cases_description_trgm"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5("
            "description, content='cases', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON cases BEGIN "
            f"INSERT INTO {FTS}(rowid, description) VALUES (new.id, new.description); END"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON cases BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, description) VALUES ('delete', old.id, old.description); END"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF description ON cases BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, description) VALUES ('delete', old.id, old.description); "
            f"INSERT INTO {FTS}(rowid, description) VALUES (new.id, new.description); END"
        )
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        ).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        op.execute(f"CREATE INDEX {PG_INDEX} ON cases USING gin (description {quoted}.gin_trgm_ops)")
        # A histogram that sees a word in 1 % of the cases (see grievance/models/search_index.py).
        op.execute("ALTER TABLE cases ALTER COLUMN description SET STATISTICS 1000")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        op.execute("ALTER TABLE cases ALTER COLUMN description SET STATISTICS -1")
