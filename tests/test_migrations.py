"""Migrations: `flask db upgrade` on an empty database gives exactly the models' schema, and
every revision downgrades cleanly. Runs on an SQLite file and, with TEST_DATABASE_URL, in a
throwaway PostgreSQL schema (so the session-wide test schema, public, is never touched)."""

from __future__ import annotations

import logging
import os
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

import grievance.models  # noqa: F401 - every model registered on the metadata
from config import TestConfig
from grievance import create_app
from grievance.extensions import db
from grievance.models import search_index


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger;
    put them back so later tests that read logs still see them."""
    manager = logging.root.manager
    disabled = {name: lg.disabled for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    levels = {name: lg.level for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root_handlers, root_level = logging.root.handlers[:], logging.root.level
    yield
    for name, lg in list(manager.loggerDict.items()):
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)
            if name in levels:
                lg.level = levels[name]
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)


def _postgres_schema():
    """Create an empty schema in TEST_DATABASE_URL's database; yields engine options that make
    it the only schema the app sees, then drops it. (A schema, not a database: CREATE and DROP
    DATABASE force checkpoints, which are slow on a busy disk.)"""
    import psycopg

    url = make_url(os.environ["TEST_DATABASE_URL"])
    schema = f"grievance_migr_{secrets.token_hex(4)}"
    params = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# SQLite always; PostgreSQL in the run that has one (.ci/run's second `make test`), so that the
# SQLite run reports no skipped test.
DATABASES = ["sqlite"] + (
    ["postgresql"] if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql") else []
)


@pytest.fixture(params=DATABASES)
def migration_app(request, tmp_path):
    """An app bound to an empty database (or PostgreSQL schema), inside an app context."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        options = iter([{}])
    else:
        url = os.environ["TEST_DATABASE_URL"]
        options = _postgres_schema()
    engine_options = {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, **next(options)}
    config = type(
        "MigrationConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options},
    )
    app = create_app(config)
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        for _ in options:  # run the generator's clean-up (drops the PostgreSQL schema)
            pass


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": search_index.include_object,  # not models; checked in _search_index
            },
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not search_index.is_index_object(name, "table")}


def _search_index() -> set[str]:
    """The description search index's objects present (models/search_index: not in the metadata)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        else:
            rows = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'cases' AND schemaname = current_schema()"
            )
        return {row[0] for row in rows} & _SEARCH_INDEX[conn.dialect.name]


_SEARCH_INDEX = {
    "sqlite": {search_index.FTS_TABLE, *search_index.TRIGGERS},
    "postgresql": {search_index.PG_INDEX},
}


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _revisions(app) -> list[str]:
    """Revision ids from base to head."""
    script = ScriptDirectory(app.extensions["migrate"].directory)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_gives_exactly_the_models_schema(migration_app):
    assert _tables() == set()
    upgrade()
    assert _current_revision() == _revisions(migration_app)[-1]
    assert _tables() == set(db.metadata.tables)
    assert _schema_differences() == []
    assert _search_index() == _SEARCH_INDEX[db.engine.dialect.name]


def test_every_revision_downgrades_to_base_and_upgrades_again(migration_app):
    revisions = _revisions(migration_app)
    upgrade()
    # Step down one revision at a time: each downgrade must leave the previous revision.
    for expected in reversed([None, *revisions[:-1]]):
        downgrade(revision="-1")
        assert _current_revision() == expected
    assert _tables() == set()
    assert _search_index() == set()

    upgrade()
    assert _current_revision() == revisions[-1]
    assert _schema_differences() == []
    assert _search_index() == _SEARCH_INDEX[db.engine.dialect.name]


def test_a_database_holding_cases_goes_down_and_up_again(migration_app):
    """Batch migrations rebuild `cases`, which other tables point at: that must work with data in it
    (an empty database cannot show it: SQLite refuses to drop a referenced table with foreign keys on)."""
    from sqlalchemy import func, select

    from grievance.intake.service import Submission, submit
    from grievance.models import Case, Event
    from grievance.seed import seed_reference

    upgrade()
    seed_reference()
    sub = Submission(
        category_code="NSAF-CT-MISSING",
        description="The payment did not arrive.",
        identity_mode="confidential",
        name="Sok Dara",
        phone="012345678",
    )
    submit(sub, key=b"k" * 32)
    db.session.commit()
    db.session.remove()
    downgrade(revision="0013")
    assert _current_revision() == "0013"
    upgrade()
    assert _current_revision() == _revisions(migration_app)[-1]
    assert db.session.execute(select(func.count()).select_from(Case)).scalar() == 1
    assert db.session.execute(select(func.count()).select_from(Event)).scalar() >= 1
    # The search index is rebuilt from the cases already there, and its triggers are in place.
    db.session.rollback()
    assert _search_index() == _SEARCH_INDEX[db.engine.dialect.name]
    from grievance.cases import search
    from grievance.models import User

    reader = User(role="oversight")
    assert [c.description for c in search.search(reader, "did not ARRIVE").cases] == ["The payment did not arrive."]
