"""Configuration from the environment, and SQLite set up as a safe embedded database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from config import BASE_DIR, TestConfig
from grievance import create_app, security, sqlite
from grievance.extensions import db

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 40
AUDIT_KEY = "a" * 40


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter: config.py reads the environment once, at import."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "GRIEVANCE_INSTANCE"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


# --- production refuses an unsafe secret -------------------------------------------------


def test_production_refuses_to_start_without_an_audit_key_or_with_the_secret_key_as_one(monkeypatch):
    monkeypatch.setenv("GRIEVANCE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    for bad in (None, "short", STRONG_KEY):
        if bad is None:
            monkeypatch.delenv("AUDIT_KEY", raising=False)
        else:
            monkeypatch.setenv("AUDIT_KEY", bad)
        with pytest.raises(RuntimeError, match="AUDIT_KEY must be set"):
            create_app()
    monkeypatch.setenv("AUDIT_KEY", AUDIT_KEY)
    assert create_app().config["SESSION_COOKIE_SECURE"] is True  # starts


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("GRIEVANCE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app()


@pytest.mark.parametrize("key", ["short-key", "dev-only-not-secret"])
def test_production_refuses_a_short_or_default_secret_key(monkeypatch, key):
    monkeypatch.setenv("GRIEVANCE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app()


def test_production_starts_with_a_strong_key_and_secure_cookies(tmp_path):
    result = _python(
        "from wsgi import app; c = app.config; "
        "print(c['SECRET_KEY'] == 'k' * 40, c['SESSION_COOKIE_SECURE'], c['SESSION_COOKIE_HTTPONLY'])",
        GRIEVANCE_ENV="production",
        SECRET_KEY=STRONG_KEY,
        AUDIT_KEY=AUDIT_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


def test_production_without_key_exits_with_the_reason_on_stderr():
    result = _python("import wsgi", GRIEVANCE_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("GRIEVANCE_ENV", "staging")
    with pytest.raises(RuntimeError, match="GRIEVANCE_ENV must be one of"):
        create_app()


# --- DATABASE_URL -------------------------------------------------------------------------


def test_database_url_defaults_to_an_sqlite_file_under_instance():
    result = _python("import config; print(config.Config.SQLALCHEMY_DATABASE_URI)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sqlite:///{BASE_DIR / 'instance' / 'grievance.sqlite'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/grv", "postgresql+psycopg://u:p@db.example:5432/grv"),
        ("postgresql://u:p@db.example/grv", "postgresql+psycopg://u:p@db.example/grv"),
        ("postgresql+psycopg://u:p@db.example/grv", "postgresql+psycopg://u:p@db.example/grv"),
        ("sqlite:////srv/grievance.sqlite", "sqlite:////srv/grievance.sqlite"),
    ],
)
def test_database_url_is_rewritten_for_psycopg(given, expected):
    result = _python("import config; print(config.Config.SQLALCHEMY_DATABASE_URI)", DATABASE_URL=given)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- SQLite pragmas and BEGIN IMMEDIATE ---------------------------------------------------


@pytest.fixture()
def file_app(tmp_path):
    """An app on a fresh SQLite file (the in-memory test database cannot use WAL)."""
    path = tmp_path / "grievance.sqlite"
    config = type("FileConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app, path
        db.session.remove()
        db.engine.dispose()


def test_sqlite_file_connections_use_wal_busy_timeout_and_foreign_keys(file_app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() > 0
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _can_take_write_lock(path) -> bool:
    """Whether another connection could start writing right now (it does not wait)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def test_write_transactions_take_the_write_lock_when_they_begin(file_app):
    _app, path = file_app
    # Only a read so far, yet the transaction already holds the write lock: a later
    # read-modify-write in the same transaction cannot lose another writer's update.
    db.session.execute(text("SELECT count(*) FROM funds")).scalar()
    assert not _can_take_write_lock(path)
    db.session.rollback()
    assert _can_take_write_lock(path)


def test_read_only_transactions_do_not_block_writers(file_app):
    _app, path = file_app
    with sqlite.read_only():
        db.session.execute(text("SELECT count(*) FROM funds")).scalar()
        assert _can_take_write_lock(path)
        db.session.rollback()


def test_get_requests_read_without_the_write_lock_and_posts_take_it(file_app, monkeypatch):
    app, path = file_app
    seen = {}
    monkeypatch.setattr(security, "PUBLIC_ENDPOINTS", security.PUBLIC_ENDPOINTS | {"_probe", "_probe_post"})

    @app.get("/_probe")
    def _probe():
        db.session.execute(text("SELECT 1")).scalar()
        seen["get"] = _can_take_write_lock(path)
        db.session.rollback()
        return "ok"

    @app.post("/_probe")
    def _probe_post():
        db.session.execute(text("SELECT 1")).scalar()
        seen["post"] = _can_take_write_lock(path)
        db.session.rollback()
        return "ok"

    client = app.test_client()
    assert client.get("/_probe").status_code == 200
    assert client.post("/_probe").status_code == 200
    assert seen == {"get": True, "post": False}
