"""The index behind the officer's description search (cases/search.py): trigrams, so that a Khmer
word is found inside a sentence written without spaces, without reading every case.

- SQLite: `cases_search`, an FTS5 external-content table over `cases.description` with the
  `trigram` tokenizer (SQLite >= 3.34), kept in step by three triggers on `cases`; queried with
  MATCH on a quoted phrase (a phrase of trigrams is a substring) and its rowid is the case id.
  It holds no copy of the text (the content is read from `cases`), and it is not a column of
  `cases`, so the audit digest of a case does not change.
- PostgreSQL: the `pg_trgm` extension (trusted: the database owner may create it) and a GIN
  `gin_trgm_ops` index on `cases.description`, queried with ILIKE.

None of it is in the models' metadata (SQLAlchemy has no FTS5 table, and the GIN index must not
exist on SQLite): `install` runs after `cases` is created by `create_all` (tests, `make run`,
bench), migration 0024x creates the same objects, and `is_index_object` tells Alembic's
comparison that they are expected.
"""

from __future__ import annotations

from sqlalchemy import event, text

from grievance.models.case import Case

FTS_TABLE = "cases_search"
PG_INDEX = "cases_description_trgm"  # not "ix_": bench/datagen.sync_schema drops ix_ indexes it does not know
TRIGGERS = ("cases_search_ai", "cases_search_ad", "cases_search_au")
# FTS5's own tables behind the virtual table (external content: no _content copy of the text).
FTS_SHADOW = tuple(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config"))

# Plain text, no formatting: the names above spelt out.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_search USING fts5("
    "description, content='cases', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS cases_search_ai AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_search(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS cases_search_ad AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_search(cases_search, rowid, description) VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS cases_search_au AFTER UPDATE OF description ON cases BEGIN "
    "INSERT INTO cases_search(cases_search, rowid, description) VALUES ('delete', old.id, old.description); "
    "INSERT INTO cases_search(rowid, description) VALUES (new.id, new.description); END",
)
SQLITE_REBUILD = "INSERT INTO cases_search(cases_search) VALUES ('rebuild')"
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS cases_search_ai",
    "DROP TRIGGER IF EXISTS cases_search_ad",
    "DROP TRIGGER IF EXISTS cases_search_au",
    "DROP TABLE IF EXISTS cases_search",
)


# The planner's estimate of `description ILIKE '%word%'` comes from the column's histogram: with the
# default 100 entries a word in 1 % of the cases matches none of them and is estimated at the floor
# (0.01 %), so the planner reads 15,000 heap pages through the trigram index instead of walking the
# primary key newest first and stopping at 50 (650 ms against 60 ms at a million cases). 1,000
# entries see such a word. (Not a schema difference Alembic compares.)
PG_STATISTICS = "ALTER TABLE cases ALTER COLUMN description SET STATISTICS 1000"


def pg_trgm_schema(conn) -> str:
    """The schema holding pg_trgm (created if missing), so its operator class is found whatever the search_path."""
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    return conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()


def pg_create_sql(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON cases USING gin (description {quoted}.gin_trgm_ops)"


def install(conn, *, populate: bool = True) -> None:
    """Create the index objects on this connection's database (idempotent); `populate` fills the
    FTS table from the cases already there (SQLite; PostgreSQL's index is built by CREATE INDEX)."""
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            conn.execute(text(statement))
        if populate:
            conn.execute(text(SQLITE_REBUILD))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(pg_create_sql(pg_trgm_schema(conn))))
        conn.execute(text(PG_STATISTICS))


def present(conn) -> bool:
    """Whether this database has the index (the FTS table on SQLite, the GIN index on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cases_search'"
    else:
        sql = (
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'cases' AND indexname = 'cases_description_trgm'"
        )
    return conn.execute(text(sql)).first() is not None


def ensure(conn) -> bool:
    """Create and fill the index if this database lacks it (a database made before it); True if made."""
    if present(conn):
        return False
    install(conn)
    return True


def uninstall(conn) -> None:
    """Drop the index objects (the extension stays: other objects may use it)."""
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("DROP INDEX IF EXISTS cases_description_trgm"))
        conn.execute(text("ALTER TABLE cases ALTER COLUMN description SET STATISTICS -1"))


def is_index_object(name: str | None, type_: str) -> bool:
    """True for the search index's own objects, which the models' metadata does not describe."""
    if type_ == "table":
        return name == FTS_TABLE or name in FTS_SHADOW
    if type_ == "index":
        return name == PG_INDEX
    return False


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: leave the search index out of schema comparisons."""
    return not (reflected and compare_to is None and is_index_object(name, type_))


@event.listens_for(Case.__table__, "after_create")
def _after_cases_created(table, connection, **kw) -> None:
    install(connection, populate=False)


@event.listens_for(Case.__table__, "before_drop")
def _before_cases_dropped(table, connection, **kw) -> None:
    uninstall(connection)
