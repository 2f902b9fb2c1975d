"""Fixtures: a fresh database per test (SQLite in memory, or TEST_DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from config import TestConfig
from grievance import create_app
from grievance.admin.settings import forget as forget_settings
from grievance.extensions import db as _db
from grievance.seed import seed_reference
from tests.factories import PASSWORD, Factory


@pytest.fixture(scope="session")
def app():
    app = create_app(TestConfig)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            _db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            _db.session.commit()
        _db.create_all()
    yield app


@pytest.fixture()
def db(app):
    """A clean database with reference data; everything is removed afterwards."""
    with app.app_context():
        seed_reference()
        _db.session.commit()
        forget_settings()  # the run-time settings cached by the previous test's app use
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _truncate_all()


def _truncate_all() -> None:
    engine = _db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def make(app, db) -> Factory:
    return Factory(app)


@pytest.fixture()
def login_as(client, make):
    """login_as(role, fund="NSAF") → the logged-in user (a new account each call)."""

    def _login(role: str, fund: str | None = "NSAF", org: str | None = "Test CSO"):
        user = make.user(role, fund=fund, org=org)
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        return user

    return _login


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'sqlite (memory)'}"
